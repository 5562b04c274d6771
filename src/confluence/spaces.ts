/**
 * Spaces. Cloud: v2 `GET /spaces` (filter by `keys`, `type`, `status`; `description-format=plain` adds the
 * description) — v2 has no get-by-key, so a key lookup is a filtered list (confluence-api.md §1.2).
 * Data Center: v1 `GET /rest/api/space` and `/rest/api/space/{key}` (§5.1), where `id` is a number.
 */
import {
  type ConfluenceClient,
  idString,
  isObject,
  listItems,
  memoised,
  NotFoundError,
  orNotFound,
  stringOrNull,
} from "./client.js";
import type { Space } from "./types.js";

export interface ListSpacesOptions {
  type?: "global" | "personal" | undefined;
  status?: "current" | "archived" | undefined;
  limit?: number | undefined;
}

export function fromV2Space(client: ConfluenceClient, raw: unknown): Space {
  const s = isObject(raw) ? raw : {};
  const links = isObject(s._links) ? s._links : {};
  client.learnBase(links.base);
  const description = isObject(s.description) && isObject(s.description.plain) ? s.description.plain : {};
  return {
    id: idString(s.id) ?? "",
    key: stringOrNull(s.key) ?? "",
    name: stringOrNull(s.name) ?? "",
    type: stringOrNull(s.type) ?? "",
    status: stringOrNull(s.status) ?? "",
    homepageId: idString(s.homepageId),
    description: stringOrNull(description.value),
    webUrl: client.webUrl(stringOrNull(links.webui) ?? `/spaces/${encodeURIComponent(String(s.key ?? ""))}`),
  };
}

export function fromV1Space(client: ConfluenceClient, raw: unknown): Space {
  const s = isObject(raw) ? raw : {};
  const links = isObject(s._links) ? s._links : {};
  const expandable = isObject(s._expandable) ? s._expandable : {};
  const description = isObject(s.description) && isObject(s.description.plain) ? s.description.plain : {};
  // The homepage id comes expanded (`homepage.id`) or only as the `_expandable` link to it.
  const homepageLink = stringOrNull(expandable.homepage)?.match(/\/content\/(\d+)/)?.[1] ?? null;
  return {
    id: idString(s.id) ?? "",
    key: stringOrNull(s.key) ?? "",
    name: stringOrNull(s.name) ?? "",
    type: stringOrNull(s.type) ?? "",
    status: stringOrNull(s.status) ?? "current",
    homepageId: (isObject(s.homepage) ? idString(s.homepage.id) : null) ?? homepageLink,
    description: stringOrNull(description.value),
    webUrl: client.webUrl(stringOrNull(links.webui)),
  };
}

export async function* listSpaces(
  client: ConfluenceClient,
  options: ListSpacesOptions = {},
): AsyncGenerator<Space> {
  if (client.contentApi === "v2") {
    for await (const raw of listItems(client, {
      path: "api/v2/spaces",
      query: { type: options.type, status: options.status, sort: "key" },
      limit: options.limit,
    }))
      yield fromV2Space(client, raw);
    return;
  }
  for await (const raw of listItems(client, {
    path: "rest/api/space",
    query: { type: options.type, status: options.status },
    limit: options.limit,
    maxPageSize: 100,
  }))
    yield fromV1Space(client, raw);
}

/** One space by key, with its description. Unknown key → NotFoundError. */
export async function getSpace(client: ConfluenceClient, key: string): Promise<Space> {
  const what = `space ${key}`;
  if (client.contentApi === "v2") {
    const response = await client.http.request<{ results?: unknown[]; _links?: { base?: unknown } }>({
      path: "api/v2/spaces",
      query: { keys: key, "description-format": "plain", limit: 1 },
    });
    client.learnBase(response.data?._links?.base);
    const raw = response.data?.results?.[0];
    if (!raw) throw new NotFoundError(what);
    return fromV2Space(client, raw);
  }
  const response = await orNotFound(what, () =>
    client.http.request<unknown>({
      path: `rest/api/space/${encodeURIComponent(key)}`,
      query: { expand: "description.plain,homepage" },
    }),
  );
  return fromV1Space(client, response.data);
}

/** v2 only knows space ids; commands speak keys. Memoised per command run. */
export function spaceIdForKey(client: ConfluenceClient, key: string): Promise<string> {
  return memoised(client, `space-id:${key}`, async () => (await getSpace(client, key)).id);
}

/** The key of a v2 space id (pages carry only spaceId); null when the space cannot be read. */
export function spaceKeyForId(client: ConfluenceClient, id: string): Promise<string | null> {
  return memoised(client, `space-key:${id}`, async () => {
    if (client.contentApi !== "v2") return null;
    const response = await client.http.request<{ results?: unknown[] }>({
      path: "api/v2/spaces",
      query: { ids: id, limit: 1 },
    });
    const raw = response.data?.results?.[0];
    return isObject(raw) ? stringOrNull(raw.key) : null;
  });
}
