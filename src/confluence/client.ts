/**
 * The deployment-aware client every resource module takes. It wraps the authenticated HttpClient with
 * what the modules need to pick an API generation and build links:
 * - Cloud (site or gateway) reads content through v2: v1 content and space routes answer 410 Gone
 *   through the gateway and are deprecated on the site (confluence-api.md §0.1, §1.1, §1.13).
 *   v1 stays for CQL search, the current user, attachment upload/download and label changes.
 * - Data Center has only v1, under its context path (§5.1). Paths are relative to the API root, so the
 *   context path and the gateway prefix never appear here.
 */
import type { Profile } from "../config/types.js";
import { ConflError, ExitCode } from "../errors.js";
import { NotFoundError as HttpNotFoundError } from "../http/errors.js";
import { iteratePages, pageItems } from "../http/paginate.js";
import type { HttpClient, QueryValue } from "../http/types.js";
import type { Deployment } from "./types.js";

export type ApiGeneration = "v2" | "v1";

export interface ConfluenceClient {
  readonly http: HttpClient;
  readonly deployment: Deployment;
  /** which API reads pages and spaces: v2 on Cloud, v1 on Data Center */
  readonly contentApi: ApiGeneration;
  /** why this client refuses writes (--read-only, CONFL_READ_ONLY, the profile), or undefined */
  readonly readOnly: { reason: string } | undefined;
  /** requests in flight at once for fan-out work (page tree) */
  readonly concurrency: number;
  /** An absolute browser URL for a `_links.webui` path, or null when no base is known yet. */
  webUrl(webui: string | undefined | null): string | null;
  /** Remember the browsable base a response reported (`_links.base`); it beats the guessed one. */
  learnBase(base: unknown): void;
  /** per-command memo (space key ↔ id lookups) */
  readonly memo: Map<string, Promise<unknown>>;
}

export interface ConfluenceClientOptions {
  http: HttpClient;
  profile: Pick<Profile, "deployment" | "apiBase" | "site">;
  concurrency?: number;
}

export function deploymentOf(profile: Pick<Profile, "deployment" | "apiBase">): Deployment {
  if (profile.deployment === "dc") return "dc";
  return /\/ex\/confluence\//.test(profile.apiBase) ? "cloud-gateway" : "cloud-site";
}

export function contentApiOf(deployment: Deployment): ApiGeneration {
  return deployment === "dc" ? "v1" : "v2";
}

/**
 * The path `auth login`/`auth status` use to prove a content read works: the cheapest space list of the
 * generation this deployment reads content with.
 */
export function contentProbePath(profile: Pick<Profile, "deployment" | "apiBase">): string {
  return contentApiOf(deploymentOf(profile)) === "v2" ? "api/v2/spaces?limit=1" : "rest/api/space?limit=1";
}

/**
 * The browsable base guessed from the profile: Cloud pages live under <site>/wiki, DC pages under the
 * site including its context path. A gateway profile created from an api.atlassian.com URL has no site
 * to browse; it waits for `_links.base` (which is the real site even through the gateway, §1.10).
 */
function guessedWebBase(profile: ConfluenceClientOptions["profile"], deployment: Deployment): string | null {
  const site = profile.site.replace(/\/+$/, "");
  if (deployment === "dc") return site;
  if (/\/ex\/confluence\//.test(site)) return null;
  return `${new URL(site).origin}/wiki`;
}

export function createConfluenceClient(options: ConfluenceClientOptions): ConfluenceClient {
  const deployment = deploymentOf(options.profile);
  let base = guessedWebBase(options.profile, deployment);
  return {
    http: options.http,
    deployment,
    contentApi: contentApiOf(deployment),
    readOnly: options.http.readOnly,
    concurrency: options.concurrency ?? 6,
    memo: new Map(),
    webUrl(webui) {
      if (!webui || base === null) return null;
      if (/^https?:\/\//i.test(webui)) return webui;
      return `${base}${webui.startsWith("/") ? "" : "/"}${webui}`;
    },
    learnBase(value) {
      if (typeof value !== "string" || !/^https?:\/\//i.test(value)) return;
      // DC's `_links.base` is the configured base URL, which may differ from the URL confl reaches it by
      // (a proxy, localhost); keep what the profile says there. Cloud's base is the site, always right.
      if (deployment !== "dc") base = value.replace(/\/+$/, "");
    },
  };
}

export interface ListOptions {
  path: string;
  query?: Record<string, QueryValue>;
  /** stop after this many items; undefined = all */
  limit?: number | undefined;
  /** largest page size the endpoint accepts (v2: 250; v1 caps silently, §1.10) */
  maxPageSize?: number;
}

/**
 * Items across every page of a v2 (cursor) or v1 (start/limit) list, at most `limit`. Page size is the
 * smaller of the limit and the endpoint's maximum, so `--limit 5` costs one small request.
 */
export async function* listItems<T>(client: ConfluenceClient, options: ListOptions): AsyncGenerator<T> {
  const { limit } = options;
  if (limit !== undefined && limit <= 0) return;
  const max = options.maxPageSize ?? 250;
  const pageSize = limit === undefined ? max : Math.min(limit, max);
  let count = 0;
  for await (const page of iteratePages<unknown>({
    apiBase: client.http.apiBase,
    request: (o) => client.http.request(o),
    options: { path: options.path, query: { ...options.query, limit: pageSize } },
  })) {
    const data = page.data as { _links?: { base?: unknown } } | undefined;
    client.learnBase(data?._links?.base);
    for (const item of pageItems<T>(page.data) ?? []) {
      yield item;
      count++;
      if (limit !== undefined && count >= limit) return;
    }
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Not found, or not allowed to see it: Confluence answers 404 for both (§1.3, md2conf #113). */
export class NotFoundError extends ConflError {
  constructor(what: string, options: { hint?: string; cause?: unknown } = {}) {
    super(`${what} not found`, {
      code: "not_found",
      exitCode: ExitCode.FAILURE,
      hint:
        options.hint ??
        "Confluence also answers 404 when you have no permission to see it; check the spelling and that this account can open it in the browser",
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

/** Runs `call`, turning the HTTP 404 into confl's one-line not-found error for `what`. */
export async function orNotFound<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HttpNotFoundError) throw new NotFoundError(what, { cause: error });
    throw error;
  }
}

/** Memoises one async lookup per key for the client's lifetime (one command run). */
export function memoised<T>(client: ConfluenceClient, key: string, load: () => Promise<T>): Promise<T> {
  let hit = client.memo.get(key) as Promise<T> | undefined;
  if (!hit) {
    hit = load();
    client.memo.set(key, hit);
    hit.catch(() => client.memo.delete(key));
  }
  return hit;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Reads a string field that v1 gives as a number (ids) and v2 as a string. */
export function idString(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export { isObject } from "../config/dict.js";
