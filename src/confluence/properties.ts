/**
 * Content properties: JSON values stored on a page under a key, each with its own version number.
 * Cloud: v2 `/pages/{id}/properties` (addressed by property id; `?key=` finds one), spec-v2. Data Center:
 * v1 `/rest/api/content/{id}/property/{key}` (spec-dc). An update carries the property's version + 1;
 * a stale one is a 409 (spec-dc updateContentProperty).
 */
import { ConflError, ExitCode } from "../errors.js";
import { ConflictError, NotFoundError as HttpNotFoundError } from "../http/errors.js";
import {
  type ConfluenceClient,
  idString,
  isObject,
  listItems,
  NotFoundError,
  orNotFound,
  stringOrNull,
} from "./client.js";

export interface ContentProperty {
  pageId: string;
  /** Cloud's property id; null on Data Center, which addresses properties by key */
  id: string | null;
  key: string;
  value: unknown;
  version: { number: number; createdAt: string | null; message: string | null };
}

function fromRaw(pageId: string, raw: unknown): ContentProperty {
  const p = isObject(raw) ? raw : {};
  const version = isObject(p.version) ? p.version : {};
  return {
    pageId,
    id: idString(p.id),
    key: stringOrNull(p.key) ?? "",
    value: p.value ?? null,
    version: {
      number: typeof version.number === "number" ? version.number : 0,
      // v2 createdAt, v1 when
      createdAt: stringOrNull(version.createdAt) ?? stringOrNull(version.when),
      message: stringOrNull(version.message),
    },
  };
}

const v2Path = (pageId: string) => `api/v2/pages/${encodeURIComponent(pageId)}/properties`;
const v1Path = (pageId: string) => `rest/api/content/${encodeURIComponent(pageId)}/property`;

export async function* listProperties(
  client: ConfluenceClient,
  pageId: string,
  options: { limit?: number | undefined } = {},
): AsyncGenerator<ContentProperty> {
  const v2 = client.contentApi === "v2";
  const items = listItems<unknown>(client, {
    path: v2 ? v2Path(pageId) : v1Path(pageId),
    limit: options.limit,
    maxPageSize: v2 ? 250 : 100,
  });
  const iterator = items[Symbol.asyncIterator]();
  let next = await orNotFound(`page ${pageId}`, () => iterator.next());
  while (!next.done) {
    yield fromRaw(pageId, next.value);
    next = await iterator.next();
  }
}

/** The property, or null when the page has none with this key (an unknown page is NotFoundError). */
export async function findProperty(
  client: ConfluenceClient,
  pageId: string,
  key: string,
): Promise<ContentProperty | null> {
  if (client.contentApi === "v2") {
    const response = await orNotFound(`page ${pageId}`, () =>
      client.http.request<unknown>({ path: v2Path(pageId), query: { key } }),
    );
    const results =
      isObject(response.data) && Array.isArray(response.data.results) ? response.data.results : [];
    const found = results.map((r) => fromRaw(pageId, r)).find((p) => p.key === key);
    return found ?? null;
  }
  try {
    const response = await client.http.request<unknown>({
      path: `${v1Path(pageId)}/${encodeURIComponent(key)}`,
    });
    return fromRaw(pageId, response.data);
  } catch (error) {
    if (!(error instanceof HttpNotFoundError)) throw error;
    // DC answers 404 for a missing key and for a missing page alike: tell them apart
    await orNotFound(`page ${pageId}`, () =>
      client.http.request({ path: `rest/api/content/${encodeURIComponent(pageId)}` }),
    );
    return null;
  }
}

export async function getProperty(
  client: ConfluenceClient,
  pageId: string,
  key: string,
): Promise<ContentProperty> {
  const found = await findProperty(client, pageId, key);
  if (!found)
    throw new NotFoundError(`property "${key}" on page ${pageId}`, {
      hint: `list them with 'confl property list ${pageId}'`,
    });
  return found;
}

/** Another writer changed the property since it was read. Nothing was written. */
export class PropertyConflictError extends ConflError {
  constructor(pageId: string, key: string, readVersion: number, currentVersion: number | null) {
    super(
      `property "${key}" on page ${pageId} changed since version ${readVersion} was read${currentVersion === null ? "" : `: it is now at version ${currentVersion}`}; nothing was written`,
      {
        code: "conflict.version",
        exitCode: ExitCode.FAILURE,
        hint: `read it again (confl property get ${pageId} ${key}) and run the command again`,
        details: { pageId, key, baseVersion: readVersion, currentVersion },
      },
    );
  }
}

export interface SetResult {
  property: ContentProperty;
  /** null when the property was created */
  previousVersion: number | null;
}

/** Creates the property, or writes its version + 1. */
export async function setProperty(
  client: ConfluenceClient,
  pageId: string,
  key: string,
  value: unknown,
): Promise<SetResult> {
  const existing = await findProperty(client, pageId, key);
  const v2 = client.contentApi === "v2";
  if (!existing) {
    const response = await orNotFound(`page ${pageId}`, () =>
      client.http.request<unknown>({
        method: "POST",
        path: v2 ? v2Path(pageId) : v1Path(pageId),
        json: { key, value },
      }),
    );
    return { property: fromRaw(pageId, response.data), previousVersion: null };
  }
  const number = existing.version.number + 1;
  try {
    const response = await client.http.request<unknown>({
      method: "PUT",
      path: v2
        ? `${v2Path(pageId)}/${encodeURIComponent(existing.id ?? "")}`
        : `${v1Path(pageId)}/${encodeURIComponent(key)}`,
      json: { key, value, version: { number } },
    });
    return { property: fromRaw(pageId, response.data), previousVersion: existing.version.number };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const now = await findProperty(client, pageId, key);
    throw new PropertyConflictError(pageId, key, existing.version.number, now?.version.number ?? null);
  }
}

export async function deleteProperty(
  client: ConfluenceClient,
  pageId: string,
  key: string,
): Promise<ContentProperty> {
  const existing = await getProperty(client, pageId, key);
  const v2 = client.contentApi === "v2";
  await client.http.request({
    method: "DELETE",
    path: v2
      ? `${v2Path(pageId)}/${encodeURIComponent(existing.id ?? "")}`
      : `${v1Path(pageId)}/${encodeURIComponent(key)}`,
    responseType: "none",
  });
  return existing;
}
