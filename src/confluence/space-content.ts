/**
 * A space's content in bulk, for export and publish: every page with its version and parent in as few
 * requests as the API allows, bodies in batches, labels and attachments by the space rather than by
 * the page.
 *
 * - Pages: Cloud v2 `GET /spaces/{id}/pages` (250 a request, optionally with `body-format=storage`,
 *   spec-v2 getPagesInSpace); DC v1 `GET /content?spaceKey=…&expand=version,ancestors,metadata.labels`
 *   (100 a request on DC, optionally `body.storage`; spec-dc getContent).
 * - Bodies of chosen pages: Cloud v2 `GET /pages?id=…&body-format=storage` (up to 250 ids, spec-v2
 *   getPages); DC v1 CQL `id in (…)` with `expand=body.storage,…` (100 a request). Search reads an index
 *   that can lag a fresh edit, so a page the search does not return is read on its own.
 * - Labels: DC has them in the listing (`metadata.labels`); v2 lists labels per page only, so Cloud asks
 *   CQL once per 50 pages (`expand=metadata.labels` on content/search, which stays on v1, §1.1): by the
 *   space (one cursor chain, each request waiting for the one before) or, once the page ids are known,
 *   by `id in (…)` batches that can run side by side.
 * - Attachments: v2 and v1 list them per page; CQL `type = attachment AND space = KEY` lists a whole
 *   space's (50 a request on Cloud, 100 on DC), so a space with few attachments costs a few requests
 *   instead of one per page. The index may miss an attachment added seconds ago.
 */

import { NotFoundError as HttpNotFoundError } from "../http/errors.js";
import { fromV1Attachment } from "./attachments.js";
import { type ConfluenceClient, collect, idString, isObject, listItems } from "./client.js";
import { fromV1Page, fromV2Page } from "./pages.js";
import { spaceIdForKey } from "./spaces.js";
import type { Attachment, Page } from "./types.js";

export interface SpacePage extends Page {
  /** order among siblings where the deployment reports it (v2 `position`), else null */
  position: number | null;
  /** labels when the listing carried them (DC), else null */
  labels: string[] | null;
  /** storage body when it was asked for */
  storage: string | null;
}

const V1_EXPAND = "version,space,ancestors,metadata.labels";

function v1Labels(raw: unknown): string[] | null {
  const metadata = isObject(raw) && isObject(raw.metadata) ? raw.metadata : undefined;
  const labels = metadata && isObject(metadata.labels) ? metadata.labels : undefined;
  if (!labels || !Array.isArray(labels.results)) return null;
  return labels.results
    .map((label) => (isObject(label) && typeof label.name === "string" ? label.name : ""))
    .filter(Boolean);
}

function storageOf(raw: unknown): string | null {
  const body = isObject(raw) && isObject(raw.body) ? raw.body : {};
  const storage = isObject(body.storage) ? body.storage : undefined;
  return storage && typeof storage.value === "string" ? storage.value : null;
}

function fromV2(client: ConfluenceClient, raw: unknown, spaceKey: string): SpacePage {
  const page = fromV2Page(client, raw, spaceKey);
  const r = isObject(raw) ? raw : {};
  return {
    ...page,
    position: typeof r.position === "number" ? r.position : null,
    labels: null,
    storage: storageOf(raw),
  };
}

function fromV1(client: ConfluenceClient, raw: unknown): SpacePage {
  return { ...fromV1Page(client, raw), position: null, labels: v1Labels(raw), storage: storageOf(raw) };
}

/** Every current page of the space, with bodies when `bodies`. Unknown space → NotFoundError. */
export async function listSpacePages(
  client: ConfluenceClient,
  spaceKey: string,
  options: { bodies: boolean },
): Promise<SpacePage[]> {
  if (client.contentApi === "v2") {
    const spaceId = await spaceIdForKey(client, spaceKey);
    const raw = await collect(
      listItems<unknown>(client, {
        path: `api/v2/spaces/${encodeURIComponent(spaceId)}/pages`,
        query: { status: "current", ...(options.bodies ? { "body-format": "storage" } : {}) },
      }),
    );
    return raw.map((r) => fromV2(client, r, spaceKey));
  }
  const raw = await collect(
    listItems<unknown>(client, {
      path: "rest/api/content",
      query: {
        type: "page",
        spaceKey,
        expand: options.bodies ? `${V1_EXPAND},body.storage` : V1_EXPAND,
      },
      maxPageSize: 100,
    }),
  );
  // v1 lists nothing (not an error) for a key that names no space: only then ask whether it exists
  if (raw.length === 0) await spaceIdForKey(client, spaceKey);
  return raw.map((r) => fromV1(client, r));
}

