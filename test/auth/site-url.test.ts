import { describe, expect, it } from "vitest";
import { gatewayApiBase, normaliseSiteUrl } from "../../src/auth/site-url.js";
import { UsageError } from "../../src/errors.js";
import { isLoopbackHost } from "../../src/http/plain-http-guard.js";

describe("normaliseSiteUrl: whatever a user pastes becomes a site and API roots", () => {
  it.each([
    [
      "acme.atlassian.net",
      "https://acme.atlassian.net",
      "atlassian-cloud",
      "https://acme.atlassian.net/wiki/",
    ],
    [
      "https://acme.atlassian.net/wiki/spaces/DOC/pages/123/Title",
      "https://acme.atlassian.net",
      "atlassian-cloud",
      "https://acme.atlassian.net/wiki/",
    ],
    [
      "https://ACME.atlassian.net/wiki/",
      "https://acme.atlassian.net",
      "atlassian-cloud",
      "https://acme.atlassian.net/wiki/",
    ],
    [
      "https://acme.jira.com/wiki/display/X",
      "https://acme.jira.com",
      "atlassian-cloud",
      "https://acme.jira.com/wiki/",
    ],
    [
      "https://host.example/confluence/display/DOC/Page",
      "https://host.example/confluence",
      "other",
      "https://host.example/confluence/",
    ],
    [
      "https://host.example/confluence/pages/viewpage.action?pageId=1",
      "https://host.example/confluence",
      "other",
      "https://host.example/confluence/",
    ],
    [
      "https://host.example/pages/viewpage.action?pageId=1",
      "https://host.example",
      "other",
      "https://host.example/",
    ],
    [
      "https://host.example/confluence/",
      "https://host.example/confluence",
      "other",
      "https://host.example/confluence/",
    ],
    [
      "https://host.example/confluence/dashboard.action",
      "https://host.example/confluence",
      "other",
      "https://host.example/confluence/",
    ],
    [
      "https://wiki.corp.example/wiki/spaces/DOC/overview",
      "https://wiki.corp.example/wiki",
      "other",
      "https://wiki.corp.example/wiki/",
    ],
    [
      "  <https://host.example/confluence/rest/api/content/1>  ",
      "https://host.example/confluence",
      "other",
      "https://host.example/confluence/",
    ],
  ])("%s", (input, site, hostKind, firstRoot) => {
    const n = normaliseSiteUrl(input);
    expect(n.site).toBe(site);
    expect(n.hostKind).toBe(hostKind);
    expect(n.candidateApiRoots[0]).toBe(firstRoot);
  });

  it("a DC URL without a context path also tries the common ones", () => {
    expect(normaliseSiteUrl("https://host.example").candidateApiRoots).toEqual([
      "https://host.example/",
      "https://host.example/confluence/",
      "https://host.example/wiki/",
    ]);
  });

  it("a gateway URL gives the cloud id and keeps /wiki after it", () => {
    const n = normaliseSiteUrl("https://api.atlassian.com/ex/confluence/abc-123/wiki/api/v2/pages");
    expect(n.hostKind).toBe("gateway");
    expect(n.cloudId).toBe("abc-123");
    expect(n.candidateApiRoots).toEqual(["https://api.atlassian.com/ex/confluence/abc-123/wiki/"]);
  });

  it("CONFL_ATLASSIAN_API_URL moves the gateway (Government Cloud, tests)", () => {
    const env = { CONFL_ATLASSIAN_API_URL: "http://127.0.0.1:9999/" };
    const n = normaliseSiteUrl("http://127.0.0.1:9999/ex/confluence/cid/wiki/rest/api/space", env);
    expect(n.hostKind).toBe("gateway");
    expect(n.cloudId).toBe("cid");
    expect(gatewayApiBase(env, "cid")).toBe("http://127.0.0.1:9999/ex/confluence/cid/wiki/");
    expect(gatewayApiBase({}, "cid")).toBe("https://api.atlassian.com/ex/confluence/cid/wiki/");
  });

  it("no scheme means https, except for a server on this machine", () => {
    expect(normaliseSiteUrl("wiki.corp.example/confluence").site).toBe(
      "https://wiki.corp.example/confluence",
    );
    expect(normaliseSiteUrl("127.0.0.1:8090/confluence").site).toBe("http://127.0.0.1:8090/confluence");
    expect(normaliseSiteUrl("localhost:8090").site).toBe("http://localhost:8090");
  });

  it("rejects what is not a web URL, with exit 2", () => {
    expect(() => normaliseSiteUrl("")).toThrow(UsageError);
    expect(() => normaliseSiteUrl("ftp://host.example")).toThrow(/unsupported URL scheme/);
    expect(() => normaliseSiteUrl("https://api.atlassian.com/oauth/token")).toThrow(
      /without a Confluence cloud id/,
    );
  });

  it("knows loopback hosts", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["10.0.0.1", "example.com", "localhost.example.com"])
      expect(isLoopbackHost(h)).toBe(false);
  });
});
