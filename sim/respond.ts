/**
 * Response helpers shared by every simulated origin: Atlassian's error envelopes (confluence-api.md §1.14),
 * pagination shapes (§1.10) and a multipart/form-data reader for attachment uploads (§1.7).
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import type { Readable } from "node:stream";

/** Confluence Cloud answers JSON with a bare `application/json` (no charset), unlike Jira (§1.14, backlot). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = "text/plain",
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** v1 and Data Center envelope: RestError {statusCode, data: ValidationResult, message, reason} (spec-dc). */
export function v1ErrorBody(
  status: number,
  message: string,
  options: { reason?: string; authorized?: boolean; successful?: boolean } = {},
): Record<string, unknown> {
  return {
    statusCode: status,
    data: {
      authorized: options.authorized ?? true,
      valid: true,
      errors: [],
      successful: options.successful ?? false,
    },
    message,
    reason: options.reason ?? reasonPhrase(status),
  };
}

/** v2 envelope: {errors: [{status, code, title, detail}]} (md2conf #113 for 404; §1.5 for 409). */
export function v2ErrorBody(status: number, code: string, title: string, detail: string | null = null) {
  return { errors: [{ status, code, title, detail }] };
}

export function reasonPhrase(status: number): string {
  const phrases: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
  };
  return phrases[status] ?? "Error";
}

/** Tomcat's own 401 page, what Cloud sends for a Basic header it cannot decode (§1.12, backlot). */
export function tomcatHtml(status: number, phrase: string): string {
  return (
    `<!doctype html><html lang="en"><head><title>HTTP Status ${status} – ${phrase}</title></head>` +
    `<body><h1>HTTP Status ${status} – ${phrase}</h1></body></html>`
  );
}

export function notFoundHtml(): string {
  return tomcatHtml(404, "Not Found");
}

/** v2 cursors are opaque to clients; ours is base64url JSON of an offset. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64url");
}

export function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null || cursor === "") return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { offset?: unknown };
    if (typeof parsed.offset === "number" && Number.isInteger(parsed.offset) && parsed.offset >= 0) {
      return parsed.offset;
    }
  } catch {
    // fall through: an unreadable cursor is a 400, like Atlassian's
  }
  return undefined;
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
  /** a file part spooled to disk (settings.uploadSpoolDir): `data` is empty, the bytes are here */
  spooled?: { path: string; size: number };
}

/** Enough of RFC 7578 for attachment uploads: boundary split, part headers, raw bytes. */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
  const boundary = match?.[1] ?? match?.[2];
  if (!contentType?.toLowerCase().startsWith("multipart/form-data") || !boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) return undefined;
  while (position >= 0) {
    const start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // part = CRLF headers CRLF CRLF data CRLF
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) return undefined;
    const headerText = part.subarray(0, headerEnd).toString("utf8");
    const data = part.subarray(headerEnd + 4);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headerText)?.[1] ?? "";
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1]?.trim();
    if (name === undefined) return undefined;
    parts.push({
      name,
      data: Buffer.from(data),
      ...(filename !== undefined ? { filename } : {}),
      ...(type !== undefined ? { contentType: type } : {}),
    });
    position = next;
  }
  return parts;
}

/** v1 limit handling: negative → the measured 400 (§1.10 backlot); larger than the cap → silently capped. */
export function readV1Paging(
  url: URL,
  defaultLimit: number,
  cap: number,
): { start: number; limit: number } | { error: string } {
  const limitText = url.searchParams.get("limit");
  const startText = url.searchParams.get("start");
  const limit = limitText === null ? defaultLimit : Number(limitText);
  const start = startText === null ? 0 : Number(startText);
  if (!Number.isInteger(limit) || !Number.isInteger(start)) {
    return {
      error: `Failed to convert value of type 'java.lang.String' to required type 'int'; For input string: "${limitText ?? startText}"`,
    };
  }
  if (limit < 0) return { error: "java.lang.IllegalArgumentException: limit cannot be less than zero" };
  if (start < 0) return { error: "java.lang.IllegalArgumentException: start cannot be less than zero" };
  return { start, limit: Math.min(limit, cap) };
}

