/**
 * Pages. Cloud reads them through v2 (`/pages/{id}`, `/spaces/{id}/pages`, `/pages/{id}/direct-children`;
 * `/children` is deprecated in spec-v2), Data Center through v1 (`/rest/api/content…`, `child/page`),
 * confluence-api.md §1.3, §1.6, §5.1. Both come out as confl's Page shape (types.ts).
 */
import {
  type ConfluenceClient,
  idString,
  isObject,
  listItems,
  NotFoundError,
  orNotFound,
  stringOrNull,
} from "./client.js";
import { spaceIdForKey, spaceKeyForId } from "./spaces.js";
import type { ChildPage, Page, PageWithBody, Version } from "./types.js";

/** v1 expansions for a page: its version, space and parent (the last ancestor). */
const V1_EXPAND = "version,space,ancestors";

/** A version object as v2 writes it (pages, comments, attachments). */
export function v2Version(raw: unknown): Version | null {
  if (!isObject(raw) || typeof raw.number !== "number") return null;
  return {
    number: raw.number,
    createdAt: stringOrNull(raw.createdAt),
    authorId: stringOrNull(raw.authorId),
    message: stringOrNull(raw.message),
    minorEdit: raw.minorEdit === true,
  };
}

/** A version object as v1 and Data Center write it (`when`, `by`). */
export function v1Version(raw: unknown): Version | null {
  if (!isObject(raw) || typeof raw.number !== "number") return null;
  const by = isObject(raw.by) ? raw.by : {};
  return {
    number: raw.number,
    createdAt: stringOrNull(raw.when),
    authorId: stringOrNull(by.accountId) || stringOrNull(by.userKey) || stringOrNull(by.username),
    message: stringOrNull(raw.message),
    minorEdit: raw.minorEdit === true,
  };
}

function viewPageUrl(client: ConfluenceClient, id: string): string | null {
  // Both deployments answer this form (Cloud redirects it to the pretty URL).
  return client.webUrl(`/pages/viewpage.action?pageId=${encodeURIComponent(id)}`);
}

export function fromV2Page(client: ConfluenceClient, raw: unknown, spaceKey: string | null): Page {
  const p = isObject(raw) ? raw : {};
  const links = isObject(p._links) ? p._links : {};
  client.learnBase(links.base);
  const id = idString(p.id) ?? "";
  return {
    id,
    title: stringOrNull(p.title) ?? "",
    status: stringOrNull(p.status) ?? "",
    spaceId: idString(p.spaceId),
    spaceKey,
    parentId: idString(p.parentId),
    version: v2Version(p.version),
    webUrl: client.webUrl(stringOrNull(links.webui)) ?? viewPageUrl(client, id),
  };
}

export function fromV1Page(client: ConfluenceClient, raw: unknown): Page {
  const p = isObject(raw) ? raw : {};
  const links = isObject(p._links) ? p._links : {};
  const space = isObject(p.space) ? p.space : {};
  const ancestors = Array.isArray(p.ancestors) ? p.ancestors : [];
  const parent = ancestors[ancestors.length - 1];
  const id = idString(p.id) ?? "";
  return {
    id,
    title: stringOrNull(p.title) ?? "",
    status: stringOrNull(p.status) ?? "",
    spaceId: idString(space.id),
    spaceKey: stringOrNull(space.key),
    parentId: isObject(parent) ? idString(parent.id) : null,
    version: v1Version(p.version),
    webUrl: client.webUrl(stringOrNull(links.webui)) ?? viewPageUrl(client, id),
  };
}

function storageOf(raw: unknown): string {
  const body = isObject(raw) && isObject(raw.body) ? raw.body : {};
  const storage = isObject(body.storage) ? body.storage : {};
  return typeof storage.value === "string" ? storage.value : "";
}

export interface GetPageOptions {
  /** a published version's number; default the current one */
  version?: number | undefined;
}

