/**
 * Every failure in issue 4 gets ONE specific error with the fix (an AuthError, exit 4, when the credential
 * was judged; exit 1 when the network or server failed first) — each pinned here against
 * the simulator (or a loopback server that misbehaves the same way).
 */

import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { diagnoseResponse, scopesMentioned } from "../../src/auth/diagnose.js";
import { createStrategy } from "../../src/auth/kinds/index.js";
import { clientForSession } from "../../src/auth/session.js";
import { verifyProfile } from "../../src/auth/verify.js";
import { type LoginOptions, run as login } from "../../src/commands/auth/login.js";
import type { Profile } from "../../src/config/types.js";
import { AuthError, ConflError, ExitCode, UsageError } from "../../src/errors.js";
import { confl } from "../commands/helpers.js";
import { createPki, type Pki } from "../http/pki.js";
import { cloudLoginOptions, inProcessContext, tempDir, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";
import { type ReverseProxy, startTlsReverseProxy } from "./proxy.js";

const NOT_JUDGED = new Set([
  "auth.not_found",
  "auth.endpoint_removed",
  "auth.server_error",
  "auth.unexpected_status",
  "auth.tls",
  "auth.not_tls",
  "auth.connection_refused",
  "auth.dns",
  "auth.proxy",
  "auth.timeout",
  "auth.network",
]);

const sim = useSimulator();
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

async function loginFails(options: LoginOptions, stdin: string, env = simEnv(sim)): Promise<ConflError> {
  const t = inProcessContext(env, { stdin });
  try {
    await login({ insecureStorage: true, withToken: stdin !== "", ...options }, t.ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(ConflError);
    // nothing half-written: a failed login stores no profile
    expect(() => readFileSync(join(env.CONFL_CONFIG_DIR!, "config.json"))).toThrow();
    const e = error as ConflError;
    // a diagnosis of the credential is exit 4; where the credential was never judged (network, TLS, a 404,
    // 410 or 5xx from the server) it is a failure, exit 1, as on every command (README); bad input is 2
    if (!(e instanceof UsageError))
      expect([e.code, e.exitCode]).toEqual([
        e.code,
        NOT_JUDGED.has(e.code) ? ExitCode.FAILURE : ExitCode.AUTH,
      ]);
    expect(e.message).not.toContain(stdin.trim() || "\u0000never");
    expect(e.message.split("\n")).toHaveLength(1);
    return e;
  }
  throw new Error("login succeeded but should have failed");
}

const cloudLogin = (token: string, extra: Partial<LoginOptions> = {}) =>
  loginFails(
    { site: sim.origins.site, type: "api-token", email: sim.credentials.cloud.email, ...extra },
    token,
  );

describe("diagnosis: one specific error with the fix, exit 4", () => {
  it("wrong token on a private Cloud site (403 caller cannot access)", async () => {
    const e = await cloudLogin("fake-wrong-token-0001");
    expect(e).toBeInstanceOf(AuthError);
    expect(e.exitCode).toBe(ExitCode.AUTH);
    expect(e.code).toBe("auth.caller_cannot_access");
    expect(e.hint).toMatch(/id\.atlassian\.com\/manage-profile\/security\/api-tokens/);
  });

  it("credentials silently ignored on a public Cloud site (anonymous 200)", async () => {
    sim.settings.cloudAnonymousAccess = true;
    const e = await cloudLogin("fake-wrong-token-0001");
    expect(e.code).toBe("auth.anonymous");
    expect(e.message).toMatch(/public and ignored the credential/);
  });

  it("credentials ignored on DC with anonymous access (200 + AUTHENTICATED_FAILED)", async () => {
    sim.settings.dcAnonymousAccess = true;
    const e = await loginFails({ site: sim.origins.dc, type: "pat" }, "fake-wrong-pat-0001");
    expect(e.code).toBe("auth.anonymous");
  });

  it("a scoped token used on the site URL (stored as api-token) is named as such", async () => {
    const profile: Profile = {
      name: "p",
      site: sim.origins.site,
      deployment: "cloud",
      apiBase: `${sim.origins.site}/wiki/`,
      kind: "api-token",
      email: sim.credentials.cloud.email,
      secretStore: "none",
    };
    const { ctx } = inProcessContext(simEnv(sim));
    const strategy = createStrategy(
      profile,
      { kind: "api-token", token: sim.credentials.cloud.scopedToken },
      { ctx },
    );
    const error = await verifyProfile(clientForSession(ctx, { profile, strategy }), profile, ctx.env).catch(
      (e) => e,
    );
    expect(error).toMatchObject({
      exitCode: ExitCode.AUTH,
      code: "auth.scoped_token_on_site",
      hint: expect.stringMatching(/--type scoped-token/),
    });
  });

  it("confl auth login --type scoped-token with a token created with classic scopes only: v2 is refused for its scopes, the v1 read works, the login succeeds", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.cloud.scopedTokenClassic });
    const result = await login(cloudLoginOptions(sim, "scoped-token"), t.ctx);
    expect(result.profile.kind).toBe("scoped-token");
    expect(result.identity?.accountId).toBe(sim.users.cloud.accountId);
    const gateway = sim.log
      .filter((e) => e.server === "gateway")
      .map((e) => `${e.status} ${e.path.split("?")[0]}`);
    expect(gateway).toContainEqual(expect.stringMatching(/^401 .*\/wiki\/api\/v2\/spaces$/));
    expect(gateway).toContainEqual(expect.stringMatching(/^200 .*\/wiki\/rest\/api\/search$/));
  });

  it("confl auth login --type scoped-token with scopes that allow no content read names what each call lists in the spec", async () => {
    const granted = sim.credentials.cloud.scopedTokenScopes;
    sim.credentials.cloud.scopedTokenScopes = ["read:confluence-user"];
    try {
      const e = await loginFails(
        { site: sim.origins.site, type: "scoped-token", email: sim.credentials.cloud.email },
        sim.credentials.cloud.scopedToken,
      );
      expect(e.code).toBe("auth.scope_mismatch");
      // the v2 call's granular scope, the v1 call's classic scope and its beta granular alternative
      expect(e.message).toContain("GET /wiki/api/v2/spaces needs: read:space:confluence");
      expect(e.message).toContain(
        "GET /wiki/rest/api/search needs: search:confluence (classic) or read:content-details:confluence (granular, beta)",
      );
      expect(e.hint).toMatch(
        /create a scoped token with the scopes of either call at https:\/\/id\.atlassian\.com/,
      );
      expect(`${e.message} ${e.hint}`).not.toMatch(/granular scopes serve the v2 API/);
    } finally {
      sim.credentials.cloud.scopedTokenScopes = granted;
    }
  });

  it("confl page children 65536 with a scoped token without read:hierarchical-content:confluence: the hint names that scope", async () => {
    const granted = sim.credentials.cloud.scopedTokenScopes;
    const env = simEnv(sim);
    await login(
      cloudLoginOptions(sim, "scoped-token"),
      inProcessContext(env, { stdin: sim.credentials.cloud.scopedToken }).ctx,
    );
    sim.credentials.cloud.scopedTokenScopes = granted.filter(
      (s) => s !== "read:hierarchical-content:confluence",
    );
    try {
      const run = await confl(["page", "children", "65536"], env);
      expect(run.code).toBe(ExitCode.AUTH);
      expect(run.stderr).toMatch(/scope does not match/);
      expect(run.stderr).toContain(
        "hint: the token's scopes do not cover GET /wiki/api/v2/pages/{id}/direct-children, which needs read:hierarchical-content:confluence",
      );
      expect(run.stderr).not.toMatch(/granular scopes work with v2/);
    } finally {
      sim.credentials.cloud.scopedTokenScopes = granted;
    }
  });

  it("scope mismatch names the missing scopes when the gateway says which", () => {
    const error = diagnoseResponse(
      {
        status: 401,
        headers: new Headers({ "x-failure-category": "FAILURE_CLIENT_SCOPE_CHECK" }),
        bodyText:
          '{"code":401,"message":"Unauthorized; scope does not match. Required: read:space:confluence, read:page:confluence"}',
        url: "https://api.atlassian.com/ex/confluence/c/wiki/api/v2/spaces",
      },
      {
        kind: "scoped-token",
        deployment: "cloud",
        site: "https://a.atlassian.net",
        apiBase: "x",
        onGateway: true,
        phase: "content",
      },
    );
    expect(error?.message).toContain("read:space:confluence, read:page:confluence");
    // nothing named by the gateway: the identity call's scopes come from the OpenAPI file
    const identity = diagnoseResponse(
      {
        status: 401,
        headers: new Headers({ "x-failure-category": "FAILURE_CLIENT_SCOPE_CHECK" }),
        bodyText: '{"code":401,"message":"Unauthorized; scope does not match"}',
        url: "https://api.atlassian.com/ex/confluence/c/wiki/rest/api/user/current",
      },
      {
        kind: "oauth",
        deployment: "cloud",
        site: "https://a.atlassian.net",
        apiBase: "x",
        onGateway: true,
        phase: "identity",
      },
    );
    expect(identity?.message).toMatch(/read:confluence-user \(classic\) or read:content-details:confluence/);
    expect(scopesMentioned("needs read:confluence-content.all and write:page:confluence.")).toEqual([
      "read:confluence-content.all",
      "write:page:confluence",
    ]);
  });

  it("an expired token says tokens live at most a year and where to make a new one", async () => {
    const e = await cloudLogin(sim.credentials.cloud.expiredApiToken);
    expect(e.code).toBe("auth.token_rejected");
    expect(e.hint).toMatch(/at most a year/);
    expect(e.hint).toMatch(/id\.atlassian\.com\/manage-profile\/security\/api-tokens/);
  });

  it("a token revoked after login fails verification the same way", async () => {
    sim.expireToken(sim.credentials.cloud.apiToken);
    const e = await cloudLogin(sim.credentials.cloud.apiToken);
    expect(e.code).toBe("auth.token_rejected");
  });

  it("CAPTCHA lock-out on DC (AUTHENTICATION_DENIED): log in once in a browser", async () => {
    for (let i = 0; i < sim.settings.captchaAfterFailures; i++) {
      await loginFails(
        { site: sim.origins.dc, type: "password", username: sim.credentials.dc.username },
        `fake-wrong-password-${i}000`,
      );
    }
    const e = await loginFails(
      { site: sim.origins.dc, type: "password", username: sim.credentials.dc.username },
      sim.credentials.dc.password,
    );
    expect(e.code).toBe("auth.captcha");
    expect(e.hint).toMatch(/log in once in a browser/);
  });

  it("a PAT sent as Basic (given with a username) is recognised and the fix named", async () => {
    const e = await loginFails(
      { site: sim.origins.dc, type: "password", username: "grace" },
      sim.credentials.dc.pat,
    );
    expect(e.code).toBe("auth.pat_as_basic");
    expect(e.hint).toMatch(/--type pat/);
  });

  it("confl auth login --type api-token on DC: API tokens are Cloud only, use a PAT (nothing sent)", async () => {
    const e = await loginFails(
      { site: sim.origins.dc, type: "api-token", email: "grace@example.com", deployment: "dc" },
      sim.credentials.dc.pat,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect(e.code).toBe("usage.api_token_on_dc");
    expect(e.message).toBe("API tokens are Cloud only: use a PAT");
    expect(e.hint).toMatch(/--type pat/);
    expect(sim.log.filter((entry) => entry.headers.authorization)).toEqual([]);
  });

  it("an email given for a PAT is refused before anything is sent (exit 2)", async () => {
    const e = await loginFails(
      { site: sim.origins.dc, type: "pat", email: "grace@example.com" },
      sim.credentials.dc.pat,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect(e.code).toBe("usage.pat_with_identity");
    expect(sim.log).toEqual([]);
  });

  it("the account password instead of an API token on Cloud", async () => {
    const e = await cloudLogin((sim.credentials.cloud as { accountPassword: string }).accountPassword);
    expect(e.code).toBe("auth.password_on_cloud");
    expect(e.hint).toMatch(/API token/);
  });

  it("Basic auth disabled by the admin points at OAuth client credentials", async () => {
    sim.settings.cloudBasicAuthDisabled = true;
    const e = await cloudLogin(sim.credentials.cloud.apiToken);
    expect(e.code).toBe("auth.basic_disabled");
    expect(e.hint).toMatch(/--type client-credentials/);
  });

  it("an SSO/HTML login page instead of JSON", async () => {
    sim.fault({
      server: "dc",
      pathPattern: /user\/current/,
      count: Number.POSITIVE_INFINITY,
      fault: { type: "html" },
    });
    const e = await loginFails({ site: sim.origins.dc, type: "pat" }, sim.credentials.dc.pat);
    expect(e.code).toBe("auth.html_login_page");
    expect(e.hint).toMatch(/personal access token|cookie/);
  });

  it("a 404 says it may mean no permission", async () => {
    sim.fault({
      server: "dc",
      pathPattern: /user\/current/,
      count: Number.POSITIVE_INFINITY,
      fault: { type: "status", status: 404 },
    });
    const e = await loginFails({ site: sim.origins.dc, type: "pat" }, sim.credentials.dc.pat);
    expect(e.code).toBe("auth.not_found");
    expect(e.message).toMatch(/no permission/);
  });

  it("410 Gone says the endpoint was removed", async () => {
    sim.fault({
      server: "site",
      pathPattern: /api\/v2\/spaces/,
      count: Number.POSITIVE_INFINITY,
      fault: {
        type: "status",
        status: 410,
        body: '{"statusCode":410,"message":"This deprecated endpoint has been removed."}',
        contentType: "application/json",
      },
    });
    const e = await cloudLogin(sim.credentials.cloud.apiToken);
    expect(e.code).toBe("auth.endpoint_removed");
  });

  describe("TLS", () => {
    let pki: Pki;
    let proxy: ReverseProxy;
    beforeAll(async () => {
      pki = createPki();
      proxy = await startTlsReverseProxy(sim.origins.dcOrigin, pki.server);
    });
    afterAll(async () => proxy.stop());

    it("a certificate from an unknown CA → --ca-file; with it the login works", async () => {
      const e = await loginFails({ site: `${proxy.url}/confluence`, type: "pat" }, sim.credentials.dc.pat);
      expect(e.code).toBe("auth.tls");
      expect(e.hint).toMatch(/--ca-file/);
      const env = simEnv(sim);
      const result = await login(
        {
          site: `${proxy.url}/confluence`,
          type: "pat",
          withToken: true,
          insecureStorage: true,
          caFile: pki.caFile,
        },
        inProcessContext(env, { stdin: sim.credentials.dc.pat }).ctx,
      );
      expect(result.profile.tls?.caFile).toBe(pki.caFile);
      expect(result.profile.deployment).toBe("dc");
    });

    it("login's --ca-file beats CONFL_CA_FILE (flag → environment → profile), for detection and verification", async () => {
      const other = createPki(); // a CA that did not sign the proxy's certificate
      const env = simEnv(sim, { CONFL_CA_FILE: other.caFile });
      const result = await login(
        {
          site: `${proxy.url}/confluence`,
          type: "pat",
          withToken: true,
          insecureStorage: true,
          caFile: pki.caFile,
        },
        inProcessContext(env, { stdin: sim.credentials.dc.pat }).ctx,
      );
      expect(result.profile.tls?.caFile).toBe(pki.caFile);
      expect(result.identity?.displayName).toBeTruthy();
    });
  });

  it("connection refused names the host and asks about URL, port, VPN", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const e = await loginFails({ site: `http://127.0.0.1:${port}/confluence`, type: "pat" }, "fake-pat-0001");
    expect(e.code).toBe("auth.connection_refused");
    expect(e.message).toContain(`127.0.0.1:${port}`);
  });

  it("an unresolvable host name is a DNS error", async () => {
    const e = await loginFails(
      { site: "https://confl-test-no-such-host.invalid/confluence", type: "pat" },
      "fake-pat-0001",
    );
    expect(e.code).toBe("auth.dns");
  });

  it("a dead proxy in HTTPS_PROXY is named", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const env = simEnv(sim, { HTTPS_PROXY: `http://127.0.0.1:${port}` });
    const e = await loginFails(
      { site: "https://wiki.example.invalid/confluence", type: "pat" },
      "fake-pat-0001",
      env,
    );
    expect(e.code).toBe("auth.proxy");
    expect(e.hint).toMatch(/HTTPS_PROXY/);
  });

  it("a missing --ca-file is a usage error before any request", async () => {
    const missing = join(tempDir(), "nope.pem");
    const e = await loginFails({ site: sim.origins.dc, type: "pat", caFile: missing }, "fake-pat-0001");
    expect(e).toBeInstanceOf(UsageError);
    expect(sim.log).toEqual([]);
  });
});
