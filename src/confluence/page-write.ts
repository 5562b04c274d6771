/**
 * Page writes and history. Cloud writes through v2 (`POST /pages`, `PUT /pages/{id}`, `DELETE /pages/{id}`,
 * `GET /pages/{id}/versions`): v1 content routes answer 410 through the gateway (confluence-api.md §0,
 * §1.13). Data Center has only v1 (`/rest/api/content…`, §5.1). Both need `version.number` = current + 1
 * on update and answer a stale one with 409 (§1.5; spec-v2 updatePage, spec-dc updateContent).
 */
import { ConflError, ExitCode, UsageError } from "../errors.js";
import {
  BadRequestError,
  ConflictError,
  HttpError,
  NotFoundError as HttpNotFoundError,
  InvalidResponseError,
  NetworkError,
  TimeoutError,
} from "../http/errors.js";
import {
  type ConfluenceClient,
  idString,
  isObject,
  listItems,
  mapConcurrent,
  NotFoundError,
  orNotFound,
  stringOrNull,
} from "./client.js";
import { fromV1Page, fromV2Page, getPage, listPages } from "./pages.js";
import { spaceIdForKey, spaceKeyForId } from "./spaces.js";
import type { PageWithBody, Version } from "./types.js";

/** Two writers: the page is no longer at the version the edit was based on. Nothing was written. */
export class VersionConflictError extends ConflError {
  constructor(
    readonly pageId: string,
    readonly baseVersion: number,
    readonly currentVersion: number,
    detail = "",
  ) {
    super(
      `page ${pageId} changed since version ${baseVersion} was read: it is now at version ${currentVersion}${detail}; nothing was written`,
      {
        code: "conflict.version",
        exitCode: ExitCode.FAILURE,
        hint: `see what changed with 'confl page diff ${pageId} --from ${baseVersion} --to ${currentVersion}', redo the edit on version ${currentVersion}, or overwrite it with --force`,
        details: { pageId, baseVersion, currentVersion },
      },
    );
  }
}

/** A page with this title already exists in the space (Confluence titles are unique per space). */
export class TitleExistsError extends ConflError {
  constructor(title: string, where: string, existingId?: string | null) {
    super(`a page titled "${title}" already exists in ${where}${existingId ? ` (page ${existingId})` : ""}`, {
      code: "conflict.title",
      exitCode: ExitCode.FAILURE,
      hint: "titles are unique within a space: choose another title (--title)",
    });
  }
}

/** Confluence's duplicate-title 400 (§1.4: clients match on this phrase). */
function isDuplicateTitle(error: unknown): boolean {
  return (
    error instanceof BadRequestError &&
    /page with this title already exists|already exists with the same TITLE/i.test(
      `${error.atlassianMessage ?? ""} ${error.bodySnippet}`,
    )
  );
}

export interface CreatePageInput {
  spaceKey: string;
  title: string;
  /** default: the space's home page (what Confluence does when none is given, spec-v2 createPage) */
  parentId?: string | undefined;
  storage: string;
}

export async function createPage(client: ConfluenceClient, input: CreatePageInput): Promise<PageWithBody> {
  // resolved before the POST: a failure here cannot have created anything, so it is never "recovered"
  const spaceId = client.contentApi === "v2" ? await spaceIdForKey(client, input.spaceKey) : undefined;
  try {
    if (client.contentApi === "v2") {
      const response = await client.http.request<unknown>({
        method: "POST",
        path: "api/v2/pages",
        json: {
          spaceId,
          status: "current",
          title: input.title,
          ...(input.parentId ? { parentId: input.parentId } : {}),
          body: { representation: "storage", value: input.storage },
        },
      });
      return withBody(fromV2Page(client, response.data, input.spaceKey), response.data);
    }
    const response = await client.http.request<unknown>({
      method: "POST",
      path: "rest/api/content",
      query: { expand: "version,space,ancestors,body.storage" },
      json: {
        type: "page",
        title: input.title,
        space: { key: input.spaceKey },
        ...(input.parentId ? { ancestors: [{ id: input.parentId }] } : {}),
        body: { storage: { value: input.storage, representation: "storage" } },
      },
    });
    return withBody(fromV1Page(client, response.data), response.data);
  } catch (error) {
    if (isDuplicateTitle(error)) throw new TitleExistsError(input.title, `space ${input.spaceKey}`);
    const made = await createdDespite(client, input, error);
    if (made) return made;
    throw error;
  }
}

