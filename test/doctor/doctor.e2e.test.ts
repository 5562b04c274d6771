/**
 * `confl auth doctor` (issue 13) through the built CLI against the simulator: every step's pass and its
 * failure (a refused port, an unknown host, an untrusted CA, an expired certificate, a wrong token, a scoped
 * token on the site, a scope mismatch, a proxy that works and one that does not, an expired OAuth token, rate
 * limits, no keychain), the exit codes, the first failure's fix, and --json with every secret redacted.
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { upsertProfile } from "../../src/config/store.js";
import type { Profile } from "../../src/config/types.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { type ReverseProxy, startTlsReverseProxy } from "../auth/proxy.js";
import { confl } from "../commands/helpers.js";
import { startProxy, type TestProxy } from "../http/helpers.js";
import { createPki, type Pki } from "../http/pki.js";
import { useSimulator } from "../support/context.js";

interface Step {
  id: string;
  name: string;
  status: "pass" | "fail" | "warn" | "skip";
  detail: string;
  fix?: string;
  code?: string;
  data?: Record<string, unknown>;
}
interface Report {
  profile?: string;
  ok: boolean;
  exitCode: number;
  steps: Step[];
}

const sim = useSimulator();
let pki: Pki;
let tlsDc: ReverseProxy;
let expiredTls: ReverseProxy;
let forward: TestProxy;
const OAUTH_TOKEN = "fake-doctor-oauth-access-token-0001";
const OAUTH_JIRA_TOKEN = "fake-doctor-oauth-jira-token-0001";

beforeAll(async () => {
  pki = createPki();
  tlsDc = await startTlsReverseProxy(sim.origins.dcOrigin, pki.server);
  expiredTls = await startTlsReverseProxy(sim.origins.dcOrigin, pki.expired);
  forward = await startProxy();
}, 60_000);

afterAll(async () => {
  await tlsDc?.stop();
  await expiredTls?.stop();
  await forward?.close();
});

beforeEach(() => {
  sim.reset();
  forward.seen.length = 0;
});

function isolated(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "confl-doctor-"));
  return {
    CONFL_CONFIG_DIR: join(dir, "config"),
    HOME: dir,
    NETRC: join(dir, "netrc"),
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
  };
}

function cloudEnv(token = sim.credentials.cloud.apiToken, url = sim.origins.site): NodeJS.ProcessEnv {
  return {
    ...isolated(),
    CONFLUENCE_URL: url,
    CONFLUENCE_EMAIL: sim.credentials.cloud.email,
    CONFLUENCE_API_TOKEN: token,
  };
}

function dcEnv(url: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...isolated(), CONFLUENCE_URL: url, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat, ...extra };
}

async function doctor(env: NodeJS.ProcessEnv, args: string[] = []) {
  const json = await confl(["--json", ...args, "auth", "doctor"], env);
  let report: Report;
  try {
    report = JSON.parse(json.stdout) as Report;
  } catch {
    throw new Error(`not JSON (exit ${json.code}):\n${json.stdout}\n${json.stderr}`);
  }
  const step = (id: string) => {
    const found = report.steps.find((s) => s.id === id);
    if (!found) throw new Error(`no step ${id}`);
    return found;
  };
  return { ...json, report, step };
}

function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.steps.map((s) => [s.id, s.status]));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A stored OAuth profile through the gateway, its secret in a plain file (what a browser login leaves). */
async function oauthProfile(env: NodeJS.ProcessEnv, secret: Record<string, unknown>): Promise<void> {
  const profile: Profile = {
    name: "default",
    site: sim.origins.site,
    deployment: "cloud",
    apiBase: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
    cloudId: sim.cloudId,
    kind: "oauth",
    oauth: { clientId: sim.credentials.oauth.clientId },
    secretStore: "plaintext",
    secretEntry: "default#0000abcd",
  };
  await new PlainFileStore(env).set("default#0000abcd", JSON.stringify({ kind: "oauth", ...secret }));
  await upsertProfile(profile, env);
}

function grant(token: string, scopes: string[], expiresAt = Date.now() + 3_600_000): void {
  sim.tokens.grant({ token, kind: "oauth", user: sim.users.cloud, scopes, expiresAt });
}

