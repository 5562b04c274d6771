/**
 * A multipart/form-data body streamed from disk, with its exact Content-Length computed up front from the
 * file sizes, so a 1 GiB upload never sits in memory (dependencies.md §0.3: Node's fetch buffers a
 * FormData or Blob body; a stream sent with redirect "error" does not, which the pipeline does for
 * stream bodies). The file is read in 1 MiB chunks only as fast as the socket takes them (pull-based).
 */
import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

export interface MultipartField {
  name: string;
  value: string;
  /** the part's Content-Type; Atlassian asks for `text/plain; charset=utf-8` on comments (spec-v1) */
  contentType?: string;
}

export interface MultipartFile {
  name: string;
  filename: string;
  contentType: string;
  /** an open handle (opened before any request, so a missing or unreadable file fails first) */
  handle: FileHandle;
  size: number;
}

export interface MultipartBody {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  contentLength: number;
}

const CHUNK = 1024 * 1024;
const CRLF = "\r\n";

/**
 * A quoted header parameter as browsers write it in multipart/form-data (WHATWG HTML, "multipart/form-data
 * encoding algorithm"): `"` → %22, CR → %0D, LF → %0A; everything else as UTF-8.
 */
export function quotedParameter(value: string): string {
  return `"${value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}"`;
}

export function multipartBody(
  parts: ReadonlyArray<MultipartField | MultipartFile>,
  options: { onBytes?: (sent: number) => void; boundary?: string } = {},
): MultipartBody {
  const boundary = options.boundary ?? `----confl-${randomBytes(16).toString("hex")}`;
  // Each part is a header (bytes), then either a value or a file's bytes, then CRLF.
  const segments: Array<Buffer | MultipartFile> = [];
  for (const part of parts) {
    const isFile = "handle" in part;
    const disposition = `form-data; name=${quotedParameter(part.name)}${isFile ? `; filename=${quotedParameter(part.filename)}` : ""}`;
    const type = part.contentType;
    const header = `--${boundary}${CRLF}Content-Disposition: ${disposition}${CRLF}${type ? `Content-Type: ${type}${CRLF}` : ""}${CRLF}`;
    segments.push(Buffer.from(header, "utf8"));
    segments.push(isFile ? part : Buffer.from(part.value, "utf8"));
    segments.push(Buffer.from(CRLF));
  }
  segments.push(Buffer.from(`--${boundary}--${CRLF}`));
  const contentLength = segments.reduce((n, s) => n + (Buffer.isBuffer(s) ? s.length : s.size), 0);

  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (const segment of segments) {
      if (Buffer.isBuffer(segment)) {
        yield segment;
        continue;
      }
      let position = 0;
      while (position < segment.size) {
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK, segment.size - position));
        const { bytesRead } = await segment.handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
      // A file that shrank (or grew) while being read would not match the Content-Length already sent.
      if (position !== segment.size || (await segment.handle.stat()).size !== segment.size)
        throw new Error(`${segment.filename} changed size while it was being uploaded`);
    }
  }

  const iterator = chunks();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        sent += next.value.length;
        options.onBytes?.(sent);
        controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, contentLength };
}
