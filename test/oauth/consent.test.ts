// Issue 10 item 1: Atlassian stops a consent on its own page when the app lacks a requested scope or the
// callback URL differs; confl asks only for the scopes its calls need, says what the app must have before the
// browser opens, and its timeout names both causes. The "browser" here is fetch() on the consent page.
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CONSENT_CALLBACK_INVALID, CONSENT_SCOPES_NOT_ADDED, oauthControls } from "../../sim/oauth.js";
import { createOAuthStrategy, loginOAuth } from "../../src/auth/oauth/index.js";
import { DEFAULT_CLOUD_SCOPES } from "../../src/auth/oauth/login.js";
import { verifyProfile } from "../../src/auth/verify.js";
import { AuthError } from "../../src/errors.js";
import { createHttpClient } from "../../src/http/client.js";
import { inProcessContext, MemoryStore, submitConsent, useSimulator } from "../support/context.js";

/** What the README tells people to enable in the developer console for the default (`--scopes read`). */
const README_SCOPES = [
  "read:space:confluence",
  "read:page:confluence",
  "read:hierarchical-content:confluence",
  "read:content.metadata:confluence",
  "read:attachment:confluence",
  "read:comment:confluence",
  "read:confluence-user",
  "search:confluence",
  "readonly:content.attachment:confluence",
  "offline_access",
];

const sim = useSimulator();
let env: NodeJS.ProcessEnv;
const originalRedirects: string[] = [];

beforeAll(async () => {
  originalRedirects.push(...sim.credentials.oauth.redirectUris);
});
beforeEach(() => {
  sim.reset();
  oauthControls(sim).reset();
  sim.credentials.oauth.redirectUris = [...originalRedirects];
  delete sim.credentials.oauth.enabledScopes;
  env = {
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-consent-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret,
  };
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A browser that follows the consent (Accept) back to confl's loopback callback; records the page it saw. */
function fetchBrowser(seen: { status?: number; page?: string }) {
  return async (url: string) => {
    const page = await fetch(url);
    seen.status = page.status;
    seen.page = await page.text();
    if (page.status !== 200) return; // Atlassian's own error page: nothing more happens
    const callback = await submitConsent(url, "accept");
    await fetch(callback);
  };
}

describe("OAuth consent: scopes and callback URL (issue 10 item 1)", () => {
  it("the default scopes are exactly the README's list, and the README names each", () => {
    expect([...DEFAULT_CLOUD_SCOPES].sort()).toEqual([...README_SCOPES].sort());
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    for (const scope of README_SCOPES) expect(readme).toContain(`\`${scope}\``);
    expect(readme).toContain("`http://127.0.0.1:8976/callback`");
  });

  it("confl auth login --type oauth: an app with only the README's scopes consents, and the login verifies", async () => {
    const port = await freePort();
    sim.credentials.oauth.enabledScopes = [...README_SCOPES];
    sim.credentials.oauth.redirectUris.push(`http://127.0.0.1:${port}/callback`);
    const t = inProcessContext(env, { openStdin: true });
    const seen: { status?: number; page?: string } = {};
    const result = await loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: true,
        clientId: sim.credentials.oauth.clientId,
        callbackPort: port,
        callbackTimeoutMs: 5_000,
        openBrowser: fetchBrowser(seen),
      },
      t.ctx,
    );
    expect(seen.status).toBe(200);
    expect(result.secret.kind).toBe("oauth");
    expect(result.profile.cloudId).toBe(sim.cloudId);
    // confl's own verification (identity + content) works with exactly these scopes
    const store = new MemoryStore();
    store.values.set("work", JSON.stringify(result.secret));
    const auth = createOAuthStrategy({ profile: result.profile, secret: result.secret, store, ctx: t.ctx });
    const client = createHttpClient({ apiBase: result.profile.apiBase, auth, env, maxRetries: 0 });
    const verified = await verifyProfile(client, result.profile, env);
    expect(verified.identity.accountId).toBe(sim.users.cloud.accountId);
    // the settings the app needs were printed before the browser was opened
    const stderr = t.err();
    expect(stderr).toContain(`scopes:       ${DEFAULT_CLOUD_SCOPES.join(" ")}`);
    expect(stderr).toContain(`callback URL: http://127.0.0.1:${port}/callback`);
    expect(stderr.indexOf("callback URL:")).toBeLessThan(stderr.indexOf("Opening your browser"));
  });

  it("confl auth login --type oauth: an app missing a scope stops on Atlassian's page; the timeout names both causes", async () => {
    const port = await freePort();
    sim.credentials.oauth.enabledScopes = ["read:confluence-user", "offline_access"];
    sim.credentials.oauth.redirectUris.push(`http://127.0.0.1:${port}/callback`);
    const t = inProcessContext(env, { openStdin: true });
    const seen: { status?: number; page?: string } = {};
    const error = await loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: true,
        clientId: sim.credentials.oauth.clientId,
        callbackPort: port,
        callbackTimeoutMs: 300,
        openBrowser: fetchBrowser(seen),
      },
      t.ctx,
    ).catch((e: unknown) => e);
    expect(seen.status).toBe(400);
    expect(seen.page).toContain(CONSENT_SCOPES_NOT_ADDED);
    expect(seen.page).toContain("read:space:confluence");
    expect(error).toBeInstanceOf(AuthError);
    const message = (error as AuthError).message;
    expect((error as AuthError).code).toBe("oauth.callback_timeout");
    expect(message).toContain("This app has requested scopes that have not been added to the app");
    expect(message).toContain(DEFAULT_CLOUD_SCOPES.join(" "));
    expect(message).toContain("The app's callback URL is invalid");
    expect(message).toContain(`http://127.0.0.1:${port}/callback`);
  });

  it("the simulator refuses unknown scopes and a callback URL on another port, without redirecting", async () => {
    const base = {
      audience: "api.atlassian.com",
      client_id: sim.credentials.oauth.clientId,
      response_type: "code",
      state: "fake-state-0001",
      prompt: "consent",
    };
    const unknown = await fetch(
      `${sim.origins.auth}/authorize?${new URLSearchParams({
        ...base,
        scope: "read:confluence-user read:everything:confluence",
        redirect_uri: "http://127.0.0.1:8976/callback",
      })}`,
      { redirect: "manual" },
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("read:everything:confluence");
    const otherPort = await fetch(
      `${sim.origins.auth}/authorize?${new URLSearchParams({
        ...base,
        scope: "read:confluence-user",
        redirect_uri: "http://127.0.0.1:8977/callback",
      })}`,
      { redirect: "manual" },
    );
    expect(otherPort.status).toBe(400);
    expect((await otherPort.text()).replaceAll("&#39;", "'")).toContain(CONSENT_CALLBACK_INVALID);
  });
});
