/**
 * Pipeline behaviours from issue 5 that the other files pinned only against bare loopback servers or
 * pure functions, now end to end: against the simulator (request log), through clientForSession (what
 * every command uses), and with the Link header as the only next link.
 */
import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { clientForSession } from "../../src/auth/session.js";
import type { Profile } from "../../src/config/types.js";
import { type Context, createContext } from "../../src/context.js";
import { createHttpClient } from "../../src/http/client.js";
import { createIOStreams } from "../../src/io/streams.js";
import { VERSION } from "../../src/version.js";
import { useSimulator } from "../support/context.js";
import { basicAuth, fakeAuth, fakeClock, json, startServer } from "./helpers.js";

const sim = useSimulator();
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

function makeCtx(stderrTTY: boolean) {
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (stderrTTY) stderr.isTTY = true;
  const err: Buffer[] = [];
  stderr.on("data", (c: Buffer) => err.push(c));
  const io = createIOStreams({ stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {} });
  const ctx: Context = createContext({
    io,
    env: {},
    globals: { json: false, debug: false, color: false, input: false },
    debug: () => {},
  });
  return { ctx, err: () => Buffer.concat(err).toString("utf8") };
}

function siteProfile(): Profile {
  return {
    name: "cloud",
    site: sim.origins.site,
    deployment: "cloud",
    apiBase: `${sim.origins.site}/wiki/`,
    kind: "api-token",
    email: sim.credentials.cloud.email,
    secretStore: "none",
  };
}

function sessionClient(tty: boolean, overrides: Record<string, unknown> = {}) {
  const c = makeCtx(tty);
  const clock = fakeClock();
  const strategy = basicAuth(sim.credentials.cloud.email, sim.credentials.cloud.apiToken);
  const client = clientForSession(
    c.ctx,
    { profile: siteProfile(), strategy },
    { sleep: clock.sleep, now: clock.now, random: () => 0, ...overrides },
  );
  return { client, clock, err: c.err };
}

describe("waits a person can see (TTY notices through the session client)", () => {
  it("a retry wait over 1 s is announced on stderr, on a TTY and piped alike (one line)", async () => {
    for (const tty of [true, false]) {
      sim.rateLimit({ server: "site", count: 1, retryAfter: "3" });
      const k = sessionClient(tty);
      await k.client.request({ path: "rest/api/user/current" });
      expect(k.clock.sleeps).toEqual([3000]);
      expect(k.err()).toMatch(/^rate limited by 127\.0\.0\.1:\d+; retrying in 3 s \(attempt 2\/5\)\n$/);
    }
  });

  it("confl api rest/api/space against a refused port: two short retries, each said, then exit (no 28 s of silence)", async () => {
    const { createServer } = await import("node:net");
    // a port that was just free: connecting to it is refused
    const port = await new Promise<number>((done) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => done(p));
      });
    });
    const c = makeCtx(false);
    const clock = fakeClock();
    const client = clientForSession(
      c.ctx,
      {
        profile: { ...siteProfile(), apiBase: `http://127.0.0.1:${port}/wiki/` },
        strategy: basicAuth("a@example.com", "fake-refused-0001"),
      },
      { sleep: clock.sleep, now: clock.now, random: () => 0.5 },
    );
    const error = await client.request({ path: "rest/api/space" }).catch((e) => e);
    expect(error.name).toBe("NetworkError");
    expect(error.message).toMatch(/refused/);
    // 0.5 s then 1 s: under two seconds in all, where the old backoff slept 2+4+8+16 s
    expect(clock.sleeps).toEqual([500, 1000]);
    const lines = c.err().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/refused; retrying in 500 ms \(attempt 2\/3\)$/);
    expect(lines[1]).toMatch(/refused; retrying in 1 s \(attempt 3\/3\)$/);
  });

  it("a host that does not resolve is not retried at all", async () => {
    const c = makeCtx(false);
    const clock = fakeClock();
    const client = clientForSession(
      c.ctx,
      {
        profile: { ...siteProfile(), apiBase: "https://no-such-host.invalid/wiki/" },
        strategy: basicAuth("a@example.com", "fake-nxdomain-0001"),
      },
      { sleep: clock.sleep, now: clock.now, random: () => 0.5 },
    );
    const error = await client.request({ path: "rest/api/space" }).catch((e) => e);
    expect(error.name).toBe("NetworkError");
    expect(clock.sleeps).toEqual([]);
    expect(c.err()).toBe("");
  });

  it("a wait of exactly 1 s says nothing, even on a TTY", async () => {
    sim.rateLimit({ server: "site", count: 1, retryAfter: "1" });
    const tty = sessionClient(true);
    await tty.client.request({ path: "rest/api/user/current" });
    expect(tty.clock.sleeps).toEqual([1000]);
    expect(tty.err()).toBe("");
  });

  it("--rate-limit pacing longer than 1 s is announced too", async () => {
    const tty = sessionClient(true, { rateLimit: 0.5 });
    await tty.client.request({ path: "rest/api/user/current" });
    await tty.client.request({ path: "rest/api/user/current" });
    expect(tty.clock.sleeps).toEqual([2000]);
    expect(tty.err()).toBe("--rate-limit 0.5/s; waiting 2 s before the next request\n");
    expect(sim.log).toHaveLength(2);
  });

  it("--max-retries and --timeout given to the session reach the pipeline", async () => {
    sim.rateLimit({ server: "site", count: 5, retryAfter: "1" });
    const k = sessionClient(false, { maxRetries: 1 });
    const error = await k.client.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(error.name).toBe("RateLimitError");
    expect(sim.log).toHaveLength(2);
    sim.reset();
    sim.fault({ server: "site", count: 1, fault: { type: "delay", ms: 1500 } });
    const slow = sessionClient(false, { maxRetries: 0, timeoutMs: 100 });
    const timeout = await slow.client.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(timeout.name).toBe("TimeoutError");
    expect(timeout.timeoutMs).toBe(100);
  });
});

