/**
 * Attachments (confluence-api.md §1.7, §5.1). Listing: v2 `/pages/{id}/attachments` on Cloud, v1
 * `child/attachment` on DC. Upload is v1 only, everywhere: `POST …/child/attachment` for a new file (400 on
 * a duplicate name), `POST …/child/attachment/{id}/data` for a new version (Cloud's create-or-update PUT is
 * 405 on DC, so the same two calls serve both). Download on Cloud is v1 `…/{id}/download`, a 302 to a
 * signed media URL on another origin that must get no credential (the redirect layer drops it); DC serves
 * the bytes from the `/download/attachments/…` servlet path. Delete: v2 `DELETE /attachments/{id}` on Cloud
 * (int64 id in spec-v2), `DELETE …/child/attachment/{id}` on DC (spec-dc).
 */
import type { Readable } from "node:stream";
import { Readable as NodeReadable } from "node:stream";
import { ConflError } from "../errors.js";
import { RateLimitError } from "../http/errors.js";
import { backoffDelay, DEFAULT_RETRY_POLICY } from "../http/retry.js";
import { type MultipartField, type MultipartFile, multipartBody } from "../io/multipart.js";
import {
  type ConfluenceClient,
  idString,
  isObject,
  listItems,
  NotFoundError,
  orNotFound,
  stringOrNull,
} from "./client.js";
import type { Attachment, Version } from "./types.js";

/**
 * `X-Atlassian-Token: no-check` is mandatory on v1 uploads, or Confluence blocks them as XSRF (spec-v1
 * createAttachment: "otherwise it will be blocked. This protects against XSRF attacks"). The hyphenated
 * value: `nocheck` is deprecated since REST 3.0.0 and refused by some DC versions (atlassian-python-api
 * #696; mcp-atlassian #1207, §1.7).
 */
export const XSRF_HEADER = { "x-atlassian-token": "no-check" } as const;

function version(raw: unknown, v2: boolean): Version | null {
  if (!isObject(raw) || typeof raw.number !== "number") return null;
  const by = isObject(raw.by) ? raw.by : {};
  return {
    number: raw.number,
    createdAt: stringOrNull(v2 ? raw.createdAt : raw.when),
    authorId: v2
      ? stringOrNull(raw.authorId)
      : stringOrNull(by.accountId) || stringOrNull(by.userKey) || stringOrNull(by.username),
    message: stringOrNull(raw.message),
    minorEdit: raw.minorEdit === true,
  };
}

export function fromV2Attachment(client: ConfluenceClient, raw: unknown, pageId: string): Attachment {
  const a = isObject(raw) ? raw : {};
  const links = isObject(a._links) ? a._links : {};
  return {
    id: idString(a.id) ?? "",
    title: stringOrNull(a.title) ?? "",
    pageId: idString(a.pageId) ?? pageId,
    mediaType: stringOrNull(a.mediaType),
    fileSize: typeof a.fileSize === "number" ? a.fileSize : null,
    comment: stringOrNull(a.comment),
    version: version(a.version, true),
    webUrl: client.webUrl(stringOrNull(links.webui) ?? stringOrNull(a.webuiLink)),
    downloadPath: stringOrNull(links.download) ?? stringOrNull(a.downloadLink),
  };
}

export function fromV1Attachment(client: ConfluenceClient, raw: unknown, pageId: string): Attachment {
  const a = isObject(raw) ? raw : {};
  const links = isObject(a._links) ? a._links : {};
  const extensions = isObject(a.extensions) ? a.extensions : {};
  const metadata = isObject(a.metadata) ? a.metadata : {};
  return {
    id: idString(a.id) ?? "",
    title: stringOrNull(a.title) ?? "",
    pageId,
    mediaType: stringOrNull(extensions.mediaType) ?? stringOrNull(metadata.mediaType),
    fileSize: typeof extensions.fileSize === "number" ? extensions.fileSize : null,
    comment: stringOrNull(extensions.comment) ?? stringOrNull(metadata.comment),
    version: version(a.version, false),
    webUrl: client.webUrl(stringOrNull(links.webui)),
    downloadPath: stringOrNull(links.download),
  };
}

export interface ListAttachmentsOptions {
  limit?: number | undefined;
  /** only the attachment with exactly this file name */
  filename?: string | undefined;
}

