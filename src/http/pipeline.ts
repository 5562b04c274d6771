/**
 * The request pipeline as layers (the Octokit plugin model): each layer wraps the next `send` and knows
 * one thing. Order, outermost first: auth → rate limit/retry → redirect policy → wire (with the debug
 * log). Error mapping happens in the client once the final response is known.
 */
import type { AuthStrategy } from "../auth/types.js";
import type { ConflError } from "../errors.js";
import { redactText, registerSecret } from "../redact.js";
import { describeBody, formatHeaders } from "./debug.js";
import { formatDuration, NetworkError, RedirectError, TimeoutError, UnsafeRequestError } from "./errors.js";
import { HttpHeaders } from "./headers.js";
import type { WireResponse } from "./node-transport.js";
import { type HostLookup, plainHttpDecision, possibleCredentialHeaders } from "./plain-http-guard.js";
import { decideRetry, IDEMPOTENT_METHODS, type RetryPolicy } from "./retry.js";
import type { Throttle } from "./throttle.js";
import { type FetchLike, mapNetworkError } from "./transport.js";

export interface WireRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: BodyInit | undefined;
  /** the body is a stream: it can be sent once only */
  bodyIsStream: boolean;
  /**
   * The caller's word on replaying after a 5xx or network error: true for a POST that is safe to repeat,
   * false for a PUT whose effect is not (activating a backup twice starts two); undefined: by method.
   */
  idempotent: boolean | undefined;
  followRedirects: boolean;
  timeoutMs: number;
  /** the caller reads the body as a stream: the timeout stops at the headers */
  streamResponse?: boolean;
  signal?: AbortSignal | undefined;
  anonymous: boolean;
  /** the body is a credential (RequestOptions.credentialBody) */
  credentialBody?: boolean;
}

export type Send = (request: WireRequest) => Promise<WireResponse>;
export type Layer = (next: Send) => Send;

export function compose(layers: Layer[], wire: Send): Send {
  return layers.reduceRight<Send>((next, layer) => layer(next), wire);
}

/** Lower-case names of every header that carries a credential and must not cross origins. */
export function credentialHeaderNames(auth: AuthStrategy | undefined): Set<string> {
  return new Set([
    "authorization",
    "cookie",
    "proxy-authorization",
    ...(auth?.headerNames ?? []).map((h) => h.toLowerCase()),
  ]);
}

function cloneRequest(request: WireRequest): WireRequest {
  return { ...request, headers: new HttpHeaders(request.headers) };
}

/** The start of a 401's body, read from a clone so the caller still gets the whole response. */
async function peekText(response: WireResponse): Promise<string> {
  try {
    return (await response.clone().text()).slice(0, 4096);
  } catch {
    return "";
  }
}

async function discard(response: WireResponse): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // the body is being thrown away; a failure to cancel changes nothing
  }
}

/**
 * Registers what the strategy just wrote: its secrets (which change on refresh) and the header values
 * themselves, because a server that echoes `Basic <base64(user:token)>` back would otherwise leak a
 * form of the token that registering the bare token does not cover.
 */
function registerApplied(auth: AuthStrategy, headers: Headers): void {
  for (const secret of auth.secrets()) registerSecret(secret);
  for (const name of credentialHeaderNames(auth)) {
    const value = headers.get(name);
    if (!value) continue;
    registerSecret(value);
    const credential = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (credential) registerSecret(credential);
  }
}

async function applyAuth(auth: AuthStrategy, request: WireRequest): Promise<void> {
  await auth.apply({ url: request.url, method: request.method, headers: request.headers });
  registerApplied(auth, request.headers);
}

export function authLayer(
  auth: AuthStrategy | undefined,
  debug: (line: string) => void,
  /** throws unless the URL may receive this client's requests (checked again here, before the credential) */
  assertAllowed: (url: URL) => void = () => {},
): Layer {
  return (next) => async (request) => {
    assertAllowed(request.url);
    if (!auth || request.anonymous) return next(request);
    const first = cloneRequest(request);
    await applyAuth(auth, first);
    const response = await next(first);
    if (response.status !== 401 || !auth.onUnauthorized || request.bodyIsStream) return response;
    const changed = await auth.onUnauthorized({
      headers: response.headers,
      bodyText: await peekText(response),
    });
    if (!changed) return response;
    debug("auth: 401 received; the credential was refreshed, sending once more");
    await discard(response);
    const second = cloneRequest(request);
    await applyAuth(auth, second);
    return next(second);
  };
}

