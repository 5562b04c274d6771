import { join, resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { isolatedEnv, confl as runConfl, useSimulator } from "../support/context.js";
import { startProxy } from "./helpers.js";

const root = resolve(import.meta.dirname, "../..");
const _bundle = join(root, "dist/confl.mjs");
const sim = useSimulator();

beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

/** The built CLI with a private config directory (test/support/context.ts). */
function confl(args: string[], env: Record<string, string>) {
  return runConfl(args, isolatedEnv(env, "confl-e2e-"));
}

const cloudEnv = () => ({
  CONFLUENCE_URL: sim.origins.site,
  CONFLUENCE_EMAIL: sim.credentials.cloud.email,
  CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
});
const dcEnv = () => ({ CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat });

describe("confl api (built bundle)", () => {
  it("Cloud site: GET rest/api/user/current exits 0 with the user's JSON", async () => {
    const r = await confl(["api", "rest/api/user/current"], cloudEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).email).toBe(sim.credentials.cloud.email);
  });

  it("DC: --debug --paginate v1 merges pages, and stderr has no secret", async () => {
    const r = await confl(
      ["--debug", "api", "rest/api/content", "-f", "spaceKey=DOC", "-F", "limit=25", "--paginate"],
      dcEnv(),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(50);
    expect(r.stderr).toContain("authorization: Bearer ***");
    expect(r.stderr).not.toContain(sim.credentials.dc.pat);
    expect(
      sim.log.filter((e) => e.path.startsWith("/confluence/rest/api/content?")).length,
    ).toBeGreaterThanOrEqual(3);
  });

  it("v2 --paginate on the Cloud site", async () => {
    const r = await confl(["api", "api/v2/spaces", "-F", "limit=1", "--paginate"], cloudEnv());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((s: { key: string }) => s.key)).toContain("DOC");
  });

  it("a URL on another origin exits 2 before any request to it", async () => {
    const r = await confl(["api", `${sim.origins.media}/file/x`], cloudEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^confl: refusing to send a request to .*: it is not this profile's site/m);
    expect(sim.log.filter((e) => e.server === "media")).toHaveLength(0);
  });

  it("with a loopback HTTP_PROXY and --debug -i: plain-http credentials never reach the proxy; with NO_PROXY a retry and a media redirect work; no secret anywhere", async () => {
    const proxy = await startProxy();
    try {
      const proxyPassword = "fake-proxy-password-0401";
      const proxied = {
        ...cloudEnv(),
        HTTP_PROXY: `http://proxyuser:${proxyPassword}@127.0.0.1:${proxy.port}`,
      };
      // The simulator is plain http: through a proxy, loopback is not loopback any more (issue 9 §4).
      // Only the anonymous detection call (tenant_info) goes through the proxy.
      const logged = sim.log.length;
      const refused = await confl(["--debug", "api", "rest/api/user/current", "-i"], proxied);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/refusing to send a credential over plain http:\/\/ .* through a proxy/);
      expect(sim.log.slice(logged).map((e) => e.path)).toEqual(["/_edge/tenant_info"]);
      expect(sim.log.slice(logged).some((e) => e.headers.authorization)).toBe(false);
      proxy.seen.length = 0;
      const env = { ...proxied, NO_PROXY: "127.0.0.1" };
      sim.rateLimit({ server: "site", count: 1, retryAfter: "1", pathPattern: /user\/current/ });
      const r = await confl(["--debug", "api", "rest/api/user/current", "-i"], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\n/);
      expect(proxy.seen).toEqual([]);
      expect(r.stderr).toContain("retry: rate limited by");
      expect(r.stderr).toContain("authorization: Basic ***");
      const download = await confl(
        ["--debug", "api", "rest/api/content/65538/child/attachment/att131073/download", "-i"],
        env,
      );
      expect(download.code).toBe(0);
      expect(download.stderr).toContain("(outside the profile's site: credentials dropped)");
      const media = sim.log.filter((e) => e.server === "media");
      expect(media).toHaveLength(1);
      expect(media[0]?.headers.authorization).toBeUndefined();
      const { apiToken, email } = sim.credentials.cloud;
      for (const text of [
        refused.stdout,
        refused.stderr,
        r.stdout,
        r.stderr,
        download.stdout,
        download.stderr,
      ]) {
        for (const secret of [
          apiToken,
          proxyPassword,
          Buffer.from(`${email}:${apiToken}`).toString("base64"),
          Buffer.from(`proxyuser:${proxyPassword}`).toString("base64"),
        ])
          expect(text).not.toContain(secret);
      }
    } finally {
      await proxy.close();
    }
  });

  it("--insecure warns once on stderr even when it is not a terminal", async () => {
    const r = await confl(["api", "rest/api/user/current", "--insecure"], cloudEnv());
    expect(r.code).toBe(0);
    expect(r.stderr.match(/warning: --insecure: TLS certificates are NOT verified/g)).toHaveLength(1);
  });

  it("bad flags exit 2; a rejected token exits 4 without echoing it", async () => {
    expect((await confl(["api", "x", "--rate-limit", "0"], cloudEnv())).code).toBe(2);
    expect((await confl(["api", "x", "--product", "svn"], cloudEnv())).code).toBe(2);
    const wrong = { ...cloudEnv(), CONFLUENCE_API_TOKEN: "fake-wrong-api-token-0110" };
    const r = await confl(["api", "rest/api/user/current"], wrong);
    expect(r.code).toBe(4);
    expect(r.stderr + r.stdout).not.toContain("fake-wrong-api-token-0110");
  });
});