/** A page's attachments. Unknown page (or no permission) → NotFoundError. */
export async function listAttachments(
  client: ConfluenceClient,
  pageId: string,
  options: ListAttachmentsOptions = {},
): Promise<Attachment[]> {
  const v2 = client.contentApi === "v2";
  const items = listItems<unknown>(client, {
    path: v2
      ? `api/v2/pages/${encodeURIComponent(pageId)}/attachments`
      : `rest/api/content/${encodeURIComponent(pageId)}/child/attachment`,
    query: v2 ? { filename: options.filename } : { filename: options.filename, expand: "version" },
    limit: options.limit,
    maxPageSize: v2 ? 250 : 100,
  });
  const out: Attachment[] = [];
  const iterator = items[Symbol.asyncIterator]();
  // Only the first request can say "no such page"; later 404s are real failures.
  let next = await orNotFound(`page ${pageId}`, () => iterator.next());
  while (!next.done) {
    out.push(
      v2 ? fromV2Attachment(client, next.value, pageId) : fromV1Attachment(client, next.value, pageId),
    );
    next = await iterator.next();
  }
  return out;
}

/** Picks attachments by id (`att123` or `123`) or exact file name; each must exist. */
export function selectAttachments(all: Attachment[], wanted: string[], pageId: string): Attachment[] {
  return wanted.map((want) => {
    const byId = all.find((a) => a.id === want || a.id === `att${want}`);
    const hit = byId ?? all.find((a) => a.title === want);
    if (!hit)
      throw new NotFoundError(`attachment "${want}" on page ${pageId}`, {
        hint: `list them with: confl attachment list ${pageId}`,
      });
    return hit;
  });
}

export interface UploadFile {
  /** the name it gets on the page */
  filename: string;
  contentType: string;
  handle: MultipartFile["handle"];
  size: number;
}

export interface UploadOptions {
  comment?: string | undefined;
  minorEdit?: boolean | undefined;
  /** the attachment this becomes a new version of; undefined = a new attachment */
  existingId?: string | undefined;
  onBytes?: (sent: number) => void;
  /** no progress for this long (ms) while sending or waiting for the answer → give up */
  stallTimeoutMs?: number;
}

/**
 * Uploads one file, streamed from its open handle. Returns the attachment as the server now has it.
 * The pipeline cannot replay a streamed body, so a 429 is retried here, with a fresh body read from the
 * handle again. Atlassian: "429 responses may be accompanied by the Retry-After header … You can retry the
 * request after this delay, but not before" (https://developer.atlassian.com/cloud/confluence/rate-limiting/,
 * confluence-api.md §2); the waits and the number of retries are the pipeline's (retry.ts).
 */
