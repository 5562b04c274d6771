/**
 * Issue 4: Basic or Bearer credentials are never sent over plain http:// except to loopback. Pinned on
 * the path commands really take (stored profile → resolveClient → pipeline), for every kind with a
 * secret including OAuth (access token, and the token endpoint that would carry the client secret).
 * A loopback server stands in as HTTP_PROXY and as the target's resolver of last resort: if anything
 * were sent it would arrive there, or fail with a DNS error instead of the refusal.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { requestToken } from "../../src/auth/oauth/token-endpoint.js";
import { resolveClient } from "../../src/auth/session.js";
import type { StoredSecret } from "../../src/auth/types.js";
import { run as login } from "../../src/commands/auth/login.js";
import { upsertProfile } from "../../src/config/store.js";
import type { Profile } from "../../src/config/types.js";
import { AuthError } from "../../src/errors.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { inProcessContext, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";

const sim = useSimulator();
let recorder: Server;
let recorderUrl: string;
let received: string[] = [];

beforeAll(async () => {
  recorder = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((r) => recorder.listen(0, "127.0.0.1", r));
  recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
});
afterAll(async () => {
  recorder.closeAllConnections();
  await new Promise<void>((r) => recorder.close(() => r()));
});
beforeEach(() => {
  received = [];
  sim.reset();
});

const REMOTE = "http://wiki.confl-test.invalid";

async function storedProfile(
  env: NodeJS.ProcessEnv,
  profile: Partial<Profile> & Pick<Profile, "kind">,
  secret: StoredSecret,
) {
  await new PlainFileStore(env).set("default", JSON.stringify(secret));
  await upsertProfile(
    {
      name: "default",
      site: REMOTE,
      deployment: "dc",
      apiBase: `${REMOTE}/`,
      secretStore: "plaintext",
      ...profile,
    },
    env,
  );
}

async function requestFails(env: NodeJS.ProcessEnv): Promise<AuthError> {
  const client = await resolveClient(inProcessContext(env).ctx);
  const error = await client.request({ path: "rest/api/space" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe("no credential over plain http to another machine", () => {
  it.each<[string, Partial<Profile> & Pick<Profile, "kind">, StoredSecret]>([
    ["pat", { kind: "pat" }, { kind: "pat", token: "fake-pat-http-0001" }],
    [
      "password",
      { kind: "password", username: "grace" },
      { kind: "password", password: "fake-password-http-0001" },
    ],
    ["cookie", { kind: "cookie" }, { kind: "cookie", cookie: "JSESSIONID=fake-cookie-http-0001" }],
    [
      "api-token",
      { kind: "api-token", deployment: "cloud", email: "ada@example.com", apiBase: `${REMOTE}/wiki/` },
      { kind: "api-token", token: "fake-api-token-http-0001" },
    ],
    [
      "oauth (DC, fresh access token)",
      { kind: "oauth", oauth: { clientId: "fake-client-http-0001", authServer: REMOTE } },
      {
        kind: "oauth",
        accessToken: "fake-oauth-access-http-0001",
        refreshToken: "fake-oauth-refresh-http-0001",
        clientSecret: "fake-oauth-secret-http-0001",
        expiresAt: Date.now() + 3_600_000,
      },
    ],
  ])("%s: a stored profile on http:// is refused before anything is sent", async (_name, profile, secret) => {
    const env = simEnv(sim, { HTTP_PROXY: recorderUrl, http_proxy: recorderUrl });
    await storedProfile(env, profile, secret);
    const error = await requestFails(env);
    expect(error.code).toBe("auth.insecure_transport");
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain("wiki.confl-test.invalid");
    expect(error.hint).toMatch(/https:\/\//);
    expect(received).toEqual([]);
  });

  it("an expired OAuth token is not refreshed over plain http either (the client secret stays home)", async () => {
    const env = simEnv(sim, { HTTP_PROXY: recorderUrl, http_proxy: recorderUrl });
    await storedProfile(
      env,
      { kind: "oauth", oauth: { clientId: "fake-client-http-0002", authServer: REMOTE } },
      {
        kind: "oauth",
        accessToken: "fake-oauth-access-http-0002",
        refreshToken: "fake-oauth-refresh-http-0002",
        clientSecret: "fake-oauth-secret-http-0002",
        expiresAt: Date.now() - 1_000,
      },
    );
    const error = await requestFails(env);
    expect(error.code).toBe("auth.insecure_transport");
    expect(received).toEqual([]);
  });

  it("the token endpoint itself refuses http to another machine, but not loopback", async () => {
    const calls: string[] = [];
    const fetchImpl = (async (url: string) => {
      calls.push(url);
      return new Response(JSON.stringify({ access_token: "fake-at-0001", token_type: "Bearer" }), {
        headers: { "content-type": "application/json" },
      });
    }) as unknown as typeof fetch;
    const params = { grant_type: "client_credentials", client_id: "c", client_secret: "fake-cs-0001" };
    await expect(
      requestToken(`${REMOTE}/rest/oauth2/latest/token`, params, { encoding: "form", fetchImpl }),
    ).rejects.toMatchObject({ code: "auth.insecure_transport" });
    expect(calls).toEqual([]);
    await expect(
      requestToken("http://127.0.0.1:9/rest/oauth2/latest/token", params, { encoding: "form", fetchImpl }),
    ).resolves.toMatchObject({ accessToken: "fake-at-0001" });
  });

  it("loopback over http is fine (the simulator is http)", async () => {
    const env = simEnv(sim);
    await storedProfile(
      env,
      { kind: "pat", site: sim.origins.dc, apiBase: `${sim.origins.dc}/` },
      { kind: "pat", token: sim.credentials.dc.pat },
    );
    const client = await resolveClient(inProcessContext(env).ctx);
    expect((await client.request({ path: "rest/api/space" })).status).toBe(200);
  });

  it("auth login on an http:// site elsewhere fails at verification, before the secret is sent or stored", async () => {
    const env = simEnv(sim, { HTTP_PROXY: recorderUrl, http_proxy: recorderUrl });
    const t = inProcessContext(env, { stdin: "fake-pat-http-0003" });
    const error = await login(
      { site: REMOTE, deployment: "dc", type: "pat", withToken: true, insecureStorage: true },
      t.ctx,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth.insecure_transport", exitCode: 4 });
    expect(received).toEqual([]);
    expect(t.err()).not.toContain("fake-pat-http-0003");
  });
});
