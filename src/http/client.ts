/**
 * createHttpClient: the one way confl talks to Confluence. Composes the layers in pipeline.ts around
 * a transport (node:http, or undici when a proxy/CA/mTLS is configured), then maps the final
 * response to data or a typed error.
 */
import { ReadOnlyError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { USER_AGENT } from "../version.js";
import {
  formatDuration,
  type HttpError,
  type HttpErrorDetails,
  httpErrorFromResponse,
  InvalidResponseError,
  RateLimitError,
  TimeoutError,
} from "./errors.js";
import { HttpHeaders } from "./headers.js";
import { htmlTitle, looksLikeHtml } from "./html-page.js";
import type { WireResponse } from "./node-transport.js";
import { iterateItems, iteratePages } from "./paginate.js";
import {
  authLayer,
  compose,
  redirectLayer,
  retryLayer,
  type Send,
  type WireRequest,
  wireSend,
} from "./pipeline.js";
import {
  DEFAULT_RETRY_POLICY,
  IDEMPOTENT_METHODS,
  parseRateLimitReset,
  parseRetryAfter,
  type RetryPolicy,
} from "./retry.js";
import { Throttle } from "./throttle.js";
import { createTransport, effectiveTlsSettings, type Transport } from "./transport.js";
import type {
  HttpClient,
  HttpClientOptions,
  HttpResponse,
  PaginateOptions,
  RequestOptions,
} from "./types.js";
import { assertRequestAllowed, credentialScope, isUnder, resolveRequestUrl, toApiBase } from "./url.js";

export const DEFAULT_TIMEOUT_MS = 30_000;

/** What a read-only client still sends: methods that change nothing on the server (RFC 9110 §9.2.1). */
export const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

export interface ConflHttpClient extends HttpClient {
  /** Every page's full response (for `api --paginate` and callers that need more than results[]). */
  pages<T = unknown>(options: RequestOptions): AsyncIterable<HttpResponse<T>>;
}

export function createHttpClient(options: HttpClientOptions): ConflHttpClient {
  const apiBase = toApiBase(options.apiBase);
  // Where this client may send requests (and so its credential): fixed here, from the caller's options
  // only, never from request data.
  const scope: readonly URL[] = Object.freeze(
    options.scope && options.scope.length > 0
      ? options.scope.map((s) => toApiBase(s))
      : [credentialScope(apiBase)],
  );
  const inScope = (url: URL) => scope.some((prefix) => isUnder(url, prefix));
  const env = options.env ?? {};
  const auth = options.auth;
  for (const secret of auth?.secrets() ?? []) registerSecret(secret);
  const debugSink = options.debug;
  const debug = (line: string) => debugSink?.(line);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    random: options.random ?? Math.random,
    now,
  };
  const throttle = new Throttle({
    rateLimit: options.rateLimit,
    concurrency: options.concurrency,
    sleep,
    now,
    debug,
    notice: options.notice,
    maxWaitMs: policy.maxDelayMs,
  });

  const tlsInForce = effectiveTlsSettings(options.tls, env, options.tlsOverrides);
  let transport: Promise<Transport> | undefined;
  const getTransport = () => {
    if (options.fetch)
      transport ??= Promise.resolve({ fetch: options.fetch, describe: "the caller's fetch" });
    transport ??= createTransport({
      tls: options.tls,
      tlsOverrides: options.tlsOverrides,
      env,
      warn: options.warn,
      notice: options.notice,
      debug,
    }).then((t) => {
      debug(`http: using ${t.describe}`);
      return t;
    });
    return transport;
  };
  const wire: Send = async (request) => {
    const t = await getTransport();
    return wireSend({
      fetch: t.fetch,
      auth,
      debug,
      debugEnabled: debugSink !== undefined,
      now,
      hasClientCert: tlsInForce.clientCert !== undefined,
      env,
      lookup: options.lookup,
    })(request);
  };
  const send = compose(
    [
      authLayer(auth, debug, (url) => assertRequestAllowed(url, scope)),
      retryLayer({ policy, throttle, sleep, debug, notice: options.notice }),
      redirectLayer(auth, debug, inScope),
    ],
    wire,
  );

  const readOnly = options.readOnly ? Object.freeze({ reason: options.readOnly.reason }) : undefined;

  async function request<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>> {
    const method = (req.method ?? "GET").toUpperCase();
    // Before the URL is even resolved: a read-only client sends no write, whoever asks for it.
    if (readOnly && !READ_METHODS.has(method)) throw new ReadOnlyError(`${method} request`, readOnly.reason);
    const url = resolveRequestUrl(apiBase, req.path, { query: req.query, scope });
    const headers = new HttpHeaders(req.headers);
    if (!headers.has("user-agent")) headers.set("user-agent", options.userAgent ?? USER_AGENT);
    const responseType = req.responseType ?? "json";
    if (!headers.has("accept") && responseType === "json") headers.set("accept", "application/json");
    let body: BodyInit | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const wireRequest: WireRequest = {
      method,
      url,
      headers,
      body,
      bodyIsStream: isStreamBody(body),
      idempotent: req.idempotent,
      followRedirects: req.followRedirects !== false,
      timeoutMs: req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      streamResponse: responseType === "stream",
      signal: req.signal,
      anonymous: req.anonymous === true,
      ...(req.credentialBody ? { credentialBody: true } : {}),
    };
    const response = await send(wireRequest);
    const finalUrl = response.url || url.href;
    const isError = response.status >= 400 || response.status < 200;
    if (isError && req.throwOnError !== false) {
      const bodyText = await response.text().catch(() => "");
      const replayable = wireRequest.idempotent ?? IDEMPOTENT_METHODS.has(method);
      throw errorForResponse({
        status: response.status,
        method,
        url: finalUrl,
        headers: response.headers,
        bodyText,
        notReplayed: response.status >= 500 && !replayable,
        now: now(),
        maxWaitMs: policy.maxDelayMs,
      });
    }
    const data = await readBody(response, responseType, method, url.href, wireRequest.timeoutMs);
    return { status: response.status, headers: response.headers, url: finalUrl, data: data as T };
  }

  return {
    apiBase,
    readOnly,
    request,
    paginate<T = unknown>(opts: PaginateOptions): AsyncIterable<T> {
      const { limit, ...rest } = opts;
      return iterateItems<T>({ apiBase, request, options: rest, limit });
    },
    pages<T = unknown>(opts: RequestOptions): AsyncIterable<HttpResponse<T>> {
      return iteratePages<T>({ apiBase, request, options: opts });
    },
  };
}

