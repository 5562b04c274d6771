// How each token-endpoint answer is classified (confluence-api.md §4.2-4.3): dead refresh token,
// rejected client, transient. Answers come from a loopback server playing back canned responses.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OAuthTransientError,
  RefreshTokenInvalidError,
  requestToken,
} from "../../src/auth/oauth/token-endpoint.js";
import { AuthError, ConflError } from "../../src/errors.js";
import { redactText } from "../../src/redact.js";

let server: Server;
let url: string;
let next: { status: number; body: string; type?: string } = { status: 200, body: "{}" };
let lastBody = "";
let lastType = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      lastBody = body;
      lastType = req.headers["content-type"] ?? "";
      res.writeHead(next.status, { "content-type": next.type ?? "application/json" }).end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
});
afterAll(() => {
  server.close();
});

const refreshParams = {
  grant_type: "refresh_token",
  client_id: "c-0001",
  client_secret: "fake-client-secret-0009",
  refresh_token: "fake-refresh-0009",
};

async function attempt(
  answer: typeof next,
  params: Record<string, string> = refreshParams,
  encoding: "json" | "form" = "json",
) {
  next = answer;
  return requestToken(url, params, { encoding, profileName: "work" }).catch((e: unknown) => e);
}

describe("token endpoint answers", () => {
  it("sends JSON for Cloud and a form for Data Center", async () => {
    await attempt({ status: 200, body: '{"access_token":"fake-access-0009","expires_in":3600}' });
    expect(lastType).toBe("application/json");
    expect(JSON.parse(lastBody)).toEqual(refreshParams);
    await attempt({ status: 200, body: '{"access_token":"fake-access-0009"}' }, refreshParams, "form");
    expect(lastType).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(lastBody))).toEqual(refreshParams);
  });

  it("parses tokens, expiry and scopes, and registers the tokens for redaction", async () => {
    const result = await attempt({
      status: 200,
      body: '{"access_token":"fake-access-0010","refresh_token":"fake-refresh-0010","expires_in":3600,"token_type":"Bearer","scope":"a b offline_access"}',
    });
    expect(result).toEqual({
      accessToken: "fake-access-0010",
      refreshToken: "fake-refresh-0010",
      expiresIn: 3600,
      scopes: ["a", "b", "offline_access"],
      tokenType: "Bearer",
    });
    expect(redactText("x fake-access-0010 y fake-refresh-0010")).toBe("x *** y ***");
  });

  it("403 invalid_grant and the observed 403 unauthorized_client both mean: log in again", async () => {
    for (const body of [
      '{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}',
      '{"error":"unauthorized_client","error_description":"refresh_token is invalid"}',
    ]) {
      const error = await attempt({ status: 403, body });
      expect(error).toBeInstanceOf(RefreshTokenInvalidError);
      expect((error as AuthError).exitCode).toBe(4);
      expect((error as AuthError).hint).toBe("Run `confl auth login --profile work` again.");
    }
  });

  it("401 access_denied is a rejected client secret, not a dead refresh token", async () => {
    const error = await attempt({
      status: 401,
      body: '{"error":"access_denied","error_description":"Unauthorized"}',
    });
    expect(error).toBeInstanceOf(AuthError);
    expect(error).not.toBeInstanceOf(RefreshTokenInvalidError);
    expect((error as AuthError).code).toBe("oauth.client_rejected");
    expect((error as AuthError).message).not.toContain("fake-client-secret-0009");
  });

  it("5xx, 429 and HTML error pages are transient: nothing about the token is concluded", async () => {
    for (const answer of [
      { status: 500, body: "{}" },
      { status: 503, body: "<html>Service Unavailable</html>", type: "text/html" },
      { status: 429, body: "" },
    ]) {
      expect(await attempt(answer)).toBeInstanceOf(OAuthTransientError);
    }
  });

  it("a 200 without access_token is a clear error naming the likely cause", async () => {
    const error = await attempt({ status: 200, body: "<html>login</html>", type: "text/html" });
    expect(error).toBeInstanceOf(ConflError);
    expect((error as ConflError).code).toBe("oauth.bad_response");
  });

  it("a used authorization code is reported as such", async () => {
    const error = await attempt(
      {
        status: 403,
        body: '{"error":"invalid_grant","error_description":"Authorization code has already been used"}',
      },
      {
        grant_type: "authorization_code",
        client_id: "c",
        client_secret: "fake-client-secret-0009",
        code: "x",
      },
    );
    expect((error as AuthError).code).toBe("oauth.invalid_code");
  });
});
