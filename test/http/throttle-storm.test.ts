/**
 * A 429 storm against the retry layer and the throttle (issue 14), in virtual time: the "server" is a
 * function that allows N requests in any sliding second and answers the rest 429 with Retry-After 1 or
 * 2 s in turn (what the simulator's rate-limit knob does), and every sleep is a timer on a virtual
 * clock, so many requests in flight interleave exactly as they would in real time, deterministically.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_UNCOUNTED_RATE_LIMIT_RETRIES,
  retryLayer,
  type Send,
  type WireRequest,
} from "../../src/http/pipeline.js";
import { DEFAULT_RETRY_POLICY } from "../../src/http/retry.js";
import { ADAPTIVE, Throttle } from "../../src/http/throttle.js";

/** Timers on a virtual clock; `drive` runs them in time order until the work settles. */
function virtualClock(start = Date.parse("2026-11-23T10:00:00Z")) {
  let now = start;
  const timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  let seq = 0;
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => now,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        timers.push({ at: now + Math.max(0, ms), seq: seq++, resolve });
      }),
    async drive<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const result = work.finally(() => {
        done = true;
      });
      for (;;) {
        await settle();
        if (done) return result;
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift();
        if (!next) return result;
        now = Math.max(now, next.at);
        next.resolve();
      }
    },
  };
}

interface Hit {
  at: number;
  path: string;
  status: number;
}

/** The simulator's requestsPerSecond knob: a sliding second of accepted requests; refusals are free. */
function rateLimitedServer(
  clock: { now: () => number },
  perSecond: number,
  refuse?: (path: string) => boolean,
) {
  const accepted: number[] = [];
  const log: Hit[] = [];
  let refused = 0;
  const send: Send = async (request) => {
    const at = clock.now();
    const path = request.url.pathname;
    while (accepted.length > 0 && at - (accepted[0] as number) >= 1000) accepted.shift();
    if (refuse?.(path) || accepted.length >= perSecond) {
      const retryAfter = ["1", "2"][refused++ % 2] as string;
      log.push({ at, path, status: 429 });
      return new Response('{"message":"Rate limit exceeded."}', {
        status: 429,
        headers: { "retry-after": retryAfter, "content-type": "application/json" },
      }) as never;
    }
    accepted.push(at);
    log.push({ at, path, status: 200 });
    return new Response("{}", { status: 200, headers: { "content-type": "application/json" } }) as never;
  };
  return { send, log };
}

function request(path: string): WireRequest {
  return {
    method: "GET",
    url: new URL(`https://example.atlassian.net/wiki/${path}`),
    headers: new Headers(),
    body: undefined,
    bodyIsStream: false,
    idempotent: undefined,
    followRedirects: true,
    timeoutMs: 30_000,
    anonymous: false,
  };
}

function pipeline(clock: ReturnType<typeof virtualClock>, wire: Send, concurrency = 6) {
  const notices: string[] = [];
  const policy = { ...DEFAULT_RETRY_POLICY, now: clock.now, random: () => 0.5 };
  const throttle = new Throttle({
    concurrency,
    sleep: clock.sleep,
    now: clock.now,
    notice: (l) => notices.push(l),
    maxWaitMs: policy.maxDelayMs,
  });
  const send = retryLayer({
    policy,
    throttle,
    sleep: clock.sleep,
    debug: () => {},
    notice: (l) => notices.push(l),
  })(wire);
  return { send, throttle, notices };
}

