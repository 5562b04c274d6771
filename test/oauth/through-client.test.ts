// The OAuth helpers' requests (token endpoint, accessible-resources) go through createHttpClient, not a
// private fetch: they carry confl's User-Agent, show in --debug as the client logs requests (headers masked,
// the body never printed), follow no redirect, and a token request is sent exactly once whatever the answer
// (not idempotent: a replayed refresh would burn a rotating refresh token).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runOAuthLogin } from "../../src/auth/oauth/login.js";
import { OAuthTransientError, requestToken } from "../../src/auth/oauth/token-endpoint.js";
import { registerSecret } from "../../src/redact.js";
import { USER_AGENT } from "../../src/version.js";
import { inProcessContext } from "../support/context.js";

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}
let server: Server;
let origin: string;
let seen: Seen[] = [];
let answer: { status: number; body?: string; headers?: Record<string, string> } = { status: 200 };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
      res
        .writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
        .end(answer.body ?? "{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});
beforeEach(() => {
  seen = [];
});

const SECRET = "fake-client-secret+/=0042";
const params = { grant_type: "client_credentials", client_id: "c-0042", client_secret: SECRET };

describe("the token request goes through the HTTP client", () => {
  it("carries confl's User-Agent, and --debug logs it as the client does without the body's secret", async () => {
    registerSecret(SECRET);
    answer = { status: 200, body: '{"access_token":"fake-access-0042","expires_in":60}' };
    const lines: string[] = [];
    const tokens = await requestToken(`${origin}/rest/oauth2/latest/token`, params, {
      encoding: "form",
      debug: (line) => lines.push(line),
    });
    expect(tokens.accessToken).toBe("fake-access-0042");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers["user-agent"]).toBe(USER_AGENT);
    const log = lines.join("\n");
    expect(log).toContain(`→ POST ${origin}/rest/oauth2/latest/token`);
    expect(log).toMatch(/← 200/);
    // the form body spells the secret percent-encoded: it is never printed, in any spelling
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(encodeURIComponent(SECRET));
  });

  for (const status of [503, 429]) {
    it(`a ${status} is sent once, not retried (a token request is not idempotent)`, async () => {
      answer = { status, headers: { "retry-after": "0" } };
      const error = await requestToken(`${origin}/oauth/token`, params, { encoding: "json" }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OAuthTransientError);
      expect((error as Error).message).toBe(`the OAuth token endpoint answered ${status}`);
      expect(seen).toHaveLength(1);
    });
  }

  it("a redirect is not followed: the secret goes nowhere else", async () => {
    answer = { status: 307, headers: { location: `${origin}/elsewhere/token` } };
    const error = await requestToken(`${origin}/oauth/token`, params, { encoding: "json" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OAuthTransientError);
    expect((error as Error).message).toMatch(/^could not reach the OAuth token endpoint \(/);
    expect(seen.map((s) => s.path)).toEqual(["/oauth/token"]);
  });
});

describe("the accessible-resources call goes through the HTTP client", () => {
  it("confl auth login --type oauth --with-token (Cloud): the Bearer call carries confl's User-Agent and follows no redirect", async () => {
    const env = { CONFL_ATLASSIAN_API_URL: origin, CONFL_CONFIG_DIR: "/nonexistent-confl-test" };
    answer = {
      status: 200,
      body: JSON.stringify([
        { id: "c-1", url: "https://acme.atlassian.net", scopes: ["read:confluence-user"] },
      ]),
    };
    const login = (accessToken: string) =>
      runOAuthLogin(
        { type: "oauth", profileName: "work", browser: false, accessToken },
        inProcessContext(env).ctx,
      );
    const result = await login("fake-access-0043");
    expect(result.profile.cloudId).toBe("c-1");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe("/oauth/token/accessible-resources");
    expect(seen[0]?.headers["user-agent"]).toBe(USER_AGENT);
    expect(seen[0]?.headers.authorization).toBe("Bearer fake-access-0043");

    seen = [];
    answer = { status: 302, headers: { location: `${origin}/elsewhere` } };
    const error = await login("fake-access-0044").catch((e: unknown) => e);
    expect((error as Error).message).toBe(`could not reach ${origin} to list the sites this login can reach`);
    expect(seen.map((s) => s.path)).toEqual(["/oauth/token/accessible-resources"]);
  });
});