export interface RetryLayerOptions {
  policy: RetryPolicy;
  throttle: Throttle;
  sleep: (ms: number) => Promise<void>;
  debug: (line: string) => void;
  notice?: ((line: string) => void) | undefined;
}

/**
 * A 429 retried while other requests of the client went through is not counted against `maxRetries`
 * (the refusal was about the client's quota, and the client is progressing), up to this many per
 * request, so a server that refuses one request forever still ends in a one-line error.
 */
export const MAX_UNCOUNTED_RATE_LIMIT_RETRIES = 20;

export function retryLayer(options: RetryLayerOptions): Layer {
  const { policy, throttle, sleep, debug, notice } = options;
  return (next) => async (request) => {
    const replayable =
      !request.bodyIsStream && (request.idempotent ?? IDEMPOTENT_METHODS.has(request.method));
    const host = request.url.host;
    // retries counted against policy.maxRetries, and 429 retries that were not (see above)
    let counted = 0;
    let uncounted = 0;
    // other requests' successes since this request's first attempt or its last refusal
    let successesBefore = throttle.successes;
    for (;;) {
      const release = await throttle.acquire();
      const startedAt = policy.now();
      let response: WireResponse;
      try {
        response = await next(request);
      } catch (error) {
        release();
        const retryable = error instanceof NetworkError || error instanceof TimeoutError;
        if (!retryable) throw error;
        const decision = decideRetry({
          retry: counted + 1,
          policy,
          replayable,
          bodyReplayable: !request.bodyIsStream,
          networkError: true,
          networkCode: error instanceof NetworkError ? error.networkCode : undefined,
        });
        if (decision.action !== "retry") {
          if (!replayable) throw notReplayedNetworkError(error, request.method);
          throw error;
        }
        counted++;
        await wait(decision.delayMs, `${error.message}`, counted, true);
        continue;
      }
      release();
      throttle.observe(response.headers, response.status);
      // Refused while the client as a whole got answers: the quota, not this request, is the problem.
      const free =
        response.status === 429 &&
        throttle.successes > successesBefore &&
        uncounted < MAX_UNCOUNTED_RATE_LIMIT_RETRIES &&
        policy.maxRetries > 0;
      successesBefore = throttle.successes;
      const decision = decideRetry({
        retry: free ? Math.max(1, counted) : counted + 1,
        policy,
        replayable,
        bodyReplayable: !request.bodyIsStream,
        status: response.status,
        headers: response.headers,
      });
      if (decision.action === "stop") {
        if (decision.reason !== "not retryable")
          debug(`retry: not retrying ${response.status} (${decision.reason})`);
        return response;
      }
      if (decision.action === "give-up") {
        // Returned, not thrown: the client maps it to a RateLimitError saying when to come back, unless
        // the caller asked for error responses (throwOnError: false), who then gets the 429 itself.
        debug(
          `retry: ${host} asked to wait ${formatDuration(decision.retryAfterMs)}; longer than the ${formatDuration(policy.maxDelayMs)} cap, giving up`,
        );
        return response;
      }
      await discard(response);
      if (free) uncounted++;
      else counted++;
      if (response.status === 429) {
        // Every request of this client waits (throttle.acquire), not only this one: one notice line
        // for the pause, said by the request that started it.
        const what = redactText(`rate limited by ${host}`);
        debug(
          `retry: ${what}; retrying in ${decision.delayMs} ms (attempt ${counted + 1}/${policy.maxRetries + 1}${free ? ", not counted: other requests went through" : ""})`,
        );
        throttle.rateLimited({
          startedAt,
          waitMs: decision.delayMs,
          // a retry that does not count has no place in "attempt n/total"
          notice: `${what}; retrying in ${formatDuration(decision.delayMs)}${free ? "" : ` (attempt ${counted + 1}/${policy.maxRetries + 1})`}`,
        });
        continue;
      }
      await wait(decision.delayMs, `${host} answered ${response.status}`, counted);
    }

    /** Every retry after a connection error, and every wait over a second, is said in one line. */
    async function wait(delayMs: number, what: string, retry: number, networkError = false) {
      const total =
        (networkError ? Math.min(policy.maxRetries, policy.maxNetworkRetries) : policy.maxRetries) + 1;
      debug(`retry: ${redactText(what)}; retrying in ${delayMs} ms (attempt ${retry + 1}/${total})`);
      if (networkError || delayMs > 1000)
        notice?.(
          `${redactText(what)}; retrying in ${formatDuration(delayMs)} (attempt ${retry + 1}/${total})`,
        );
      await sleep(delayMs);
    }
  };
}