describe("auth doctor: a working setup", () => {
  it("Cloud site, classic token: every step passes or says why it does not apply; exit 0", async () => {
    const { code, report, step, stdout, stderr } = await doctor(cloudEnv());
    expect(code, stderr).toBe(0);
    expect(report.ok).toBe(true);
    expect(statuses(report)).toMatchObject({
      profile: "pass",
      dns: "pass",
      proxy: "pass",
      tls: "skip",
      deployment: "pass",
      identity: "pass",
      content: "pass",
      jira: "pass",
      "rate-limit": "pass",
      "token-expiry": "skip",
    });
    expect(step("dns").detail).toContain("127.0.0.1 → 127.0.0.1");
    expect(step("proxy").detail).toContain("direct (no proxy configured)");
    expect(step("deployment").detail).toContain("Cloud");
    expect(step("identity").detail).toContain(sim.users.cloud.displayName);
    expect(step("content").detail).toMatch(/v2 api\/v2\/spaces ✓, v1 rest\/api\/search ✓ \(on the site\)/);
    expect(step("jira").detail).toContain("rest/api/3/myself");
    expect(stdout).not.toContain(sim.credentials.cloud.apiToken);
  });

  it("prints ✓ lines for people and 'all checks passed'", async () => {
    const run = await confl(["auth", "doctor"], cloudEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^✓ identity {8}Ada/m);
    expect(run.stdout).toMatch(/^- TLS {13}.*plain http/m);
    expect(run.stdout).toMatch(/all checks passed/);
  });

  it("Data Center PAT: Jira is skipped (none configured), content reads v1", async () => {
    const { code, step, stderr } = await doctor(dcEnv(sim.origins.dc));
    expect(code, stderr).toBe(0);
    expect(step("deployment").detail).toContain("Data Center");
    expect(step("content").detail).toContain("v1 rest/api/space ✓");
    expect(step("jira").status).toBe("skip");
  });
});

describe("auth doctor: network", () => {
  it("a refused port: deployment fails with exit 1, identity and content are skipped", async () => {
    const port = await closedPort();
    const { code, report, step } = await doctor(dcEnv(`http://127.0.0.1:${port}/confluence`));
    expect(code).toBe(1);
    expect(report.exitCode).toBe(1);
    expect(step("deployment")).toMatchObject({ status: "fail", code: "auth.connection_refused" });
    expect(step("deployment").fix).toMatch(/server running/);
    expect(step("identity").detail).toBe("skipped: deployment failed");
    expect(step("content").status).toBe("skip");
    // what can still be known is still reported
    expect(step("proxy").status).toBe("pass");
    expect(step("token-expiry").status).toBe("skip");
  });

  it("an unknown host: name resolution fails, exit 1, the human output ends with the fix", async () => {
    const env = dcEnv("https://confl-doctor-test.invalid/confluence");
    const { code, step } = await doctor(env);
    expect(code).toBe(1);
    expect(step("dns")).toMatchObject({ status: "fail", code: "auth.dns" });
    expect(step("tls").detail).toBe("skipped: name resolution failed");
    const human = await confl(["auth", "doctor"], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^✗ name resolution cannot resolve confl-doctor-test\.invalid/m);
    expect(human.stdout).toMatch(/^fix: check the site URL/m);
  });
});

describe("auth doctor: TLS", () => {
  it("a certificate from a CA this machine does not trust: TLS fails, names the issuer, says --ca-file", async () => {
    const { code, step } = await doctor(dcEnv(`${tlsDc.url}/confluence`));
    expect(code).toBe(1);
    const tls = step("tls");
    expect(tls.status).toBe("fail");
    expect(tls.detail).toMatch(
      /not accepted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    );
    expect(tls.detail).toContain("issued by confl test CA");
    expect(tls.fix).toMatch(/--ca-file/);
    expect(step("identity").status).toBe("skip");
  });

  it("with the CA file: chain, issuer, validity and days left; then everything works over TLS", async () => {
    const { code, step, stderr } = await doctor(
      dcEnv(`${tlsDc.url}/confluence`, { CONFL_CA_FILE: pki.caFile }),
    );
    expect(code, stderr).toBe(0);
    const tls = step("tls");
    expect(tls.status).toBe("warn"); // the test CA's certificates live two days: "expires in 1 day"
    expect(tls.detail).toContain("certificate for 127.0.0.1 issued by confl test CA");
    expect(tls.detail).toMatch(/chain 127\.0\.0\.1 → confl test CA/);
    expect(tls.detail).toMatch(/\(1 day left\)/);
    expect(tls.detail).toContain(`CA file ${pki.caFile}`);
    const cert = ((tls.data?.certificates ?? []) as Array<Record<string, unknown>>)[0];
    expect(cert?.daysLeft).toBe(1);
    expect(step("identity").status).toBe("pass");
  });

  it("an expired certificate: CERT_HAS_EXPIRED and the admin must renew it", async () => {
    const { code, step } = await doctor(dcEnv(`${expiredTls.url}/confluence`, { CONFL_CA_FILE: pki.caFile }));
    expect(code).toBe(1);
    expect(step("tls").detail).toContain("CERT_HAS_EXPIRED");
    expect(step("tls").fix).toMatch(/renew/);
  });
});

