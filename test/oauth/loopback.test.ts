// The loopback callback receiver and the browser/headless decision.
import { connect, createServer } from "node:net";
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
      const port = Number(new URL(receiver.redirectUri).port);
      for (const target of [
        "/callback?error=access_denied",
        "/other?code=evil-c&state=good-state-0001",
        "/callback/../callback2?code=evil-c&state=evil",
      ]) {
        expect(
          await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}`),
        ).toBeGreaterThanOrEqual(400);
      }
      const ok = await fetch(`${receiver.redirectUri}?code=c-0002&state=good-state-0001`);
      expect(await ok.text()).toContain("You can close this tab");
      await expect(receiver.wait(1000)).resolves.toEqual({ code: "c-0002" });
    } finally {
      await receiver.close();
    }
  });

  it("a callback with the right state and error= (the user chose Deny) fails the login", async () => {
    const receiver = await startLoopbackReceiver(0, "good-state-0001");
    try {
      const waiting = receiver.wait(5000);
      waiting.catch(() => {});
      const page = await fetch(`${receiver.redirectUri}?error=access_denied&state=good-state-0001`);
      expect(page.status).toBe(200);
      const error = await waiting.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe("oauth.access_denied");
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

  it("control characters in the server's error text never reach the terminal", async () => {
    const receiver = await startLoopbackReceiver(0, "good-state-0001");
    try {
      const waiting = receiver.wait(5000);
      waiting.catch(() => {});
      const hostile = encodeURIComponent("\u001b]0;owned\u0007\u001b[2Jaccess_denied\r\nconfl: fake line");
      await fetch(
        `${receiver.redirectUri}?error=${hostile}&error_description=${hostile}&state=good-state-0001`,
      );
      const error = (await waiting.catch((e: unknown) => e)) as AuthError;
      expect(error.code).toBe("oauth.access_denied");
      expect(error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(error.message).toContain("access_denied");
    } finally {
      await receiver.close();
    }
  });
});

/** Sends `head` (request line and headers, CRLF-separated) as raw bytes; resolves with the status code. */
function rawRequest(port: number, head: string, body = ""): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(`${head}\r\n\r\n${body}`));
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1];
      if (status) resolve(Number(status));
      else reject(new Error(`no HTTP answer: ${JSON.stringify(data.slice(0, 80))}`));
    });
  });
}

describe("loopback receiver against a hostile web page or local process", () => {
  const STATE = "good-state-0001";
  // Each is something a web page (an <img>, fetch, form or DNS-rebound name) or another local process can
  // send to the port while confl waits. None may end, fail or complete the login.
  const hostile: Array<[string, (port: number) => string, string?]> = [
    [
      "<img> with a foreign state",
      (p) => `GET /callback?code=evil-c&state=evil HTTP/1.1\r\nHost: 127.0.0.1:${p}`,
    ],
    [
      "a foreign state with error=",
      (p) => `GET /callback?error=access_denied&state=evil HTTP/1.1\r\nHost: 127.0.0.1:${p}`,
    ],
    ["an empty state", (p) => `GET /callback?code=evil-c&state= HTTP/1.1\r\nHost: 127.0.0.1:${p}`],
    [
      "a foreign state before ours",
      (p) => `GET /callback?state=evil&state=${STATE}&code=evil-c HTTP/1.1\r\nHost: 127.0.0.1:${p}`,
    ],
    [
      "our state twice with a second code",
      (p) => `GET /callback?state=${STATE}&state=${STATE}&code=evil-c HTTP/1.1\r\nHost: 127.0.0.1:${p}`,
    ],
    [
      "a form POST with a foreign state",
      (p) =>
        `POST /callback?state=evil HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13`,
      "code=evil-c&x",
    ],
    [
      "a POST with our state",
      (p) =>
        `POST /callback?code=evil-c&state=${STATE} HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nContent-Length: 0`,
    ],
    [
      "a CORS/private-network preflight",
      (p) =>
        `OPTIONS /callback?state=evil HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Private-Network: true`,
    ],
    [
      "DNS rebinding with a foreign state",
      (p) => `GET /callback?code=evil-c&state=evil HTTP/1.1\r\nHost: evil.example:${p}`,
    ],
    [
      "DNS rebinding with error=",
      (p) => `GET /callback?error=access_denied&state=evil HTTP/1.1\r\nHost: rebind.evil.example:${p}`,
    ],
    ["no Host header", () => "GET /callback?code=evil-c&state=evil HTTP/1.0"],
    ["an unparsable absolute-form target", (p) => `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${p}`],
  ];

  it.each(hostile)(
    "%s: refused, and the login still completes with the real callback",
    async (_name, head, body) => {
      const receiver = await startLoopbackReceiver(0, STATE);
      const port = Number(new URL(receiver.redirectUri).port);
      try {
        const waiting = receiver.wait(5000);
        waiting.catch(() => {});
        const status = await rawRequest(port, head(port), body);
        expect(status).toBeGreaterThanOrEqual(400);
        const real = await fetch(`${receiver.redirectUri}?code=real-code-0001&state=${STATE}`);
        expect(real.status).toBe(200);
        await expect(waiting).resolves.toEqual({ code: "real-code-0001" });
      } finally {
        await receiver.close();
      }
    },
  );

  it("a second valid callback after the first changes nothing and is not told it logged in", async () => {
    const receiver = await startLoopbackReceiver(0, STATE);
    try {
      const waiting = receiver.wait(5000);
      const first = await fetch(`${receiver.redirectUri}?code=real-code-0001&state=${STATE}`);
      expect(first.status).toBe(200);
      const second = await fetch(`${receiver.redirectUri}?code=evil-code-0002&state=${STATE}`);
      expect(second.status).toBe(409);
      const denied = await fetch(`${receiver.redirectUri}?error=access_denied&state=${STATE}`);
      expect(denied.status).toBe(409);
      await expect(waiting).resolves.toEqual({ code: "real-code-0001" });
    } finally {
      await receiver.close();
    }
  });

  it("a flood of foreign callbacks before wait() is called does not decide the login", async () => {
    const receiver = await startLoopbackReceiver(0, STATE);
    try {
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${receiver.redirectUri}?code=evil-${i}&state=evil-${i}`);
        expect(res.status).toBe(400);
      }
      const waiting = receiver.wait(5000);
      await fetch(`${receiver.redirectUri}?code=real-code-0001&state=${STATE}`);
      await expect(waiting).resolves.toEqual({ code: "real-code-0001" });
    } finally {
      await receiver.close();
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