describe("the simulator's rate-limit headers slow the client", () => {
  it("after a 429 with X-RateLimit-NearLimit/Remaining: 0, it waits for the reset, then runs at full speed (a fresh window)", async () => {
    sim.rateLimit({ server: "site", count: 1, rateLimitHeaders: true });
    const clock = fakeClock(Date.now());
    const client = createHttpClient({
      apiBase: `${sim.origins.site}/wiki/`,
      auth: basicAuth(sim.credentials.cloud.email, sim.credentials.cloud.apiToken),
      env: {},
      sleep: clock.sleep,
      now: clock.now,
      random: () => 0,
    });
    await client.request({ path: "rest/api/user/current" });
    await client.request({ path: "rest/api/user/current" });
    await client.request({ path: "rest/api/user/current" });
    expect(sim.log.map((e) => e.status)).toEqual([429, 200, 200, 200]);
    expect(sim.log[0]?.path).toBe("/wiki/rest/api/user/current");
    // the reset is the next minute boundary (X-RateLimit-Reset, yyyy-MM-ddTHH:mmZ), at least the 1 s floor
    // The near-limit slow-down ends with the window it was about, so nothing waits after the reset.
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(61_000);
  });
});

describe("cross-origin redirects, asserted on the simulator's request log", () => {
  it.each(["site", "gateway"] as const)(
    "%s: the media host gets no Authorization, Cookie, Proxy-Authorization or custom credential header",
    async (where) => {
      const { cloud } = sim.credentials;
      const apiBase =
        where === "site"
          ? `${sim.origins.site}/wiki/`
          : `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`;
      const auth = fakeAuth(cloud.email, where === "site" ? cloud.apiToken : cloud.scopedToken, {
        customHeader: "fake-sso-header-secret-0301",
      });
      const client = createHttpClient({ apiBase, auth, env: {} });
      const res = await client.request<Uint8Array>({
        path: "rest/api/content/65538/child/attachment/att131073/download",
        responseType: "bytes",
        headers: {
          cookie: "JSESSIONID=fake-session-0302",
          "proxy-authorization": "Basic fake-proxy-0303",
        },
      });
      expect(res.status).toBe(200);
      expect(res.data.byteLength).toBeGreaterThan(0);
      const first = sim.log.find((e) => e.server === where)!;
      expect(first.status).toBe(302);
      expect(first.headers.authorization).toMatch(/^Basic /);
      expect(first.headers["x-sso-session"]).toBe("fake-sso-header-secret-0301");
      expect(first.headers.cookie).toBe("JSESSIONID=fake-session-0302");
      const media = sim.log.filter((e) => e.server === "media");
      expect(media).toHaveLength(1);
      const sent = media[0]!.headers;
      for (const name of ["authorization", "cookie", "proxy-authorization", "x-sso-session"])
        expect(sent[name], name).toBeUndefined();
      const everything = JSON.stringify(sent);
      for (const secret of [
        cloud.apiToken,
        cloud.scopedToken,
        "fake-sso-header",
        "fake-session",
        "fake-proxy",
      ])
        expect(everything).not.toContain(secret);
    },
  );
});

describe("Link header pagination (no _links.next in the body)", () => {
  it("follows rel=next, re-rooting a v2 link under the gateway root", async () => {
    const server = await startServer((req, res) => {
      const cursor = new URL(req.url ?? "/", "http://x").searchParams.get("cursor");
      const page = Number(cursor ?? "1");
      const headers: Record<string, string> =
        page < 3
          ? {
              link: `</wiki/api/v2/pages?cursor=${page + 1}&limit=2>; rel="next", <https://acme.atlassian.net/wiki>; rel="base"`,
            }
          : {};
      json(res, 200, { results: [page * 10, page * 10 + 1] }, headers);
    });
    try {
      const client = createHttpClient({ apiBase: `${server.url}ex/confluence/abc-123/wiki/`, env: {} });
      const items: number[] = [];
      for await (const item of client.paginate<number>({ path: "api/v2/pages", query: { limit: 2 } }))
        items.push(item);
      expect(items).toEqual([10, 11, 20, 21, 30, 31]);
      expect(server.log.map((r) => r.path)).toEqual([
        "/ex/confluence/abc-123/wiki/api/v2/pages?limit=2",
        "/ex/confluence/abc-123/wiki/api/v2/pages?cursor=2&limit=2",
        "/ex/confluence/abc-123/wiki/api/v2/pages?cursor=3&limit=2",
      ]);
    } finally {
      await server.close();
    }
  });
});

describe("identification", () => {
  it("every request says User-Agent: confl/<version>, unless the caller set its own", async () => {
    const client = createHttpClient({ apiBase: `${sim.origins.dc}/`, env: {} });
    await client.request({ path: "rest/api/space", anonymous: true, throwOnError: false });
    await client.request({
      path: "rest/api/space",
      anonymous: true,
      throwOnError: false,
      headers: { "User-Agent": "my-script/1.0" },
    });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(sim.log.map((e) => e.headers["user-agent"])).toEqual([`confl/${VERSION}`, "my-script/1.0"]);
  });
});