describe("auth doctor: proxy", () => {
  it("through a CONNECT proxy: names it and its variable, inspects TLS through the tunnel", async () => {
    const env = dcEnv(`${tlsDc.url}/confluence`, {
      CONFL_CA_FILE: pki.caFile,
      HTTPS_PROXY: `http://doctor-user:fake-proxy-password-0001@127.0.0.1:${forward.port}`,
    });
    const { code, step, stdout, stderr } = await doctor(env);
    expect(code, stderr).toBe(0);
    expect(step("proxy").detail).toContain(`via http://***@127.0.0.1:${forward.port}/ (from HTTPS_PROXY)`);
    expect(step("tls").detail).toContain(`through http://***@127.0.0.1:${forward.port}/`);
    expect(step("identity").status).toBe("pass");
    expect(forward.seen.some((s) => s.startsWith("CONNECT 127.0.0.1:"))).toBe(true);
    expect(stdout).not.toContain("fake-proxy-password-0001");
  });

  it("NO_PROXY that covers the host: direct, and says why", async () => {
    const env = dcEnv(`${tlsDc.url}/confluence`, {
      CONFL_CA_FILE: pki.caFile,
      HTTPS_PROXY: `http://127.0.0.1:${forward.port}`,
      NO_PROXY: "127.0.0.1",
    });
    const { code, step } = await doctor(env);
    expect(code).toBe(0);
    expect(step("proxy").detail).toContain("direct (NO_PROXY=127.0.0.1 excludes it)");
    expect(forward.seen).toEqual([]);
  });

  it("a proxy that refuses connections: the proxy step fails with exit 1 and names the variable", async () => {
    const port = await closedPort();
    const env = dcEnv(`${tlsDc.url}/confluence`, {
      CONFL_CA_FILE: pki.caFile,
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
    });
    const { code, step } = await doctor(env);
    expect(code).toBe(1);
    expect(step("proxy")).toMatchObject({ status: "fail", code: "auth.proxy" });
    expect(step("proxy").detail).toContain("ECONNREFUSED");
    expect(step("proxy").fix).toMatch(/HTTPS_PROXY/);
    expect(step("tls").status).toBe("skip");
  });
});

describe("auth doctor: credentials and scopes", () => {
  it("a wrong token: identity fails with exit 4 and the fix; content and Jira are skipped", async () => {
    const { code, report, step } = await doctor(cloudEnv("fake-wrong-cloud-token-0001"));
    expect(code).toBe(4);
    expect(report.exitCode).toBe(4);
    expect(step("identity")).toMatchObject({ status: "fail", code: "auth.caller_cannot_access" });
    expect(step("identity").fix).toMatch(/CONFLUENCE_API_TOKEN/);
    expect(step("content").status).toBe("skip");
    expect(step("jira").status).toBe("skip");
  });

  it("a scoped token on the site URL: says the gateway is the way in, exit 4", async () => {
    const { code, step } = await doctor(cloudEnv(sim.credentials.cloud.scopedToken));
    expect(code).toBe(4);
    expect(step("identity")).toMatchObject({ status: "fail", code: "auth.scoped_token_on_site" });
    expect(step("identity").fix).toMatch(/CONFLUENCE_URL at the API gateway/);
  });

  it("a scoped token with classic scopes through the gateway: v1 works, v2 lacks read:space:confluence", async () => {
    const url = `${sim.origins.gateway}/ex/confluence/${sim.cloudId}`;
    const { code, step } = await doctor(cloudEnv(sim.credentials.cloud.scopedTokenClassic, url));
    expect(code).toBe(4);
    expect(step("identity").status).toBe("pass");
    const content = step("content");
    expect(content).toMatchObject({ status: "fail", code: "auth.scope_mismatch" });
    expect(content.detail).toMatch(
      /v2 api\/v2\/spaces ✗ 401, v1 rest\/api\/search ✓ \(through the gateway\)/,
    );
    expect(content.detail).toContain("read:space:confluence");
  });

  it("a granular scoped token through the gateway: Confluence works, Jira warns that it lacks Jira's scopes", async () => {
    const url = `${sim.origins.gateway}/ex/confluence/${sim.cloudId}`;
    const { code, step } = await doctor(cloudEnv(sim.credentials.cloud.scopedToken, url));
    expect(code).toBe(0);
    expect(step("content").detail).toContain("(through the gateway)");
    expect(step("jira").status).toBe("warn");
    expect(step("jira").detail).toContain("read:jira-user");
  });
});

