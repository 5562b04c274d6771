/**
 * CQL search through v1 `GET …/rest/api/search`, the one search route on Cloud (v2 has no query
 * language, confluence-api.md §1.1) and on Data Center. It pages by a cursor inside `_links.next`, and
 * servers cap `limit` silently (Cloud 50, DC 100, §1.10–§1.11), so the page size asked for is capped
 * the same way and the end is the missing next link.
 */

import { type ConfluenceClient, idString, isObject, listItems, stringOrNull } from "./client.js";
import { decodeEntities } from "./storage-text.js";
import type { SearchResult } from "./types.js";

export interface SearchOptions {
  cql: string;
  /** stop after this many; undefined = all */
  limit?: number | undefined;
}

/** Cloud caps a search page at 50 results, Data Center at 100 (§1.11; the simulator does the same). */
export function searchPageCap(client: ConfluenceClient): number {
  return client.deployment === "dc" ? 100 : 50;
}

function plainExcerpt(value: unknown): string {
  if (typeof value !== "string") return "";
  // `excerpt=highlight` marks hits with @@@hl@@@ … @@@endhl@@@ and may carry HTML entities
  return decodeEntities(value.replace(/@@@(end)?hl@@@/g, "").replace(/<[^>]*>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
}

function spaceKeyFromUrl(url: unknown): string | null {
  if (typeof url !== "string") return null;
  const match = /\/(?:spaces|display)\/([^/?#]+)/.exec(url);
  return match ? decodeURIComponent(match[1]!) : null;
}

export function fromSearchResult(client: ConfluenceClient, raw: unknown): SearchResult {
  const r = isObject(raw) ? raw : {};
  const content = isObject(r.content) ? r.content : {};
  const space = isObject(content.space) ? content.space : {};
  const container = isObject(r.resultGlobalContainer) ? r.resultGlobalContainer : {};
  const links = isObject(content._links) ? content._links : {};
  return {
    id: idString(content.id) ?? "",
    type: stringOrNull(content.type) ?? stringOrNull(r.entityType) ?? "",
    title: stringOrNull(content.title) ?? stringOrNull(r.title) ?? "",
    spaceKey: stringOrNull(space.key) ?? spaceKeyFromUrl(container.displayUrl),
    excerpt: plainExcerpt(r.excerpt),
    lastModified: stringOrNull(r.lastModified),
    webUrl: client.webUrl(stringOrNull(links.webui) ?? stringOrNull(r.url)),
  };
}

export async function* search(
  client: ConfluenceClient,
  options: SearchOptions,
): AsyncGenerator<SearchResult> {
  for await (const raw of listItems<unknown>(client, {
    path: "rest/api/search",
    query: { cql: options.cql, expand: "content.space" },
    limit: options.limit,
    maxPageSize: searchPageCap(client),
  }))
    yield fromSearchResult(client, raw);
}
