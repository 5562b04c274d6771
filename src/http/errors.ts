/**
 * Typed HTTP errors. Callers (the auth core's diagnoses, commands) branch on the class or `kind`, never
 * on message text. Every message is one line, already stripped of terminal control sequences and
 * redacted before it was cut to length; `hint` says what to do about it.
 */
import { STATUS_CODES } from "node:http";
import { describeScopeNeed, scopeNeedFor } from "../auth/oauth/scopes.js";
import { ConflError, ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import { redactText, safeServerText } from "../redact.js";
import { htmlTitle, looksLikeHtml } from "./html-page.js";

export type HttpErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "gone"
  | "payload_too_large"
  | "rate_limited"
  | "client_error"
  | "server_error";

/** Which body shape the Atlassian message came from. */
export type AtlassianEnvelope = "v1" | "v2" | "gateway" | "message" | "html" | "text" | "none";

export interface AtlassianErrorInfo {
  /** The human message the server gave, cleaned of Java exception class names. */
  message: string | undefined;
  /** v2 `errors[].code`, gateway `code` as text, or the DC `reason`. */
  code: string | undefined;
  envelope: AtlassianEnvelope;
  /** `<title>` of an HTML page (SSO login pages, proxies, Tomcat error pages). */
  htmlTitle?: string;
}

export interface HttpErrorDetails {
  status: number;
  method: string;
  /** redacted */
  url: string;
  headers: Headers;
  bodyText?: string;
  /** set when the request was not retried because the method is not idempotent */
  notReplayed?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

const BODY_SNIPPET_LENGTH = 500;

export class HttpError extends ConflError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly atlassianMessage: string | undefined;
  readonly atlassianCode: string | undefined;
  readonly envelope: AtlassianEnvelope;
  readonly headers: Headers;
  readonly bodySnippet: string;
  readonly kind: HttpErrorKind;

  constructor(
    kind: HttpErrorKind,
    details: HttpErrorDetails,
    options: { hint?: string; exitCode?: ExitCodeValue; message?: string } = {},
  ) {
    const info = parseAtlassianError(details.status, details.headers, details.bodyText ?? "");
    const url = redactText(details.url);
    const what = info.message ?? info.htmlTitle;
    const base = `${details.method} ${url} failed: ${`${details.status} ${statusText(details.status)}`.trim()}`;
    let message = options.message ?? (what ? `${base}: ${oneLine(what)}` : base);
    if (details.notReplayed)
      message += ` (${details.method} is not idempotent, so it was not retried; the request may or may not have been applied)`;
    super(redactText(message), {
      hint: options.hint,
      exitCode: options.exitCode ?? ExitCode.FAILURE,
      code: `http.${kind}`,
      cause: details.cause,
    });
    this.status = details.status;
    this.method = details.method;
    this.url = url;
    this.atlassianMessage = info.message;
    this.atlassianCode = info.code;
    this.envelope = info.envelope;
    this.headers = details.headers;
    // redacted whole, then cut: cutting first would leave most of a secret that straddles the cut
    this.bodySnippet = safeServerText(details.bodyText ?? "", BODY_SNIPPET_LENGTH);
    this.kind = kind;
  }
}

/** A "scope does not match" answer: which scopes the refused operation lists in Atlassian's specs. */
function scopeRefusalHint(method: string, url: string): string {
  const need = scopeNeedFor(method, url);
  if (!need)
    return "the token's scopes do not cover this endpoint: give it the scopes this operation lists in Atlassian's API reference";
  return `the token's scopes do not cover ${need.method} ${need.path}, which needs ${describeScopeNeed(need)}; a scoped token needs a new token with them, OAuth a new login with them in --scopes`;
}

export class BadRequestError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("bad_request", details, { hint: "check the path, query parameters and request body" });
  }
}

export class UnauthorizedError extends HttpError {
  constructor(details: HttpErrorDetails) {
    const scope = /scope does not match/i.test(details.bodyText ?? "");
    super("unauthorized", details, {
      exitCode: ExitCode.AUTH,
      hint: scope
        ? scopeRefusalHint(details.method, details.url)
        : "the credential was rejected; `confl auth status` checks every profile, and logging in again replaces it",
    });
  }
}

export class ForbiddenError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("forbidden", details, {
      exitCode: ExitCode.AUTH,
      hint: "the account lacks permission here, or Confluence rejected the credential and treated you as anonymous; run `confl auth status`",
    });
  }
}

export class NotFoundError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("not_found", details, {
      hint: "check the path and id; a 404 can also mean you lack permission (Confluence hides what you cannot see)",
    });
  }
}