function partHeaders(text: string): Omit<MultipartPart, "data"> | undefined {
  const disposition = /content-disposition:([^\r\n]*)/i.exec(text)?.[1] ?? "";
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
  const type = /content-type:\s*([^\r\n]*)/i.exec(text)?.[1]?.trim();
  if (name === undefined) return undefined;
  return {
    name,
    ...(filename !== undefined ? { filename } : {}),
    ...(type !== undefined ? { contentType: type } : {}),
  };
}

/**
 * parseMultipart for bodies too large to hold: reads the request as it arrives, writes each file part to
 * a file in `dir` (with backpressure) and keeps only the small fields in memory. Undefined when the body
 * is not multipart/form-data or is malformed.
 */
export async function spoolMultipart(
  req: Readable,
  contentType: string | undefined,
  dir: string,
): Promise<MultipartPart[] | undefined> {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
  const boundary = match?.[1] ?? match?.[2];
  if (!contentType?.toLowerCase().startsWith("multipart/form-data") || !boundary) return undefined;
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];
  // a leading CRLF makes the first delimiter look like every other one
  let pending: Buffer = Buffer.from("\r\n");
  let state: "preamble" | "after" | "headers" | "body" | "done" = "preamble";
  let current:
    | { part: MultipartPart; chunks: Buffer[]; out?: import("node:fs").WriteStream; size: number }
    | undefined;

  const write = async (bytes: Buffer) => {
    if (!current || bytes.length === 0) return;
    current.size += bytes.length;
    if (!current.out) {
      current.chunks.push(Buffer.from(bytes));
      return;
    }
    if (!current.out.write(bytes))
      await new Promise<void>((resolve) => current!.out!.once("drain", () => resolve()));
  };
  const finish = async () => {
    if (!current) return;
    const { part, chunks, out, size } = current;
    if (out) {
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      part.spooled = { path: out.path as string, size };
    } else part.data = Buffer.concat(chunks);
    parts.push(part);
    current = undefined;
  };

  const advance = async (): Promise<boolean> => {
    switch (state) {
      case "preamble": {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          pending = pending.subarray(Math.max(0, pending.length - delimiter.length));
          return false;
        }
        pending = pending.subarray(at + delimiter.length);
        state = "after";
        return true;
      }
      case "after": {
        if (pending.length < 2) return false;
        const next = pending.subarray(0, 2).toString();
        pending = pending.subarray(2);
        if (next === "--") state = "done";
        else if (next === "\r\n") state = "headers";
        else throw new Error("malformed multipart body");
        return state !== "done";
      }
      case "headers": {
        const end = pending.indexOf("\r\n\r\n");
        if (end < 0) return false;
        const headers = partHeaders(pending.subarray(0, end).toString("utf8"));
        if (!headers) throw new Error("multipart part without a name");
        pending = pending.subarray(end + 4);
        const part: MultipartPart = { ...headers, data: Buffer.alloc(0) };
        current = { part, chunks: [], size: 0 };
        if (headers.filename !== undefined)
          current.out = createWriteStream(join(dir, `${randomUUID()}.upload`));
        state = "body";
        return true;
      }
      case "body": {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          const keep = Math.min(pending.length, delimiter.length);
          await write(pending.subarray(0, pending.length - keep));
          pending = pending.subarray(pending.length - keep);
          return false;
        }
        await write(pending.subarray(0, at));
        await finish();
        pending = pending.subarray(at + delimiter.length);
        state = "after";
        return true;
      }
      case "done":
        return false;
    }
  };

  try {
    for await (const chunk of req) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      while (await advance()) {}
    }
    return (state as string) === "done" ? parts : undefined;
  } catch {
    current?.out?.destroy();
    return undefined;
  }
}