/** Bodies (and current versions) of the given pages, in batches; a page that is gone is left out. */
export async function fetchPageBodies(
  client: ConfluenceClient,
  spaceKey: string,
  ids: string[],
  run: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): Promise<Map<string, SpacePage>> {
  const out = new Map<string, SpacePage>();
  const v2 = client.contentApi === "v2";
  const size = 100;
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  await Promise.all(
    batches.map((batch) =>
      run(async () => {
        const raw = await collect(
          v2
            ? listItems<unknown>(client, {
                path: "api/v2/pages",
                query: { id: batch.join(","), "body-format": "storage", status: "current" },
              })
            : listItems<unknown>(client, {
                path: "rest/api/content/search",
                query: {
                  cql: `id in (${batch.join(",")})`,
                  expand: `${V1_EXPAND},body.storage`,
                },
                maxPageSize: 100,
              }),
        );
        for (const r of raw) {
          const page = v2 ? fromV2(client, r, spaceKey) : fromV1(client, r);
          if (page.storage !== null) out.set(page.id, page);
        }
      }),
    ),
  );
  // the search index may lag a fresh page: read what it left out one by one
  const missing = ids.filter((id) => !out.has(id));
  await Promise.all(
    missing.map((id) =>
      run(async () => {
        try {
          const response = await client.http.request<unknown>(
            v2
              ? { path: `api/v2/pages/${encodeURIComponent(id)}`, query: { "body-format": "storage" } }
              : {
                  path: `rest/api/content/${encodeURIComponent(id)}`,
                  query: { expand: `${V1_EXPAND},body.storage` },
                },
          );
          const page = v2 ? fromV2(client, response.data, spaceKey) : fromV1(client, response.data);
          if (page.storage !== null && page.status === "current") out.set(page.id, page);
        } catch (error) {
          if (!(error instanceof HttpNotFoundError)) throw error;
        }
      }),
    ),
  );
  return out;
}

/** Labels of every page in the space that has any: Cloud by CQL; DC's listing already has them. */
export async function spacePageLabels(
  client: ConfluenceClient,
  spaceKey: string,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const raw of listItems<unknown>(client, {
    path: "rest/api/content/search",
    query: { cql: `space = ${cqlString(spaceKey)} AND type = page`, expand: "metadata.labels" },
    maxPageSize: client.contentApi === "v2" ? 50 : 100,
  })) {
    const id = isObject(raw) ? idString(raw.id) : null;
    const labels = v1Labels(raw);
    if (id && labels) out.set(id, labels);
  }
  return out;
}

/**
 * Labels of the given pages that have any, by CQL `id in (…)` in batches of 50 (the v1 search's page size
 * on Cloud), every batch through `run` so the caller bounds how many run at once. The same requests as
 * `spacePageLabels` for a whole space, but side by side instead of one cursor after another.
 */
export async function pageLabelsByIds(
  client: ConfluenceClient,
  ids: string[],
  run: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const size = client.contentApi === "v2" ? 50 : 100;
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  await Promise.all(
    batches.map((batch) =>
      run(async () => {
        for await (const raw of listItems<unknown>(client, {
          path: "rest/api/content/search",
          query: { cql: `id in (${batch.join(",")})`, expand: "metadata.labels" },
          maxPageSize: size,
        })) {
          const id = isObject(raw) ? idString(raw.id) : null;
          const labels = v1Labels(raw);
          if (id && labels) out.set(id, labels);
        }
      }),
    ),
  );
  return out;
}

/**
 * Every current attachment on the space's pages (CQL), each with its page id. `onItem` hears of each
 * one as its listing page arrives (the container's type says whether it hangs on a page or a blog post).
 */
export async function spaceAttachments(
  client: ConfluenceClient,
  spaceKey: string,
  onItem?: (attachment: Attachment, containerType: string | null) => void,
): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for await (const raw of listItems<unknown>(client, {
    path: "rest/api/content/search",
    query: {
      cql: `type = attachment AND space = ${cqlString(spaceKey)}`,
      expand: "version,container",
    },
    maxPageSize: client.contentApi === "v2" ? 50 : 100,
  })) {
    const container = isObject(raw) && isObject(raw.container) ? raw.container : {};
    const pageId = idString(container.id);
    if (!pageId) continue;
    const attachment = fromV1Attachment(client, raw, pageId);
    out.push(attachment);
    onItem?.(attachment, typeof container.type === "string" ? container.type : null);
  }
  return out;
}

/** A CQL string literal: quoted, with `\` and `"` escaped. */
export function cqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
