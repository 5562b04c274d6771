// The refreshing Bearer strategy against the simulator's authorization server (in-process).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RefreshTokenInvalidError } from "../../src/auth/oauth/index.js";
import { createRefreshingStrategy, needsRefresh, type OAuthSecret } from "../../src/auth/oauth/strategy.js";
import { OAuthTransientError } from "../../src/auth/oauth/token-endpoint.js";
import type { Profile } from "../../src/config/types.js";
import { AuthError, ExitCode } from "../../src/errors.js";
import { MemoryStore } from "../support/context.js";
import { type OAuthHarness, startOAuthHarness } from "./oauth-harness.js";

const CLIENT = "fake-oauth-client-id-0001";
const SECRET = "fake-oauth-client-secret-0001";
const REDIRECT = "http://127.0.0.1:8976/callback";

let h: OAuthHarness;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  h = await startOAuthHarness({ oauthAccessTokenTtl: 3600 });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.routes.controls.resetCounters();
  env = {
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-")),
    CONFL_ATLASSIAN_AUTH_URL: h.authOrigin,
  };
});

function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    name: "work",
    site: "https://acme.example.com",
    deployment: "cloud",
    apiBase: "https://api.example.com/ex/confluence/x/wiki/",
    kind: "oauth",
    secretStore: "plaintext",
    oauth: { clientId: CLIENT },
    ...overrides,
  };
}

/** A real token pair from the simulator: consent + code exchange. */
async function issue(flavour: "cloud" | "dc" = "cloud"): Promise<{ access: string; refresh: string }> {
  const base = flavour === "cloud" ? `${h.authOrigin}/authorize` : `${h.dcBase}/rest/oauth2/latest/authorize`;
  const form = new URLSearchParams({
    ...(flavour === "cloud" ? { audience: "api.atlassian.com" } : {}),
    client_id: CLIENT,
    scope: flavour === "cloud" ? "read:page:confluence offline_access" : "WRITE",
    redirect_uri: REDIRECT,
    state: "s-0001",
    response_type: "code",
    decision: "accept",
  });
  const answer = await fetch(base, { method: "POST", body: form, redirect: "manual" });
  const code = new URL(answer.headers.get("location") as string).searchParams.get("code") as string;
  const tokenUrl =
    flavour === "cloud" ? `${h.authOrigin}/oauth/token` : `${h.dcBase}/rest/oauth2/latest/token`;
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code,
      redirect_uri: REDIRECT,
    }),
  });
  const data = (await response.json()) as { access_token: string; refresh_token: string };
  return { access: data.access_token, refresh: data.refresh_token };
}

function oauthSecret(
  tokens: { access: string; refresh: string },
  expiresAt: number,
  obtainedAt?: number,
): OAuthSecret {
  return {
    kind: "oauth",
    accessToken: tokens.access,
    refreshToken: tokens.refresh,
    clientSecret: SECRET,
    expiresAt,
    obtainedAt,
  };
}

async function applied(strategy: {
  apply(r: { url: URL; method: string; headers: Headers }): Promise<void>;
}) {
  const headers = new Headers();
  await strategy.apply({ url: new URL("https://api.example.com/x"), method: "GET", headers });
  return headers.get("authorization");
}

describe("refresh timing", () => {
  it("uses a fresh token as is, and refreshes within 60 s of expiry (or half a short lifetime)", () => {
    const base = {
      kind: "oauth" as const,
      accessToken: "a-0001",
      refreshToken: "r-0001",
      clientSecret: SECRET,
    };
    expect(needsRefresh({ ...base, expiresAt: 1_000_000 }, 1_000_000 - 61_000)).toBe(false);
    expect(needsRefresh({ ...base, expiresAt: 1_000_000 }, 1_000_000 - 59_000)).toBe(true);
    // a 10 s token: refresh in its last 5 s, not for its whole life
    expect(needsRefresh({ ...base, expiresAt: 10_000, obtainedAt: 0 }, 4_000)).toBe(false);
    expect(needsRefresh({ ...base, expiresAt: 10_000, obtainedAt: 0 }, 5_000)).toBe(true);
    expect(needsRefresh({ ...base, expiresAt: undefined }, 5_000)).toBe(false);
  });
});

