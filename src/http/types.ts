/**
 * The request contract every command and resource module uses. Paths are relative to the profile's
 * API root, so no command builds a URL by hand and the same call works on a Cloud site, through the
 * gateway, and on Data Center under a context path.
 */

export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

export interface RequestOptions {
  method?: string;
  /**
   * Relative to the API root ("rest/api/user/current", "api/v2/spaces"), or an absolute URL. Either way
   * the resolved URL must lie under the client's `scope` (see HttpClientOptions.scope), or the request is
   * refused before anything is sent.
   */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** A JSON body (sets Content-Type). */
  json?: unknown;
  /** A raw body (FormData, string, Uint8Array, stream). */
  body?: BodyInit;
  /**
   * Replaying after a 5xx or network error: true when a non-idempotent method is safe to repeat, false when
   * an idempotent one is not (its effect happens each time); default: by method. 429 is retried either way.
   */
  idempotent?: boolean;
  /** Follow redirects through the redirect policy (default true). */
  followRedirects?: boolean;
  /** How to read the body; default "json" (falls back to text when the server sends no JSON). */
  responseType?: "json" | "text" | "bytes" | "stream" | "none";
  /** Resolve with non-2xx responses instead of throwing a typed error. */
  throwOnError?: boolean;
  /** Skip the auth layer (public endpoints like /_edge/tenant_info). */
  anonymous?: boolean;
  /**
   * The body itself is a credential (an OAuth token request: client secret, refresh token, code): the
   * plain-http guard judges it like an Authorization header, and pins a `*.localhost` connection.
   */
  credentialBody?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Final URL (after redirects), for messages; may contain no secret once redacted. */
  url: string;
  data: T;
}

export interface PaginateOptions extends RequestOptions {
  /** Stop after this many items in total. */
  limit?: number;
}

export interface HttpClient {
  /** The API root with a trailing slash (see Profile.apiBase). */
  readonly apiBase: URL;
  /** Set when the client refuses every method but GET, HEAD and OPTIONS (see HttpClientOptions.readOnly). */
  readonly readOnly?: { reason: string } | undefined;
  request<T = unknown>(options: RequestOptions): Promise<HttpResponse<T>>;
  /** Iterates `results[]` across v2 cursor pages and v1 start/limit pages. */
  paginate<T = unknown>(options: PaginateOptions): AsyncIterable<T>;
}

/**
 * Options for createHttpClient() in src/http/client.ts. Everything a layer needs comes in here; the
 * pipeline reads no globals except through `env` (proxy variables, CONFL_CA_FILE, NODE_EXTRA_CA_CERTS).
 */
export interface HttpClientOptions {
  apiBase: string | URL;
  auth?: import("../auth/types.js").AuthStrategy;
  /** the profile's stored TLS settings */
  tls?: import("../config/types.js").TlsSettings;
  /**
   * TLS settings from command-line flags (--ca-file, --insecure). Merged field by field: a flag beats
   * CONFL_CA_FILE in `env`, which beats `tls` (effectiveTlsSettings in transport.ts).
   */
  tlsOverrides?: import("../config/types.js").TlsSettings;
  env?: NodeJS.ProcessEnv;
  /**
   * URL prefixes (origin + path) requests may go to, credential or not. Default: the credential scope of
   * `apiBase` (credentialScope in url.ts). A command that needs a fixed second origin declares it here;
   * nothing a server or a user field says can widen it.
   */
  scope?: readonly (string | URL)[];
  userAgent?: string;
  /**
   * Refuse every request whose method is not GET, HEAD or OPTIONS, before anything is sent (the one
   * choke point behind --read-only, CONFL_READ_ONLY and a profile's readOnly). `reason` names which.
   */
  readOnly?: { reason: string } | undefined;
  /** retries after the first attempt (default 4) */
  maxRetries?: number;
  /** per-attempt timeout in ms (default 30 000) */
  timeoutMs?: number;
  /** client-side rate limit, requests per second */
  rateLimit?: number;
  /** at most this many requests in flight (bulk work) */
  concurrency?: number;
  /** --debug sink; receives already-redacted lines */
  debug?: (line: string) => void;
  /** user-facing notices, one line each: every retry after a connection error, every wait over a second */
  notice?: (line: string) => void;
  /**
   * warnings that must be seen even when nobody watches (the --insecure warning): the command's stderr.
   * Without it (and without `notice`) the pipeline prints nothing itself.
   */
  warn?: (line: string) => void;
  /**
   * The fetch to send with, when the caller already built a transport (an OAuth login reuses its own for
   * its few helper calls) or a test answers in place of the network; default: one from `tls` and `env`.
   */
  fetch?: import("./transport.js").FetchLike;
  /** for tests: replace the clock used for backoff waits */
  sleep?: (ms: number) => Promise<void>;
  /** for tests: the clock read for Retry-After dates and pacing (default Date.now) */
  now?: () => number;
  /** for tests: the jitter source in [0, 1) (default Math.random) */
  random?: () => number;
  /** for tests: how the plain-http guard resolves `*.localhost` names (default: the system resolver) */
  lookup?: import("./plain-http-guard.js").HostLookup;
}
