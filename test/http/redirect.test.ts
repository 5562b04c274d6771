import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { RedirectError, UnsafeRequestError } from "../../src/http/errors.js";
import { fakeAuth, json, startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function pair(status: number, sameOrigin = false) {
  const media = await startServer((req, res) => json(res, 200, { method: req.method }));
  const site = await startServer((req, res) => {
    if (req.url?.startsWith("/wiki/rest/api/content/1/child/attachment/att2/download")) {
      const target = sameOrigin ? "/wiki/landing" : `${media.origin}/file/abc/binary?token=media-jwt`;
      res.writeHead(status, { location: target });
      res.end();
    } else json(res, 200, { method: req.method, landed: req.url });
  });
  servers.push(media, site);
  return { media, site };
}

describe("redirect policy", () => {
  it.each([302, 307])(
    "a %i to another origin carries no credential header of any kind (Authorization, Cookie, custom)",
    async (status) => {
      const { media, site } = await pair(status);
      const c = createHttpClient({ apiBase: `${site.url}wiki/`, auth: fakeAuth() });
      const res = await c.request({
        path: "rest/api/content/1/child/attachment/att2/download",
        headers: {
          cookie: "JSESSIONID=fake-session-cookie-0005",
          "proxy-authorization": "Basic fake-proxy-0006",
        },
      });
      expect(res.status).toBe(200);
      // the site got the credentials
      expect(site.log[0]?.headers.authorization).toMatch(/^Basic /);
      expect(site.log[0]?.headers["x-sso-session"]).toBe("fake-sso-header-secret-0002");
      expect(site.log[0]?.headers.cookie).toBe("JSESSIONID=fake-session-cookie-0005");
      // the media host got none of them
      expect(media.log).toHaveLength(1);
      const received = media.log[0]!.headers;
      expect(received.authorization).toBeUndefined();
      expect(received.cookie).toBeUndefined();
      expect(received["proxy-authorization"]).toBeUndefined();
      expect(received["x-sso-session"]).toBeUndefined();
      expect(JSON.stringify(received)).not.toMatch(/fake-|YWxpY2U/);
      expect(media.log[0]?.path).toBe("/file/abc/binary?token=media-jwt");
    },
  );

  it("a same-origin redirect keeps the credentials", async () => {
    const { site } = await pair(302, true);
    const c = createHttpClient({ apiBase: `${site.url}wiki/`, auth: fakeAuth() });
    const res = await c.request<{ landed: string }>({
      path: "rest/api/content/1/child/attachment/att2/download",
    });
    expect(res.data.landed).toBe("/wiki/landing");
    expect(site.log[1]?.headers.authorization).toMatch(/^Basic /);
    expect(site.log[1]?.headers["x-sso-session"]).toBeDefined();
  });

  it("303 turns a POST into a GET without body; 307 keeps the method and body", async () => {
    const target = await startServer((req, res, body) => json(res, 200, { method: req.method, body }));
    const origin = await startServer((req, res) => {
      res.writeHead(req.url === "/see-other" ? 303 : 307, { location: `${target.origin}/t` });
      res.end();
    });
    servers.push(target, origin);
    const c = createHttpClient({ apiBase: origin.url });
    const a = await c.request<{ method: string; body: string }>({
      method: "POST",
      path: "see-other",
      json: { a: 1 },
    });
    expect(a.data).toEqual({ method: "GET", body: "" });
    const b = await c.request<{ method: string; body: string }>({
      method: "POST",
      path: "temp",
      json: { a: 1 },
    });
    expect(b.data).toEqual({ method: "POST", body: '{"a":1}' });
  });

  it("a redirect loop stops after 5 hops with a RedirectError", async () => {
    const loop = await startServer((_req, res) => {
      res.writeHead(302, { location: "/again" });
      res.end();
    });
    servers.push(loop);
    const c = createHttpClient({ apiBase: loop.url });
    const error = await c.request({ path: "start" }).catch((e) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(loop.log).toHaveLength(6);
  });

  it("followRedirects: false returns the 302 itself", async () => {
    const { site, media } = await pair(302);
    const c = createHttpClient({ apiBase: `${site.url}wiki/`, auth: fakeAuth() });
    const res = await c.request({
      path: "rest/api/content/1/child/attachment/att2/download",
      followRedirects: false,
      responseType: "none",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain(media.origin);
    expect(media.log).toHaveLength(0);
  });

  it("an absolute URL on another origin is refused before any request unless the client's scope names it", async () => {
    const { site, media } = await pair(302);
    const c = createHttpClient({ apiBase: `${site.url}wiki/`, auth: fakeAuth() });
    await expect(c.request({ path: `${media.origin}/file/x` })).rejects.toBeInstanceOf(UnsafeRequestError);
    expect(media.log).toHaveLength(0);
    // A second origin is a property of the client (declared by a command), not of a request.
    const wide = createHttpClient({ apiBase: `${site.url}wiki/`, scope: [site.url, `${media.origin}/`] });
    const res = await wide.request({ path: `${media.origin}/file/x` });
    expect(res.status).toBe(200);
    expect(media.log[0]?.headers.authorization).toBeUndefined();
  });

  it("a 401 calls onUnauthorized once and resends with the refreshed credential", async () => {
    let token = "fake-old-token-0007";
    const site = await startServer((req, res) => {
      if (req.headers.authorization === "Bearer fake-new-token-0008") json(res, 200, { ok: true });
      else json(res, 401, { code: 401, message: "Unauthorized" });
    });
    servers.push(site);
    let refreshes = 0;
    const auth = {
      kind: "oauth" as const,
      describe: () => "OAuth",
      apply: async (r: { headers: Headers }) => {
        r.headers.set("authorization", `Bearer ${token}`);
      },
      onUnauthorized: async () => {
        refreshes++;
        token = "fake-new-token-0008";
        return true;
      },
      headerNames: ["authorization"],
      secrets: () => [token],
    };
    const c = createHttpClient({ apiBase: site.url, auth });
    expect((await c.request({ path: "x" })).status).toBe(200);
    expect(refreshes).toBe(1);
    expect(site.log).toHaveLength(2);
    // a refresh that does not help lets the 401 stand after one resend
    token = "fake-old-token-0007";
    auth.onUnauthorized = async () => {
      refreshes++;
      return true;
    };
    await expect(c.request({ path: "y" })).rejects.toMatchObject({ status: 401, exitCode: 4 });
    expect(refreshes).toBe(2);
    expect(site.log).toHaveLength(4);
  });
});