/** Runs `count` GETs through `send`, `width` at a time; the statuses in order (or the error thrown). */
async function runAll(send: Send, paths: string[], width: number) {
  const results: Array<number | string> = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < paths.length; i = next++) {
      try {
        results[i] = (await send(request(paths[i] as string))).status;
      } catch (error) {
        results[i] = String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

describe("a 429 pauses the whole client", () => {
  it("no request starts until the server's wait has passed, and the pause is said once", async () => {
    const clock = virtualClock();
    const server = rateLimitedServer(clock, 3);
    const { send, notices } = pipeline(clock, server.send);
    const paths = Array.from({ length: 6 }, (_, i) => `p${i}`);
    const statuses = await clock.drive(runAll(send, paths, 6));
    expect(statuses).toEqual(paths.map(() => 200));
    const first = server.log.find((h) => h.status === 429);
    expect(first).toBeDefined();
    // Retry-After 1 s (+ jitter): nothing reaches the server in the second after the first refusal
    const during = server.log.filter((h) => h.at > (first as Hit).at && h.at < (first as Hit).at + 1000);
    expect(during).toEqual([]);
    // one line for the pause, not one per refused or waiting request (and at most one for the pace)
    expect(notices.filter((l) => /rate limit(ed| is used up)/.test(l))).toEqual([
      "rate limited by example.atlassian.net; retrying in 1 s",
    ]);
    expect(notices.filter((l) => /^pacing requests/.test(l)).length).toBeLessThanOrEqual(1);
  });
});

describe("adaptive pacing under a sustained limit", () => {
  it("300 requests at 10/s, 6 in flight: all succeed, few 429s, within 1.2x of the ideal", async () => {
    const clock = virtualClock();
    const started = clock.now();
    const server = rateLimitedServer(clock, 10);
    const { send, throttle } = pipeline(clock, server.send);
    const paths = Array.from({ length: 300 }, (_, i) => `p${i}`);
    const statuses = await clock.drive(runAll(send, paths, 6));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const refused = server.log.filter((h) => h.status === 429).length;
    // the first burst is refused; after that the learned rate keeps the client under the limit
    expect(refused).toBeLessThanOrEqual(12);
    const ideal = (300 / 10) * 1000;
    expect(clock.now() - started).toBeLessThanOrEqual(ideal * 1.2);
    // it learned a rate just under the server's, not a crawl
    expect(throttle.rate).toBeGreaterThan(8);
    expect(throttle.rate).toBeLessThan(11);
  });

  it("only answers the server served count as successes: a 5xx or a 429 adds nothing", () => {
    const clock = virtualClock();
    const throttle = new Throttle({ sleep: clock.sleep, now: clock.now });
    throttle.observe(new Headers(), 503);
    throttle.observe(new Headers(), 500);
    throttle.observe(new Headers(), 429);
    expect(throttle.successes).toBe(0);
    throttle.observe(new Headers(), 404);
    throttle.observe(new Headers(), 200);
    expect(throttle.successes).toBe(2);
  });

  it("the learned rate is 0.9x the rate let through, lowered once per episode, and creeps back up", async () => {
    const clock = virtualClock();
    const throttle = new Throttle({ sleep: clock.sleep, now: clock.now });
    const start = (n: number) =>
      clock.drive(
        (async () => {
          for (let i = 0; i < n; i++) (await throttle.acquire())();
        })(),
      );
    // too little went through: a 429 teaches no rate (the pause does the work)
    await start(2);
    throttle.rateLimited({ startedAt: clock.now(), waitMs: 1000 });
    expect(throttle.rate).toBeUndefined();
    // 21 starts once the pause is over, one of them refused: 20 let through in the last second
    await start(21);
    const t0 = clock.now();
    throttle.rateLimited({ startedAt: t0, waitMs: 2000 });
    expect(throttle.rate).toBeCloseTo(20 * ADAPTIVE.decrease, 5);
    // another 429 of a request sent before the decrease is the same episode: no second decrease, only
    // one fewer let through than counted
    throttle.rateLimited({ startedAt: t0, waitMs: 2000 });
    const lowered = 19 * ADAPTIVE.decrease;
    expect(throttle.rate).toBeCloseTo(lowered, 5);
    for (let i = 0; i < 200; i++) throttle.observe(new Headers(), 200);
    const crept = lowered + 200 * ADAPTIVE.increasePerSuccess;
    expect(throttle.rate).toBeCloseTo(crept, 5);
    // 429s do not count as successes
    throttle.observe(new Headers(), 429);
    expect(throttle.rate).toBeCloseTo(crept, 5);
    // after the pause, paced at the crept rate: a 429 of a request sent after the decrease lowers it
    // again, from what went through since (5 starts, one refused)
    await start(5);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(2000 + 4 * (1000 / crept) - 1);
    throttle.rateLimited({ startedAt: clock.now(), waitMs: 1000 });
    expect(throttle.rate).toBeCloseTo(4 * ADAPTIVE.decrease, 5);
  });
});

describe("the retry budget under a storm", () => {
  it("a request refused more often than maxRetries still completes while others go through", async () => {
    const clock = virtualClock();
    let refusals = 0;
    const server = rateLimitedServer(clock, 1000, (path) => path === "/wiki/unlucky" && refusals++ < 6);
    const { send } = pipeline(clock, server.send, 2);
    const paths = ["unlucky", ...Array.from({ length: 60 }, (_, i) => `p${i}`)];
    const statuses = await clock.drive(runAll(send, paths, 2));
    expect(statuses).toEqual(paths.map(() => 200));
    expect(server.log.filter((h) => h.path === "/wiki/unlucky").map((h) => h.status)).toEqual([
      429, 429, 429, 429, 429, 429, 200,
    ]);
  });

  it("a request refused forever ends with its 429 after a bounded number of attempts", async () => {
    const clock = virtualClock();
    const server = rateLimitedServer(clock, 1000, (path) => path === "/wiki/never");
    const { send } = pipeline(clock, server.send, 2);
    const paths = ["never", ...Array.from({ length: 400 }, (_, i) => `p${i}`)];
    const statuses = await clock.drive(runAll(send, paths, 2));
    expect(statuses[0]).toBe(429);
    const attempts = server.log.filter((h) => h.path === "/wiki/never").length;
    expect(attempts).toBeLessThanOrEqual(
      1 + DEFAULT_RETRY_POLICY.maxRetries + MAX_UNCOUNTED_RATE_LIMIT_RETRIES,
    );
    expect(statuses.slice(1).every((s) => s === 200)).toBe(true);
  });

  it("a server that refuses everything stops after maxRetries (no progress, nothing uncounted)", async () => {
    const clock = virtualClock();
    const server = rateLimitedServer(clock, 0);
    const { send } = pipeline(clock, server.send, 2);
    const statuses = await clock.drive(runAll(send, ["a", "b"], 2));
    expect(statuses).toEqual([429, 429]);
    expect(server.log).toHaveLength(2 * (1 + DEFAULT_RETRY_POLICY.maxRetries));
  });
});