export class ConflictError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("conflict", details, {
      hint: "someone else changed it first: fetch the current version and send version.number + 1",
    });
  }
}

export class GoneError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("gone", details, { hint: "this v1 endpoint was removed; use the v2 API (api/v2/...)" });
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("payload_too_large", details, {
      hint: "the body is larger than the server accepts (about 5 MB for page bodies); split it up",
    });
  }
}

export class RateLimitError extends HttpError {
  /** How long the server asked us to wait, when it said so. */
  readonly retryAfterMs: number | undefined;
  constructor(details: HttpErrorDetails, message?: string) {
    const wait =
      details.retryAfterMs === undefined ? undefined : `retry in ${formatDuration(details.retryAfterMs)}`;
    super("rate_limited", details, {
      message,
      hint: wait
        ? `${wait}; for bulk work, lower --rate-limit`
        : "wait a little and retry; lower --rate-limit for bulk work",
    });
    this.retryAfterMs = details.retryAfterMs;
  }
}

export class ServerError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("server_error", details, {
      hint: details.notReplayed
        ? "check whether the change was made before running it again"
        : "the server failed; try again later, and check https://status.atlassian.com for Cloud",
    });
  }
}

export class ClientError extends HttpError {
  constructor(details: HttpErrorDetails) {
    super("client_error", details, {});
  }
}

/** DNS failure, connection refused or reset, proxy failure: no HTTP response at all. */
export class NetworkError extends ConflError {
  readonly url: string;
  readonly method: string;
  /** Node's error code (ECONNREFUSED, ENOTFOUND, ECONNRESET, UND_ERR_SOCKET, ...) */
  readonly networkCode: string | undefined;
  constructor(
    message: string,
    init: { url: string; method: string; networkCode?: string; hint?: string; cause?: unknown },
  ) {
    super(redactText(message), { code: "http.network", hint: init.hint, cause: init.cause });
    this.url = redactText(init.url);
    this.method = init.method;
    this.networkCode = init.networkCode;
  }
}

export type TlsProblem = "unknown_ca" | "expired" | "hostname_mismatch" | "client_certificate" | "other";

export class TlsError extends ConflError {
  readonly url: string;
  readonly problem: TlsProblem;
  readonly networkCode: string | undefined;
  constructor(
    message: string,
    init: { url: string; problem: TlsProblem; networkCode?: string; hint?: string; cause?: unknown },
  ) {
    super(redactText(message), { code: `http.tls.${init.problem}`, hint: init.hint, cause: init.cause });
    this.url = redactText(init.url);
    this.problem = init.problem;
    this.networkCode = init.networkCode;
  }
}

export class TimeoutError extends ConflError {
  readonly url: string;
  readonly timeoutMs: number;
  constructor(message: string, init: { url: string; timeoutMs: number; hint?: string; cause?: unknown }) {
    super(redactText(message), { code: "http.timeout", hint: init.hint, cause: init.cause });
    this.url = redactText(init.url);
    this.timeoutMs = init.timeoutMs;
  }
}

/** The server answered, but not with what we can use: truncated JSON, HTML where JSON was expected. */
export class InvalidResponseError extends ConflError {
  readonly url: string;
  readonly status: number | undefined;
  constructor(message: string, init: { url: string; status?: number; hint?: string; cause?: unknown }) {
    super(redactText(message), { code: "http.invalid_response", hint: init.hint, cause: init.cause });
    this.url = redactText(init.url);
    this.status = init.status;
  }
}

/** A redirect the policy will not follow (https→http downgrade, too many hops, stream body on 307). */
export class RedirectError extends ConflError {
  readonly url: string;
  constructor(message: string, init: { url: string; hint?: string }) {
    super(redactText(message), { code: "http.redirect_refused", hint: init.hint });
    this.url = redactText(init.url);
  }
}

/** Refused before sending: a credential would travel in clear text, or a URL is off-origin. */
/** A request confl refuses to send (another host, a downgrade, a path out of the API): exit 2. */
export class UnsafeRequestError extends UsageError {
  constructor(message: string, hint: string) {
    super(redactText(message), { code: "http.unsafe_request", hint });
  }
}

/** Builds the typed error for a non-2xx response. */
export function httpErrorFromResponse(details: HttpErrorDetails): HttpError {
  const status = details.status;
  if (status === 400) return new BadRequestError(details);
  if (status === 401) return new UnauthorizedError(details);
  if (status === 403) return new ForbiddenError(details);
  if (status === 404) return new NotFoundError(details);
  if (status === 409) return new ConflictError(details);
  if (status === 410) return new GoneError(details);
  if (status === 413) return new PayloadTooLargeError(details);
  if (status === 429) return new RateLimitError(details);
  if (status >= 500) return new ServerError(details);
  return new ClientError(details);
}