describe("Cloud 3LO refresh", () => {
  it("refreshes ahead of expiry, persists the rotated pair before use, and sends the new token", async () => {
    const tokens = await issue();
    const store = new MemoryStore();
    const now = Date.now();
    const initial = oauthSecret(tokens, now + 30_000);
    store.values.set("work", JSON.stringify(initial));
    let persistedBeforeUse = false;
    const strategy = createRefreshingStrategy({
      profile: profile(),
      secret: initial,
      store,
      env,
      now: () => now,
    });
    const origSet = store.set.bind(store);
    store.set = async (key, value) => {
      await origSet(key, value);
      persistedBeforeUse = true;
    };
    const header = await applied(strategy);
    expect(persistedBeforeUse).toBe(true);
    const stored = JSON.parse(store.values.get("work") as string) as OAuthSecret & { refreshToken: string };
    expect(header).toBe(`Bearer ${stored.accessToken}`);
    expect(stored.accessToken).not.toBe(tokens.access);
    expect(stored.refreshToken).not.toBe(tokens.refresh);
    expect(stored.expiresAt).toBe(now + 3600_000);
    expect(h.routes.controls.counters.refreshes).toBe(1);
    // the next call uses it without refreshing
    expect(await applied(strategy)).toBe(header);
    expect(h.routes.controls.counters.refreshes).toBe(1);
  });

  it("refreshes once for many concurrent requests (single flight)", async () => {
    const tokens = await issue();
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() - 1);
    store.values.set("work", JSON.stringify(secret));
    const strategy = createRefreshingStrategy({ profile: profile(), secret, store, env });
    const headers = await Promise.all(Array.from({ length: 12 }, () => applied(strategy)));
    expect(new Set(headers).size).toBe(1);
    expect(h.routes.controls.counters.refreshes).toBe(1);
    expect(h.routes.controls.counters.invalidGrant).toBe(0);
  });

  it("after a 401, a second holder of the old token adopts the stored rotation instead of reusing the old refresh token", async () => {
    const tokens = await issue();
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() + 3_000_000);
    store.values.set("work", JSON.stringify(secret));
    const first = createRefreshingStrategy({ profile: profile(), secret, store, env });
    const second = createRefreshingStrategy({ profile: profile(), secret, store, env });
    expect(await first.onUnauthorized?.()).toBe(true);
    expect(await second.onUnauthorized?.()).toBe(true);
    expect(h.routes.controls.counters.refreshes).toBe(1);
    expect(h.routes.controls.counters.invalidGrant).toBe(0);
    expect(await applied(second)).toBe(await applied(first));
  });

  it("if a refresh slipped past the lock (stalled holder, lockless client), the loser adopts the stored rotation", async () => {
    const tokens = await issue();
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() - 1);
    store.values.set("work", JSON.stringify(secret));
    // two lock directories: nothing keeps these two apart
    const otherEnv = { ...env, CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-")) };
    // Hold token requests at the server so both refreshes are in flight before either is stored: without
    // this, a loaded machine lets one finish first and the other simply reads the new pair (no race).
    h.routes.controls.tokenDelayMs = 500;
    const a = createRefreshingStrategy({ profile: profile(), secret, store, env });
    const b = createRefreshingStrategy({ profile: profile(), secret, store, env: otherEnv });
    const [ha, hb] = await Promise.all([applied(a), applied(b)]).finally(() => {
      h.routes.controls.tokenDelayMs = 0;
    });
    expect(h.routes.controls.counters.refreshes).toBe(1);
    expect(h.routes.controls.counters.invalidGrant).toBe(1);
    expect(ha).toBe(hb);
    expect(ha).toBe(`Bearer ${JSON.parse(store.values.get("work") as string).accessToken}`);
  });

  it("a dead refresh token is an AuthError (exit 4) telling to log in again, and the stored secret is kept", async () => {
    const tokens = await issue();
    h.routes.controls.expireRefreshToken(tokens.refresh);
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() - 1);
    store.values.set("work", JSON.stringify(secret));
    const strategy = createRefreshingStrategy({ profile: profile(), secret, store, env });
    const error = await applied(strategy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshTokenInvalidError);
    expect((error as AuthError).exitCode).toBe(ExitCode.AUTH);
    expect((error as AuthError).hint).toContain("confl auth login --profile work");
    expect(store.sets).toBe(0);
  });

  it("a transient 5xx or network failure leaves the stored secret alone; the next try succeeds", async () => {
    const tokens = await issue();
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() - 1);
    store.values.set("work", JSON.stringify(secret));
    const strategy = createRefreshingStrategy({ profile: profile(), secret, store, env });
    h.routes.controls.failNextTokenRequests(1, 502);
    await expect(applied(strategy)).rejects.toBeInstanceOf(OAuthTransientError);
    expect(store.sets).toBe(0);
    expect(JSON.parse(store.values.get("work") as string)).toEqual(secret);

    const offline = createRefreshingStrategy({
      profile: profile(),
      secret,
      store,
      env: { ...env, CONFL_ATLASSIAN_AUTH_URL: "http://127.0.0.1:9" },
    });
    await expect(applied(offline)).rejects.toBeInstanceOf(OAuthTransientError);
    expect(store.sets).toBe(0);

    await expect(applied(strategy)).resolves.toMatch(/^Bearer sim-cloud-oauth-access-/);
    expect(store.sets).toBe(1);
  });

  it("keeps using a still-valid token when the early refresh fails transiently", async () => {
    const tokens = await issue();
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() + 20_000);
    store.values.set("work", JSON.stringify(secret));
    h.routes.controls.failNextTokenRequests(1, 503);
    const strategy = createRefreshingStrategy({ profile: profile(), secret, store, env });
    expect(await applied(strategy)).toBe(`Bearer ${tokens.access}`);
  });

  it("never resurrects a profile logged out meanwhile: a refresh finding no stored entry stops", async () => {
    const tokens = await issue();
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() - 1);
    const strategy = createRefreshingStrategy({ profile: profile(), secret, store, env });
    const error = await applied(strategy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("auth.no_secret");
    expect(store.sets).toBe(0);
    expect(h.routes.controls.counters.refreshes).toBe(0);
  });

  it("a bring-your-own token without refresh fails clearly once expired, and onUnauthorized gives up", async () => {
    const store = new MemoryStore();
    const secret: OAuthSecret = {
      kind: "oauth",
      accessToken: "fake-byo-access-0001",
      expiresAt: Date.now() - 1000,
    };
    const strategy = createRefreshingStrategy({ profile: profile(), secret, store, env });
    const error = await applied(strategy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain("expired");
    expect((error as AuthError).hint).toContain("--with-token");
    const noExpiry = createRefreshingStrategy({
      profile: profile(),
      secret: { kind: "oauth", accessToken: "fake-byo-access-0002" },
      store,
      env,
    });
    expect(await applied(noExpiry)).toBe("Bearer fake-byo-access-0002");
    expect(await noExpiry.onUnauthorized?.()).toBe(false);
  });
});

