// The simulator's authorization servers behave as confluence-api.md §4 says Atlassian's does.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type OAuthHarness, startOAuthHarness } from "./oauth-harness.js";

let h: OAuthHarness;
const CLIENT = "fake-oauth-client-id-0001";
const SECRET = "fake-oauth-client-secret-0001";
const REDIRECT = "http://127.0.0.1:8976/callback";

beforeAll(async () => {
  h = await startOAuthHarness({ oauthAccessTokenTtl: 120 });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.routes.controls.resetCounters();
  h.routes.controls.tokenDelayMs = 0;
});

function authorizeQuery(overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const fields: Record<string, string | undefined> = {
    audience: "api.atlassian.com",
    client_id: CLIENT,
    scope: "read:page:confluence offline_access",
    redirect_uri: REDIRECT,
    state: "fake-state-0001",
    response_type: "code",
    prompt: "consent",
    ...overrides,
  };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.set(k, v);
  return params;
}

/** Submits the consent form as a browser would: every hidden field plus the button pressed. */
async function consent(base: string, query: URLSearchParams, decision: "accept" | "deny"): Promise<URL> {
  const page = await fetch(`${base}?${query}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      m[1] as string,
      (m[2] as string).replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
    );
  }
  form.set("decision", decision);
  const answer = await fetch(base, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get("location") as string);
}

async function token(body: Record<string, string>, base = `${h.authOrigin}/oauth/token`, json = true) {
  const response = await fetch(base, {
    method: "POST",
    headers: { "content-type": json ? "application/json" : "application/x-www-form-urlencoded" },
    body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
  return { status: response.status, data: (await response.json()) as Record<string, unknown> };
}

async function codeFor(scope = "read:page:confluence offline_access", extra: Record<string, string> = {}) {
  const redirected = await consent(
    `${h.authOrigin}/authorize`,
    authorizeQuery({ scope, ...extra }),
    "accept",
  );
  expect(redirected.searchParams.get("state")).toBe("fake-state-0001");
  return redirected.searchParams.get("code") as string;
}

describe("Cloud authorization server", () => {
  it("shows a consent page with Accept and Deny, and Deny redirects with error=access_denied", async () => {
    const html = await (await fetch(`${h.authOrigin}/authorize?${authorizeQuery()}`)).text();
    expect(html).toContain('id="accept"');
    expect(html).toContain('id="deny"');
    expect(html).toContain("read:page:confluence");
    const denied = await consent(`${h.authOrigin}/authorize`, authorizeQuery(), "deny");
    expect(denied.origin + denied.pathname).toBe(REDIRECT);
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(denied.searchParams.get("state")).toBe("fake-state-0001");
  });

  it("refuses unregistered redirect URIs, missing audience and unknown clients without redirecting", async () => {
    for (const bad of [
      { redirect_uri: "http://evil.example.com/callback" },
      { redirect_uri: "http://127.0.0.1:8976/other" },
      { audience: undefined },
      { client_id: "someone-else" },
      { response_type: "token" },
    ]) {
      const response = await fetch(`${h.authOrigin}/authorize?${authorizeQuery(bad)}`, {
        redirect: "manual",
      });
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
  });

  it("refuses the registered loopback path on another port, as Atlassian does (copilot-cli #4795)", async () => {
    const url = `${h.authOrigin}/authorize?${authorizeQuery({ redirect_uri: "http://127.0.0.1:40123/callback" })}`;
    const refused = await fetch(url, { redirect: "manual" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("The app&#39;s callback URL is invalid.");
    // RFC 8252 §7.3's any-port rule only when a test asks for it (a browser test on a random port)
    h.context.settings.oauthAnyLoopbackPort = true;
    try {
      expect((await fetch(url)).status).toBe(200);
    } finally {
      h.context.settings.oauthAnyLoopbackPort = false;
    }
  });

  it("exchanges a code once, only with the client secret, and issues registered Bearer tokens", async () => {
    const code = await codeFor();
    const noSecret = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      code,
      redirect_uri: REDIRECT,
    });
    expect(noSecret).toEqual({
      status: 401,
      data: { error: "access_denied", error_description: "Unauthorized" },
    });
    const wrongSecret = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: "nope-0001",
      code,
      redirect_uri: REDIRECT,
    });
    expect(wrongSecret.status).toBe(401);

    const ok = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code,
      redirect_uri: REDIRECT,
    });
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({
      expires_in: 120,
      token_type: "Bearer",
      scope: "read:page:confluence offline_access",
    });
    expect(typeof ok.data.refresh_token).toBe("string");
    const grant = h.grants.get(ok.data.access_token as string);
    expect(grant?.kind).toBe("oauth");
    expect(grant?.scopes).toContain("read:page:confluence");

    const again = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code,
      redirect_uri: REDIRECT,
    });
    expect(again.status).toBe(403);
    expect(again.data.error).toBe("invalid_grant");
  });

  it("gives no refresh token without offline_access, and checks redirect_uri and PKCE", async () => {
    const plain = await codeFor("read:page:confluence");
    const ok = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code: plain,
      redirect_uri: REDIRECT,
    });
    expect(ok.status).toBe(200);
    expect(ok.data.refresh_token).toBeUndefined();

    const other = await codeFor();
    const mismatch = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code: other,
      redirect_uri: "https://app.example.com/callback",
    });
    expect(mismatch.data.error).toBe("invalid_grant");

    const verifier = "fake-verifier-0001-fake-verifier-0001-fake-verifier";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const pkceCode = await codeFor(undefined, { code_challenge: challenge, code_challenge_method: "S256" });
    const wrong = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code: pkceCode,
      redirect_uri: REDIRECT,
      code_verifier: "wrong-verifier-0001",
    });
    expect(wrong.data.error).toBe("invalid_grant");
    const pkceCode2 = await codeFor(undefined, { code_challenge: challenge, code_challenge_method: "S256" });
    const right = await token(
      {
        grant_type: "authorization_code",
        client_id: CLIENT,
        client_secret: SECRET,
        code: pkceCode2,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      undefined,
      false,
    );
    expect(right.status).toBe(200);
  });

  it("rotates refresh tokens and answers reuse with Atlassian's 403 invalid_grant body", async () => {
    const code = await codeFor();
    const first = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code,
      redirect_uri: REDIRECT,
    });
    const r1 = first.data.refresh_token as string;
    const second = await token({
      grant_type: "refresh_token",
      client_id: CLIENT,
      client_secret: SECRET,
      refresh_token: r1,
    });
    expect(second.status).toBe(200);
    const r2 = second.data.refresh_token as string;
    expect(r2).not.toBe(r1);
    expect(second.data.access_token).not.toBe(first.data.access_token);

    const reuse = await token({
      grant_type: "refresh_token",
      client_id: CLIENT,
      client_secret: SECRET,
      refresh_token: r1,
    });
    expect(reuse).toEqual({
      status: 403,
      data: { error: "invalid_grant", error_description: "Unknown or invalid refresh token." },
    });
    expect(h.routes.controls.counters.invalidGrant).toBe(1);
    expect(h.routes.controls.counters.refreshes).toBe(1);
    expect(
      (
        await token({
          grant_type: "refresh_token",
          client_id: CLIENT,
          client_secret: SECRET,
          refresh_token: r2,
        })
      ).status,
    ).toBe(200);
  });

  it("expires refresh tokens after 90 idle days and 365 days in total", async () => {
    const code = await codeFor();
    let refresh = (
      await token({
        grant_type: "authorization_code",
        client_id: CLIENT,
        client_secret: SECRET,
        code,
        redirect_uri: REDIRECT,
      })
    ).data.refresh_token as string;
    const day = 24 * 3600 * 1000;
    // Used every 80 days, a chain survives idleness but not its 365th day.
    for (let i = 0; i < 4; i++) {
      h.routes.controls.advanceClock(80 * day);
      const next = await token({
        grant_type: "refresh_token",
        client_id: CLIENT,
        client_secret: SECRET,
        refresh_token: refresh,
      });
      expect(next.status, `refresh ${i}`).toBe(200);
      refresh = next.data.refresh_token as string;
    }
    h.routes.controls.advanceClock(50 * day);
    const dead = await token({
      grant_type: "refresh_token",
      client_id: CLIENT,
      client_secret: SECRET,
      refresh_token: refresh,
    });
    expect(dead.status).toBe(403);

    const code2 = await codeFor();
    const idle = (
      await token({
        grant_type: "authorization_code",
        client_id: CLIENT,
        client_secret: SECRET,
        code: code2,
        redirect_uri: REDIRECT,
      })
    ).data.refresh_token as string;
    h.routes.controls.advanceClock(91 * day);
    expect(
      (
        await token({
          grant_type: "refresh_token",
          client_id: CLIENT,
          client_secret: SECRET,
          refresh_token: idle,
        })
      ).data.error,
    ).toBe("invalid_grant");
  });

  it("fails transiently on request and keeps the refresh token valid", async () => {
    const code = await codeFor();
    const refresh = (
      await token({
        grant_type: "authorization_code",
        client_id: CLIENT,
        client_secret: SECRET,
        code,
        redirect_uri: REDIRECT,
      })
    ).data.refresh_token as string;
    h.routes.controls.failNextTokenRequests(1, 503);
    expect(
      (
        await token({
          grant_type: "refresh_token",
          client_id: CLIENT,
          client_secret: SECRET,
          refresh_token: refresh,
        })
      ).status,
    ).toBe(503);
    expect(
      (
        await token({
          grant_type: "refresh_token",
          client_id: CLIENT,
          client_secret: SECRET,
          refresh_token: refresh,
        })
      ).status,
    ).toBe(200);
  });

  it("issues client-credentials tokens (JSON or form) without a refresh token", async () => {
    const json = await token({
      grant_type: "client_credentials",
      client_id: CLIENT,
      client_secret: SECRET,
      audience: "api.atlassian.com",
    });
    expect(json.status).toBe(200);
    expect(json.data.refresh_token).toBeUndefined();
    expect(h.grants.get(json.data.access_token as string)?.kind).toBe("client-credentials");
    const form = await token(
      { grant_type: "client_credentials", client_id: CLIENT, client_secret: SECRET },
      undefined,
      false,
    );
    expect(form.status).toBe(200);
    const bad = await token({
      grant_type: "client_credentials",
      client_id: CLIENT,
      client_secret: "nope-0001",
    });
    expect(bad.status).toBe(401);
  });
});

describe("Data Center authorization server", () => {
  it("runs the code flow with PKCE and rotates refresh tokens; tokens are dc-oauth grants", async () => {
    const verifier = "fake-dc-verifier-0001-fake-dc-verifier-0001-abcdef";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const base = `${h.dcBase}/rest/oauth2/latest`;
    const redirected = await consent(
      `${base}/authorize`,
      authorizeQuery({
        audience: undefined,
        prompt: undefined,
        scope: "WRITE",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      "accept",
    );
    const code = redirected.searchParams.get("code") as string;
    const first = await token(
      {
        grant_type: "authorization_code",
        client_id: CLIENT,
        client_secret: SECRET,
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      `${base}/token`,
      false,
    );
    expect(first.status).toBe(200);
    expect(h.grants.get(first.data.access_token as string)?.kind).toBe("dc-oauth");
    const r1 = first.data.refresh_token as string;
    const second = await token(
      { grant_type: "refresh_token", client_id: CLIENT, client_secret: SECRET, refresh_token: r1 },
      `${base}/token`,
      false,
    );
    expect(second.status).toBe(200);
    const reuse = await token(
      { grant_type: "refresh_token", client_id: CLIENT, client_secret: SECRET, refresh_token: r1 },
      `${base}/token`,
      false,
    );
    expect(reuse.data.error).toBe("invalid_grant");
    // A Cloud refresh token is not a DC one.
    const cloudCode = await codeFor();
    const cloud = await token({
      grant_type: "authorization_code",
      client_id: CLIENT,
      client_secret: SECRET,
      code: cloudCode,
      redirect_uri: REDIRECT,
    });
    const cross = await token(
      {
        grant_type: "refresh_token",
        client_id: CLIENT,
        client_secret: SECRET,
        refresh_token: cloud.data.refresh_token as string,
      },
      `${base}/token`,
      false,
    );
    expect(cross.status).toBe(403);
  });
});
