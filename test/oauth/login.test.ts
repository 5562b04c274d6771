// Login flows (headless paste, client credentials, Data Center, bring-your-own token) against the full simulator.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { oauthControls } from "../../sim/oauth.js";
import { createOAuthStrategy, loginOAuth, type OAuthLoginResult } from "../../src/auth/oauth/index.js";
import { DEFAULT_CLOUD_SCOPES, parsePastedAnswer } from "../../src/auth/oauth/login.js";
import { AuthError, UsageError } from "../../src/errors.js";
import { createHttpClient } from "../../src/http/client.js";
import { inProcessContext, MemoryStore, submitConsent, useSimulator } from "../support/context.js";

const sim = useSimulator();
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  sim.reset();
  oauthControls(sim).reset();
  env = {
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-login-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
  };
});

const AUTHORIZE_LINE = /^ {2}(http\S+\/authorize\?\S+)$/m;

/** `now`: the strategy's clock (a test moves it past the token's expiry instead of sleeping). */
async function callAs(result: OAuthLoginResult, path: string, store = new MemoryStore(), now?: () => number) {
  store.values.set(result.profile.name, JSON.stringify(result.secret));
  const { ctx } = inProcessContext(env, { openStdin: true });
  const auth = createOAuthStrategy({
    profile: result.profile,
    secret: result.secret,
    store,
    ctx,
    ...(now ? { now } : {}),
  });
  const client = createHttpClient({ apiBase: result.profile.apiBase, auth, env, maxRetries: 0 });
  return { response: await client.request<Record<string, unknown>>({ path }), auth, store };
}