describe("bring-your-own JWT access tokens", () => {
  it("reads exp from a JWT, so an expired token fails before it is sent", async () => {
    const { jwtExpiry } = await import("../../src/auth/oauth/login.js");
    const payload = Buffer.from(JSON.stringify({ exp: 1_900_000_000, sub: "fake" })).toString("base64url");
    const jwt = `eyJhbGciOiJub25lIn0.${payload}.fake-signature-0001`;
    expect(jwtExpiry(jwt)).toBe(1_900_000_000_000);
    expect(jwtExpiry("fake-opaque-token-0001")).toBeUndefined();
    expect(jwtExpiry("a.not-base64-json.c")).toBeUndefined();
    const store = new MemoryStore();
    const strategy = createRefreshingStrategy({
      profile: profile(),
      secret: { kind: "oauth", accessToken: jwt, expiresAt: jwtExpiry(jwt) },
      store,
      env,
      now: () => 1_900_000_000_001,
    });
    await expect(applied(strategy)).rejects.toThrow(/expired at 2030-/);
    const stillValid = createRefreshingStrategy({
      profile: profile(),
      secret: { kind: "oauth", accessToken: jwt, expiresAt: jwtExpiry(jwt) },
      store,
      env,
      now: () => 1_899_999_000_000,
    });
    expect(await applied(stillValid)).toBe(`Bearer ${jwt}`);
    // a 401 before exp: no claim that it expired (it may be a scope mismatch)
    expect(await stillValid.onUnauthorized?.()).toBe(false);
  });
});

describe("client credentials and Data Center", () => {
  it("client credentials re-fetches the token when it expires", async () => {
    const store = new MemoryStore();
    const secret: OAuthSecret = {
      kind: "client-credentials",
      clientSecret: SECRET,
      accessToken: "fake-old-cc-0001",
      expiresAt: Date.now() - 1,
    };
    store.values.set("cc", JSON.stringify(secret));
    const strategy = createRefreshingStrategy({
      profile: profile({ name: "cc", kind: "client-credentials" }),
      secret,
      store,
      env,
    });
    const header = await applied(strategy);
    expect(header).toMatch(/^Bearer sim-cloud-oauth-access-/);
    expect(h.grants.get((header as string).slice(7))?.kind).toBe("client-credentials");
    expect(h.routes.controls.counters.clientCredentials).toBe(1);
    expect(JSON.parse(store.values.get("cc") as string).clientSecret).toBe(SECRET);
  });

  it("Data Center refreshes against {base}/rest/oauth2/latest/token", async () => {
    const tokens = await issue("dc");
    const store = new MemoryStore();
    const secret = oauthSecret(tokens, Date.now() - 1);
    store.values.set("dc", JSON.stringify(secret));
    const strategy = createRefreshingStrategy({
      profile: profile({
        name: "dc",
        deployment: "dc",
        site: h.dcBase,
        apiBase: `${h.dcBase}/`,
        oauth: { clientId: CLIENT, authServer: h.dcBase },
      }),
      secret,
      store,
      env,
    });
    const header = await applied(strategy);
    expect(h.grants.get((header as string).slice(7))?.kind).toBe("dc-oauth");
    expect(h.routes.controls.counters.refreshes).toBe(1);
  });
});
