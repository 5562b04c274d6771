/**
 * The default wire: one `node:http` / `node:https` request per call. Node's built-in fetch costs about
 * 20 ms of CPU to load (undici's fetch, Headers and Response are built on first touch; measured, issue 14),
 * a fifth of a whole `confl api` call, so a plain request touches none of the `fetch`, `Headers`,
 * `Response` or `Request` globals. undici stays for proxy, CA file, mTLS and --insecure (transport.ts).
 *
 * What fetch did for the pipeline and this does too: redirects are never followed (the redirect layer
 * decides, pipeline.ts), gzip/deflate/br bodies are decoded as fetch decodes them, the abort signal ends
 * the request and, after the headers, the body (with the signal's reason, so a timeout is still a
 * TimeoutError), bodies stream both ways with backpressure (a 1 GiB transfer is never held in memory),
 * and a URL with user:password@ is refused instead of being turned into an Authorization header.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HttpHeaders } from "./headers.js";

/** The part of a fetch Response the pipeline reads; undici's Response has the same shape. */
export interface WireResponse {
  readonly status: number;
  readonly statusText: string;
  /** the URL that answered (a redirect is never followed here, so the URL asked) */
  readonly url: string;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
  clone(): WireResponse;
}

/** Statuses whose response has no body (fetch's "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

class NodeResponse implements WireResponse {
  readonly ok: boolean;
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly url: string,
    readonly headers: Headers,
    public body: ReadableStream<Uint8Array> | null,
  ) {
    this.ok = status >= 200 && status <= 299;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  clone(): WireResponse {
    if (!this.body) return new NodeResponse(this.status, this.statusText, this.url, this.headers, null);
    const [mine, theirs] = this.body.tee();
    this.body = mine;
    return new NodeResponse(this.status, this.statusText, this.url, this.headers, theirs);
  }

  async #bytes(): Promise<Buffer> {
    if (!this.body) return Buffer.alloc(0);
    const reader = this.body.getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }
}

function isFormData(body: unknown): boolean {
  // never `instanceof FormData`: touching the global loads undici's fetch
  return Object.prototype.toString.call(body) === "[object FormData]";
}

/** The request body as bytes, or as a stream to pipe; undefined when there is none. */
async function prepareBody(
  body: unknown,
  headers: HttpHeaders,
): Promise<{ bytes?: Buffer; stream?: Readable } | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return { bytes: Buffer.from(body, "utf8") };
  if (body instanceof Uint8Array)
    return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof ArrayBuffer) return { bytes: Buffer.from(body) };
  if (body instanceof URLSearchParams) {
    if (!headers.has("content-type"))
      headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
    return { bytes: Buffer.from(body.toString(), "utf8") };
  }
  if (isFormData(body)) {
    // the caller built a FormData, so undici is loaded already: let it encode the multipart body
    const encoded = new Response(body as FormData);
    headers.set("content-type", encoded.headers.get("content-type") ?? "multipart/form-data");
    return { bytes: Buffer.from(await encoded.arrayBuffer()) };
  }
  if (body instanceof Blob) {
    if (body.type && !headers.has("content-type")) headers.set("content-type", body.type);
    return { bytes: Buffer.from(await body.arrayBuffer()) };
  }
  if (body instanceof ReadableStream)
    return { stream: Readable.fromWeb(body as import("node:stream/web").ReadableStream) };
  if (body instanceof Readable) return { stream: body };
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function")
    return { stream: Readable.from(body as AsyncIterable<Uint8Array>) };
  throw new TypeError("unsupported request body");
}

/** A web stream over a Node stream that reads only as fast as it is read (pull-based). */
function webStream(source: Readable, onCancel: () => void): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.pause();
        source.on("data", (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once("end", () => {
          if (done) return;
          done = true;
          controller.close();
        });
        source.once("error", (error) => {
          if (done) return;
          done = true;
          controller.error(error);
        });
      },
      pull() {
        source.resume();
      },
      cancel() {
        done = true;
        onCancel();
      },
    },
    { highWaterMark: 4 },
  );
}

