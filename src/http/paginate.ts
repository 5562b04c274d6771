/**
 * Following Confluence's next links. Both API generations hide a trap (confluence-api.md §1.10):
 * - v2 `_links.next` is relative to the ORIGIN and already contains `/wiki` (`/wiki/api/v2/pages?cursor=…`)
 *   while `_links.base` ends in `/wiki`; through the gateway it also lacks `/ex/confluence/{cloudId}`.
 *   So we take only its query string and re-issue it against the path we originally asked for.
 * - v1 `_links.next` is relative to `_links.base` (`/rest/api/space?start=25`), so it is resolved against
 *   our own API root, never glued onto `base`.
 * The end of the list is the absence of a next link, not a short page (servers cap `limit` silently).
 */

import { InvalidResponseError } from "./errors.js";
import type { HttpResponse, QueryValue, RequestOptions } from "./types.js";
import { relativeToApiBase } from "./url.js";

export interface PageRequest {
  path: string;
  query?: Record<string, QueryValue> | undefined;
}

/** A `Link: <…>; rel="next"` target, if any. */
export function linkHeaderNext(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /\brel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2] ?? "")) return match[1];
  }
  return undefined;
}

/** `_links.next` from the body, else the Link header. */
export function findNextLink(data: unknown, headers: Headers): string | undefined {
  if (data && typeof data === "object" && !Array.isArray(data)) {
    const links = (data as { _links?: unknown })._links;
    if (links && typeof links === "object") {
      const next = (links as { next?: unknown }).next;
      if (typeof next === "string" && next !== "") return next;
    }
  }
  return linkHeaderNext(headers.get("link"));
}

function isV2Path(path: string): boolean {
  return /(^|\/)api\/v2\//.test(path);
}

/**
 * The request for the page after `current`, or undefined at the end. `apiBase` is our own root: the
 * next link's origin and prefix are never trusted.
 */
export function nextPageRequest(
  apiBase: URL,
  current: PageRequest,
  nextLink: string | undefined,
): PageRequest | undefined {
  if (!nextLink) return undefined;
  const next = new URL(nextLink, "http://next.invalid");
  // The keys come from the server: no prototype, so `?__proto__=…` is only a (strange) parameter.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const key of new Set(next.searchParams.keys())) {
    const values = next.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const currentPath = current.path.split("?")[0] ?? current.path;
  const absoluteCurrent = /^[a-z][a-z0-9+.-]*:/i.test(currentPath);
  if (isV2Path(next.pathname) && !absoluteCurrent) {
    // Re-issue the cursor against the path we asked for, under our root (gateway-safe).
    return { path: relativeToApiBase(apiBase, currentPath), query };
  }
  // v1: `/rest/api/...` relative to `_links.base`; also copes with `/wiki/rest/...` and absolute links.
  return { path: relativeToApiBase(apiBase, next.pathname), query };
}

export interface PageIteratorOptions {
  apiBase: URL;
  request: <T>(options: RequestOptions) => Promise<HttpResponse<T>>;
  options: RequestOptions;
  /** bound on pages so a server that keeps sending the same link cannot loop forever */
  maxPages?: number;
}

/** Every page's response, in order. */
export async function* iteratePages<T = unknown>(init: PageIteratorOptions): AsyncGenerator<HttpResponse<T>> {
  const { apiBase, request } = init;
  const maxPages = init.maxPages ?? 10_000;
  let page: PageRequest | undefined = { path: init.options.path, query: init.options.query };
  const seen = new Set<string>();
  for (let n = 0; page && n < maxPages; n++) {
    const response: HttpResponse<T> = await request<T>({
      ...init.options,
      path: page.path,
      query: page.query,
    });
    yield response;
    const link = findNextLink(response.data, response.headers);
    const nextPage = nextPageRequest(apiBase, page, link);
    if (nextPage) {
      const key = JSON.stringify(nextPage);
      if (seen.has(key)) {
        throw new InvalidResponseError(
          `pagination loop: the server sent the same next link twice (${link})`,
          {
            url: response.url,
            hint: "this is a server bug; use --limit to fetch fewer items",
          },
        );
      }
      seen.add(key);
    }
    page = nextPage;
  }
}

/** The `results` array of a page (v1 and v2), or the page itself when it is an array. */
export function pageItems<T>(data: unknown): T[] | undefined {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === "object") {
    const results = (data as { results?: unknown }).results;
    if (Array.isArray(results)) return results as T[];
  }
  return undefined;
}

export async function* iterateItems<T = unknown>(
  init: PageIteratorOptions & { limit?: number | undefined },
): AsyncGenerator<T> {
  let count = 0;
  const limit = init.limit;
  if (limit !== undefined && limit <= 0) return;
  for await (const page of iteratePages(init)) {
    const items = pageItems<T>(page.data);
    if (!items) {
      throw new InvalidResponseError(`expected a list with results[] from ${page.url}`, {
        url: page.url,
        status: page.status,
        hint: "this endpoint does not return a paged list",
      });
    }
    for (const item of items) {
      yield item;
      count++;
      if (limit !== undefined && count >= limit) return;
    }
  }
}