function notReplayedNetworkError(error: NetworkError | TimeoutError, method: string): ConflError {
  const message = `${error.message} (${method} is not idempotent, so it was not retried; the request may or may not have been applied)`;
  if (error instanceof TimeoutError)
    return new TimeoutError(message, {
      url: error.url,
      timeoutMs: error.timeoutMs,
      hint: "check whether the change was made before running it again",
      cause: error,
    });
  return new NetworkError(message, {
    url: error.url,
    method,
    networkCode: error.networkCode,
    hint: "check whether the change was made before running it again",
    cause: error,
  });
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
export const MAX_REDIRECTS = 5;

/**
 * What may follow a redirect to another origin. Everything else on the request — Authorization, Cookie,
 * a strategy's header, any `-H` header (`X-Api-Key`, `X-Atlassian-Token`, …) — may be a credential and is
 * dropped: Node's fetch drops only Authorization and Cookie (dependencies.md §4), and the media host must
 * get none of ours (confluence-api.md §1.7). Content-Type stays only while the body does.
 */
const CROSS_ORIGIN_HEADERS = new Set(["accept", "accept-language", "user-agent"]);

function keepAcrossOrigins(headers: Headers, bodyKept: boolean): Headers {
  const kept = new HttpHeaders();
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (CROSS_ORIGIN_HEADERS.has(lower) || (bodyKept && lower === "content-type")) kept.set(name, value);
  });
  return kept;
}

export function redirectLayer(
  _auth: AuthStrategy | undefined,
  debug: (line: string) => void,
  /** where the credential may go (the client's scope); default: the first request's origin */
  inScope?: (url: URL) => boolean,
): Layer {
  return (next) => async (request) => {
    let current = request;
    const origin = request.url.origin;
    const trusted = inScope ?? ((url: URL) => url.origin === origin);
    for (let hop = 0; ; hop++) {
      const response = await next(current);
      if (!current.followRedirects || !REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.get("location");
      if (!location) return response;
      if (hop >= MAX_REDIRECTS) {
        await discard(response);
        throw new RedirectError(
          `too many redirects (more than ${MAX_REDIRECTS}) starting at ${request.url.href}`,
          {
            url: request.url.href,
            hint: "the server is redirecting in a loop; check the site URL",
          },
        );
      }
      // Resolved exactly as fetch resolves a Location (WHATWG URL: tabs and newlines removed, leading
      // and trailing spaces trimmed, `\` read as `/`), and every decision below is made on the result.
      let target: URL;
      try {
        target = new URL(location, current.url);
      } catch {
        await discard(response);
        throw new RedirectError(`the server redirected to an invalid URL (${redactText(location)})`, {
          url: current.url.href,
          hint: "the server's Location header is malformed; check the site URL",
        });
      }
      if (target.protocol !== "http:" && target.protocol !== "https:") {
        await discard(response);
        throw new RedirectError(
          `refusing a redirect to a ${target.protocol} URL: confl follows redirects to http(s) only`,
          {
            url: current.url.href,
            hint: "the server (or something in between) redirected outside the web; check the site URL",
          },
        );
      }
      if (current.url.protocol === "https:" && target.protocol !== "https:") {
        await discard(response);
        throw new RedirectError(
          `refusing a redirect from https to ${target.protocol} (${redactText(target.href)})`,
          {
            url: current.url.href,
            hint: "the server tried to downgrade the connection to clear text; check the site URL and any proxy in between",
          },
        );
      }
      let method = current.method;
      let body = current.body;
      let headers: Headers = new HttpHeaders(current.headers);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === "POST")
      ) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
        headers.delete("content-type");
        headers.delete("content-length");
      } else if (body !== undefined && current.bodyIsStream) {
        await discard(response);
        throw new RedirectError(`cannot follow a ${response.status} redirect with a streamed body`, {
          url: current.url.href,
          hint: "send the request to the final URL directly",
        });
      }
      // Leaving the profile's scope (another origin, or a path outside the DC context path or the
      // gateway's cloud id) keeps only the allow-list. Carried forward: once dropped, a redirect back
      // cannot regain what was dropped.
      const leaves = !trusted(target) || target.origin !== current.url.origin;
      if (leaves) headers = keepAcrossOrigins(headers, body !== undefined);
      debug(
        `redirect: ${response.status} → ${redactText(target.href)}${leaves ? " (outside the profile's site: credentials dropped)" : ""}`,
      );
      await discard(response);
      current = { ...current, method, body, url: target, headers };
    }
  };
}