export async function uploadAttachment(
  client: ConfluenceClient,
  pageId: string,
  file: UploadFile,
  options: UploadOptions = {},
): Promise<Attachment> {
  for (let retry = 1; ; retry++) {
    try {
      return await uploadOnce(client, pageId, file, options);
    } catch (error) {
      const wait = error instanceof RateLimitError ? rateLimitWait(error, retry) : undefined;
      if (wait === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The wait before upload retry number `retry` after a 429, or undefined to give up (the pipeline's rules). */
function rateLimitWait(error: RateLimitError, retry: number): number | undefined {
  const policy = DEFAULT_RETRY_POLICY;
  if (error.status !== 429 || retry > policy.maxRetries) return undefined;
  const asked = error.retryAfterMs;
  if (asked !== undefined && asked > policy.maxDelayMs) return undefined;
  const floor = asked === undefined ? backoffDelay(retry, policy) : Math.max(policy.minRetryAfterMs, asked);
  return Math.min(policy.maxDelayMs, Math.round(floor * (1 + 0.3 * Math.random())));
}

async function uploadOnce(
  client: ConfluenceClient,
  pageId: string,
  file: UploadFile,
  options: UploadOptions,
): Promise<Attachment> {
  const parts: Array<MultipartField | MultipartFile> = [
    {
      name: "file",
      filename: file.filename,
      contentType: file.contentType,
      handle: file.handle,
      size: file.size,
    },
    { name: "minorEdit", value: options.minorEdit ? "true" : "false" },
  ];
  if (options.comment !== undefined && options.comment !== "")
    parts.push({ name: "comment", value: options.comment, contentType: "text/plain; charset=utf-8" });
  const stall = stallWatchdog(options.stallTimeoutMs ?? 60_000, `uploading ${file.filename}`);
  const multipart = multipartBody(parts, {
    onBytes: (sent) => {
      stall.kick();
      options.onBytes?.(sent);
    },
  });
  const base = `rest/api/content/${encodeURIComponent(pageId)}/child/attachment`;
  const path = options.existingId ? `${base}/${encodeURIComponent(options.existingId)}/data` : base;
  try {
    const response = await orNotFound(`page ${pageId}`, () =>
      client.http.request<unknown>({
        method: "POST",
        path,
        headers: {
          ...XSRF_HEADER,
          "content-type": multipart.contentType,
          "content-length": String(multipart.contentLength),
        },
        body: multipart.body,
        signal: stall.signal,
        // the watchdog above is the timeout: a large file may take far longer than one request's budget
        timeoutMs: 2 ** 31 - 1,
      }),
    );
    const data = response.data;
    // POST child/attachment answers a ContentArray; POST …/data answers the single Content (spec-v1)
    const raw = isObject(data) && Array.isArray(data.results) ? data.results[0] : data;
    return fromV1Attachment(client, raw, pageId);
  } catch (error) {
    throw stall.explain(error);
  } finally {
    stall.stop();
  }
}

/** Aborts a transfer that makes no progress for `ms`; kick() on every chunk. */
export function stallWatchdog(ms: number, what: string) {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error("stalled")), ms);
    timer.unref?.();
  };
  arm();
  return {
    signal: controller.signal,
    kick: arm,
    stop: () => clearTimeout(timer),
    explain(error: unknown): unknown {
      if (!controller.signal.aborted) return error;
      return new ConflError(`${what}: no progress for ${Math.round(ms / 1000)} s; gave up`, {
        code: "network.stalled",
        hint: "check your connection or proxy and try again",
        cause: error,
      });
    },
  };
}

export interface DownloadStream {
  body: Readable;
  /** Content-Length of the bytes, when the server sent one */
  length: number | null;
  /** call on every chunk read: the stall watchdog's heartbeat */
  kick(): void;
  done(): void;
  explain(error: unknown): unknown;
}

/**
 * The bytes of one attachment as a stream. Cloud: v1 `…/download` (302 to the media host, followed without
 * credentials); DC: the servlet path from `_links.download`, relative to the base URL (context path incl.).
 */
export async function openAttachmentDownload(
  client: ConfluenceClient,
  attachment: Attachment,
  options: { stallTimeoutMs?: number } = {},
): Promise<DownloadStream> {
  const stall = stallWatchdog(options.stallTimeoutMs ?? 60_000, `downloading ${attachment.title}`);
  const path =
    client.deployment === "dc" && attachment.downloadPath
      ? attachment.downloadPath.replace(/^\/+/, "")
      : `rest/api/content/${encodeURIComponent(attachment.pageId)}/child/attachment/${encodeURIComponent(attachment.id)}/download`;
  try {
    const response = await orNotFound(`attachment ${attachment.id} on page ${attachment.pageId}`, () =>
      client.http.request<ReadableStream<Uint8Array> | null>({
        path,
        responseType: "stream",
        headers: { accept: "*/*" },
        signal: stall.signal,
      }),
    );
    const lengthHeader = response.headers.get("content-length");
    const length = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
    const web = response.data;
    const body = web
      ? NodeReadable.fromWeb(web as import("node:stream/web").ReadableStream<Uint8Array>)
      : NodeReadable.from([]);
    return { body, length, kick: stall.kick, done: stall.stop, explain: (error) => stall.explain(error) };
  } catch (error) {
    stall.stop();
    throw stall.explain(error);
  }
}

/** Deletes (trashes) one attachment. */
export async function deleteAttachment(client: ConfluenceClient, attachment: Attachment): Promise<void> {
  const what = `attachment ${attachment.id} on page ${attachment.pageId}`;
  if (client.contentApi === "v2") {
    // spec-v2 deleteAttachment declares an int64 id; list answers give `att123`
    const numeric = attachment.id.replace(/^att/, "");
    await orNotFound(what, () =>
      client.http.request({
        method: "DELETE",
        path: `api/v2/attachments/${encodeURIComponent(numeric)}`,
        responseType: "none",
      }),
    );
    return;
  }
  await orNotFound(what, () =>
    client.http.request({
      method: "DELETE",
      path: `rest/api/content/${encodeURIComponent(attachment.pageId)}/child/attachment/${encodeURIComponent(attachment.id)}`,
      headers: { ...XSRF_HEADER },
      responseType: "none",
    }),
  );
}
