/**
 * Client-side pacing: a token bucket (`rateLimit` requests per second), a concurrency cap, a
 * slow-down when the server says the quota is nearly used (`X-RateLimit-NearLimit: true`, "less than
 * 20% of the quota remains", or a low `X-RateLimit-Remaining`; confluence-api.md §2) so bulk work is
 * paced before it is refused rather than after, and, once refused, a pause of every request and a
 * learned rate (see `rateLimited`).
 */

import { formatDuration } from "./errors.js";

export interface ThrottleOptions {
  /** requests per second; undefined or 0 = unlimited */
  rateLimit?: number | undefined;
  /** at most this many requests in flight; undefined = unlimited */
  concurrency?: number | undefined;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** interval between requests while the server reports it is near its limit */
  nearLimitIntervalMs?: number;
  /**
   * how long one near-limit signal slows the client when the server gives no X-RateLimit-Reset:
   * Cloud sends NearLimit only while it is true, so without an end the slow-down would never lift
   */
  nearLimitWindowMs?: number;
  /** never wait longer than this for a reset */
  maxWaitMs?: number;
  debug?: (line: string) => void;
  /** a person is watching (TTY): told about any wait longer than a second */
  notice?: ((line: string) => void) | undefined;
}

/**
 * Adaptive pacing after a 429 (AIMD on the request rate). Atlassian: a 429's Retry-After is the
 * minimum wait ("you can retry the request after this delay, but not before"), and clients should back
 * off rather than keep sending (confluence-api.md §2, https://developer.atlassian.com/cloud/confluence/rate-limiting/).
 * The refusal is about the client's quota, not one request, so every start waits, and the client then
 * starts requests a little slower than the rate the server just let through (multiplicative decrease),
 * creeping back up by a small fixed step per success (additive increase): a sustained limit costs a
 * few 429s, not one per burst. Bounded both ways; deterministic under an injected clock.
 */
export const ADAPTIVE = {
  /**
   * the achieved rate is measured over the last second: the attempts started in it that were not
   * refused (answered, or still on their way: the server counts a request when it arrives, and a large
   * answer is read long after)
   */
  windowMs: 1000,
  /**
   * fewer let through than this in the window teach no rate: the 429 may concern one request (Atlassian
   * enforces extra burst limits on some endpoints, §2) or the client had only just started
   */
  minLetThrough: 3,
  /**
   * after a 429, start requests at this fraction of the achieved rate: the achieved rate is measured,
   * not guessed, so a small margin keeps the client under the limit; every further 429 costs a whole
   * Retry-After pause (1 to 2 s, 10 to 20 requests' worth at 10/s), so probing back up is slow
   */
  decrease: 0.95,
  /** each success adds this many requests per second (200 successes: one more request a second) */
  increasePerSuccess: 0.005,
  /** never slower than this (requests per second) */
  minRate: 0.5,
  /** above this the learned rate no longer paces anything and is dropped */
  maxRate: 1000,
} as const;

export interface RateLimitedEvent {
  /** when the refused attempt started (429s of requests sent before the last decrease change nothing) */
  startedAt: number;
  /** how long the server asked to wait (Retry-After, X-RateLimit-Reset or backoff), jitter included */
  waitMs: number;
  /** said once for the pause, by whichever request starts it, when the wait is over a second */
  notice?: string | undefined;
}

export class Throttle {
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  /** set while the server reports it is near its limit */
  private slowIntervalMs = 0;
  /** the slow-down lifts at this time unless another near-limit answer extends it */
  private slowUntil = 0;
  private pausedUntil = 0;
  /** when the current pause was set or last extended */
  private pauseSetAt = Number.NEGATIVE_INFINITY;
  /** the current pause has been announced (one notice line per pause, not one per waiting request) */
  private pauseNoticed = false;
  /** the learned pace has been announced since it was last lowered */
  private pacingNoticed = false;
  /** requests per second learned from 429s; undefined until the first 429 with progress behind it */
  private learnedRate: number | undefined;
  /** when the learned rate was last lowered */
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** start times of recent attempts, and of the recent attempts that were refused (the last window) */
  private readonly recentStarts: number[] = [];
  private readonly recentRefusals: number[] = [];
  /** non-429 responses so far: a refused request whose wait saw this grow knows the client progressed */
  successes = 0;

