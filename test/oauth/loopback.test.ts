// The loopback callback receiver and the browser/headless decision.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { buildAuthorizeUrl, shouldUseBrowser } from "../../src/auth/oauth/login.js";
import { startLoopbackReceiver } from "../../src/auth/oauth/loopback.js";
import { createPkcePair } from "../../src/auth/oauth/pkce.js";
import { AuthError, ConflError } from "../../src/errors.js";

describe("loopback receiver", () => {
  it("listens on 127.0.0.1 only and ignores callbacks without our state", async () => {
    const receiver = await startLoopbackReceiver(0, "good-state-0001");
    try {
      expect(receiver.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      const stray = await fetch(`${receiver.redirectUri}?code=c-0001`);
      expect(stray.status).toBe(400);
      const other = await fetch(`${receiver.redirectUri.replace("/callback", "/favicon.ico")}`);
      expect(other.status).toBe(404);
      const ok = await fetch(`${receiver.redirectUri}?code=c-0002&state=good-state-0001`);
      expect(await ok.text()).toContain("You can close this tab");
      await expect(receiver.wait(1000)).resolves.toEqual({ code: "c-0002" });
    } finally {
      await receiver.close();
    }
  });

  it("a callback with a foreign state fails the login (possible CSRF)", async () => {
    const receiver = await startLoopbackReceiver(0, "good-state-0001");
    try {
      const waiting = receiver.wait(5000);
      waiting.catch(() => {});
      await fetch(`${receiver.redirectUri}?code=c-0001&state=evil-state`);
      const error = await waiting.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe("oauth.state_mismatch");
    } finally {
      await receiver.close();
    }
  });

  it("a busy --callback-port is a clear error naming the port", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await startLoopbackReceiver(port, "s").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflError);
      expect((error as ConflError).message).toContain(String(port));
      expect((error as ConflError).hint).toContain("--callback-port");
    } finally {
      blocker.close();
    }
  });
});

describe("browser or headless", () => {
  it("goes headless with --no-browser, and on Linux without DISPLAY or WAYLAND_DISPLAY", () => {
    expect(shouldUseBrowser({ browser: false }, { DISPLAY: ":0" }, "linux")).toBe(false);
    expect(shouldUseBrowser({ browser: true }, {}, "linux")).toBe(false);
    expect(shouldUseBrowser({ browser: true }, { DISPLAY: ":0" }, "linux")).toBe(true);
    expect(shouldUseBrowser({ browser: true }, { WAYLAND_DISPLAY: "wayland-0" }, "linux")).toBe(true);
    expect(shouldUseBrowser({ browser: true }, {}, "darwin")).toBe(true);
  });

  it("builds Atlassian's authorize URL: audience, scopes space-separated, state, PKCE S256, prompt=consent", () => {
    const pkce = createPkcePair();
    expect(pkce.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = new URL(
      buildAuthorizeUrl({ authorize: "https://auth.atlassian.com/authorize", token: "" }, "cloud", {
        clientId: "cid-0001",
        redirectUri: "http://127.0.0.1:8976/callback",
        scopes: ["read:page:confluence", "offline_access"],
        state: "st-0001",
        codeChallenge: pkce.challenge,
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      audience: "api.atlassian.com",
      client_id: "cid-0001",
      scope: "read:page:confluence offline_access",
      redirect_uri: "http://127.0.0.1:8976/callback",
      state: "st-0001",
      response_type: "code",
      prompt: "consent",
      code_challenge: pkce.challenge,
      code_challenge_method: "S256",
    });
    const dc = new URL(
      buildAuthorizeUrl(
        { authorize: "https://dc.example.com/rest/oauth2/latest/authorize", token: "" },
        "dc",
        {
          clientId: "cid-0001",
          redirectUri: "http://127.0.0.1:8976/callback",
          scopes: ["WRITE"],
          state: "st-0001",
          codeChallenge: pkce.challenge,
        },
      ),
    );
    expect(dc.searchParams.has("audience")).toBe(false);
  });
});
