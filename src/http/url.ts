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
  if (path.startsWith("/")) {
    if (path.startsWith(basePath)) return path.slice(basePath.length);
    if (basePath.endsWith("/wiki/") && path.startsWith("/wiki/")) return path.slice("/wiki/".length);
    return path.replace(/^\/+/, "");
  }
  // `wiki/rest/api/...` under a Cloud root that already ends in /wiki/ can only be a pasted duplicate.
  if (basePath.endsWith("/wiki/") && path.startsWith("wiki/")) path = path.slice("wiki/".length);
  return path;
}

export interface ResolveUrlOptions {
  query?: Record<string, QueryValue> | undefined;
  allowCrossOrigin?: boolean | undefined;
}

export function resolveRequestUrl(apiBase: URL, path: string, options: ResolveUrlOptions = {}): URL {
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//")) {
    url = new URL(path, apiBase);
    if (url.origin !== apiBase.origin && !options.allowCrossOrigin) {
      throw new UnsafeRequestError(
        `refusing to send a request to ${url.origin}: it is not the profile's API origin (${apiBase.origin})`,
        "pass a path relative to the API root (e.g. rest/api/user/current), or a URL on the same origin",
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UnsafeRequestError(`unsupported URL scheme ${url.protocol}`, "use an https:// URL or a path");
    }
  } else {
    url = new URL(relativeToApiBase(apiBase, path), apiBase);
  }
  appendQuery(url, options.query);
  return url;
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

/** Hosts where plain http cannot leave the machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  if (/^::ffff:127\./.test(host)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The origin a product's paths hang off: the part of the API root before `/wiki/` (Cloud) or the root itself. */
export function originRoot(apiBase: URL): URL {
  const root = new URL(apiBase);
  if (root.pathname.endsWith("/wiki/")) root.pathname = root.pathname.slice(0, -"wiki/".length);
  return root;
}
