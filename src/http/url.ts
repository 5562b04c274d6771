/**
 * Turning a request path into a URL under the profile's API root. Paths are relative to the root
 * (`rest/api/user/current`, `api/v2/spaces`), so one call works on a Cloud site
 * (https://acme.atlassian.net/wiki/), through the gateway (https://api.atlassian.com/ex/confluence/{id}/wiki/)
 * and on Data Center under a context path (https://dc.example.com/confluence/).
 */

import { UnsafeRequestError } from "./errors.js";
import type { QueryValue } from "./types.js";

export function toApiBase(apiBase: string | URL): URL {
  const url = new URL(String(apiBase));
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.search = "";
  url.hash = "";
  return url;
}

/**
 * A path the user pasted with a leading `/`, made relative to the root. People copy paths from
 * Atlassian's docs (`/wiki/rest/api/space`) or from a browser (`/confluence/rest/api/...`) and from
 * `_links.next`, which already contains `/wiki` (confluence-api.md §1.10): joining those naively gives
 * `/wiki/wiki/...` (404) or loses the gateway's `/ex/confluence/{cloudId}`.
 */
export function relativeToApiBase(apiBase: URL, pathWithQuery: string): string {
  const basePath = apiBase.pathname;
  let path = pathWithQuery;
  // `//host`, `/\host` (and the like) name another host to the URL parser: left alone, they resolve to
  // that host and are refused by the scope check, instead of being quietly reinterpreted.
  if (path.startsWith("/") && !/^\/[/\\]/.test(path)) {
    if (path.startsWith(basePath)) return path.slice(basePath.length);
    if (basePath.endsWith("/wiki/") && path.startsWith("/wiki/")) return path.slice("/wiki/".length);
    return path.slice(1);
  }
  // `wiki/rest/api/...` under a Cloud root that already ends in /wiki/ can only be a pasted duplicate.
  if (basePath.endsWith("/wiki/") && path.startsWith("wiki/")) path = path.slice("wiki/".length);
  return path;
}

export interface ResolveUrlOptions {
  query?: Record<string, QueryValue> | undefined;
  /**
   * Where requests may go: URL prefixes (origin plus a path ending in `/`). Default: the credential scope
   * of `apiBase` (see credentialScope).
   */
  scope?: readonly URL[] | undefined;
}

/**
 * The part of an origin a profile's credential belongs to, as a URL prefix ending in `/`:
 * - the gateway: `/ex/confluence/{cloudId}/` (another cloud id or `/oauth/...` on the same host is not ours);
 * - a Cloud site (`/wiki/` root): the whole site, since Jira and Confluence share it and one credential;
 * - anything else (Data Center): the API root itself, i.e. the context path (`/confluence/`), so `/jira/`
 *   on the same host never gets Confluence's credential.
 */
export function credentialScope(apiBase: URL, deployment?: "cloud" | "dc"): URL {
  const scope = new URL(apiBase.href);
  scope.search = "";
  scope.hash = "";
  const gateway = /^\/ex\/[^/]+\/[^/]+\//.exec(scope.pathname);
  if (gateway) scope.pathname = gateway[0];
  else if (deployment !== "dc" && scope.pathname === "/wiki/") scope.pathname = "/";
  return scope;
}

/** `url` is under `prefix`: same origin, and its path starts with the prefix's path. */
export function isUnder(url: URL, prefix: URL): boolean {
  return url.origin === prefix.origin && url.pathname.startsWith(prefix.pathname);
}

/**
 * Resolves a request path exactly as fetch will, then checks the result. The check is made on the URL
 * that will be sent (re-parsed from the string handed to fetch), never on the shape of the input: the
 * WHATWG parser strips leading/trailing C0 controls and spaces, drops tabs and newlines anywhere, reads
 * `\` as `/` in http(s) URLs and resolves `..` and `%2e%2e`, so `\\evil.example/x`, ` //evil.example`,
 * `/wiki///evil.example/x` or `rest/../../../jira` only show where they lead once resolved.
 */
export function resolveRequestUrl(apiBase: URL, path: string, options: ResolveUrlOptions = {}): URL {
  const scope = options.scope ?? [credentialScope(apiBase)];
  let url: URL;
  try {
    url = new URL(relativeToApiBase(apiBase, path), apiBase);
  } catch {
    throw new UnsafeRequestError(
      `not a valid request path or URL: ${printable(path)}`,
      "pass a path relative to the API root (e.g. rest/api/user/current), or a URL on the profile's site",
    );
  }
  appendQuery(url, options.query);
  assertRequestAllowed(url, scope, path);
  return url;
}

/**
 * The one gate every request passes (the first one, every next link, every retry): throws unless the
 * URL, as fetch will parse it, is http(s), carries no user:password@, and lies under one of `scope`.
 */
export function assertRequestAllowed(url: URL, scope: readonly URL[], input?: string): void {
  const sent = new URL(url.href);
  const asked = input !== undefined && input !== sent.href ? `${printable(input)} resolves to ` : "";
  if (sent.protocol !== "http:" && sent.protocol !== "https:") {
    throw new UnsafeRequestError(
      `refusing to send a request to a ${sent.protocol} URL`,
      "use a path relative to the API root, or an https:// URL on the profile's site",
    );
  }
  if (sent.username !== "" || sent.password !== "") {
    throw new UnsafeRequestError(
      "refusing a request URL with a user name or password in it (user:password@)",
      "remove the user:password@ part; confl sends the profile's own credential",
    );
  }
  if (climbsOut(sent.pathname)) {
    throw new UnsafeRequestError(
      `refusing to send a request to ${asked}${sent.origin}${sent.pathname}: a path segment climbs up ('..' hidden by encoding or ';')`,
      "pass the path without '..' segments",
    );
  }
  if (scope.some((prefix) => isUnder(sent, prefix))) return;
  const home = scope[0];
  const where = `${sent.origin}${sent.pathname}`;
  if (home && sent.origin === home.origin) {
    throw new UnsafeRequestError(
      `refusing to send a request to ${asked}${where}: it is outside this profile's API (${home.href})`,
      "a path may not climb out of the API root with '..'; pass a path such as rest/api/user/current",
    );
  }
  throw new UnsafeRequestError(
    `refusing to send a request to ${asked}${where}: it is not this profile's site (${home?.origin ?? "none"})`,
    `confl only sends a profile's requests to its own site; pass a path such as rest/api/user/current`,
  );
}

/**
 * A `..` the WHATWG parser left in place but a server may still honour: percent-encoded slashes around
 * it (`..%2f`), or a path parameter (`..;/`, which Tomcat, and so Confluence and Jira, reads as `..`).
 */
function climbsOut(pathname: string): boolean {
  for (const segment of pathname.split("/")) {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // a stray % is sent as it is; it cannot form a dot segment
    }
    for (const part of decoded.split(/[/\\]/)) {
      if (part.split(";")[0] === "..") return true;
    }
  }
  return false;
}

/** For messages: the input with control characters shown as escapes, so a message cannot hide them. */
function printable(text: string): string {
  const escaped = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  return escaped.slice(1, -1);
}

export function appendQuery(url: URL, query: Record<string, QueryValue> | undefined): void {
  if (!query) return;
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      // Confluence takes repeated keys for arrays on v1 and comma lists on v2; callers who need the
      // comma form pass a joined string.
      url.searchParams.delete(key);
      for (const item of value) url.searchParams.append(key, String(item));
    } else {
      url.searchParams.set(key, String(value));
    }
  }
}