/**
 * The message from any Atlassian error body: v1/DC `{statusCode, message, reason}`, v2
 * `{errors:[{title, detail, code}]}`, gateway `{code, message}` (confluence-api.md §1.14), a bare
 * `{message}` (DC 429, some 403s), an HTML page's `<title>`, or the first line of plain text.
 */
export function parseAtlassianError(status: number, headers: Headers, bodyText: string): AtlassianErrorInfo {
  // Every field is server text: made one safe line here, so no caller can cut or print it raw.
  const info = parseBody(status, headers, bodyText);
  const safe = (text: string | undefined) => (text === undefined ? undefined : oneLine(text) || undefined);
  const out: AtlassianErrorInfo = {
    message: safe(info.message),
    code: safe(info.code),
    envelope: info.envelope,
  };
  const htmlTitle = safe(info.htmlTitle);
  if (htmlTitle !== undefined) out.htmlTitle = htmlTitle;
  return out;
}

function parseBody(status: number, headers: Headers, bodyText: string): AtlassianErrorInfo {
  void status;
  const text = bodyText.trim();
  if (text === "") return { message: undefined, code: undefined, envelope: "none" };
  const contentType = headers.get("content-type") ?? "";
  if (text.startsWith("{") || text.startsWith("[") || /json/i.test(contentType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const body = parsed as Record<string, unknown>;
      if (Array.isArray(body.errors) && body.errors.length > 0) {
        const parts: string[] = [];
        let code: string | undefined;
        for (const entry of body.errors) {
          if (!entry || typeof entry !== "object") continue;
          const e = entry as Record<string, unknown>;
          code ??= typeof e.code === "string" ? e.code : undefined;
          const title =
            typeof e.title === "string" ? e.title : typeof e.message === "string" ? e.message : "";
          const detail = typeof e.detail === "string" ? e.detail : "";
          const piece = [title, detail].filter((s) => s !== "").join(": ");
          if (piece) parts.push(piece);
        }
        return { message: parts.length ? parts.join("; ") : undefined, code, envelope: "v2" };
      }
      if (typeof body.message === "string") {
        const message = cleanJavaMessage(body.message);
        if (typeof body.statusCode === "number")
          return { message, code: typeof body.reason === "string" ? body.reason : undefined, envelope: "v1" };
        if (typeof body.code === "number" || typeof body.code === "string")
          return { message, code: String(body.code), envelope: "gateway" };
        return { message, code: undefined, envelope: "message" };
      }
      if (typeof body.errorMessage === "string")
        return { message: body.errorMessage, code: undefined, envelope: "message" };
      if (Array.isArray(body.errorMessages) && typeof body.errorMessages[0] === "string")
        return { message: body.errorMessages.join("; "), code: undefined, envelope: "message" };
    }
  }
  // an XHTML page may open with its XML declaration
  if (looksLikeHtml(contentType, text) || /^<\?xml/i.test(text)) {
    const title = htmlTitle(text);
    const cleanTitle = title ? decodeEntities(title).replace(/\s+/g, " ").trim() : undefined;
    return { message: undefined, code: undefined, envelope: "html", htmlTitle: cleanTitle || undefined };
  }
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  return { message: firstLine, code: undefined, envelope: "text" };
}

/**
 * v1 messages are Java exception strings: "com.atlassian...GoneException: This deprecated endpoint has
 * been removed." and "...StacklessResponseStatusException: 403 FORBIDDEN \"Request rejected ...\""
 * (confluence-api.md §1.12-1.13). Keep the sentence a person can act on.
 */
function cleanJavaMessage(message: string): string {
  let out = message.trim().replace(/^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error):\s*/, "");
  const quoted = /^\d{3} [A-Z_ ]+ "(.*)"$/.exec(out);
  if (quoted?.[1]) out = quoted[1];
  return out;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** Server text for a one-line message: controls stripped, redacted, then (only then) cut to length. */
function oneLine(s: string): string {
  return safeServerText(stripControlsToSpaces(s).replace(/\s+/g, " ").trim(), 300);
}

/** Newlines and tabs become spaces before safeServerText drops the rest of the control characters. */
function stripControlsToSpaces(s: string): string {
  return s.replace(/[\n\t]/g, " ");
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? "";
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}
