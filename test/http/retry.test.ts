import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { NetworkError, RateLimitError, ServerError, TimeoutError } from "../../src/http/errors.js";
import { backoffDelay, DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter } from "../../src/http/retry.js";
import { fakeClock, json, startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers `failures` requests with the given status/headers, then 200. */
async function failingServer(failures: number, status: number, headers: Record<string, string> = {}) {
  server = await startServer((_req, res, _body, n) => {
    if (n <= failures) json(res, status, { message: "Rate limit exceeded." }, headers);
    else json(res, 200, { ok: true, n });
  });
  return server;
}

function client(base: string, clock = fakeClock(), extra: Record<string, unknown> = {}) {
  const notices: string[] = [];
  const debug: string[] = [];
  const c = createHttpClient({
    apiBase: `${base}wiki/`,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    notice: (l) => notices.push(l),
    debug: (l) => debug.push(l),
    ...extra,
  });
  return { c, notices, debug, clock };
}

describe("Retry-After parsing and clamping", () => {
  const now = Date.parse("2026-11-23T10:00:00Z");
  it("reads seconds, fractions, negatives and HTTP dates", () => {
    expect(parseRetryAfter("5", now)).toBe(5000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("-5", now)).toBe(-5000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("backoff doubles from 2 s with 0.7–1.3 jitter and a 60 s cap", () => {
    const at = (r: number) => (retry: number) =>
      backoffDelay(retry, { ...DEFAULT_RETRY_POLICY, random: () => r });
    expect([1, 2, 3, 4].map(at(0.5))).toEqual([2000, 4000, 8000, 16000]);
    expect(at(0)(1)).toBe(1400);
    expect(at(0.9999999)(1)).toBe(2600);
    expect(at(0.5)(10)).toBe(60_000);
  });

  it("a Retry-After beyond the cap gives up instead of waiting", () => {
    const d = decideRetry({
      retry: 1,
      policy: { ...DEFAULT_RETRY_POLICY, now: () => 0 },
      replayable: true,
      bodyReplayable: true,
      status: 429,
      headers: new Headers({ "retry-after": "99999" }),
    });
    expect(d).toMatchObject({ action: "give-up", retryAfterMs: 99_999_000 });
  });
});

describe("429 handling against a loopback server", () => {
  it("429 with Retry-After: 3 waits at least 3 s per retry, then succeeds (3 attempts)", async () => {
    const s = await failingServer(2, 429, { "retry-after": "3" });
    const clock = fakeClock();
    const k = client(s.url, clock);
    const res = await k.c.request<{ n: number }>({ path: "rest/api/space" });
    expect(res.data.n).toBe(3);
    expect(s.log).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
    for (const ms of clock.sleeps) {
      expect(ms).toBeGreaterThanOrEqual(3000);
      expect(ms).toBeLessThanOrEqual(3900);
    }
    expect(k.notices[0]).toMatch(/^rate limited by 127\.0\.0\.1:\d+; retrying in 3 s \(attempt 2\/5\)$/);
  });

  it("429 is retried even for POST (Atlassian did not process it)", async () => {
    const s = await failingServer(1, 429, { "retry-after": "1" });
    const clock = fakeClock();
    const { c } = client(s.url, clock);
    const res = await c.request({ method: "POST", path: "api/v2/pages", json: { title: "x" } });
    expect(res.status).toBe(200);
    expect(s.log.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect(s.log[1]?.body).toBe('{"title":"x"}');
  });

  it.each([
    ["0", 1000],
    ["-5", 1000],
  ])("Retry-After: %s is clamped to a 1 s minimum (no zero-delay storm)", async (value, floor) => {
    const s = await failingServer(2, 429, { "retry-after": value });
    const clock = fakeClock();
    const { c } = client(s.url, clock);
    await c.request({ path: "rest/api/space" });
    expect(clock.sleeps).toHaveLength(2);
    for (const ms of clock.sleeps) expect(ms).toBeGreaterThanOrEqual(floor);
  });

  it("a huge Retry-After gives up at once with a RateLimitError saying when", async () => {
    const s = await failingServer(5, 429, { "retry-after": "99999" });
    const clock = fakeClock();
    const { c } = client(s.url, clock);
    const error = await c.request({ path: "rest/api/space" }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(99_999_000);
    expect(error.message).toMatch(/asks to wait 28 h \(until 2026-11-24T13:46:39\.000Z\)/);
    expect(error.exitCode).toBe(1);
    expect(s.log).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("a huge Retry-After with throwOnError: false resolves with the 429 (one attempt, no wait)", async () => {
    const s = await failingServer(5, 429, { "retry-after": "99999" });
    const clock = fakeClock();
    const { c, debug } = client(s.url, clock);
    const res = await c.request<{ message: string }>({ path: "rest/api/space", throwOnError: false });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("99999");
    expect(res.data.message).toBe("Rate limit exceeded.");
    expect(s.log).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(debug.some((l) => /longer than the 60 s cap, giving up/.test(l))).toBe(true);
  });

  it("a 503 on GET with a huge Retry-After: typed ServerError by default, the response with throwOnError: false", async () => {
    const s = await failingServer(5, 503, { "retry-after": "99999" });
    const clock = fakeClock();
    const { c } = client(s.url, clock);
    const error = await c.request({ path: "api/v2/spaces" }).catch((e) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.status).toBe(503);
    const res = await c.request({ path: "api/v2/spaces", throwOnError: false });
    expect(res.status).toBe(503);
    expect(s.log).toHaveLength(2);
    expect(clock.sleeps).toEqual([]);
  });

  it("Retry-After as an HTTP date is honoured relative to the clock", async () => {
    const clock = fakeClock(Date.parse("2026-11-23T10:00:00Z"));
    const s = await failingServer(1, 429, { "retry-after": "Mon, 23 Nov 2026 10:00:20 GMT" });
    const { c } = client(s.url, clock);
    await c.request({ path: "rest/api/space" });
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(20_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(26_000);
  });

  it("429 without Retry-After backs off exponentially and stops after 4 retries (5 attempts)", async () => {
    const s = await failingServer(100, 429);
    const clock = fakeClock();
    const { c } = client(s.url, clock);
    const error = await c.request({ path: "rest/api/space" }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(s.log).toHaveLength(5);
    expect(clock.sleeps).toEqual([2000, 4000, 8000, 16000]);
  });

  it("a gateway 429 without Retry-After waits for X-RateLimit-Reset", async () => {
    const clock = fakeClock(Date.parse("2026-11-23T10:00:00Z"));
    const s = await failingServer(1, 429, {
      "x-ratelimit-reset": "2026-11-23T10:00:40Z",
      "x-ratelimit-remaining": "0",
      "x-failure-category": "FAILURE CLIENT RATE LIMITED",
    });
    const { c } = client(s.url, clock);
    await c.request({ path: "rest/api/space" });
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(40_000);
  });

  it("maxRetries: 0 means one attempt", async () => {
    const s = await failingServer(100, 429, { "retry-after": "1" });
    const clock = fakeClock();
    const { c } = client(s.url, clock, { maxRetries: 0 });
    const error = await c.request({ path: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(1000);
    expect(error.hint).toMatch(/^retry in 1 s/);
    expect(s.log).toHaveLength(1);
  });
});

describe("5xx and network errors", () => {
  it("503 on GET is retried (Retry-After honoured)", async () => {
    const s = await failingServer(2, 503, { "retry-after": "2" });
    const clock = fakeClock();
    const { c } = client(s.url, clock);
    const res = await c.request({ path: "api/v2/spaces" });
    expect(res.status).toBe(200);
    expect(s.log).toHaveLength(3);
    expect(clock.sleeps.every((ms) => ms >= 2000)).toBe(true);
  });

  it("503 on POST is not retried, and the error says it may have been applied", async () => {
    const s = await failingServer(5, 503);
    const clock = fakeClock();
    const { c } = client(s.url, clock);
    const error = await c.request({ method: "POST", path: "api/v2/pages", json: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.message).toContain("the request may or may not have been applied");
    expect(s.log).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("POST marked idempotent: true is retried on 5xx", async () => {
    const s = await failingServer(1, 502);
    const { c } = client(s.url, fakeClock());
    const res = await c.request({ method: "POST", path: "rest/api/search", json: {}, idempotent: true });
    expect(res.status).toBe(200);
    expect(s.log).toHaveLength(2);
  });

  it("a connection reset on GET is retried; on POST it is a NetworkError that is not replayed", async () => {
    server = await startServer((req, res, _b, n) => {
      if (n === 1 || req.method === "POST") req.socket.destroy();
      else json(res, 200, { ok: true });
    });
    const clock = fakeClock();
    const { c } = client(server.url, clock);
    expect((await c.request({ path: "x" })).status).toBe(200);
    expect(server.log).toHaveLength(2);
    const error = await c.request({ method: "POST", path: "x", json: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/may or may not have been applied/);
    expect(server.log.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("a timeout is a TimeoutError after retries on GET", async () => {
    server = await startServer(() => {
      // never answer
    });
    const { c } = client(server.url, fakeClock(), { timeoutMs: 150, maxRetries: 1 });
    const error = await c.request({ path: "slow" }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.hint).toMatch(/--timeout/);
    expect(server.log).toHaveLength(2);
  });

  it("a stream body is never replayed, even on 429", async () => {
    const s = await failingServer(1, 429, { "retry-after": "1" });
    const { c } = client(s.url, fakeClock());
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    await expect(c.request({ method: "PUT", path: "x", body })).rejects.toBeInstanceOf(RateLimitError);
    expect(s.log).toHaveLength(1);
  });
});

describe("client-side pacing", () => {
  it("rateLimit 2 req/s spaces requests 500 ms apart", async () => {
    server = await startServer((_r, res) => json(res, 200, {}));
    const clock = fakeClock();
    const { c } = client(server.url, clock, { rateLimit: 2 });
    for (let i = 0; i < 3; i++) await c.request({ path: "x" });
    expect(clock.sleeps).toEqual([500, 500]);
  });

  it("X-RateLimit-NearLimit: true slows the next requests before a 429", async () => {
    server = await startServer((_r, res, _b, n) =>
      json(
        res,
        200,
        {},
        n === 1 ? { "x-ratelimit-nearlimit": "true" } : { "x-ratelimit-nearlimit": "false" },
      ),
    );
    const clock = fakeClock();
    const { c } = client(server.url, clock);
    await c.request({ path: "x" });
    await c.request({ path: "x" });
    await c.request({ path: "x" });
    expect(clock.sleeps).toEqual([1000]);
  });

  it("the near-limit slow-down lifts after a quiet minute when NearLimit simply stops being sent", async () => {
    // Cloud sends X-RateLimit-NearLimit only while it is true: a client that waited for "false" would
    // stay slow for the rest of a long export.
    server = await startServer((_r, res, _b, n) =>
      json(res, 200, {}, n === 1 ? { "x-ratelimit-nearlimit": "true" } : {}),
    );
    const clock = fakeClock();
    const { c } = client(server.url, clock);
    await c.request({ path: "x" }); // near the limit
    await c.request({ path: "x" }); // paced: 1 s
    await c.request({ path: "x" }); // still within the minute: paced
    expect(clock.sleeps).toEqual([1000, 1000]);
    clock.advance(60_000);
    await c.request({ path: "x" });
    await c.request({ path: "x" });
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it("with X-RateLimit-Reset the slow-down lasts until the reset, not a fixed minute", async () => {
    const clock = fakeClock();
    const resetAt = new Date(clock.now() + 5_000).toISOString();
    server = await startServer((_r, res, _b, n) =>
      json(res, 200, {}, n === 1 ? { "x-ratelimit-nearlimit": "true", "x-ratelimit-reset": resetAt } : {}),
    );
    const { c } = client(server.url, clock);
    await c.request({ path: "x" });
    await c.request({ path: "x" }); // paced
    clock.advance(5_000);
    await c.request({ path: "x" }); // past the reset: full speed again,
    await c.request({ path: "x" }); // so back-to-back requests do not wait
    expect(clock.sleeps).toEqual([1000]);
  });

  it("a low X-RateLimit-Remaining also slows the client", async () => {
    server = await startServer((_r, res) =>
      json(res, 200, {}, { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "3" }),
    );
    const clock = fakeClock();
    const { c } = client(server.url, clock);
    await c.request({ path: "x" });
    await c.request({ path: "x" });
    expect(clock.sleeps).toEqual([1000]);
  });

  it("concurrency caps requests in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    server = await startServer(async (_r, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      json(res, 200, {});
    });
    const { c } = client(server.url, fakeClock(), { concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => c.request({ path: "x" })));
    expect(server.log).toHaveLength(6);
    expect(peak).toBe(2);
  });
});
