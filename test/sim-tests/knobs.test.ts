import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/index.js";
import type { RequestLogEntry } from "../../sim/types.js";
import { useSimulator } from "../support/context.js";
import { basic, call, type Json } from "./helpers.js";

let auth: Record<string, string>;
const sleeps: number[] = [];
let clock = Date.parse("2026-11-23T10:00:00.000Z");
const sim = useSimulator({
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  now: () => clock,
});

beforeAll(async () => {
  auth = { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken) };
});
beforeEach(() => {
  sleeps.length = 0;
});

const me = () => call(`${sim.origins.site}/wiki/rest/api/user/current`, { headers: auth });
const servers: Array<RequestLogEntry["server"]> = ["site", "gateway", "auth", "media", "dc"];
const urlFor = (server: RequestLogEntry["server"]) =>
  server === "dc" ? `${sim.origins.dc}/status` : `${sim.origins[server]}/_edge/tenant_info`;

describe("rateLimit", () => {
  it("answers the next N matching requests with 429, then normally", async () => {
    sim.rateLimit({ count: 2, retryAfter: "3" });
    const first = await me();
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("3");
    expect((await me()).status).toBe(429);
    expect((await me()).status).toBe(200);
  });

  for (const retryAfter of ["0", "-5", "99999", "Wed, 21 Oct 2026 07:28:00 GMT"]) {
    it(`sends Retry-After verbatim: ${retryAfter}`, async () => {
      sim.rateLimit({ count: 1, retryAfter });
      const answer = await me();
      expect(answer.status).toBe(429);
      expect(answer.headers.get("retry-after")).toBe(retryAfter);
    });
  }

  it("omits Retry-After when none is given, and adds X-RateLimit-* on request", async () => {
    sim.rateLimit({ count: 1 });
    const bare = await me();
    expect(bare.status).toBe(429);
    expect(bare.headers.get("retry-after")).toBeNull();
    expect(bare.headers.get("x-ratelimit-limit")).toBeNull();
    sim.rateLimit({ count: 1, rateLimitHeaders: true });
    const rich = await me();
    expect(rich.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
    expect(rich.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(rich.headers.get("x-ratelimit-reset")).toBe("2026-11-23T10:01Z");
    expect(rich.headers.get("x-ratelimit-nearlimit")).toBe("true");
    expect(rich.headers.get("ratelimit-reason")).toBeTruthy();
  });

  it("DC sends its token-bucket headers instead", async () => {
    sim.rateLimit({ count: 1, server: "dc", rateLimitHeaders: true, retryAfter: "1" });
    const answer = await call(`${sim.origins.dc}/status`);
    expect(answer.status).toBe(429);
    expect(answer.headers.get("x-ratelimit-interval-seconds")).toBe("1");
    expect(answer.headers.get("x-ratelimit-fillrate")).toMatch(/^\d+$/);
    expect(answer.headers.get("x-ratelimit-nearlimit")).toBeNull();
  });

  it("limits requests per second on the simulator's clock", async () => {
    sim.rateLimit({ requestsPerSecond: 2, retryAfter: "1" });
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(429);
    clock += 1000;
    expect((await me()).status).toBe(200);
  });

  it("sends a Retry-After list in turn, one value per 429 (a storm with varying waits)", async () => {
    sim.rateLimit({ requestsPerSecond: 1, retryAfter: ["1", "2"] });
    expect((await me()).status).toBe(200);
    const waits = [];
    for (let i = 0; i < 3; i++) {
      const answer = await me();
      expect(answer.status).toBe(429);
      waits.push(answer.headers.get("retry-after"));
    }
    expect(waits).toEqual(["1", "2", "1"]);
  });

  it("filters by server and path", async () => {
    sim.rateLimit({ count: 5, server: "dc" });
    expect((await me()).status).toBe(200);
    expect((await call(`${sim.origins.dc}/status`)).status).toBe(429);
    sim.reset();
    sim.rateLimit({ count: 5, pathPattern: /\/search/ });
    expect((await me()).status).toBe(200);
    expect(
      (await call(`${sim.origins.site}/wiki/rest/api/search?cql=type%3Dpage`, { headers: auth })).status,
    ).toBe(429);
  });

  it("works on every server", async () => {
    for (const server of servers) {
      sim.rateLimit({ count: 1, server });
      expect((await call(urlFor(server))).status, server).toBe(429);
    }
  });
});

describe("fault", () => {
  it("status: 503 with Retry-After, for count requests", async () => {
    sim.fault({ fault: { type: "status", status: 503, retryAfter: "2" }, count: 2 });
    const first = await me();
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("2");
    expect((await me()).status).toBe(503);
    expect((await me()).status).toBe(200);
  });

  it("status with a custom body and content type; method filter", async () => {
    sim.fault({
      method: "POST",
      fault: { type: "status", status: 502, body: "<h1>Bad gateway</h1>", contentType: "text/html" },
    });
    expect((await me()).status).toBe(200);
    const post = await call(`${sim.origins.site}/wiki/api/v2/pages`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    expect(post.status).toBe(502);
    expect(post.text).toBe("<h1>Bad gateway</h1>");
    expect(post.headers.get("content-type")).toBe("text/html");
  });

  it("reset: destroys the socket without an answer, logged with status 0", async () => {
    sim.fault({ fault: { type: "reset" } });
    await expect(me()).rejects.toThrow();
    expect(sim.log.at(-1)?.status).toBe(0);
    expect((await me()).status).toBe(200);
  });

  it("delay: waits through the injected sleep, then answers normally", async () => {
    sim.fault({ fault: { type: "delay", ms: 1500 } });
    expect((await me()).status).toBe(200);
    expect(sleeps).toEqual([1500]);
  });

  it("reset-after: the write is made, then the socket is destroyed instead of answering", async () => {
    const create = () =>
      call(`${sim.origins.site}/wiki/api/v2/pages`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({
          spaceId: "98305",
          title: "Lost answer",
          body: { representation: "storage", value: "<p>x</p>" },
        }),
      });
    const find = () => call(`${sim.origins.site}/wiki/api/v2/pages?title=Lost%20answer`, { headers: auth });
    sim.fault({ method: "POST", fault: { type: "reset-after" } });
    await expect(create()).rejects.toThrow();
    expect(sim.log.at(-1)?.status).toBe(0);
    const found: Json = (await find()).json;
    expect(found.results.map((p: Json) => p.title)).toEqual(["Lost answer"]);
    // a plain reset (before the handler) makes nothing
    sim.reset();
    sim.fault({ method: "POST", fault: { type: "reset" } });
    await expect(create()).rejects.toThrow();
    expect(((await find()).json as Json).results).toEqual([]);
  });

  it("delay-after: the write is made, then the answer waits through the injected sleep", async () => {
    sim.fault({ fault: { type: "delay-after", ms: 40_000 } });
    const answer = await me();
    expect(answer.status).toBe(200);
    expect((answer.json as Json).email).toBe(sim.credentials.cloud.email);
    expect(sleeps).toEqual([40_000]);
  });

  it("truncated-json: a 200 whose JSON body is cut in half", async () => {
    sim.fault({ fault: { type: "truncated-json" } });
    const answer = await me();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(() => JSON.parse(answer.text)).toThrow();
  });

  it("html: an SSO login page (200 by default) or a proxy error page", async () => {
    sim.fault({ fault: { type: "html" } });
    const login = await me();
    expect(login.status).toBe(200);
    expect(login.headers.get("content-type")).toContain("text/html");
    expect(login.text).toContain("<form");
    sim.fault({ fault: { type: "html", status: 502, body: "<html>proxy error</html>" } });
    const proxy = await me();
    expect(proxy.status).toBe(502);
    expect(proxy.text).toBe("<html>proxy error</html>");
  });

  it("every fault kind works on every server", async () => {
    for (const server of servers) {
      sim.fault({ server, fault: { type: "reset" } });
      await expect(call(urlFor(server)), server).rejects.toThrow();
      sim.fault({ server, fault: { type: "truncated-json" } });
      const truncated = await call(urlFor(server));
      expect(truncated.status, server).toBe(200);
      expect(truncated.json, server).toBeUndefined();
      sim.fault({ server, fault: { type: "html", status: 502 } });
      const html = await call(urlFor(server));
      expect(html.status, server).toBe(502);
      expect(html.headers.get("content-type"), server).toContain("text/html");
      sleeps.length = 0;
      sim.fault({ server, fault: { type: "delay", ms: 10 } });
      await call(urlFor(server));
      expect(sleeps, server).toEqual([10]);
    }
  });

  it("count Infinity keeps failing until reset(); works on every server", async () => {
    sim.fault({ fault: { type: "status", status: 500 }, count: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) expect((await me()).status).toBe(500);
    sim.reset();
    expect((await me()).status).toBe(200);
    for (const server of servers) {
      sim.fault({ server, fault: { type: "status", status: 503 } });
      expect((await call(urlFor(server))).status, server).toBe(503);
    }
  });
});

describe("latency and settings", () => {
  it("latencyMs waits before every answer, on every server", async () => {
    sim.settings.latencyMs = 250;
    for (const server of servers) await call(urlFor(server));
    expect(sleeps).toEqual([250, 250, 250, 250, 250]);
  });

  it("reset() restores the settings given at start", async () => {
    sim.settings.cloudAnonymousAccess = true;
    sim.settings.captchaAfterFailures = 9;
    sim.reset();
    expect(sim.settings.cloudAnonymousAccess).toBe(false);
    expect(sim.settings.captchaAfterFailures).toBe(3);
  });

  it("reset() re-seeds content", async () => {
    await call(`${sim.origins.site}/wiki/api/v2/pages/65602`, { method: "DELETE", headers: auth });
    expect((await call(`${sim.origins.site}/wiki/api/v2/pages/65602`, { headers: auth })).status).toBe(404);
    sim.reset();
    expect((await call(`${sim.origins.site}/wiki/api/v2/pages/65602`, { headers: auth })).status).toBe(200);
  });
});

describe("request log", () => {
  it("records method, origin, path+query, headers exactly as received, body and status", async () => {
    sim.clearLog();
    await call(`${sim.origins.site}/wiki/api/v2/pages?limit=1&space-id=98305`, {
      headers: { ...auth, "X-Custom-Thing": "Mixed Case Value" },
    });
    await call(`${sim.origins.site}/wiki/api/v2/pages`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ spaceId: "98305", title: "Logged page" }),
    });
    expect(sim.log).toHaveLength(2);
    const [get, post] = sim.log as [RequestLogEntry, RequestLogEntry];
    expect(get).toMatchObject({
      server: "site",
      method: "GET",
      origin: sim.origins.site,
      path: "/wiki/api/v2/pages?limit=1&space-id=98305",
      body: "",
      status: 200,
    });
    expect(get.headers["x-custom-thing"]).toBe("Mixed Case Value");
    expect(get.headers.authorization).toBe(auth.authorization);
    expect(Object.keys(get.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(post.method).toBe("POST");
    expect(JSON.parse(post.body)).toEqual({ spaceId: "98305", title: "Logged page" });
    expect(post.status).toBe(200);
    expect(post.at).toBe(clock);
  });

  it("logs every server, truncates bodies over 64 KiB, and clearLog() empties it", async () => {
    sim.clearLog();
    for (const server of servers) await call(urlFor(server));
    expect(sim.log.map((entry) => entry.server)).toEqual(servers);
    expect(sim.log.find((entry) => entry.server === "dc")?.origin).toBe(sim.origins.dcOrigin);
    await call(`${sim.origins.site}/wiki/api/v2/pages`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        spaceId: "98305",
        title: "Big",
        body: { representation: "storage", value: "y".repeat(100_000) },
      }),
    });
    expect(sim.log.at(-1)?.body.length).toBe(64 * 1024);
    sim.clearLog();
    expect(sim.log).toHaveLength(0);
  });
});

describe("IPv6", () => {
  it("starts on ::1 with bracketed origins", async () => {
    const v6 = await startSimulator({ host: "::1" });
    try {
      expect(v6.origins.site).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect(v6.origins.dc).toMatch(/^http:\/\/\[::1\]:\d+\/confluence$/);
      const tenant = await call(`${v6.origins.site}/_edge/tenant_info`);
      expect(tenant.json).toEqual({ cloudId: v6.cloudId });
      const me = await call(`${v6.origins.dc}/rest/api/user/current`, {
        headers: { authorization: `Bearer ${v6.credentials.dc.pat}` },
      });
      expect((me.json as Json).username).toBe(v6.users.dc.username);
      const pages = (
        await call(`${v6.origins.site}/wiki/api/v2/pages?limit=1`, {
          headers: { authorization: basic(v6.credentials.cloud.email, v6.credentials.cloud.apiToken) },
        })
      ).json as Json;
      expect(pages._links.base).toBe(`${v6.origins.site}/wiki`);
    } finally {
      await v6.stop();
    }
  });
});
