/**
 * Labels (confluence-api.md §1.8). Listing: v2 `GET /pages/{id}/labels` on Cloud, v1 `GET …/label` on DC.
 * Adding and removing are v1 everywhere: `POST …/content/{id}/label` with `[{prefix, name}]`, and
 * `DELETE …/content/{id}/label?name=…` (the query form, because the path form refuses a `/`, spec-v1).
 */
import { type ConfluenceClient, idString, isObject, listItems, orNotFound, stringOrNull } from "./client.js";
import type { Label } from "./types.js";

function fromRaw(raw: unknown): Label {
  const l = isObject(raw) ? raw : {};
  return {
    id: idString(l.id) ?? "",
    name: stringOrNull(l.name) ?? "",
    prefix: stringOrNull(l.prefix) ?? "global",
  };
}

export async function listLabels(client: ConfluenceClient, pageId: string): Promise<Label[]> {
  const v2 = client.contentApi === "v2";
  const items = listItems<unknown>(client, {
    path: v2
      ? `api/v2/pages/${encodeURIComponent(pageId)}/labels`
      : `rest/api/content/${encodeURIComponent(pageId)}/label`,
    maxPageSize: v2 ? 250 : 200,
  });
  const iterator = items[Symbol.asyncIterator]();
  const out: Label[] = [];
  let next = await orNotFound(`page ${pageId}`, () => iterator.next());
  while (!next.done) {
    out.push(fromRaw(next.value));
    next = await iterator.next();
  }
  return out;
}

/** Adds global labels; returns the page's labels afterwards (as the v1 answer lists them). */
export async function addLabels(client: ConfluenceClient, pageId: string, names: string[]): Promise<Label[]> {
  const response = await orNotFound(`page ${pageId}`, () =>
    client.http.request<unknown>({
      method: "POST",
      path: `rest/api/content/${encodeURIComponent(pageId)}/label`,
      json: names.map((name) => ({ prefix: "global", name })),
    }),
  );
  const results =
    isObject(response.data) && Array.isArray(response.data.results) ? response.data.results : [];
  return results.map(fromRaw);
}

export async function removeLabel(client: ConfluenceClient, pageId: string, name: string): Promise<void> {
  await orNotFound(`label "${name}" on page ${pageId}`, () =>
    client.http.request({
      method: "DELETE",
      path: `rest/api/content/${encodeURIComponent(pageId)}/label`,
      query: { name },
      responseType: "none",
    }),
  );
}
