/**
 * Issue 4 "Done when": every kind logs in, verifies (a real user AND a content call) against the
 * simulator — Cloud site, gateway, DC under a context path — and the profile lands in config.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveClient } from "../../src/auth/session.js";
import { run as login } from "../../src/commands/auth/login.js";
import { profileNameForSite } from "../../src/config/profile-name.js";
import { cloudLoginOptions, inProcessContext, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";
import { type ReverseProxy, startReverseProxy } from "./proxy.js";

const sim = useSimulator();
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

function configOf(env: NodeJS.ProcessEnv) {
  return JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR!, "config.json"), "utf8"));
}

/** After login, a command's client makes a content call with what was stored. */
async function contentCallWorks(env: NodeJS.ProcessEnv, path: string) {
  const { ctx } = inProcessContext(env);
  const client = await resolveClient(ctx);
  const response = await client.request<{ results: unknown[] }>({ path });
  expect(response.status).toBe(200);
  expect(Array.isArray(response.data.results)).toBe(true);
  return client;
}

describe("every kind logs in, verifies and makes a content call", () => {
  it("api-token on the Cloud site (Basic email:token)", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: `${sim.credentials.cloud.apiToken}\n` });
    const result = await login(
      cloudLoginOptions(sim, "api-token", { site: `${sim.origins.site}/wiki/spaces/DOC/pages/1/Home` }),
      t.ctx,
    );
    expect(result.profile).toMatchObject({
      deployment: "cloud",
      kind: "api-token",
      apiBase: `${sim.origins.site}/wiki/`,
      cloudId: sim.cloudId,
    });
    expect(result.identity?.accountId).toBe(sim.users.cloud.accountId);
    // verification = identity AND content call, both with the credential
    const paths = sim.log.filter((e) => e.server === "site" && e.headers.authorization).map((e) => e.path);
    expect(paths).toContain("/wiki/rest/api/user/current");
    expect(paths.some((p) => p.startsWith("/wiki/api/v2/spaces"))).toBe(true);
    expect(configOf(env).activeProfile).toBe(profileNameForSite(sim.origins.site));
    expect(t.err()).toMatch(/Logged in to .* as Ada/);
    await contentCallWorks(env, "api/v2/spaces");
  });

  it("scoped-token through the gateway, cloud id from tenant_info", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.cloud.scopedToken });
    const result = await login(cloudLoginOptions(sim, "scoped-token"), t.ctx);
    expect(result.profile.apiBase).toBe(`${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`);
    expect(result.profile.site).toBe(sim.origins.site);
    expect(
      sim.log.some((e) => e.server === "site" && e.path === "/_edge/tenant_info" && !e.headers.authorization),
    ).toBe(true);
    expect(sim.log.filter((e) => e.server === "site" && e.headers.authorization)).toEqual([]);
    await contentCallWorks(env, "api/v2/spaces");
  });

  it("a scoped token given as api-token is re-routed through the gateway, and the user is told why", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.cloud.scopedToken });
    const result = await login(cloudLoginOptions(sim, "api-token"), t.ctx);
    expect(result.profile.kind).toBe("scoped-token");
    expect(result.profile.apiBase).toContain("/ex/confluence/");
    expect(result.rerouted).toMatch(/scoped API token/);
    expect(t.err()).toMatch(/note: the site rejected this token but the Atlassian API gateway accepted it/);
    expect(configOf(env).profiles[profileNameForSite(sim.origins.site)]?.kind).toBe("scoped-token");
    await contentCallWorks(env, "api/v2/spaces");
  });

  it("a gateway URL pasted as the site", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.cloud.scopedToken });
    const result = await login(
      cloudLoginOptions(sim, "scoped-token", {
        site: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/api/v2/pages`,
      }),
      t.ctx,
    );
    expect(result.profile).toMatchObject({ deployment: "cloud", cloudId: sim.cloudId, kind: "scoped-token" });
  });

  it("pat on Data Center under /confluence (Bearer, detected from a page URL)", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.dc.pat });
    const result = await login(
      { site: `${sim.origins.dc}/display/DOC/Home`, type: "pat", withToken: true, insecureStorage: true },
      t.ctx,
    );
    expect(result.profile).toMatchObject({
      deployment: "dc",
      site: sim.origins.dc,
      apiBase: `${sim.origins.dc}/`,
      kind: "pat",
      username: sim.users.dc.username,
    });
    const sent = sim.log.filter((e) => e.server === "dc" && e.headers.authorization);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((e) => e.headers.authorization === `Bearer ${sim.credentials.dc.pat}`)).toBe(true);
    expect(sent.map((e) => e.path)).toContain("/confluence/rest/api/space?limit=1");
    await contentCallWorks(env, "rest/api/space");
  });

  it("the kind is inferred without --type: a DC site and no username means a PAT", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.dc.pat });
    const result = await login({ site: sim.origins.dc, withToken: true, insecureStorage: true }, t.ctx);
    expect(result.profile.kind).toBe("pat");
  });

  it("password on Data Center (Basic, legacy)", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.dc.password });
    const result = await login(
      {
        site: sim.origins.dc,
        type: "password",
        username: sim.credentials.dc.username,
        withToken: true,
        insecureStorage: true,
      },
      t.ctx,
    );
    expect(result.profile).toMatchObject({ kind: "password", username: sim.credentials.dc.username });
    await contentCallWorks(env, "rest/api/space");
  });

  it("cookie alone, and cookie together with a PAT (second stdin line)", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: sim.credentials.dc.sessionCookie });
    const result = await login(
      { site: sim.origins.dc, type: "cookie", withToken: true, insecureStorage: true },
      t.ctx,
    );
    expect(result.profile.kind).toBe("cookie");
    expect(sim.log.some((e) => e.headers.cookie === `JSESSIONID=${sim.credentials.dc.sessionCookie}`)).toBe(
      true,
    );
    await contentCallWorks(env, "rest/api/space");

    sim.clearLog();
    const env2 = simEnv(sim);
    const t2 = inProcessContext(env2, {
      stdin: `JSESSIONID=${sim.credentials.dc.sessionCookie}\n${sim.credentials.dc.pat}\n`,
    });
    await login({ site: sim.origins.dc, type: "cookie", withToken: true, insecureStorage: true }, t2.ctx);
    const both = sim.log.filter((e) => e.server === "dc" && e.path.includes("user/current"));
    expect(both[0]?.headers.cookie).toBe(`JSESSIONID=${sim.credentials.dc.sessionCookie}`);
    expect(both[0]?.headers.authorization).toBe(`Bearer ${sim.credentials.dc.pat}`);
  });

  describe("none: a reverse proxy adds the credential", () => {
    let proxy: ReverseProxy;
    beforeAll(async () => {
      proxy = await startReverseProxy(sim.origins.dcOrigin, {
        authorization: `Bearer ${sim.credentials.dc.pat}`,
      });
    });
    afterAll(async () => proxy.stop());

    it("logs in with no secret at all, stores none, and verifies through the proxy", async () => {
      const env = simEnv(sim);
      const t = inProcessContext(env);
      const result = await login({ site: `${proxy.url}/confluence`, type: "none" }, t.ctx);
      expect(result.storage).toBe("none");
      expect(result.identity?.username).toBe(sim.users.dc.username);
      expect(configOf(env).profiles[profileNameForSite(proxy.url)]?.secretStore).toBe("none");
      await contentCallWorks(env, "rest/api/space");
    });
  });

  it("encrypted-file storage with CONFL_PASSPHRASE; re-login overwrites the secret", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await login(
      {
        site: sim.origins.dc,
        type: "password",
        username: "grace",
        withToken: true,
        storage: "encrypted-file",
        verify: false,
      },
      inProcessContext(env, { stdin: "fake-old-password-0001" }).ctx,
    );
    const encrypted = readFileSync(join(env.CONFL_CONFIG_DIR!, "secrets.enc.json"), "utf8");
    expect(encrypted).not.toContain("fake-old-password-0001");
    const second = await login(
      { site: sim.origins.dc, type: "pat", withToken: true, storage: "encrypted-file" },
      inProcessContext(env, { stdin: sim.credentials.dc.pat }).ctx,
    );
    expect(second.storage).toBe("encrypted-file");
    const { ctx } = inProcessContext(env);
    const { resolveSession } = await import("../../src/auth/session.js");
    const session = await resolveSession(ctx);
    expect(session.resolved.secret).toEqual({ kind: "pat", token: sim.credentials.dc.pat });
    expect(session.resolved.sources.secret).toEqual({ type: "store", store: "encrypted-file" });
  });

  it("CONFLUENCE_* environment credentials work with no profile (and are never stored)", async () => {
    const env = simEnv(sim, {
      CONFLUENCE_URL: sim.origins.dc,
      CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat,
    });
    await contentCallWorks(env, "rest/api/space");
    expect(() => readFileSync(join(env.CONFL_CONFIG_DIR!, "config.json"))).toThrow();
  });

  it("resolveClient for product jira uses the site origin (Cloud) or /ex/jira/{cloudId} (gateway)", async () => {
    const env = simEnv(sim);
    await login(
      cloudLoginOptions(sim, "scoped-token", { verify: false }),
      inProcessContext(env, { stdin: sim.credentials.cloud.scopedToken }).ctx,
    );
    const client = await resolveClient(inProcessContext(env).ctx, { product: "jira" });
    expect(client.apiBase.href).toBe(`${sim.origins.gateway}/ex/jira/${sim.cloudId}/`);
  });
});