describe("auth doctor: OAuth, rate limits, token expiry", () => {
  it("an OAuth grant with Jira scopes: Jira passes through /ex/jira/, the expiry is shown", async () => {
    grant(OAUTH_JIRA_TOKEN, [
      "read:confluence-user",
      "read:space:confluence",
      "search:confluence",
      "read:jira-user",
    ]);
    const env = isolated();
    await oauthProfile(env, { accessToken: OAUTH_JIRA_TOKEN, expiresAt: Date.now() + 50 * 60_000 });
    const { code, step, stdout, stderr } = await doctor(env);
    expect(code, stderr).toBe(0);
    expect(step("jira").detail).toContain(`/ex/jira/${sim.cloudId}/`);
    expect(step("token-expiry").status).toBe("pass");
    expect(step("token-expiry").detail).toMatch(/expires .* \(in (49|50) min\)/);
    expect(stdout).not.toContain(OAUTH_JIRA_TOKEN);
  });

  it("an expired OAuth token without a refresh token: identity and token expiry fail, exit 4", async () => {
    grant(OAUTH_TOKEN, ["read:confluence-user", "read:space:confluence"], Date.now() - 60_000);
    const env = isolated();
    await oauthProfile(env, { accessToken: OAUTH_TOKEN, expiresAt: Date.now() - 60_000 });
    const { code, step } = await doctor(env);
    expect(code).toBe(4);
    expect(step("identity")).toMatchObject({ status: "fail", code: "auth.token_expired" });
    expect(step("token-expiry")).toMatchObject({ status: "fail", code: "auth.token_expired" });
    expect(step("token-expiry").fix).toMatch(/confl auth login --type oauth/);
  });

  it("rate-limit headers with little headroom: a warning with the numbers", async () => {
    sim.settings.rateLimitHeadroom = { limit: 1000, remaining: 50 };
    const { code, step } = await doctor(cloudEnv());
    expect(code).toBe(0);
    expect(step("rate-limit").status).toBe("warn");
    expect(step("rate-limit").detail).toMatch(
      /^50 of 1000 requests left, resets \d{4}-\d\d-\d\dT\d\d:\d\dZ: less than 20 % left/,
    );
  });

  it("plenty of headroom passes", async () => {
    sim.settings.rateLimitHeadroom = { limit: 1000, remaining: 900 };
    const { step } = await doctor(cloudEnv());
    expect(step("rate-limit")).toMatchObject({
      status: "pass",
      detail: expect.stringMatching(/^900 of 1000/),
    });
  });

  it("a 429 on the identity call: identity and rate limit fail with Retry-After, exit 1", async () => {
    sim.rateLimit({ count: 1, retryAfter: "30", rateLimitHeaders: true, pathPattern: /user\/current/ });
    const { code, step } = await doctor(cloudEnv());
    expect(code).toBe(1);
    expect(step("identity")).toMatchObject({ status: "fail", code: "http.rate_limited" });
    expect(step("identity").fix).toBe("wait 30 seconds and run it again");
    expect(step("rate-limit").status).toBe("fail");
    expect(step("rate-limit").detail).toMatch(/Retry-After 30 s/);
  });
});

describe("auth doctor: keychain", () => {
  it("a profile whose secret is in an OS keychain that does not answer: profile and keychain fail", async () => {
    const env = isolated();
    await upsertProfile(
      {
        name: "default",
        site: sim.origins.site,
        deployment: "cloud",
        apiBase: `${sim.origins.site}/wiki/`,
        kind: "api-token",
        email: sim.credentials.cloud.email,
        secretStore: "keychain",
      },
      env,
    );
    // no DBUS_SESSION_BUS_ADDRESS: no keychain (the CLI gets only these variables and PATH)
    const { code, step } = await doctor(env);
    expect(code).toBe(1);
    expect(step("profile")).toMatchObject({ status: "fail", code: "secrets.no-dbus" });
    expect(step("keychain")).toMatchObject({ status: "fail", code: "secrets.no-dbus" });
    expect(step("keychain").detail).toContain("holds this profile's secret");
    expect(step("keychain").fix).toMatch(/dbus-run-session/);
    expect(step("identity").status).toBe("skip");
  });

  it("no keychain, and a profile that does not use one: a warning, not a failure", async () => {
    const { code, step } = await doctor(cloudEnv());
    expect(code).toBe(0);
    expect(["warn", "pass"]).toContain(step("keychain").status);
  });

  it.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)("a keychain that answers passes", async () => {
    const env = { ...cloudEnv(), DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
    const { step } = await doctor(env);
    expect(step("keychain").status).toBe("pass");
  });
});
