// Two OAuth behaviours not pinned elsewhere, against the full simulator:
// - on a terminal, the client secret is asked in a MASKED prompt (never echoed) and the redirected URL is
//   pasted into a prompt (the real @clack/prompts, keys typed into a TTY-flagged stdin);
// - 3LO: a 401 on a token that is not yet expired locally (revoked server-side) refreshes ONCE and
//   retries; if the server still says 401, there is no second refresh (no loop).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { oauthControls } from "../../sim/oauth.js";
import { createOAuthStrategy, loginOAuth, type OAuthLoginResult } from "../../src/auth/oauth/index.js";
import { type Context, createContext } from "../../src/context.js";
import { createHttpClient } from "../../src/http/client.js";
import { createIOStreams } from "../../src/io/streams.js";
import { inProcessContext, MemoryStore, submitConsent, useSimulator } from "../support/context.js";

const sim = useSimulator();
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  sim.reset();
  oauthControls(sim).reset();
  env = {
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-tty-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
  };
});

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

function terminal(environment: NodeJS.ProcessEnv) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 400, rows: 50 });
  const stdout = new PassThrough();
  stdout.resume();
  let raw = "";
  stderr.on("data", (c) => {
    raw += String(c);
  });
  const io = createIOStreams({ stdin, stdout, stderr, env: {} });
  const ctx: Context = createContext({
    io,
    env: environment,
    globals: { json: false, debug: false, color: false, input: true },
    debug() {},
  });
  const screen = () => raw.replace(ANSI, "");
  /** Resolves on the output that makes `pattern` match (an event, not a poll); gives up after 10 s. */
  function waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = screen().match(pattern);
        if (!match) return;
        stderr.off("data", check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        stderr.off("data", check);
        reject(new Error(`never saw ${pattern}; screen:\n${screen()}`));
      }, 10_000);
      stderr.on("data", check);
      check();
    });
  }
  const type = (keys: string) => {
    for (const key of keys) stdin.write(key);
  };
  return { ctx, screen, waitFor, type };
}

