/**
 * Footer comments (confluence-api.md §1.9). Cloud: v2 `GET /pages/{id}/footer-comments` and
 * `POST /footer-comments` (201). Data Center: v1 `GET /rest/api/content/{id}/child/comment` and
 * `POST /rest/api/content` with `type: "comment"` and the page as `container` (spec-dc).
 */
import { type ConfluenceClient, idString, isObject, listItems, orNotFound, stringOrNull } from "./client.js";
import { v1Version, v2Version } from "./pages.js";
import type { Comment } from "./types.js";

function storageOf(raw: Record<string, unknown>): string {
  const body = isObject(raw.body) ? raw.body : {};
  const storage = isObject(body.storage) ? body.storage : {};
  return typeof storage.value === "string" ? storage.value : "";
}

function fromRaw(client: ConfluenceClient, raw: unknown, pageId: string, v2: boolean): Comment {
  const c = isObject(raw) ? raw : {};
  const links = isObject(c._links) ? c._links : {};
  return {
    id: idString(c.id) ?? "",
    pageId: (v2 ? idString(c.pageId) : null) ?? pageId,
    body: storageOf(c),
    version: v2 ? v2Version(c.version) : v1Version(c.version),
    webUrl: client.webUrl(stringOrNull(links.webui)),
  };
}

export async function listComments(
  client: ConfluenceClient,
  pageId: string,
  options: { limit?: number | undefined } = {},
): Promise<Comment[]> {
  const v2 = client.contentApi === "v2";
  const items = listItems<unknown>(client, {
    path: v2
      ? `api/v2/pages/${encodeURIComponent(pageId)}/footer-comments`
      : `rest/api/content/${encodeURIComponent(pageId)}/child/comment`,
    query: v2 ? { "body-format": "storage" } : { expand: "body.storage,version" },
    limit: options.limit,
    maxPageSize: v2 ? 250 : 100,
  });
  const iterator = items[Symbol.asyncIterator]();
  const out: Comment[] = [];
  let next = await orNotFound(`page ${pageId}`, () => iterator.next());
  while (!next.done) {
    out.push(fromRaw(client, next.value, pageId, v2));
    next = await iterator.next();
  }
  return out;
}

/** Adds a footer comment (storage format) to a page. */
export async function addComment(
  client: ConfluenceClient,
  pageId: string,
  storage: string,
): Promise<Comment> {
  const v2 = client.contentApi === "v2";
  const response = await orNotFound(`page ${pageId}`, () =>
    client.http.request<unknown>(
      v2
        ? {
            method: "POST",
            path: "api/v2/footer-comments",
            json: { pageId, body: { representation: "storage", value: storage } },
          }
        : {
            method: "POST",
            path: "rest/api/content",
            query: { expand: "body.storage,version" },
            json: {
              type: "comment",
              container: { id: pageId, type: "page" },
              body: { storage: { value: storage, representation: "storage" } },
            },
          },
    ),
  );
  return fromRaw(client, response.data, pageId, v2);
}
