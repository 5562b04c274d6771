/**
 * --debug lines for requests and responses. Every line goes through redactText (registered secrets,
 * Authorization/Cookie values, tokens in query strings and JSON bodies) and credential headers are
 * masked by name first, so a secret that was never registered still cannot leak through a header.
 */
import { redactText } from "../redact.js";

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
  if (lower === "cookie" || lower === "set-cookie") {
    // keep cookie names: "JSESSIONID=***; other=***" tells what was sent without the values
    return value
      .split(/;\s*/)
      .map((part) => part.replace(/=.*/, "=***"))
      .join("; ");
  }
  if (ALWAYS_SECRET_HEADERS.has(lower) || secretHeaders.has(lower)) return "***";
  return redactText(value);
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
  if (typeof body === "string") return redactText(body.length > 2000 ? `${body.slice(0, 2000)}…` : body);
  if (body instanceof Uint8Array) return `<${body.byteLength} bytes>`;
  if (typeof FormData !== "undefined" && body instanceof FormData) return "<multipart form data>";
  if (typeof Blob !== "undefined" && body instanceof Blob) return `<blob ${body.size} bytes>`;
  if (body instanceof URLSearchParams) return redactText(body.toString());
  return "<stream>";
}
