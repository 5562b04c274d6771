/**
 * When to retry and how long to wait. Atlassian's recipe (confluence-api.md §2): Retry-After is the
 * minimum wait; otherwise exponential backoff ×2 with 0.7–1.3 jitter; about 4 retries; retry 5xx only
 * for idempotent requests. 429 is retried on any method because Atlassian did not process it.
 */

import { HttpHeaders } from "./headers.js";

export interface RetryPolicy {
  /** retries after the first attempt */
  maxRetries: number;
  /** first backoff wait before jitter */
  baseDelayMs: number;
  /** no single wait is longer than this; a server asking for more makes us give up and say when */
  maxDelayMs: number;
  /**
   * Floor for Retry-After: a gateway `Retry-After: 0` caused endless zero-delay retries in
   * mcp-atlassian (confluence-api.md §2), so 0 and negative values wait this long instead.
   */
  minRetryAfterMs: number;
  /**
   * Retries after a connection error or timeout. Few and short: a refused connection or an unknown
   * host rarely heals within seconds, and a user waiting on a silent 28 s of backoff thinks confl hung.
   */
  maxNetworkRetries: number;
  /** first wait after a connection error, before jitter (then doubled) */
  networkDelayMs: number;
  random: () => number;
  now: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  minRetryAfterMs: 1000,
  maxNetworkRetries: 2,
  networkDelayMs: 500,
  random: Math.random,
  now: Date.now,
};

export const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** Retry-After in ms from now: delta-seconds or an HTTP date. May be ≤ 0 or huge; undefined if absent/garbled. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return date - now;
}

/**
 * X-RateLimit-Reset: an ISO 8601 timestamp (`2026-03-26T16:00Z`, JRACLOUD-69262). The gateway sent
 * 429 with this and no Retry-After in the 2026-04 incident (confluence-api.md §2).
 */
export function parseRateLimitReset(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    // epoch seconds (some gateways) vs a small delta in seconds
    return n > 1_000_000_000 ? n * 1000 - now : n * 1000;
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : date - now;
}

/** Exponential wait before retry number `retry` (1-based), with jitter, capped. */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, retry - 1);
  const jitter = 0.7 + 0.6 * policy.random();
  return Math.min(policy.maxDelayMs, Math.round(exponential * jitter));
}

export type RetryDecision =
  | { action: "retry"; delayMs: number; reason: string }
  | { action: "stop"; reason: string }
  /** The server asked for a wait longer than the cap: stop now and tell the user when to retry. */
  | { action: "give-up"; retryAfterMs: number; reason: string };

export interface RetryInput {
  /** 1-based number of the retry we would make */
  retry: number;
  policy: RetryPolicy;
  /** may the request be sent again (idempotent method or `idempotent: true`, and a replayable body) */
  replayable: boolean;
  /** a body that can be sent again (not a stream); 429 needs this even though any method is fine */
  bodyReplayable: boolean;
  status?: number;
  headers?: Headers;
  /** a network error or timeout instead of a response */
  networkError?: boolean;
  /** the error's code (ECONNREFUSED, ENOTFOUND, …), when there is one */
  networkCode?: string | undefined;
}

/** Connection errors that another attempt within seconds will not fix: the name does not exist. */
const PERMANENT_NETWORK_CODES = new Set(["ENOTFOUND"]);

export function decideRetry(input: RetryInput): RetryDecision {
  const { policy, retry } = input;
  const now = policy.now();
  if (input.networkError) {
    if (!input.replayable) return { action: "stop", reason: "not idempotent" };
    if (input.networkCode && PERMANENT_NETWORK_CODES.has(input.networkCode))
      return { action: "stop", reason: "host not found" };
    if (retry > Math.min(policy.maxRetries, policy.maxNetworkRetries))
      return { action: "stop", reason: "retries exhausted" };
    const delayMs = Math.round(policy.networkDelayMs * 2 ** (retry - 1) * (0.7 + 0.6 * policy.random()));
    return { action: "retry", delayMs, reason: "network error" };
  }
  const status = input.status ?? 0;
  const headers = input.headers ?? new HttpHeaders();
  const is429 = status === 429;
  const is5xx = status >= 500 && status <= 599 && status !== 501 && status !== 505;
  if (!is429 && !is5xx) return { action: "stop", reason: "not retryable" };
  if (is429 && !input.bodyReplayable) return { action: "stop", reason: "body cannot be replayed" };
  if (is5xx && !input.replayable) return { action: "stop", reason: "not idempotent" };

  let serverWait = parseRetryAfter(headers.get("retry-after"), now);
  if (serverWait === undefined && is429)
    serverWait = parseRateLimitReset(headers.get("x-ratelimit-reset"), now);
  if (serverWait !== undefined && serverWait > policy.maxDelayMs) {
    return {
      action: "give-up",
      retryAfterMs: serverWait,
      reason: "server asked for a longer wait than the cap",
    };
  }
  if (retry > policy.maxRetries) {
    return { action: "stop", reason: "retries exhausted" };
  }
  if (serverWait !== undefined) {
    // Retry-After is the minimum: add up to 30% (never subtract) so many clients do not return at once.
    const floor = Math.max(policy.minRetryAfterMs, serverWait);
    const delayMs = Math.min(policy.maxDelayMs, Math.round(floor * (1 + 0.3 * policy.random())));
    return { action: "retry", delayMs, reason: is429 ? "rate limited" : `server error ${status}` };
  }
  return {
    action: "retry",
    delayMs: backoffDelay(retry, policy),
    reason: is429 ? "rate limited" : `server error ${status}`,
  };
}