/**
 * A create whose answer was lost (connection reset or timeout after the server acted, a 5xx from a proxy
 * in front of a server that did act, a cut-off body): a POST is never replayed (retry.ts), so look for
 * the page instead. Titles are unique in a space (confluence-api.md §1.4), so a page with this title,
 * exactly this body and parent, and still at version 1 (nobody has edited it since) is the one just made;
 * anything else leaves the original error standing. Only failures that may have happened after the server
 * acted count: a network error or timeout, a cut-off or unreadable answer, a 5xx.
 */
async function createdDespite(
  client: ConfluenceClient,
  input: CreatePageInput,
  error: unknown,
): Promise<PageWithBody | undefined> {
  const mayHaveActed =
    error instanceof NetworkError ||
    error instanceof TimeoutError ||
    error instanceof InvalidResponseError ||
    (error instanceof HttpError && error.status >= 500);
  if (!mayHaveActed) return undefined;
  try {
    for await (const found of listPages(client, { spaceKey: input.spaceKey, title: input.title, limit: 1 })) {
      const page = await getPage(client, found.id);
      const sameParent = input.parentId === undefined || page.parentId === input.parentId;
      const untouched = page.version?.number === 1;
      return sameParent && untouched && page.body.storage === input.storage ? page : undefined;
    }
  } catch {
    // the lookup failed too: the original error says more
  }
  return undefined;
}

function withBody<P extends object>(page: P, raw: unknown): P & { body: { storage: string } } {
  const body = isObject(raw) && isObject(raw.body) ? raw.body : {};
  const storage = isObject(body.storage) && typeof body.storage.value === "string" ? body.storage.value : "";
  return { ...page, body: { storage } };
}

export interface PutPageInput {
  /** the page as read: id, space, parent */
  page: PageWithBody;
  title: string;
  storage: string;
  /** the version number to write: the version the edit was based on + 1 */
  version: number;
  message?: string | undefined;
  /** DC only: v2's PageUpdateRequest has no minor-edit flag */
  minorEdit?: boolean | undefined;
  /** move under this page (same space) */
  parentId?: string | undefined;
}

/**
 * One PUT. A 409 (stale version) comes back as ConflictError for the caller to re-read; a duplicate
 * title as TitleExistsError.
 */
export async function putPage(client: ConfluenceClient, input: PutPageInput): Promise<PageWithBody> {
  const { page } = input;
  const id = page.id;
  try {
    if (client.contentApi === "v2") {
      const response = await orNotFound(`page ${id}`, () =>
        client.http.request<unknown>({
          method: "PUT",
          path: `api/v2/pages/${encodeURIComponent(id)}`,
          json: {
            id,
            status: "current",
            title: input.title,
            ...(input.parentId ? { parentId: input.parentId } : {}),
            body: { representation: "storage", value: input.storage },
            version: { number: input.version, ...(input.message ? { message: input.message } : {}) },
          },
        }),
      );
      return withBody(fromV2Page(client, response.data, page.spaceKey), response.data);
    }
    const response = await orNotFound(`page ${id}`, () =>
      client.http.request<unknown>({
        method: "PUT",
        path: `rest/api/content/${encodeURIComponent(id)}`,
        json: {
          id,
          type: "page",
          status: "current",
          title: input.title,
          ...(input.parentId ? { ancestors: [{ id: input.parentId }] } : {}),
          body: { storage: { value: input.storage, representation: "storage" } },
          version: {
            number: input.version,
            minorEdit: input.minorEdit === true,
            ...(input.message ? { message: input.message } : {}),
          },
        },
      }),
    );
    // spec-dc updateContent takes no `expand`: what the answer leaves out is what was sent or read
    const written = fromV1Page(client, response.data);
    return withBody(
      {
        ...written,
        parentId: written.parentId ?? input.parentId ?? page.parentId,
        spaceKey: written.spaceKey ?? page.spaceKey,
        spaceId: written.spaceId ?? page.spaceId,
      },
      response.data,
    );
  } catch (error) {
    if (isDuplicateTitle(error))
      throw new TitleExistsError(input.title, `space ${page.spaceKey ?? page.spaceId}`);
    throw error;
  }
}

