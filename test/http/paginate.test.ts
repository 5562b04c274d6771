import { beforeEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { linkHeaderNext, nextPageRequest } from "../../src/http/paginate.js";
import { useSimulator } from "../support/context.js";
import { basicAuth, bearerAuth, json, startServer } from "./helpers.js";

const sim = useSimulator();
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

const DOC_SPACE = "98305";

function clients() {
  const { cloud, dc } = sim.credentials;
  return {
    site: createHttpClient({
      apiBase: `${sim.origins.site}/wiki/`,
      auth: basicAuth(cloud.email, cloud.apiToken),
    }),
    gateway: createHttpClient({
      apiBase: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
      auth: basicAuth(cloud.email, cloud.scopedToken),
    }),
    dc: createHttpClient({ apiBase: `${sim.origins.dc}/`, auth: bearerAuth(dc.pat) }),
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe("next-link resolution (pure)", () => {
  const site = new URL("https://acme.atlassian.net/wiki/");
  const gateway = new URL("https://api.atlassian.com/ex/confluence/abc/wiki/");
  const dc = new URL("https://dc.example.com/confluence/");

  it("v2: takes only the cursor query and re-issues against the original path (no /wiki/wiki, gateway kept)", () => {
    const next = "/wiki/api/v2/spaces?cursor=eyJpZCI6&limit=25";
    for (const base of [site, gateway]) {
      const req = nextPageRequest(base, { path: "api/v2/spaces", query: { limit: 25 } }, next);
      expect(req).toEqual({ path: "api/v2/spaces", query: { cursor: "eyJpZCI6", limit: "25" } });
    }
    const url = new URL("api/v2/spaces", gateway);
    expect(url.href).toBe("https://api.atlassian.com/ex/confluence/abc/wiki/api/v2/spaces");
  });

  it("v1: `_links.next` is relative to base, resolved under our own root on site, gateway and DC", () => {
    for (const base of [site, gateway, dc]) {
      const req = nextPageRequest(base, { path: "rest/api/space" }, "/rest/api/space?limit=25&start=25");
      expect(req).toEqual({ path: "rest/api/space", query: { limit: "25", start: "25" } });
    }
  });

  it("Link header rel=next is found among others", () => {
    expect(
      linkHeaderNext('</wiki/api/v2/pages?cursor=x>; rel="next", <https://s.atlassian.net/wiki>; rel="base"'),
    ).toBe("/wiki/api/v2/pages?cursor=x");
    expect(linkHeaderNext('<https://s.atlassian.net/wiki>; rel="base"')).toBeUndefined();
  });

  it("no next link means the end", () => {
    expect(nextPageRequest(site, { path: "api/v2/spaces" }, undefined)).toBeUndefined();
  });
});

describe("pagination against the simulator", () => {
  /** every DOC page id in one request (v2 max limit 250), to compare the paged walk against */
  async function allDocPageIds(): Promise<string[]> {
    const res = await clients().site.request<{ results: Array<{ id: string }>; _links: { next?: string } }>({
      path: `api/v2/spaces/${DOC_SPACE}/pages`,
      query: { limit: 250 },
    });
    expect(res.data._links.next).toBeUndefined();
    sim.clearLog();
    return res.data.results.map((p) => p.id);
  }

  it("v2 on the Cloud site: every DOC page across three pages, no /wiki/wiki request", async () => {
    const expected = await allDocPageIds();
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThanOrEqual(75);
    const pages = await collect(
      clients().site.paginate<{ id: string }>({
        path: `api/v2/spaces/${DOC_SPACE}/pages`,
        query: { limit: 25 },
      }),
    );
    expect(pages.map((p) => p.id)).toEqual(expected);
    const paths = sim.log.map((e) => e.path);
    expect(paths).toHaveLength(3);
    expect(paths.every((p) => p.startsWith(`/wiki/api/v2/spaces/${DOC_SPACE}/pages`))).toBe(true);
    expect(paths.some((p) => p.includes("/wiki/wiki"))).toBe(false);
  });

  it("v2 through the gateway: every page request stays under /ex/confluence/{cloudId}/wiki", async () => {
    const expected = await allDocPageIds();
    const pages = await collect(
      clients().gateway.paginate<{ id: string }>({
        path: `api/v2/spaces/${DOC_SPACE}/pages`,
        query: { limit: 25 },
      }),
    );
    expect(pages.map((p) => p.id)).toEqual(expected);
    const paths = sim.log.filter((e) => e.server === "gateway").map((e) => e.path);
    expect(paths).toHaveLength(3);
    for (const p of paths) expect(p.startsWith(`/ex/confluence/${sim.cloudId}/wiki/api/v2/`)).toBe(true);
  });

  it("limit caps the total and stops fetching", async () => {
    const pages = await collect(
      clients().site.paginate({ path: `api/v2/spaces/${DOC_SPACE}/pages`, query: { limit: 25 }, limit: 30 }),
    );
    expect(pages).toHaveLength(30);
    expect(sim.log).toHaveLength(2);
  });

  it("v1 start/limit on the Cloud site", async () => {
    const items = await collect(
      clients().site.paginate<{ id: string }>({
        path: "rest/api/content",
        query: { spaceKey: "DOC", limit: 20 },
      }),
    );
    expect(items.length).toBeGreaterThanOrEqual(61);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(sim.log.every((e) => e.path.startsWith("/wiki/rest/api/content?"))).toBe(true);
  });

  it("v1 search cursor through the gateway keeps the gateway prefix", async () => {
    const items = await collect(
      clients().gateway.paginate<unknown>({
        path: "rest/api/search",
        query: { cql: "space=DOC and type=page", limit: 25 },
      }),
    );
    expect(items.length).toBeGreaterThanOrEqual(61);
    const paths = sim.log.filter((e) => e.server === "gateway").map((e) => e.path);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const p of paths)
      expect(p.startsWith(`/ex/confluence/${sim.cloudId}/wiki/rest/api/search?`)).toBe(true);
  });

  it("v1 on Data Center under its context path", async () => {
    const items = await collect(
      clients().dc.paginate<{ id: string }>({
        path: "rest/api/content",
        query: { spaceKey: "DOC", limit: 25 },
      }),
    );
    expect(items.length).toBeGreaterThanOrEqual(61);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    const paths = sim.log.filter((e) => e.server === "dc").map((e) => e.path);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const p of paths) expect(p.startsWith("/confluence/rest/api/content?")).toBe(true);
  });

  it("a short page with a next link is not the end (servers cap limit silently)", async () => {
    const server = await startServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.searchParams.get("cursor") === "2") json(res, 200, { results: [3], _links: {} });
      else json(res, 200, { results: [1, 2], _links: { next: "/wiki/api/v2/things?cursor=2&limit=100" } });
    });
    try {
      const c = createHttpClient({ apiBase: `${server.url}wiki/` });
      expect(await collect(c.paginate({ path: "api/v2/things", query: { limit: 100 } }))).toEqual([1, 2, 3]);
      expect(server.log.map((r) => r.path)).toEqual([
        "/wiki/api/v2/things?limit=100",
        "/wiki/api/v2/things?cursor=2&limit=100",
      ]);
    } finally {
      await server.close();
    }
  });
});
