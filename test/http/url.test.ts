import { describe, expect, it } from "vitest";
import { UnsafeRequestError } from "../../src/http/errors.js";
import { isLoopbackHost } from "../../src/http/plain-http-guard.js";
import { resolveRequestUrl, toApiBase } from "../../src/http/url.js";

const site = toApiBase("https://acme.atlassian.net/wiki");
const gateway = toApiBase("https://api.atlassian.com/ex/confluence/abc-123/wiki/");
const dc = toApiBase("https://dc.example.com/confluence/");
const dcRoot = toApiBase("https://dc.example.com/");
const jira = toApiBase("https://acme.atlassian.net/");

const href = (base: URL, path: string) => resolveRequestUrl(base, path).href;

describe("request URLs under the API root", () => {
  it("relative paths hang off the root on site, gateway and DC", () => {
    expect(href(site, "rest/api/user/current")).toBe("https://acme.atlassian.net/wiki/rest/api/user/current");
    expect(href(gateway, "api/v2/spaces")).toBe(
      "https://api.atlassian.com/ex/confluence/abc-123/wiki/api/v2/spaces",
    );
    expect(href(dc, "rest/api/content")).toBe("https://dc.example.com/confluence/rest/api/content");
  });

  it("a pasted /wiki/ prefix is not doubled, even under the gateway root", () => {
    expect(href(site, "/wiki/rest/api/x")).toBe("https://acme.atlassian.net/wiki/rest/api/x");
    expect(href(site, "wiki/rest/api/x")).toBe("https://acme.atlassian.net/wiki/rest/api/x");
    expect(href(gateway, "/wiki/rest/api/x")).toBe(
      "https://api.atlassian.com/ex/confluence/abc-123/wiki/rest/api/x",
    );
    expect(href(gateway, "/ex/confluence/abc-123/wiki/api/v2/pages")).toBe(
      "https://api.atlassian.com/ex/confluence/abc-123/wiki/api/v2/pages",
    );
  });

  it("a pasted DC context path is not doubled; a root path is relative", () => {
    expect(href(dc, "/confluence/rest/api/x")).toBe("https://dc.example.com/confluence/rest/api/x");
    expect(href(dc, "/rest/api/x")).toBe("https://dc.example.com/confluence/rest/api/x");
    expect(href(dcRoot, "/rest/api/x")).toBe("https://dc.example.com/rest/api/x");
    expect(href(jira, "/rest/api/3/myself")).toBe("https://acme.atlassian.net/rest/api/3/myself");
  });

  it("query values: arrays repeat, undefined/null are skipped, existing query kept", () => {
    const url = resolveRequestUrl(site, "api/v2/pages?sort=id", {
      query: { "space-id": ["1", 2], limit: 5, cursor: undefined, status: null, ok: true },
    });
    expect(url.search).toBe("?sort=id&space-id=1&space-id=2&limit=5&ok=true");
  });

  it("absolute URLs: same origin only, unless the scope names another", () => {
    expect(href(site, "https://acme.atlassian.net/wiki/rest/api/x")).toBe(
      "https://acme.atlassian.net/wiki/rest/api/x",
    );
    expect(() => href(site, "https://evil.example/wiki/rest/api/x")).toThrow(UnsafeRequestError);
    expect(() => href(site, "//evil.example/x")).toThrow(UnsafeRequestError);
    expect(() => href(site, "http://acme.atlassian.net/wiki/x")).toThrow(UnsafeRequestError);
    expect(
      resolveRequestUrl(site, "https://api.media.atlassian.com/file/1", {
        scope: [new URL("https://acme.atlassian.net/"), new URL("https://api.media.atlassian.com/")],
      }).host,
    ).toBe("api.media.atlassian.com");
  });

  it("loopback hosts", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "::1", "app.localhost"])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["10.0.0.1", "example.com", "127.0.0.1.nip.io", "[::2]", "localhost.example.com"])
      expect(isLoopbackHost(h)).toBe(false);
  });
});