export interface SafeUpdateInput {
  id: string;
  /** the version the user's edit was based on; default the version read now */
  baseVersion?: number | undefined;
  /** new values; unchanged when undefined */
  title?: string | undefined;
  storage?: string | undefined;
  parentId?: string | undefined;
  message?: string | undefined;
  minorEdit?: boolean | undefined;
  /** overwrite whatever another writer did in between */
  force?: boolean | undefined;
}

export interface SafeUpdateResult {
  page: PageWithBody;
  /** the version the edit was based on */
  baseVersion: number;
  /** the version that was overwritten (differs from baseVersion only with --force) */
  previousVersion: number;
}

/**
 * Optimistic concurrency: writes version base + 1. If the page is already past `base` (read now, or
 * after a 409 from a writer that came in between) it stops with VersionConflictError naming both
 * versions, unless `force`, which writes on top of the current version instead (retried a few times
 * if writers keep coming).
 */
export async function safeUpdate(
  client: ConfluenceClient,
  input: SafeUpdateInput,
): Promise<SafeUpdateResult> {
  let page = await getPage(client, input.id);
  const current = page.version?.number ?? 0;
  const base = input.baseVersion ?? current;
  if (base > current) {
    throw new UsageError(`page ${input.id} has no version ${base} yet: its current version is ${current}`, {
      hint: "--base-version is the version your edit started from (see confl page versions)",
    });
  }
  let target = base;
  for (let attempt = 0; ; attempt++) {
    const latest = page.version?.number ?? 0;
    if (latest !== base) {
      if (!input.force) throw new VersionConflictError(input.id, base, latest, authorNote(page.version));
      target = latest;
    }
    // What the edit leaves alone is kept as it is in the version being replaced.
    const title = input.title ?? page.title;
    const storage = input.storage ?? page.body.storage;
    try {
      const written = await putPage(client, {
        page,
        title,
        storage,
        version: target + 1,
        message: input.message,
        minorEdit: input.minorEdit,
        parentId: input.parentId,
      });
      return { page: written, baseVersion: base, previousVersion: target };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 3) throw error;
      // Someone wrote in between: re-read, and decide again above.
      page = await getPage(client, input.id);
      if ((page.version?.number ?? 0) === target) throw error; // a 409 for another reason
      // The retried PUT met our own write (its first answer was lost to a reset or timeout): done.
      if (
        page.version?.number === target + 1 &&
        page.title === title &&
        page.body.storage === storage &&
        (input.parentId === undefined || page.parentId === input.parentId)
      )
        return { page, baseVersion: base, previousVersion: target };
    }
  }
}

function authorNote(version: Version | null): string {
  if (!version) return "";
  const parts = [
    version.authorId ? `by ${version.authorId}` : "",
    version.createdAt ? `at ${version.createdAt}` : "",
  ];
  const text = parts.filter(Boolean).join(" ");
  return text ? ` (${text})` : "";
}

export interface DeleteOptions {
  /** remove for good: trash first, then purge from the trash */
  purge?: boolean | undefined;
}

/** Moves the page to the trash; with purge, deletes it for good (spec-v2 deletePage, spec-dc deleteContent). */
export async function deletePage(
  client: ConfluenceClient,
  id: string,
  options: DeleteOptions = {},
): Promise<void> {
  const v2 = client.contentApi === "v2";
  const path = v2 ? `api/v2/pages/${encodeURIComponent(id)}` : `rest/api/content/${encodeURIComponent(id)}`;
  await orNotFound(`page ${id}`, () => client.http.request({ method: "DELETE", path, responseType: "none" }));
  if (!options.purge) return;
  // A trashed page is purged by a second delete: v2 `?purge=true`, v1 `?status=trashed`.
  await orNotFound(`page ${id} in the trash`, () =>
    client.http.request({
      method: "DELETE",
      path,
      query: v2 ? { purge: true } : { status: "trashed" },
      responseType: "none",
    }),
  );
}

export interface VersionEntry extends Version {
  pageId: string;
}

