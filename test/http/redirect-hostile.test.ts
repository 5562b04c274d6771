/**
 * Issue 9 §5, against a hostile server (not the simulator): a site that redirects wherever it likes,
 * and a recording "evil" second origin. Headers given with -H may be credentials, so a cross-origin hop
 * keeps only Accept, Accept-Language, User-Agent (and Content-Type while the body is kept); a redirect
 * outside http(s) is refused. Each Location spelling is resolved the way fetch resolves it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { RedirectError } from "../../src/http/errors.js";
import { fakeAuth, json, startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** What a user passes with -H: every one may be a secret. */
const USER_HEADERS = {
  "x-api-key": "fake-user-api-key-0901",
  "x-atlassian-token": "no-check",
  "x-custom-auth": "fake-custom-auth-0902",
  cookie: "JSESSIONID=fake-session-0903",
  "accept-language": "de-CH",
};

/** The site answers `status` with `location(evil)` on /start, anything else with JSON. */
async function hostilePair(status: number, location: (evil: TestServer) => string) {
  const evil = await startServer((req, res, body) =>
    json(res, 200, { evil: true, method: req.method, body }),
  );
  const site = await startServer((req, res) => {
    if (req.url?.startsWith("/start")) {
      res.writeHead(status, { location: location(evil) });
      res.end();
    } else json(res, 200, { site: true, path: req.url });
  });
  servers.push(evil, site);
  return { evil, site };
}

function expectOnlyAllowListed(headers: Record<string, string>, contentType: boolean) {
  for (const name of [
    "authorization",
    "cookie",
    "x-sso-session",
    "x-api-key",
    "x-atlassian-token",
    "x-custom-auth",
  ])
    expect(headers[name], name).toBeUndefined();
  expect(JSON.stringify(headers)).not.toMatch(/fake-|no-check|YWxpY2U/);
  expect(headers["user-agent"]).toMatch(/^confl\//);
  expect(headers.accept).toBe("application/json");
  expect(headers["accept-language"]).toBe("de-CH");
  if (contentType) expect(headers["content-type"]).toBe("application/json");
  else expect(headers["content-type"]).toBeUndefined();
}

describe("a cross-origin redirect carries only the allow-listed headers", () => {
  // Every spelling resolves (WHATWG URL, as fetch does) to the evil origin.
  const spellings: Array<[string, (evil: TestServer) => string]> = [
    ["absolute", (e) => `${e.origin}/x`],
    ["upper-case scheme", (e) => `HTTP://127.0.0.1:${e.port}/x`],
    ["scheme-relative", (e) => `//127.0.0.1:${e.port}/x`],
    ["backslashes", (e) => `\\\\127.0.0.1:${e.port}/x`],
    ["slash-backslash", (e) => `/\\127.0.0.1:${e.port}/x`],
    ["a tab inside the slashes", (e) => `/\t/127.0.0.1:${e.port}/x`],
    ["leading spaces", (e) => `   //127.0.0.1:${e.port}/x`],
    ["same host, other port via localhost", (e) => `http://localhost:${e.port}/x`],
  ];
  for (const status of [301, 302, 303, 307, 308]) {
    it.each(spellings)(
      `${status}, Location %s: no auth header, cookie or -H header reaches the other origin`,
      async (_name, location) => {
        const { evil, site } = await hostilePair(status, location);
        const c = createHttpClient({ apiBase: site.url, auth: fakeAuth(), maxRetries: 0 });
        const res = await c.request<{ evil?: boolean }>({ path: "start", headers: USER_HEADERS });
        expect(res.data.evil).toBe(true);
        expect(site.log[0]?.headers["x-api-key"]).toBe("fake-user-api-key-0901");
        expect(evil.log).toHaveLength(1);
        expectOnlyAllowListed(evil.log[0]!.headers, false);
      },
    );
  }

  it("307 keeps the method, the body and its Content-Type, and still drops every other header", async () => {
    const { evil, site } = await hostilePair(307, (e) => `${e.origin}/x`);
    const c = createHttpClient({ apiBase: site.url, auth: fakeAuth(), maxRetries: 0 });
    const res = await c.request<{ method: string; body: string }>({
      method: "PUT",
      path: "start",
      json: { title: "t" },
      headers: USER_HEADERS,
    });
    expect(res.data).toMatchObject({ method: "PUT", body: '{"title":"t"}' });
    expectOnlyAllowListed(evil.log[0]!.headers, true);
  });

  it("303 after a POST: a GET without body and without Content-Type", async () => {
    const { evil, site } = await hostilePair(303, (e) => `${e.origin}/x`);
    const c = createHttpClient({ apiBase: site.url, auth: fakeAuth(), maxRetries: 0 });
    await c.request({ method: "POST", path: "start", json: { title: "t" }, headers: USER_HEADERS });
    expect(evil.log[0]?.method).toBe("GET");
    expectOnlyAllowListed(evil.log[0]!.headers, false);
  });

  it("once dropped, a header is not regained when the other origin redirects back", async () => {
    let siteOrigin = "";
    const evil = await startServer((_req, res) => {
      res.writeHead(302, { location: `${siteOrigin}/back` });
      res.end();
    });
    const site = await startServer((req, res) => {
      if (req.url === "/start") {
        res.writeHead(302, { location: `${evil.origin}/bounce` });
        res.end();
      } else json(res, 200, { back: true });
    });
    servers.push(evil, site);
    siteOrigin = site.origin;
    const c = createHttpClient({ apiBase: site.url, auth: fakeAuth(), maxRetries: 0 });
    await c.request({ path: "start", headers: USER_HEADERS });
    expect(site.log.map((r) => r.path)).toEqual(["/start", "/back"]);
    expectOnlyAllowListed(evil.log[0]!.headers, false);
    expectOnlyAllowListed(site.log[1]!.headers, false);
  });
});

describe("a redirect outside http(s) is refused", () => {
  const targets = [
    "file:///etc/passwd",
    'data:application/json,{"accountId":"fake-forged-0904","type":"known"}',
    "  DATA:text/plain,forged",
    "javascript:alert(1)",
    "ftp://127.0.0.1/x",
    "blob:http://127.0.0.1/abc",
    "ws://127.0.0.1:1/x",
  ];
  it.each(targets)("Location %s → RedirectError naming the scheme", async (location) => {
    const { evil, site } = await hostilePair(302, () => location);
    const c = createHttpClient({ apiBase: site.url, auth: fakeAuth(), maxRetries: 0 });
    const error = await c.request({ path: "start" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    const scheme = new URL(location.trim()).protocol;
    expect((error as RedirectError).message).toContain(`refusing a redirect to a ${scheme} URL`);
    expect((error as RedirectError).message).toContain("http(s) only");
    expect(evil.log).toHaveLength(0);
    expect(site.log).toHaveLength(1);
  });

  it("an unparsable Location is a RedirectError, not a crash", async () => {
    const { site } = await hostilePair(302, () => "http://[::1");
    const c = createHttpClient({ apiBase: site.url, maxRetries: 0 });
    const error = await c.request({ path: "start" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as RedirectError).message).toMatch(/invalid URL/);
  });
});