describe("OAuth login on a terminal", () => {
  it("asks for the client secret masked, then takes the pasted redirect URL in a prompt", async () => {
    const t = terminal(env);
    const login = loginOAuth(
      { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
      t.ctx,
    );
    await t.waitFor(/OAuth client secret/);
    t.type(`${sim.credentials.oauth.clientSecret}\r`);
    const [, url] = await t.waitFor(/(http\S+\/authorize\?\S+)/);
    const location = await submitConsent(url as string, "accept");
    await t.waitFor(/Redirected URL or code/);
    t.type(`${location}\r`);
    const result = await login;

    expect(result.secret).toMatchObject({ kind: "oauth", clientSecret: sim.credentials.oauth.clientSecret });
    const screen = t.screen();
    expect(screen).not.toContain(sim.credentials.oauth.clientSecret);
    // one mask character per typed character of the secret
    expect(screen).toMatch(/[▪•*]{10,}/);
    for (const token of [
      result.secret.accessToken,
      (result.secret as { refreshToken?: string }).refreshToken,
    ])
      expect(screen).not.toContain(token as string);
  });
});

describe("3LO: refresh once after a 401", () => {
  async function loggedIn(): Promise<OAuthLoginResult> {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const login = loginOAuth(
      { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(/^ {2}(http\S+\/authorize\?\S+)$/m);
    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    return login;
  }

  function clientFor(result: OAuthLoginResult) {
    const store = new MemoryStore();
    store.values.set(result.profile.name, JSON.stringify(result.secret));
    const auth = createOAuthStrategy({
      profile: result.profile,
      secret: result.secret,
      store,
      ctx: inProcessContext(env, { openStdin: true }).ctx,
    });
    const client = createHttpClient({ apiBase: result.profile.apiBase, auth, env, maxRetries: 0 });
    return { client, store };
  }

  it("a token revoked server-side before its expiry: one 401, one refresh, the retry succeeds", async () => {
    const result = await loggedIn();
    const { client, store } = clientFor(result);
    expect((await client.request({ path: "rest/api/user/current" })).status).toBe(200);
    expect(oauthControls(sim).counters.refreshes).toBe(0);

    sim.expireToken(result.secret.accessToken as string);
    sim.clearLog();
    const again = await client.request<{ accountId: string }>({ path: "rest/api/user/current" });
    expect(again.status).toBe(200);
    expect(again.data.accountId).toBe(sim.users.cloud.accountId);
    expect(oauthControls(sim).counters.refreshes).toBe(1);
    const gatewayStatuses = sim.log.filter((e) => e.server === "gateway").map((e) => e.status);
    expect(gatewayStatuses).toEqual([401, 200]);
    const stored = JSON.parse(store.values.get("work") as string);
    expect(stored.accessToken).not.toBe(result.secret.accessToken);
    expect(stored.refreshToken).not.toBe((result.secret as { refreshToken: string }).refreshToken);
  });

  it("when the server keeps answering 401 after the refresh, there is no second refresh", async () => {
    const result = await loggedIn();
    const { client } = clientFor(result);
    sim.fault({ server: "gateway", count: Number.POSITIVE_INFINITY, fault: { type: "status", status: 401 } });
    sim.clearLog();
    const error = await client.request({ path: "rest/api/user/current" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(oauthControls(sim).counters.refreshes).toBe(1);
    expect(sim.log.filter((e) => e.server === "gateway").map((e) => e.status)).toEqual([401, 401]);
  });
});

describe("3LO: a 401 'scope does not match' is not an expiry (issue 10 item 7)", () => {
  it("confl api api/v2/pages on a token without read:page:confluence: no refresh, no rotation, the mismatch is reported", async () => {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const login = loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: false,
        clientId: sim.credentials.oauth.clientId,
        scopes: ["read:confluence-user", "read:space:confluence", "offline_access"],
      },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(/^ {2}(http\S+\/authorize\?\S+)$/m);
    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    const result = await login;
    const store = new MemoryStore();
    store.values.set(result.profile.name, JSON.stringify(result.secret));
    const auth = createOAuthStrategy({ profile: result.profile, secret: result.secret, store, ctx: t.ctx });
    const client = createHttpClient({ apiBase: result.profile.apiBase, auth, env, maxRetries: 0 });
    sim.clearLog();
    const error = await client.request({ path: "api/v2/pages" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/scope does not match/);
    expect(oauthControls(sim).counters.refreshes).toBe(0);
    expect(sim.log.filter((e) => e.server === "auth")).toEqual([]);
    // the stored pair is untouched: a needless refresh would have rotated it
    expect(JSON.parse(store.values.get("work") as string).refreshToken).toBe(
      (result.secret as { refreshToken: string }).refreshToken,
    );
    // and the token still works where its scopes allow
    expect((await client.request({ path: "api/v2/spaces" })).status).toBe(200);
  });
});

describe("--scopes", () => {
  it("replaces the defaults; without offline_access no refresh token is issued and the user is warned", async () => {
    const t = inProcessContext(
      { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
      { openStdin: true },
    );
    const login = loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: false,
        clientId: sim.credentials.oauth.clientId,
        scopes: ["read:confluence-user", "read:space:confluence"],
      },
      t.ctx,
    );
    const [, url] = await t.waitForStderr(/^ {2}(http\S+\/authorize\?\S+)$/m);
    expect(new URL(url as string).searchParams.get("scope")).toBe(
      "read:confluence-user read:space:confluence",
    );
    t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
    const result = await login;
    expect(result.secret.kind).toBe("oauth");
    expect((result.secret as { refreshToken?: string }).refreshToken).toBeUndefined();
    expect(t.err()).toMatch(/no refresh token was issued \(add offline_access to --scopes\)/);
  });
});
