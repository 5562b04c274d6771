/**
 * Client-side pacing: a token bucket (`rateLimit` requests per second), a concurrency cap, and a
 * slow-down when the server says the quota is nearly used (`X-RateLimit-NearLimit: true`, "less than
 * 20% of the quota remains", or a low `X-RateLimit-Remaining`; confluence-api.md §2) so bulk work is
 * paced before it is refused rather than after.
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

export class Throttle {
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  /** set while the server reports it is near its limit */
  private slowIntervalMs = 0;
  /** the slow-down lifts at this time unless another near-limit answer extends it */
  private slowUntil = 0;
  private pausedUntil = 0;

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
    const current = now();
    if (this.slowIntervalMs > 0 && current >= this.slowUntil) {
      this.options.debug?.("throttle: no near-limit answer for a while; back to full speed");
      this.slowIntervalMs = 0;
    }
    const interval = Math.max(rateInterval, this.slowIntervalMs);
    // The next start is measured from the previous start, so an interval learned from a response
    // (near-limit) applies to the very next request.
    const startAt = Math.max(current, this.lastStartAt + interval, this.pausedUntil);
    this.lastStartAt = startAt;
    const wait = startAt - current;
    if (wait > 0) {
      this.options.debug?.(`throttle: waiting ${Math.round(wait)} ms before the next request`);
      if (wait > 1000) {
        const why =
          current < this.pausedUntil
            ? "the server's rate limit is used up"
            : this.slowIntervalMs >= rateInterval
              ? "the server is near its rate limit"
              : `--rate-limit ${rateLimit}/s`;
        this.options.notice?.(`${why}; waiting ${formatDuration(wait)} before the next request`);
      }
      await sleep(wait);
    }
  }

  /** Reads the rate-limit headers of every response. */
  observe(headers: Headers): void {
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
        this.pausedUntil = Math.min(resetAt, this.options.now() + cap);
      }
    }
  }
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
