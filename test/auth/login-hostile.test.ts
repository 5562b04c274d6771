/**
 * Issue 9 §4 on the login paths, against hostile setups: the OAuth helper calls (accessible resources,
 * token endpoint, refresh) are under the same plain-http guard as API calls; a site URL with
 * user:password@ is refused on every login path and never stored or printed; every login verifies,
 * a bring-your-own OAuth token included, unless --no-verify. A recording proxy shows what was not sent.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { requestToken } from "../../src/auth/oauth/token-endpoint.js";
import { resolveClient } from "../../src/auth/session.js";
import { type LoginOptions, run as login } from "../../src/commands/auth/login.js";
import type { LoginPrompter } from "../../src/commands/auth/prompts.js";
import { profileNameForSite } from "../../src/config/profile-name.js";
import { upsertProfile } from "../../src/config/store.js";
import { type Context, createContext } from "../../src/context.js";
import { ConflError } from "../../src/errors.js";
import { createIOStreams } from "../../src/io/streams.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { startProxy, type TestProxy } from "../http/helpers.js";
import { inProcessContext, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";

const sim = useSimulator();
let proxy: TestProxy;
beforeEach(async () => {
  sim.reset();
  sim.clearLog();
  proxy = await startProxy();
});
afterEach(async () => proxy.close());

const PASSWORD = "fake-userinfo-password-0931";

function withUserinfo(url: string, userinfo = `ada:${PASSWORD}`): string {
  return url.replace("://", `://${userinfo}@`);
}

function configText(env: NodeJS.ProcessEnv): string {
  const path = join(env.CONFL_CONFIG_DIR as string, "config.json");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

async function loginError(options: LoginOptions, env: NodeJS.ProcessEnv, stdin?: string) {
  const t = inProcessContext(env, stdin === undefined ? {} : { stdin });
  const error = await login({ insecureStorage: true, storage: "plaintext", ...options }, t.ctx).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflError);
  return { error: error as ConflError, err: t.err(), out: t.out() };
}

describe("OAuth helper calls go through the plain-http guard", () => {
  it("a bring-your-own token is not sent to accessible-resources over http to another host", async () => {
    const env = simEnv(sim, {
      CONFL_ATLASSIAN_API_URL: "http://api.confl-test.invalid",
      HTTP_PROXY: proxy.url,
    });
    const { error, err } = await loginError({ type: "oauth", withToken: true }, env, "fake-byo-token-0932\n");
    expect(error.code).toBe("auth.insecure_transport");
    expect(error.exitCode).toBe(4);
    expect(proxy.seen).toEqual([]);
    expect(err).not.toContain("fake-byo-token-0932");
    expect(configText(env)).toBe("");
  });

  it("a bring-your-own token is not sent to plain-http loopback through a proxy", async () => {
    const env = simEnv(sim, { HTTP_PROXY: proxy.url });
    const { error } = await loginError({ type: "oauth", withToken: true }, env, "fake-byo-token-0933\n");
    expect(error.code).toBe("auth.insecure_transport");
    expect(error.message).toMatch(/through a proxy/);
    expect(proxy.seen).toEqual([]);
    expect(sim.log.filter((e) => e.headers.authorization)).toEqual([]);
  });

  it("client credentials: the token request (client secret in the body) does not go through a proxy to plain-http loopback", async () => {
    const env = simEnv(sim, {
      HTTP_PROXY: proxy.url,
      CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret,
    });
    const { error } = await loginError(
      {
        type: "client-credentials",
        deployment: "dc",
        site: sim.origins.dc,
        clientId: sim.credentials.oauth.clientId,
      },
      env,
    );
    expect(error.code).toBe("auth.insecure_transport");
    expect(proxy.seen).toEqual([]);
    expect(sim.log.filter((e) => /oauth2/.test(e.path))).toEqual([]);
  });

  it("a stored OAuth profile on plain-http loopback is not refreshed through a proxy", async () => {
    const env = simEnv(sim, { HTTP_PROXY: proxy.url });
    await new PlainFileStore(env).set(
      "default",
      JSON.stringify({
        kind: "oauth",
        accessToken: "fake-expired-access-0934",
        refreshToken: "fake-refresh-0934",
        clientSecret: "fake-client-secret-0934",
        expiresAt: Date.now() - 1000,
      }),
    );
    await upsertProfile(
      {
        name: "default",
        site: sim.origins.dc,
        deployment: "dc",
        apiBase: `${sim.origins.dc}/`,
        kind: "oauth",
        oauth: { clientId: "fake-client-0934", authServer: sim.origins.dc },
        secretStore: "plaintext",
      },
      env,
    );
    const client = await resolveClient(inProcessContext(env).ctx);
    const error = await client.request({ path: "rest/api/space" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth.insecure_transport" });
    expect(proxy.seen).toEqual([]);
  });

  it.each([
    ["a *.localhost name that does not resolve", "http://evil-0935.localhost:9/token", {}],
    ["loopback through HTTP_PROXY", "http://127.0.0.1:9/token", { HTTP_PROXY: "http://127.0.0.1:1" }],
  ])("the token endpoint refuses %s before anything is sent", async (_name, url, env) => {
    const calls: string[] = [];
    const fetchImpl = (async (u: string) => {
      calls.push(u);
      return new Response(JSON.stringify({ access_token: "fake-at-0935", token_type: "Bearer" }));
    }) as unknown as typeof fetch;
    await expect(
      requestToken(
        url,
        { grant_type: "client_credentials", client_id: "c", client_secret: "fake-cs-0935" },
        { encoding: "form", fetchImpl, env },
      ),
    ).rejects.toMatchObject({ code: "auth.insecure_transport" });
    expect(calls).toEqual([]);
  });
});

function ttyContext(env: NodeJS.ProcessEnv): { ctx: Context; err: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 200, rows: 50 });
  const stdout = new PassThrough();
  let text = "";
  stderr.on("data", (c) => {
    text += String(c);
  });
  stdout.resume();
  const io = createIOStreams({ stdin, stdout, stderr, env: {} });
  const ctx: Context = createContext({
    io,
    env,
    globals: { json: false, debug: false, color: false, input: true },
    debug() {},
  });
  return { ctx, err: () => text };
}

describe("a site URL with user:password@ is refused on every login path", () => {
  function expectRefused(result: { error: ConflError; err: string; out: string }, env: NodeJS.ProcessEnv) {
    expect(result.error.code).toBe("usage.site_userinfo");
    expect(result.error.exitCode).toBe(2);
    expect(result.error.hint).toContain("remove the user:password@ part");
    expect(result.error.hint).toContain("--username");
    const printed = [result.error.message, result.error.hint, result.err, result.out].join("\n");
    expect(printed).not.toContain(PASSWORD);
    expect(configText(env)).not.toContain(PASSWORD);
    expect(configText(env)).not.toContain("ada:");
    expect(sim.log).toEqual([]);
  }

  it.each<[string, () => LoginOptions, string | undefined]>([
    [
      "api-token, --site http://user:pw@host",
      () => ({
        site: withUserinfo(sim.origins.site),
        type: "api-token",
        email: "ada@example.com",
        withToken: true,
      }),
      "fake-api-token-0936",
    ],
    [
      "pat on DC, no scheme (user:pw@host:port/confluence)",
      () => ({ site: withUserinfo(sim.origins.dc).replace("http://", ""), type: "pat", withToken: true }),
      "fake-pat-0937",
    ],
    [
      "password only (:pw@)",
      () => ({ site: withUserinfo(sim.origins.dc, `:${PASSWORD}`), type: "pat", withToken: true }),
      "fake-pat-0938",
    ],
    [
      "percent-encoded",
      () => ({ site: withUserinfo(sim.origins.dc, `ada%40corp:${PASSWORD}`), type: "pat", withToken: true }),
      "fake-pat-0939",
    ],
    [
      "quoted and padded",
      () => ({ site: ` "${withUserinfo(sim.origins.dc)}" `, type: "pat", withToken: true }),
      "fake-pat-0940",
    ],
    [
      "DC OAuth (3LO)",
      () => ({
        site: withUserinfo(sim.origins.dc),
        type: "oauth",
        deployment: "dc",
        clientId: sim.credentials.oauth.clientId,
        browser: false,
      }),
      undefined,
    ],
    [
      "DC client credentials",
      () => ({
        site: withUserinfo(sim.origins.dc),
        type: "client-credentials",
        deployment: "dc",
        clientId: sim.credentials.oauth.clientId,
      }),
      undefined,
    ],
    [
      "Cloud client credentials",
      () => ({
        site: withUserinfo(sim.origins.site),
        type: "client-credentials",
        clientId: sim.credentials.oauth.clientId,
      }),
      undefined,
    ],
    [
      "bring-your-own OAuth token on DC",
      () => ({ site: withUserinfo(sim.origins.dc), type: "oauth", deployment: "dc", withToken: true }),
      "fake-byo-token-0941",
    ],
  ])("%s", async (_name, options, stdin) => {
    const env = simEnv(sim, { CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    expectRefused(await loginError(options(), env, stdin), env);
  });

  it("the interactive URL prompt", async () => {
    const env = simEnv(sim);
    const t = ttyContext(env);
    const prompter: LoginPrompter = {
      site: async () => withUserinfo(sim.origins.dc),
      kind: async () => "pat",
      identity: async () => "ada",
      secret: async () => "fake-pat-0942",
      note: () => {},
    };
    const error = await login({}, t.ctx, { prompter }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflError);
    expectRefused({ error: error as ConflError, err: t.err(), out: "" }, env);
  });

  it("CONFLUENCE_URL for a command", async () => {
    const env = simEnv(sim, {
      CONFLUENCE_URL: withUserinfo(sim.origins.dc),
      CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat,
    });
    const error = await resolveClient(inProcessContext(env).ctx)
      .then((c) => c.request({ path: "rest/api/space" }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "usage.site_userinfo", exitCode: 2 });
    expect(String((error as Error).message)).not.toContain(PASSWORD);
    expect(sim.log).toEqual([]);
  });
});

describe("a bring-your-own OAuth token is verified like every other login", () => {
  it("a token the server rejects fails the login and nothing is stored", async () => {
    const env = simEnv(sim);
    const { error, err } = await loginError(
      { type: "oauth", deployment: "dc", site: sim.origins.dc, withToken: true },
      env,
      "fake-rejected-byo-0943\n",
    );
    expect(error.exitCode).toBe(4);
    expect(err).not.toContain("fake-rejected-byo-0943");
    expect(configText(env)).toBe("");
    expect(sim.log.some((e) => /user\/current/.test(e.path))).toBe(true);
  });

  it("--no-verify stores it unverified and says so", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: "fake-unverified-byo-0944\n" });
    const result = await login(
      {
        type: "oauth",
        deployment: "dc",
        site: sim.origins.dc,
        withToken: true,
        verify: false,
        storage: "plaintext",
        insecureStorage: true,
      },
      t.ctx,
    );
    expect(result.identity).toBeUndefined();
    expect(t.err()).toContain("not verified: --no-verify");
    expect(sim.log).toEqual([]);
    expect(JSON.parse(configText(env)).profiles[profileNameForSite(sim.origins.dc)].identity).toBeUndefined();
  });
});
