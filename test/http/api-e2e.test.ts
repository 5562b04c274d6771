/**
 * End-to-end: the built bundle (dist/confl.mjs) run as a child process against the simulator, with
 * credentials from the environment, as a script in CI would use it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

describe("detection cache for a site known only from CONFLUENCE_URL (issue 14)", () => {
  const probes = (from: number) =>
    sim.log
      .slice(from)
      .map((e) => e.path)
      .filter(
        (p) => p === "/_edge/tenant_info" || p.endsWith("/server-information") || p.endsWith("/status"),
      );
  const cacheFile = (dir: string) => join(dir, "detection-cache.json");
  const writeEntry = (dir: string, key: string, entry: Record<string, unknown>) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(
      cacheFile(dir),
      JSON.stringify({ format: "confl-detection-cache", version: 1, entries: { [key]: entry } }),
      { mode: 0o600 },
    );
  };

  it("a detection made with --insecure is not kept for later runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-e2e-cache-"));
    const run = await confl(["api", "rest/api/user/current", "--insecure"], {
      ...cloudEnv(),
      CONFL_CONFIG_DIR: dir,
    });
    expect(run.code).toBe(0);
    expect(existsSync(cacheFile(dir))).toBe(false);
  });

  it("the second call sends no probe; the cache holds no secret and is private", async () => {
    for (const [env, count] of [
      [cloudEnv(), 1],
      [dcEnv(), 2],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), "confl-e2e-cache-"));
      const withDir = { ...env, CONFL_CONFIG_DIR: dir };
      let from = sim.log.length;
      expect((await confl(["api", "rest/api/user/current"], withDir)).code).toBe(0);
      expect(probes(from)).toHaveLength(count);
      from = sim.log.length;
      const second = await confl(["api", "rest/api/user/current"], withDir);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout).displayName).toBeTruthy();
      expect(probes(from)).toEqual([]);
      expect(sim.log.slice(from)).toHaveLength(1);
      const text = readFileSync(cacheFile(dir), "utf8");
      for (const secret of Object.values(env))
        if (!secret.startsWith("http")) expect(text).not.toContain(secret);
      if (process.platform !== "win32") expect(statSync(cacheFile(dir)).mode & 0o777).toBe(0o600);
    }
  });

  it("a stale entry (the other deployment) is forgotten, the site detected again, and the call succeeds", async () => {
    const now = Date.now();
    const dir = mkdtempSync(join(tmpdir(), "confl-e2e-cache-"));
    const site = sim.origins.site;
    writeEntry(dir, site, { deployment: "dc", site, apiBase: `${site}/`, evidence: "test", detectedAt: now });
    let from = sim.log.length;
    const cloud = await confl(["api", "rest/api/user/current"], { ...cloudEnv(), CONFL_CONFIG_DIR: dir });
    expect(cloud.code).toBe(0);
    expect(JSON.parse(cloud.stdout).displayName).toBe("Ada Lovelace");
    expect(probes(from)).toEqual(["/_edge/tenant_info"]);
    expect(JSON.parse(readFileSync(cacheFile(dir), "utf8")).entries[site].deployment).toBe("cloud");

    // a PAT with a cached "Cloud" for a DC site: asked again instead of refused
    const dc = sim.origins.dc;
    writeEntry(dir, dc, {
      deployment: "cloud",
      site: dc,
      apiBase: `${dc}/wiki/`,
      evidence: "test",
      detectedAt: now,
    });
    from = sim.log.length;
    const onDc = await confl(["api", "rest/api/user/current"], { ...dcEnv(), CONFL_CONFIG_DIR: dir });
    expect(onDc.code).toBe(0);
    expect(JSON.parse(onDc.stdout).displayName).toBeTruthy();
    expect(probes(from).length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(cacheFile(dir), "utf8")).entries[dc].deployment).toBe("dc");
  });

  it("an entry older than a day is not used", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-e2e-cache-"));
    const site = sim.origins.site;
    const old = Date.now() - 25 * 60 * 60 * 1000;
    writeEntry(dir, site, { deployment: "dc", site, apiBase: `${site}/`, evidence: "test", detectedAt: old });
    const from = sim.log.length;
    const r = await confl(["api", "rest/api/user/current"], { ...cloudEnv(), CONFL_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    // detected first (the old entry ignored), so the call went straight to the right API root
    expect(sim.log.slice(from).map((e) => e.path)).toEqual([
      "/_edge/tenant_info",
      "/wiki/rest/api/user/current",
    ]);
  });
});