describe("Cloud 3LO, headless (paste) flow", () => {
  it("prints the authorize URL, takes the pasted redirect URL, and yields a gateway profile with rotating tokens", async () => {
    const t = inProcessContext(env, { openStdin: true });
    const login = loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: false,
        clientId: sim.credentials.oauth.clientId,
        clientSecretStdin: true,
      },
      t.ctx,
    );
    t.stdin.write(`${sim.credentials.oauth.clientSecret}\n`);
    const [, url] = await t.waitForStderr(AUTHORIZE_LINE);
    const authorize = new URL(url as string);
    expect(authorize.origin).toBe(sim.origins.auth);
    expect(authorize.searchParams.get("audience")).toBe("api.atlassian.com");
    expect(authorize.searchParams.get("response_type")).toBe("code");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("scope")?.split(" ")).toEqual(DEFAULT_CLOUD_SCOPES);
    expect(authorize.searchParams.get("state")?.length).toBeGreaterThanOrEqual(20);
    expect(authorize.searchParams.get("redirect_uri")).toBe("http://127.0.0.1:8976/callback");

    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    const result = await login;
    expect(result.profile).toMatchObject({
      name: "work",
      deployment: "cloud",
      kind: "oauth",
      cloudId: sim.cloudId,
      site: sim.origins.site,
      apiBase: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
      oauth: { clientId: sim.credentials.oauth.clientId },
    });
    expect(result.secret).toMatchObject({ kind: "oauth", clientSecret: sim.credentials.oauth.clientSecret });
    if (result.secret.kind !== "oauth") throw new Error("kind");
    expect(result.secret.refreshToken).toMatch(/^sim-cloud-oauth-refresh-/);
    expect(result.secret.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    // No token, code or secret in anything printed.
    for (const value of [
      result.secret.accessToken,
      result.secret.refreshToken,
      sim.credentials.oauth.clientSecret,
    ]) {
      expect(t.err()).not.toContain(value);
      expect(t.out()).not.toContain(value);
    }
    expect(JSON.stringify(result.profile)).not.toContain(result.secret.accessToken);

    const { response } = await callAs(result, "rest/api/user/current");
    expect(response.data.accountId).toBe(sim.users.cloud.accountId);
    const spaces = await callAs(result, "api/v2/spaces");
    expect(spaces.response.status).toBe(200);
  });

  it("accepts a bare pasted code too, and refuses a URL from another attempt or a denial", () => {
    expect(parsePastedAnswer("  abc-code-0001 \n", "s1")).toBe("abc-code-0001");
    expect(parsePastedAnswer("http://127.0.0.1:8976/callback?code=c-0001&state=s1", "s1")).toBe("c-0001");
    expect(() => parsePastedAnswer("http://127.0.0.1:8976/callback?code=c-0001&state=other", "s1")).toThrow(
      AuthError,
    );
    expect(() =>
      parsePastedAnswer("http://127.0.0.1:8976/callback?error=access_denied&state=s1", "s1"),
    ).toThrow(/not granted/);
    expect(() => parsePastedAnswer("", "s1")).toThrow(UsageError);
  });

  it.runIf(process.platform === "linux")(
    "without a display it falls back to the paste flow and says why",
    async () => {
      // the app's callback URL was registered with this port (Atlassian matches it exactly)
      const registered = "http://127.0.0.1:8977/callback";
      sim.credentials.oauth.redirectUris.push(registered);
      try {
        const t = inProcessContext(
          { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
          { openStdin: true },
        );
        const login = loginOAuth(
          {
            type: "oauth",
            profileName: "work",
            browser: true,
            clientId: sim.credentials.oauth.clientId,
            callbackPort: 8977,
          },
          t.ctx,
        );
        const [, url] = await t.waitForStderr(AUTHORIZE_LINE);
        expect(t.err()).toContain("No display found");
        expect(t.err()).toContain(`callback URL: ${registered}`);
        t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
        expect((await login).profile.oauth?.callbackPort).toBe(8977);
      } finally {
        sim.credentials.oauth.redirectUris.splice(sim.credentials.oauth.redirectUris.indexOf(registered), 1);
      }
    },
  );

  it("Deny on the consent page ends in an AuthError saying authorization was not granted", async () => {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const login = loginOAuth(
      { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(AUTHORIZE_LINE);
    t.stdin.write(`${await submitConsent(url as string, "deny")}\n`);
    const error = await login.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain("access_denied");
  });

  it("a wrong client secret is reported as such (401 access_denied), with exit 4", async () => {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: "fake-wrong-client-secret-0001" },
      { openStdin: true },
    );
    const login = loginOAuth(
      { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(AUTHORIZE_LINE);
    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    const error = await login.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("oauth.client_rejected");
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as AuthError).message).not.toContain("fake-wrong-client-secret-0001");
  });

  it("without a client secret it fails before anything happens, naming the ways to give one", async () => {
    const t = inProcessContext(env, { openStdin: true });
    const error = await loginOAuth(
      { type: "oauth", profileName: "w", browser: false, clientId: "x-0001" },
      t.ctx,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toContain("CONFL_OAUTH_CLIENT_SECRET");
    expect(t.err()).toBe("");
  });

  it("after access-token expiry, the strategy refreshes and the next call works", async () => {
    sim.settings.oauthAccessTokenTtl = 1;
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const login = loginOAuth(
      { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(AUTHORIZE_LINE);
    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    const result = await login;
    // the strategy's clock is 1.1 s ahead: the 1 s token has expired for it (no sleep)
    const later = () => Date.now() + 1100;
    const { response, store } = await callAs(result, "rest/api/user/current", undefined, later);
    expect(response.status).toBe(200);
    expect(oauthControls(sim).counters.refreshes).toBe(1);
    const stored = JSON.parse(store.values.get("work") as string);
    expect(stored.refreshToken).not.toBe((result.secret as { refreshToken: string }).refreshToken);
  });
});

describe("client credentials", () => {
  it("logs in with the site's cloudId from /_edge/tenant_info, calls content, and re-fetches after expiry", async () => {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const result = await loginOAuth(
      {
        type: "client-credentials",
        profileName: "svc",
        site: sim.origins.site,
        browser: false,
        clientId: sim.credentials.oauth.clientId,
      },
      t.ctx,
    );
    expect(result.profile).toMatchObject({
      kind: "client-credentials",
      cloudId: sim.cloudId,
      apiBase: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
    });
    expect(result.secret.kind).toBe("client-credentials");
    const { response, auth, store } = await callAs(result, "rest/api/user/current");
    expect(response.status).toBe(200);
    // The gateway now refuses the token (expired server-side): one 401, one re-fetch, success.
    sim.expireToken(result.secret.accessToken as string);
    const client = createHttpClient({ apiBase: result.profile.apiBase, auth, env, maxRetries: 0 });
    const again = await client.request<Record<string, unknown>>({ path: "rest/api/user/current" });
    expect(again.status).toBe(200);
    expect(oauthControls(sim).counters.clientCredentials).toBe(2);
    expect(JSON.parse(store.values.get("svc") as string).accessToken).not.toBe(result.secret.accessToken);
  });
});

describe("Data Center OAuth 2.0", () => {
  it("client credentials (DC service account): form grant at {dc}/rest/oauth2/latest/token, Bearer to the DC base, re-fetched after expiry", async () => {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const result = await loginOAuth(
      {
        type: "client-credentials",
        profileName: "dcsvc",
        deployment: "dc",
        site: sim.origins.dc,
        browser: false,
        clientId: sim.credentials.oauth.clientId,
      },
      t.ctx,
    );
    expect(result.profile).toMatchObject({
      kind: "client-credentials",
      deployment: "dc",
      apiBase: `${sim.origins.dc}/`,
    });
    const tokenRequest = sim.log.find((e) => e.path.endsWith("/rest/oauth2/latest/token"));
    expect(tokenRequest?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(new URLSearchParams(tokenRequest?.body).get("audience")).toBeNull();
    const { response, auth } = await callAs(result, "rest/api/user/current");
    expect(response.data.username).toBe(sim.users.dc.username);
    sim.expireToken(result.secret.accessToken as string);
    const client = createHttpClient({ apiBase: result.profile.apiBase, auth, env, maxRetries: 0 });
    expect((await client.request({ path: "rest/api/user/current" })).status).toBe(200);
    expect(oauthControls(sim).counters.clientCredentials).toBe(2);
  });

  it("logs in against {dc}/rest/oauth2/latest with PKCE, calls content with Bearer, and refreshes", async () => {
    sim.settings.oauthAccessTokenTtl = 1;
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const login = loginOAuth(
      {
        type: "oauth",
        profileName: "dc",
        deployment: "dc",
        site: sim.origins.dc,
        browser: false,
        clientId: sim.credentials.oauth.clientId,
      },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(AUTHORIZE_LINE);
    const authorize = new URL(url as string);
    expect(authorize.pathname).toBe(`${sim.settings.dcContextPath}/rest/oauth2/latest/authorize`);
    expect(authorize.searchParams.get("code_challenge")).toBeTruthy();
    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    const result = await login;
    expect(result.profile).toMatchObject({
      deployment: "dc",
      kind: "oauth",
      apiBase: `${sim.origins.dc}/`,
      site: sim.origins.dc,
    });
    // the strategy's clock is 1.1 s ahead: the 1 s token has expired for it (no sleep)
    const later = () => Date.now() + 1100;
    const { response } = await callAs(result, "rest/api/user/current", undefined, later);
    expect(response.data.username).toBe(sim.users.dc.username);
    expect(oauthControls(sim).counters.refreshes).toBe(1);
  });
});

describe("choosing the site among accessible resources", () => {
  const resources = [
    {
      id: "fake-cloud-id-a",
      name: "Alpha",
      url: "https://alpha.example.net",
      scopes: ["read:page:confluence"],
    },
    {
      id: "fake-cloud-id-b",
      name: "Beta",
      url: "https://beta.example.net",
      scopes: ["read:page:confluence"],
    },
    { id: "fake-cloud-id-j", name: "Jira only", url: "https://jira.example.net", scopes: ["read:jira-work"] },
  ];
  const fakeFetch = (async (url: string | URL | Request) => {
    expect(String(url)).toBe(`${sim.origins.gateway}/oauth/token/accessible-resources`);
    return new Response(JSON.stringify(resources), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  }) as typeof fetch;

  it("several sites and nobody to ask: a usage error listing the Confluence ones", async () => {
    const { runOAuthLogin } = await import("../../src/auth/oauth/login.js");
    const error = await runOAuthLogin(
      {
        type: "oauth",
        profileName: "w",
        browser: false,
        accessToken: "fake-byo-access-0003",
        fetchImpl: fakeFetch,
      },
      inProcessContext(env, { openStdin: true }).ctx,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain("https://alpha.example.net (Alpha)");
    expect((error as UsageError).message).toContain("https://beta.example.net (Beta)");
    expect((error as UsageError).message).not.toContain("jira.example.net");
    expect((error as UsageError).hint).toContain("--site");
  });

  it("--site picks one (by URL, trailing path ignored), and an unknown --site lists what is reachable", async () => {
    const { runOAuthLogin } = await import("../../src/auth/oauth/login.js");
    const picked = await runOAuthLogin(
      {
        type: "oauth",
        profileName: "w",
        browser: false,
        accessToken: "fake-byo-access-0003",
        site: "https://beta.example.net/wiki/spaces",
        fetchImpl: fakeFetch,
      },
      inProcessContext(env, { openStdin: true }).ctx,
    );
    expect(picked.profile.cloudId).toBe("fake-cloud-id-b");
    expect(picked.profile.apiBase).toBe(`${sim.origins.gateway}/ex/confluence/fake-cloud-id-b/wiki/`);
    const error = await runOAuthLogin(
      {
        type: "oauth",
        profileName: "w",
        browser: false,
        accessToken: "fake-byo-access-0003",
        site: "https://gamma.example.net",
        fetchImpl: fakeFetch,
      },
      inProcessContext(env, { openStdin: true }).ctx,
    ).catch((e: unknown) => e);
    expect((error as UsageError).message).toMatch(
      /cannot reach https:\/\/gamma.example.net; it can reach: https:\/\/alpha/,
    );
  });
});

describe("bring-your-own access token", () => {
  it("finds the site from accessible resources and stores no refresh token", async () => {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const cc = await loginOAuth(
      {
        type: "client-credentials",
        profileName: "svc",
        site: sim.origins.site,
        browser: false,
        clientId: sim.credentials.oauth.clientId,
      },
      t.ctx,
    );
    // client-credentials tokens are not user tokens: accessible-resources refuses them; use a 3LO token.
    const login = loginOAuth(
      { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(AUTHORIZE_LINE);
    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    const full = await login;
    const byo = await loginOAuth(
      { type: "oauth", profileName: "byo", browser: false, accessToken: full.secret.accessToken },
      inProcessContext(env, { openStdin: true }).ctx,
    );
    expect(byo.secret).toEqual({ kind: "oauth", accessToken: full.secret.accessToken });
    expect(byo.profile.cloudId).toBe(sim.cloudId);
    expect(cc.secret.accessToken).toBeTruthy();
    const { response } = await callAs(byo, "rest/api/user/current");
    expect(response.status).toBe(200);
  });
});