/**
 * A page's versions, newest first. Cloud: v2 `GET /pages/{id}/versions?sort=-modified-date`. DC 10 has
 * no version list in its REST API (spec-dc 10.0.3), so each version is read as historical content
 * (`GET /content/{id}?status=historical&version=N`), newest first, a few at a time.
 */
export async function* listVersions(
  client: ConfluenceClient,
  id: string,
  options: { limit?: number | undefined } = {},
): AsyncGenerator<VersionEntry> {
  if (client.contentApi === "v2") {
    const items = listItems<unknown>(client, {
      path: `api/v2/pages/${encodeURIComponent(id)}/versions`,
      query: { sort: "-modified-date" },
      limit: options.limit,
    });
    const iterator = items[Symbol.asyncIterator]();
    let next = await orNotFound(`page ${id}`, () => iterator.next());
    while (!next.done) {
      const raw = isObject(next.value) ? next.value : {};
      if (typeof raw.number === "number") {
        yield {
          pageId: id,
          number: raw.number,
          createdAt: stringOrNull(raw.createdAt),
          authorId: stringOrNull(raw.authorId),
          message: stringOrNull(raw.message),
          minorEdit: raw.minorEdit === true,
        };
      }
      next = await iterator.next();
    }
    return;
  }
  const current = await getPage(client, id);
  const newest = current.version?.number ?? 0;
  const count = Math.min(newest, options.limit ?? newest);
  const numbers = Array.from({ length: count }, (_, i) => newest - i);
  // In batches, so `--limit` bounds the requests and the output streams in order.
  for (let start = 0; start < numbers.length; start += client.concurrency) {
    const batch = numbers.slice(start, start + client.concurrency);
    const versions = await mapConcurrent(batch, client.concurrency, async (n) => {
      if (n === newest) return current.version;
      try {
        return (await getPage(client, id, { version: n })).version;
      } catch (error) {
        // a version removed from the history (spec-dc deleteContentHistory) leaves a gap
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    });
    for (const version of versions) if (version) yield { pageId: id, ...version };
  }
}

/** The id and space of a page, for checks before a write (exists, same space, not a descendant). */
export async function pageSummary(
  client: ConfluenceClient,
  id: string,
): Promise<{
  id: string;
  title: string;
  spaceId: string | null;
  spaceKey: string | null;
  ancestors: string[];
}> {
  if (client.contentApi === "v2") {
    const response = await orNotFound(`page ${id}`, () =>
      client.http.request<unknown>({ path: `api/v2/pages/${encodeURIComponent(id)}` }),
    );
    const raw = isObject(response.data) ? response.data : {};
    const spaceId = idString(raw.spaceId);
    const ancestors = await ancestorIds(client, id);
    return {
      id,
      title: stringOrNull(raw.title) ?? "",
      spaceId,
      spaceKey: spaceId ? await spaceKeyForId(client, spaceId) : null,
      ancestors,
    };
  }
  const response = await orNotFound(`page ${id}`, () =>
    client.http.request<unknown>({
      path: `rest/api/content/${encodeURIComponent(id)}`,
      query: { expand: "space,ancestors" },
    }),
  );
  const raw = isObject(response.data) ? response.data : {};
  const space = isObject(raw.space) ? raw.space : {};
  const ancestors = Array.isArray(raw.ancestors) ? raw.ancestors : [];
  return {
    id,
    title: stringOrNull(raw.title) ?? "",
    spaceId: idString(space.id),
    spaceKey: stringOrNull(space.key),
    ancestors: ancestors
      .map((a) => (isObject(a) ? idString(a.id) : null))
      .filter((a): a is string => a !== null),
  };
}

/** v2 `GET /pages/{id}/ancestors`: root first (spec-v2 getPageAncestors). */
async function ancestorIds(client: ConfluenceClient, id: string): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const raw of listItems<unknown>(client, {
      path: `api/v2/pages/${encodeURIComponent(id)}/ancestors`,
    })) {
      const ancestor = isObject(raw) ? idString(raw.id) : null;
      if (ancestor) ids.push(ancestor);
    }
  } catch (error) {
    if (error instanceof HttpNotFoundError) throw new NotFoundError(`page ${id}`, { cause: error });
    throw error;
  }
  return ids;
}
