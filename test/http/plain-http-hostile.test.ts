/**
 * Issue 9 §4, the HTTP client's plain-http guard against hostile setups: user -H headers count as
 * credentials; loopback is not loopback when a proxy carries the request (decided by the transport's own
 * proxyFor, so NO_PROXY means the same to both); `*.localhost` counts only if it resolves to loopback.
 * A recording proxy and a recording "target" show that nothing was sent when the guard refuses.
 */
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { NetworkError, UnsafeRequestError } from "../../src/http/errors.js";
import { bearerAuth, json, startProxy, startServer, type TestProxy, type TestServer } from "./helpers.js";

const closers: Array<TestServer | TestProxy> = [];
afterEach(async () => {
  for (const s of closers.splice(0)) await s.close();
});

async function target(): Promise<TestServer> {
  const t = await startServer((_req, res) => json(res, 200, { reached: true }));
  closers.push(t);
  return t;
}
async function proxy(): Promise<TestProxy> {
  const p = await startProxy();
  closers.push(p);
  return p;
}

describe("-H headers are credentials for the plain-http guard", () => {
  it.each([
    ["x-api-key", "fake-user-api-key-0911"],
    ["X-Custom-Auth", "fake-custom-0912"],
    ["x-atlassian-token", "no-check"],
    ["x-auth-token", "fake-auth-token-0913"],
  ])(
    "an anonymous request with -H %s to http:// on another host is refused; the proxy sees nothing",
    async (name, value) => {
      const p = await proxy();
      const c = createHttpClient({
        apiBase: "http://wiki.confl-test.invalid/",
        env: { HTTP_PROXY: p.url },
        maxRetries: 0,
      });
      const error = await c
        .request({ path: "rest/api/space", headers: { [name]: value }, anonymous: true, timeoutMs: 2000 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafeRequestError);
      expect((error as Error).message).toContain(name.toLowerCase());
      expect((error as Error).message).not.toContain(value);
      expect(p.seen).toEqual([]);
      // without it the same request goes out (Accept, Accept-Language and User-Agent are no credentials)
      await c
        .request({ path: "x", anonymous: true, headers: { "accept-language": "de" }, timeoutMs: 2000 })
        .catch(() => {});
      expect(p.seen).toEqual(["CONNECT wiki.confl-test.invalid:80"]);
    },
  );
});

describe("-H headers are masked in --debug like credentials", () => {
  it("the value of a custom header never reaches the debug log", async () => {
    const t = await target();
    const lines: string[] = [];
    const c = createHttpClient({ apiBase: t.url, debug: (l) => lines.push(l), maxRetries: 0 });
    await c.request({
      path: "x",
      headers: { "x-api-key": "fake-debug-key-0951", "x-custom-auth": "fake-debug-0952" },
    });
    expect(t.log[0]?.headers["x-api-key"]).toBe("fake-debug-key-0951");
    const log = lines.join("\n");
    expect(log).toMatch(/x-api-key: \*\*\*/);
    expect(log).not.toContain("fake-debug-key-0951");
    expect(log).not.toContain("fake-debug-0952");
  });
});

describe("loopback through a proxy is not loopback", () => {
  const proxied: Array<[string, (proxyUrl: string, port: number) => NodeJS.ProcessEnv]> = [
    ["HTTP_PROXY", (p) => ({ HTTP_PROXY: p })],
    ["http_proxy (lower case)", (p) => ({ http_proxy: p })],
    [
      "HTTP_PROXY with NO_PROXY for another host",
      (p) => ({ HTTP_PROXY: p, NO_PROXY: "localhost,example.com" }),
    ],
    [
      "HTTP_PROXY with NO_PROXY for another port",
      (p, port) => ({ HTTP_PROXY: p, NO_PROXY: `127.0.0.1:${port + 1}` }),
    ],
    ["HTTP_PROXY with NO_PROXY that is a longer name", (p) => ({ HTTP_PROXY: p, NO_PROXY: "x127.0.0.1" })],
    ["HTTP_PROXY with an empty NO_PROXY", (p) => ({ HTTP_PROXY: p, NO_PROXY: "" })],
  ];
  it.each(proxied)(
    "%s: a Bearer token to http://127.0.0.1 is refused before the proxy sees it",
    async (_name, envFor) => {
      const p = await proxy();
      const t = await target();
      const c = createHttpClient({
        apiBase: t.url,
        env: envFor(p.url, t.port),
        auth: bearerAuth("fake-pat-0915"),
        maxRetries: 0,
      });
      const error = await c.request({ path: "rest/api/space" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafeRequestError);
      expect((error as Error).message).toMatch(/through a proxy/);
      expect((error as UnsafeRequestError).hint).toMatch(/NO_PROXY/);
      expect(p.seen).toEqual([]);
      expect(t.log).toEqual([]);
    },
  );

  it("a -H header to http://localhost through a proxy is refused too", async () => {
    const p = await proxy();
    const t = await target();
    const c = createHttpClient({
      apiBase: `http://localhost:${t.port}/`,
      env: { HTTP_PROXY: p.url },
      maxRetries: 0,
    });
    const error = await c
      .request({ path: "x", headers: { "x-api-key": "fake-key-0916" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeRequestError);
    expect(p.seen).toEqual([]);
  });

  it("NO_PROXY spellings that cover the target: direct, and the guard agrees (the transport's proxyFor)", async () => {
    const p = await proxy();
    const t = await target();
    const bypassed: NodeJS.ProcessEnv[] = [
      { HTTP_PROXY: p.url, NO_PROXY: "127.0.0.1" },
      { HTTP_PROXY: p.url, NO_PROXY: `127.0.0.1:${t.port}` },
      { HTTP_PROXY: p.url, NO_PROXY: "*" },
      { HTTP_PROXY: p.url, NO_PROXY: ".0.0.1" },
      { http_proxy: p.url, no_proxy: "example.com 127.0.0.1" },
      // HTTPS_PROXY is not used for http:// URLs
      { HTTPS_PROXY: p.url },
    ];
    const refused = createHttpClient({
      apiBase: t.url,
      env: { HTTP_PROXY: p.url },
      auth: bearerAuth("fake-pat-0917"),
      maxRetries: 0,
    });
    await expect(refused.request({ path: "rest/api/space" })).rejects.toBeInstanceOf(UnsafeRequestError);
    for (const env of bypassed) {
      const c = createHttpClient({ apiBase: t.url, env, auth: bearerAuth("fake-pat-0917"), maxRetries: 0 });
      expect((await c.request({ path: "rest/api/space" })).status, JSON.stringify(env)).toBe(200);
    }
    expect(p.seen).toEqual([]);
    expect(t.log).toHaveLength(bypassed.length);
    expect(t.log.every((r) => r.headers.authorization === "Bearer fake-pat-0917")).toBe(true);
  });
});

describe("*.localhost counts as loopback only if it resolves to loopback only", () => {
  const refused: Array<[string, string, string[] | Error]> = [
    ["resolves elsewhere", "evil.localhost", ["192.0.2.10"]],
    ["resolves to loopback and elsewhere", "mixed.localhost", ["127.0.0.1", "192.0.2.11"]],
    ["resolves to a mapped non-loopback IPv6", "v6.localhost", ["::ffff:192.0.2.12"]],
    ["does not resolve", "gone.localhost", new Error("ENOTFOUND")],
    ["trailing dot, resolves elsewhere", "localhost.", ["192.0.2.13"]],
    ["nested, resolves elsewhere", "a.b.localhost", ["2001:db8::1"]],
  ];
  it.each(refused)("%s (%s): refused before fetch", async (_name, host, answer) => {
    const asked: string[] = [];
    const c = createHttpClient({
      apiBase: `http://${host}:9/`,
      auth: bearerAuth("fake-pat-0918"),
      maxRetries: 0,
      lookup: async (h) => {
        asked.push(h);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    const error = await c.request({ path: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeRequestError);
    expect(asked).toEqual([host]);
    // the same name resolving to loopback only passes the guard, and the connection goes to that address
    // (port 9 on loopback: refused at once), not to what the system resolver would say about the name
    for (const address of ["127.0.0.1", "::1", "127.8.9.10", "::ffff:127.0.0.1"]) {
      const ok = createHttpClient({
        apiBase: `http://${host}:9/`,
        auth: bearerAuth("fake-pat-0918"),
        maxRetries: 0,
        lookup: async () => [address],
      });
      const failure = await ok.request({ path: "x", timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(failure, address).toBeInstanceOf(NetworkError);
      expect((failure as Error).message, address).not.toMatch(/resolve/);
    }
  });

  it("the connection goes to the addresses the guard checked: the name is not resolved a second time", async () => {
    const t = await target();
    const asked: string[] = [];
    // a resolver that says loopback once, then somewhere else: only its first answer may count
    const answers = [["127.0.0.1"], ["192.0.2.66"]];
    const c = createHttpClient({
      apiBase: `http://pinned-0920.localhost:${t.port}/`,
      auth: bearerAuth("fake-pat-0920"),
      maxRetries: 0,
      lookup: async (h) => {
        asked.push(h);
        return answers.shift() ?? ["192.0.2.66"];
      },
    });
    const response = await c.request<{ reached: boolean }>({ path: "x", timeoutMs: 5000 });
    expect(response.data).toEqual({ reached: true });
    expect(asked).toEqual(["pinned-0920.localhost"]);
    expect(t.log).toHaveLength(1);
    expect(t.log[0]?.headers.authorization).toBe("Bearer fake-pat-0920");
    expect(t.log[0]?.headers.host).toBe(`pinned-0920.localhost:${t.port}`);
    // on a connection of its own: nothing left in the shared keep-alive pool for that host
    expect(Object.keys(http.globalAgent.freeSockets).filter((k) => k.includes("pinned-0920"))).toEqual([]);
  });

  it("a body that is a credential (an OAuth token request) is pinned too, with no credential header", async () => {
    const t = await target();
    const asked: string[] = [];
    const c = createHttpClient({
      apiBase: `http://pinned-0922.localhost:${t.port}/`,
      maxRetries: 0,
      lookup: async (h) => {
        asked.push(h);
        return ["127.0.0.1"];
      },
    });
    const response = await c.request<{ reached: boolean }>({
      method: "POST",
      path: "oauth/token",
      body: "grant_type=refresh_token&refresh_token=fake-refresh-0922",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      credentialBody: true,
      anonymous: true,
      timeoutMs: 5000,
    });
    expect(response.data).toEqual({ reached: true });
    expect(asked).toEqual(["pinned-0922.localhost"]);
    expect(t.log).toHaveLength(1);
  });

  it("the system resolver decides when none is given (here: *.localhost does not resolve, so refused)", async () => {
    const c = createHttpClient({
      apiBase: "http://nowhere-0919.localhost:9/",
      auth: bearerAuth("fake-pat-0919"),
      maxRetries: 0,
    });
    await expect(c.request({ path: "x" })).rejects.toBeInstanceOf(UnsafeRequestError);
  });

  it("IPv4-mapped loopback written by the URL parser ([::ffff:7f00:1]) is loopback", async () => {
    const t = await target();
    const c = createHttpClient({
      apiBase: `http://[::ffff:127.0.0.1]:${t.port}/`,
      auth: bearerAuth("fake-pat-0921"),
      maxRetries: 0,
    });
    const error = await c.request({ path: "x" }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnsafeRequestError);
  });
});
