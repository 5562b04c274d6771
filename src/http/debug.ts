/**
 * --debug lines for requests and responses. Every line goes through redactText (registered secrets,
 * Authorization/Cookie values, tokens in query strings and JSON bodies) and credential headers are
 * masked by name first, so a secret that was never registered still cannot leak through a header.
 */
import { redactText, safeServerText } from "../redact.js";

const ALWAYS_SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-atlassian-token-secret",
]);

export function maskHeaderValue(name: string, value: string, secretHeaders: ReadonlySet<string>): string {
  const lower = name.toLowerCase();
  if (lower === "authorization" || lower === "proxy-authorization") {
    const scheme = /^(\S+)\s/.exec(value)?.[1];
    return scheme ? `${scheme} ***` : "***";
  }
  if (lower === "cookie" || lower === "set-cookie") return maskCookie(value);
  if (ALWAYS_SECRET_HEADERS.has(lower) || secretHeaders.has(lower)) return "***";
  return safeServerText(value);
}

/** Set-Cookie attributes without a value: not secret, and they tell how the cookie was set. */
const BARE_COOKIE_ATTRIBUTES = /^(httponly|secure|partitioned)$/i;

/**
 * Keeps cookie names: "JSESSIONID=***; other=***" tells what was sent without the values. A part
 * without "=" is a bare value (a pasted session id, an SSO proxy's token), so it is hidden whole.
 */
function maskCookie(value: string): string {
  return value
    .split(/;\s*/)
    .filter((part) => part.trim() !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      if (eq >= 0) return `${safeServerText(part.slice(0, eq))}=***`;
      return BARE_COOKIE_ATTRIBUTES.test(part.trim()) ? part.trim() : "***";
    })
    .join("; ");
}

export function formatHeaders(headers: Headers, secretHeaders: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  headers.forEach((value, name) => {
    lines.push(`  ${name}: ${maskHeaderValue(name, value, secretHeaders)}`);
  });
  return lines;
}

export function describeBody(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  // redacted before it is cut, so a secret across the cut is not left mostly whole
  if (typeof body === "string") return safeServerText(body, 2000);
  if (body instanceof Uint8Array) return `<${body.byteLength} bytes>`;
  // never `instanceof FormData`: touching that global loads undici's fetch (node-transport.ts)
  if (Object.prototype.toString.call(body) === "[object FormData]") return "<multipart form data>";
  if (typeof Blob !== "undefined" && body instanceof Blob) return `<blob ${body.size} bytes>`;
  if (body instanceof URLSearchParams) return redactText(body.toString());
  return "<stream>";
}