/**
 * The typed error for a final non-2xx response. A 429 whose requested wait is longer than confl waits on
 * its own (the retry layer hands it back instead of sleeping) says until when.
 */
export function errorForResponse(
  init: Omit<HttpErrorDetails, "retryAfterMs"> & { now: number; maxWaitMs?: number },
): HttpError {
  const { now, maxWaitMs = DEFAULT_RETRY_POLICY.maxDelayMs, ...rest } = init;
  const retryAfterMs = serverWaitMs(init.status, init.headers, now);
  const details: HttpErrorDetails = { ...rest, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (init.status === 429 && retryAfterMs !== undefined && retryAfterMs > maxWaitMs) {
    const host = safeHost(init.url);
    const until = new Date(now + retryAfterMs).toISOString();
    return new RateLimitError(
      details,
      `rate limited by ${host}: it asks to wait ${formatDuration(retryAfterMs)} (until ${until}), longer than confl waits on its own`,
    );
  }
  return httpErrorFromResponse(details);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** How long the server asked us to wait: Retry-After, else (on a 429) the gateway's X-RateLimit-Reset. */
function serverWaitMs(status: number, headers: Headers, now: number): number | undefined {
  const retryAfter = parseRetryAfter(headers.get("retry-after"), now);
  if (retryAfter !== undefined || status !== 429) return retryAfter;
  return parseRateLimitReset(headers.get("x-ratelimit-reset"), now);
}

function isStreamBody(body: unknown): boolean {
  if (body === undefined || body === null || typeof body !== "object") return false;
  if (typeof ReadableStream !== "undefined" && body instanceof ReadableStream) return true;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer || body instanceof URLSearchParams)
    return false;
  // never `instanceof FormData`: touching that global loads undici's fetch (node-transport.ts)
  if (Object.prototype.toString.call(body) === "[object FormData]") return false;
  if (typeof Blob !== "undefined" && body instanceof Blob) return false;
  return Symbol.asyncIterator in body || typeof (body as { pipe?: unknown }).pipe === "function";
}

async function readBody(
  response: WireResponse,
  type: NonNullable<RequestOptions["responseType"]>,
  method: string,
  url: string,
  timeoutMs: number,
): Promise<unknown> {
  if (type === "stream") return response.body;
  if (type === "none" || method === "HEAD" || response.status === 204) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (type === "bytes")
    return new Uint8Array(await readOrThrow(response, url, timeoutMs, () => response.arrayBuffer()));
  const text = await readOrThrow(response, url, timeoutMs, () => response.text());
  if (type === "text") return text;
  if (text.trim() === "") return undefined;
  const contentType = response.headers.get("content-type") ?? "";
  if (looksLikeHtml(contentType, text)) {
    const title = htmlTitle(text);
    throw new InvalidResponseError(
      `expected JSON from ${method} ${url} but got an HTML page${title ? ` ("${title}")` : ""}; this is usually a single sign-on login page or a proxy, not Confluence's API`,
      {
        url,
        status: response.status,
        hint: "check the site URL, and whether an SSO gateway or proxy requires you to log in; a session cookie or a PAT may be needed",
      },
    );
  }
  const jsonish = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!jsonish) return text;
    throw new InvalidResponseError(
      `the JSON from ${method} ${url} is truncated or malformed (${text.length} bytes received)`,
      {
        url,
        status: response.status,
        hint: "the connection may have been cut; try again (a proxy may be truncating responses)",
        cause: error,
      },
    );
  }
}

async function readOrThrow<T>(
  response: WireResponse,
  url: string,
  timeoutMs: number,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError")
      throw new TimeoutError(`${url}: the response body did not arrive within ${formatDuration(timeoutMs)}`, {
        url,
        timeoutMs,
        hint: "raise --timeout, or check your connection or proxy",
        cause: error,
      });
    throw new InvalidResponseError(`the response body from ${url} was cut off while reading`, {
      url,
      status: response.status,
      hint: "the connection was interrupted; try again",
      cause: error,
    });
  }
}