export interface WireOptions {
  fetch: FetchLike;
  auth: AuthStrategy | undefined;
  debug: (line: string) => void;
  /** debug is on: spend time formatting lines */
  debugEnabled: boolean;
  now: () => number;
  /** mTLS is configured (changes the hint for a connection closed during the handshake) */
  hasClientCert?: boolean;
  /** the proxy variables (HTTP_PROXY, NO_PROXY…) the transport uses: the plain-http guard reads them too */
  env?: NodeJS.ProcessEnv;
  /** for tests: how `*.localhost` names are resolved by the plain-http guard */
  lookup?: HostLookup | undefined;
}

/** Sends one request: refuses clear-text credentials, applies the timeout, logs, maps network errors. */
export function wireSend(options: WireOptions): Send {
  const credentialHeaders = credentialHeaderNames(options.auth);
  const { debug, debugEnabled } = options;
  return async (request) => {
    // Decided on the URL fetch will be given (url.href parses back to the same URL).
    const url = new URL(request.url.href);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UnsafeRequestError(
        `refusing to send a request to a ${url.protocol} URL`,
        "use an https:// URL",
      );
    }
    const { refusal, pinnedAddresses } = await plainHttpDecision(
      { url, headers: request.headers, credentialBody: request.credentialBody === true },
      options.env ?? {},
      options.lookup,
    );
    if (refusal) throw new UnsafeRequestError(refusal.message, refusal.hint);
    const redactedUrl = redactText(url.href);
    if (debugEnabled) {
      debug(`→ ${request.method} ${redactedUrl}`);
      // -H headers may be credentials too: their values are masked like the strategy's
      const masked = new Set([...credentialHeaders, ...possibleCredentialHeaders(request.headers)]);
      for (const line of formatHeaders(request.headers, masked)) debug(line);
      const body = describeBody(request.body);
      if (body !== undefined) debug(`  body: ${body}`);
    }
    // The per-attempt timeout covers the headers and, for bodies read whole, the body too; a body the
    // caller streams (a large download) is not cut off once the headers have arrived.
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new DOMException("timed out", "TimeoutError")),
      request.timeoutMs,
    );
    timer.unref?.();
    const timeoutSignal = timeout.signal;
    const signal = request.signal ? AbortSignal.any([request.signal, timeoutSignal]) : timeoutSignal;
    const started = options.now();
    let response: WireResponse;
    try {
      response = await options.fetch(url.href, {
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        // Streams are sent once: with redirect "error" undici does not buffer the whole upload in
        // memory (dependencies.md §0.3, undici #4058); other requests get redirects to our policy.
        redirect: request.bodyIsStream ? "error" : "manual",
        signal,
        ...(request.bodyIsStream ? { duplex: "half" as const } : {}),
        ...(pinnedAddresses ? { pinnedAddresses } : {}),
      });
    } catch (error) {
      clearTimeout(timer);
      if (request.signal?.aborted) throw error;
      const mapped = mapNetworkError(error, {
        method: request.method,
        url: redactedUrl,
        timeoutMs: request.timeoutMs,
        timedOut: timeoutSignal.aborted,
        hasClientCert: options.hasClientCert === true,
      });
      debug(`✗ ${request.method} ${redactedUrl}: ${mapped.message} (${options.now() - started} ms)`);
      throw mapped;
    }
    if (request.streamResponse) clearTimeout(timer);
    if (debugEnabled) {
      debug(
        `← ${response.status} ${response.statusText} ${request.method} ${redactedUrl} (${options.now() - started} ms)`,
      );
      for (const line of formatHeaders(response.headers, credentialHeaders)) debug(line);
    }
    return response;
  };
}