async function decoded(response: IncomingMessage): Promise<Readable> {
  const encoding = (response.headers["content-encoding"] ?? "").trim().toLowerCase();
  if (encoding !== "gzip" && encoding !== "x-gzip" && encoding !== "deflate" && encoding !== "br")
    return response;
  const zlib = await import("node:zlib");
  // as undici's fetch: lenient about a body cut short after the last full block
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  const decoder =
    encoding === "br"
      ? zlib.createBrotliDecompress({
          flush: zlib.constants.BROTLI_OPERATION_FLUSH,
          finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        })
      : encoding === "deflate"
        ? zlib.createInflate(flush)
        : zlib.createGunzip(flush);
  response.on("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

/** Sends one request over node:http(s) and resolves once the response headers have arrived. */
export async function nodeFetch(
  href: string,
  init: RequestInit & { pinnedAddresses?: string[] },
): Promise<WireResponse> {
  const method = init.method ?? "GET";
  const url = new URL(href);
  if (url.username !== "" || url.password !== "")
    throw new TypeError("a request URL must not contain a user name or password");
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError(`cannot send a request to a ${url.protocol} URL`);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const headers = new HttpHeaders(init.headers);
  const body = await prepareBody(init.body, headers);
  // fetch's defaults (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch): Accept */*, and the
  // encodings it decodes
  if (!headers.has("accept")) headers.set("accept", "*/*");
  if (!headers.has("accept-encoding"))
    headers.set("accept-encoding", url.protocol === "https:" ? "gzip, deflate, br" : "gzip, deflate");
  if (body?.bytes) headers.set("content-length", String(body.bytes.byteLength));
  else if (!body && method !== "GET" && method !== "HEAD" && !headers.has("content-length"))
    headers.set("content-length", "0");
  const outgoing: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    // Host comes from the URL the pipeline checked (node:http also takes SNI and the certificate check
    // from it), never from a caller's header
    if (name === "set-cookie" || name === "host") return;
    outgoing[name] = value;
  });
  const transport = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const options: RequestOptions = { method, headers: outgoing };
  // the guard let a credential go to a `*.localhost` name because it resolved to these loopback
  // addresses: connect to them, not to whatever a second lookup would answer
  // on a connection of its own: a pooled keep-alive socket to the same host:port (say, from an anonymous
  // detection probe that was not pinned) may have been opened to another address
  if (init.pinnedAddresses) {
    const { pinnedLookup } = await import("./plain-http-guard.js");
    options.lookup = pinnedLookup(init.pinnedAddresses) as unknown as RequestOptions["lookup"];
    options.agent = false;
  }

  return new Promise<WireResponse>((resolve, reject) => {
    let settled = false;
    let request: ClientRequest;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const onAbort = () => {
      const reason = signal?.reason ?? new DOMException("This operation was aborted", "AbortError");
      request.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      fail(reason);
    };
    // http.request(URL) takes the host, port and path from the URL itself (an IPv6 literal loses its
    // brackets there), so what is sent is exactly the URL the pipeline checked.
    request = transport.request(url, options, (response) => {
      const status = response.statusCode ?? 0;
      const responseHeaders = new HttpHeaders();
      const raw = response.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        try {
          responseHeaders.append(raw[i]!, raw[i + 1]!);
        } catch {
          // a header fetch would not accept either: left out
        }
      }
      const finish = () => signal?.removeEventListener("abort", onAbort);
      if (method === "HEAD" || NULL_BODY.has(status)) {
        response.resume();
        finish();
        settled = true;
        resolve(new NodeResponse(status, response.statusMessage ?? "", url.href, responseHeaders, null));
        return;
      }
      decoded(response).then(
        (source) => {
          // the abort signal still holds after the headers: it ends the body with its reason
          const stopBody = () => {
            const reason = signal?.reason ?? new DOMException("This operation was aborted", "AbortError");
            source.destroy(reason instanceof Error ? reason : new Error(String(reason)));
            response.destroy();
          };
          signal?.removeEventListener("abort", onAbort);
          signal?.addEventListener("abort", stopBody, { once: true });
          source.once("close", () => signal?.removeEventListener("abort", stopBody));
          response.once("aborted", () =>
            source.destroy(Object.assign(new Error("terminated"), { code: "ECONNRESET" })),
          );
          const stream = webStream(source, () => {
            source.destroy();
            response.destroy();
          });
          settled = true;
          resolve(new NodeResponse(status, response.statusMessage ?? "", url.href, responseHeaders, stream));
        },
        (error) => fail(error),
      );
    });
    request.once("error", fail);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    if (!body) request.end();
    else if (body.bytes) request.end(body.bytes);
    else if (body.stream)
      pipeline(body.stream, request).catch((error) => {
        request.destroy(error as Error);
        fail(error);
      });
  });
}