/** One page with its storage body. Unknown id (or no permission) → NotFoundError. */
export async function getPage(
  client: ConfluenceClient,
  id: string,
  options: GetPageOptions = {},
): Promise<PageWithBody> {
  const what = options.version === undefined ? `page ${id}` : `version ${options.version} of page ${id}`;
  if (client.contentApi === "v2") {
    const response = await orNotFound(what, () =>
      client.http.request<unknown>({
        path: `api/v2/pages/${encodeURIComponent(id)}`,
        query: { "body-format": "storage", version: options.version },
      }),
    );
    const spaceId = isObject(response.data) ? idString(response.data.spaceId) : null;
    const spaceKey = spaceId ? await spaceKeyForId(client, spaceId) : null;
    return { ...fromV2Page(client, response.data, spaceKey), body: { storage: storageOf(response.data) } };
  }
  const response = await orNotFound(what, () =>
    client.http.request<unknown>({
      path: `rest/api/content/${encodeURIComponent(id)}`,
      query: {
        expand: `${V1_EXPAND},body.storage`,
        // an older version is "historical" content on v1 (spec-dc getContentById: status, version)
        ...(options.version === undefined ? {} : { version: options.version, status: "historical" }),
      },
    }),
  );
  return { ...fromV1Page(client, response.data), body: { storage: storageOf(response.data) } };
}

export interface ListPagesOptions {
  spaceKey: string;
  /** exact title match */
  title?: string | undefined;
  limit?: number | undefined;
}

/** Pages of a space (optionally with one exact title), in id order on Cloud, as DC lists them on v1. */
export async function* listPages(client: ConfluenceClient, options: ListPagesOptions): AsyncGenerator<Page> {
  if (client.contentApi === "v2") {
    const spaceId = await spaceIdForKey(client, options.spaceKey);
    for await (const raw of listItems(client, {
      path: `api/v2/spaces/${encodeURIComponent(spaceId)}/pages`,
      query: { title: options.title, status: "current" },
      limit: options.limit,
    }))
      yield fromV2Page(client, raw, options.spaceKey);
    return;
  }
  // v1 lists every space's pages when spaceKey matches nothing; check the space first for a clear error.
  await getSpaceOnce(client, options.spaceKey);
  for await (const raw of listItems(client, {
    path: "rest/api/content",
    query: { type: "page", spaceKey: options.spaceKey, title: options.title, expand: V1_EXPAND },
    limit: options.limit,
    maxPageSize: 100,
  }))
    yield fromV1Page(client, raw);
}

async function getSpaceOnce(client: ConfluenceClient, key: string): Promise<void> {
  await spaceIdForKey(client, key);
}

/** The page titled `title` in space `spaceKey` (titles are unique within a space). */
export async function findPageByTitle(
  client: ConfluenceClient,
  spaceKey: string,
  title: string,
): Promise<Page> {
  for await (const page of listPages(client, { spaceKey, title, limit: 1 })) return page;
  throw new NotFoundError(`page "${title}" in space ${spaceKey}`);
}

export interface ListChildrenOptions {
  limit?: number | undefined;
}

/** Direct children in their tree order (childPosition). Unknown parent → NotFoundError. */
export async function* listChildren(
  client: ConfluenceClient,
  id: string,
  options: ListChildrenOptions = {},
): AsyncGenerator<ChildPage> {
  const what = `page ${id}`;
  const v2 = client.contentApi === "v2";
  const items = listItems<unknown>(client, {
    path: v2
      ? `api/v2/pages/${encodeURIComponent(id)}/direct-children`
      : `rest/api/content/${encodeURIComponent(id)}/child/page`,
    query: v2 ? {} : { expand: "version,space" },
    limit: options.limit,
    maxPageSize: v2 ? 250 : 100,
  });
  const iterator = items[Symbol.asyncIterator]();
  // Only the first request can say "no such parent"; later 404s are real failures.
  let first = await orNotFound(what, () => iterator.next());
  for (let position = 0; !first.done; position++) {
    yield v2 ? fromV2Child(client, first.value, id) : fromV1Child(client, first.value, id, position);
    first = await iterator.next();
  }
}

function fromV2Child(client: ConfluenceClient, raw: unknown, parentId: string): ChildPage {
  const c = isObject(raw) ? raw : {};
  const id = idString(c.id) ?? "";
  return {
    id,
    title: stringOrNull(c.title) ?? "",
    status: stringOrNull(c.status) ?? "",
    type: stringOrNull(c.type) ?? "page",
    spaceId: idString(c.spaceId),
    parentId,
    position: typeof c.childPosition === "number" ? c.childPosition : null,
    webUrl: viewPageUrl(client, id),
  };
}

function fromV1Child(client: ConfluenceClient, raw: unknown, parentId: string, position: number): ChildPage {
  const page = fromV1Page(client, raw);
  return {
    id: page.id,
    title: page.title,
    status: page.status,
    type: "page",
    spaceId: page.spaceId,
    parentId,
    // v1 lists children in tree order but reports no position; the index is that order
    position,
    webUrl: page.webUrl,
  };
}