  constructor(private readonly options: ThrottleOptions) {}

  /** Waits for a slot; call the returned function when the attempt is done. */
  async acquire(): Promise<() => void> {
    const { concurrency } = this.options;
    if (concurrency !== undefined && concurrency > 0) {
      while (this.inFlight >= concurrency) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    }
    this.inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.waiters.shift()?.();
    };
    try {
      await this.pace();
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  private async pace(): Promise<void> {
    const { rateLimit, now, sleep } = this.options;
    const rateInterval = rateLimit && rateLimit > 0 ? 1000 / rateLimit : 0;
    for (;;) {
      const current = now();
      if (this.slowIntervalMs > 0 && current >= this.slowUntil) {
        this.options.debug?.("throttle: no near-limit answer for a while; back to full speed");
        this.slowIntervalMs = 0;
      }
      const learnedInterval = this.learnedRate === undefined ? 0 : 1000 / this.learnedRate;
      const interval = Math.max(rateInterval, this.slowIntervalMs, learnedInterval);
      // The next start is measured from the previous start, so an interval learned from a response
      // (near-limit, a 429) applies to the very next request.
      const startAt = Math.max(current, this.lastStartAt + interval, this.pausedUntil);
      this.lastStartAt = startAt;
      const wait = startAt - current;
      if (wait <= 0) {
        this.started(current);
        return;
      }
      this.options.debug?.(`throttle: waiting ${Math.round(wait)} ms before the next request`);
      const paused = current < this.pausedUntil;
      const learned = !paused && learnedInterval > rateInterval && learnedInterval > this.slowIntervalMs;
      if (wait > 1000 && !(paused && this.pauseNoticed) && !(learned && this.pacingNoticed)) {
        if (paused) this.pauseNoticed = true;
        if (learned) this.pacingNoticed = true;
        const why = paused
          ? "the server's rate limit is used up"
          : learned
            ? `pacing requests at ${(this.learnedRate as number).toFixed(1)}/s, under the server's rate limit`
            : this.slowIntervalMs >= rateInterval
              ? "the server is near its rate limit"
              : `--rate-limit ${rateLimit}/s`;
        this.options.notice?.(`${why}; waiting ${formatDuration(wait)} before the next request`);
      }
      await sleep(wait);
      // A pause set before this request's turn came (another request was refused while it slept) holds
      // it too: it takes a new turn after the pause instead of starting into the refusal.
      if (now() >= this.pausedUntil || this.pauseSetAt >= startAt) {
        this.started(now());
        return;
      }
    }
  }

  /**
   * A 429: every request start of this client waits until the server's wait has passed, and (once per
   * refusal episode, and only if requests went through in the last window) the client's rate is set
   * just under the rate the server let through (ADAPTIVE above).
   */
  rateLimited(event: RateLimitedEvent): void {
    const current = this.options.now();
    const fresh = current >= this.pausedUntil;
    const cap = this.options.maxWaitMs ?? 60_000;
    const until = current + Math.min(Math.max(0, event.waitMs), cap);
    if (until > this.pausedUntil) {
      this.pausedUntil = until;
      this.pauseSetAt = current;
    }
    if (fresh) this.pauseNoticed = false;
    this.options.debug?.(
      `throttle: rate limited; no request starts for ${Math.round(this.pausedUntil - current)} ms`,
    );
    if (event.notice !== undefined && !this.pauseNoticed && this.pausedUntil - current > 1000) {
      this.pauseNoticed = true;
      this.options.notice?.(event.notice);
    }
    const refused = [...this.recentRefusals, event.startedAt].filter(
      (at) => current - at < ADAPTIVE.windowMs,
    );
    this.recentRefusals.splice(0, this.recentRefusals.length, ...refused);
    // 429s of requests that were already on their way when the rate was lowered are the same episode:
    // no new decrease, but one fewer was let through than the decrease counted
    if (event.startedAt <= this.lastDecreaseAt) {
      if (this.learnedRate !== undefined && this.lastDecreaseAt - event.startedAt < ADAPTIVE.windowMs)
        this.learnedRate = Math.max(
          ADAPTIVE.minRate,
          this.learnedRate - (ADAPTIVE.decrease * 1000) / ADAPTIVE.windowMs,
        );
      return;
    }
    trim(this.recentStarts, current);
    const letThrough = this.recentStarts.length - refused.length;
    const achieved = (letThrough * 1000) / ADAPTIVE.windowMs;
    // too little went through lately to say anything about a rate: the pause (and backoff) do the work
    if (letThrough < ADAPTIVE.minLetThrough) return;
    const next = Math.max(ADAPTIVE.minRate, achieved * ADAPTIVE.decrease);
    this.learnedRate = this.learnedRate === undefined ? next : Math.min(this.learnedRate, next);
    this.lastDecreaseAt = current;
    this.pacingNoticed = false;
    this.options.debug?.(
      `throttle: the server let ${achieved.toFixed(1)} requests a second through (${this.recentStarts.length} started, ${refused.length} refused); pacing at ${this.learnedRate.toFixed(2)}/s`,
    );
  }

  /** The learned rate in requests per second (undefined: none), for tests and the debug log. */
  get rate(): number | undefined {
    return this.learnedRate;
  }

  private started(at: number): void {
    this.recentStarts.push(at);
    trim(this.recentStarts, at);
  }

  private succeeded(): void {
    this.successes++;
    if (this.learnedRate === undefined) return;
    this.learnedRate += ADAPTIVE.increasePerSuccess;
    if (this.learnedRate > ADAPTIVE.maxRate) {
      this.options.debug?.("throttle: no 429 for a long while; no longer pacing");
      this.learnedRate = undefined;
    }
  }

  /** Reads the status and rate-limit headers of every response. */
  observe(headers: Headers, status?: number): void {
    // a 5xx is no sign that the quota has room: only answers the server served count toward the creep
    if (status !== undefined && status !== 429 && status < 500) this.succeeded();
    const nearLimit = headers.get("x-ratelimit-nearlimit")?.trim().toLowerCase() === "true";
    const remaining = numberHeader(headers.get("x-ratelimit-remaining"));
    const limit = numberHeader(headers.get("x-ratelimit-limit"));
    const low =
      remaining !== undefined &&
      (remaining <= 1 || (limit !== undefined && limit > 0 && remaining / limit < 0.2));
    if (nearLimit || low) {
      const interval = this.options.nearLimitIntervalMs ?? 1000;
      if (this.slowIntervalMs === 0)
        this.options.debug?.(
          `throttle: server is near its rate limit; slowing to one request per ${interval} ms`,
        );
      this.slowIntervalMs = interval;
      const current = this.options.now();
      const reset = parseResetHeader(headers.get("x-ratelimit-reset"));
      const cap = this.options.maxWaitMs ?? 60_000;
      this.slowUntil =
        reset !== undefined && reset > current
          ? Math.min(reset, current + cap)
          : current + (this.options.nearLimitWindowMs ?? 60_000);
    } else if (remaining !== undefined || headers.has("x-ratelimit-nearlimit")) {
      this.slowIntervalMs = 0;
    }
    if (remaining === 0) {
      const resetAt = parseResetHeader(headers.get("x-ratelimit-reset"));
      if (resetAt !== undefined) {
        const cap = this.options.maxWaitMs ?? 60_000;
        const until = Math.min(resetAt, this.options.now() + cap);
        if (this.options.now() >= this.pausedUntil) this.pauseNoticed = false;
        if (until > this.pausedUntil) {
          this.pausedUntil = until;
          this.pauseSetAt = this.options.now();
        }
      }
    }
  }
}

/** Drops the times (in order) older than the adaptive window. */
function trim(times: number[], current: number): void {
  while (times.length > 0 && current - (times[0] as number) >= ADAPTIVE.windowMs) times.shift();
}

/** X-RateLimit-Reset is an ISO 8601 time such as `2026-03-26T16:00Z` (confluence-api.md §2). */
function parseResetHeader(value: string | null): number | undefined {
  if (!value) return undefined;
  const at = Date.parse(value.trim());
  return Number.isNaN(at) ? undefined : at;
}

function numberHeader(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}
