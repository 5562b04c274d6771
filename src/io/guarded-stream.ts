/**
 * The choke point for everything confl writes to stdout and stderr. IOStreams hands commands these
 * wrappers instead of the real streams, so a command cannot write around them:
 *
 * - every write is redacted (registered secrets in all their forms, src/redact.ts), bytes included:
 *   `confl api` body bytes, `-i` headers, commander's help, @clack/prompts frames;
 * - on a stream that shows text to a person (stderr always, stdout when it is a terminal) terminal
 *   control sequences are stripped, so a server cannot move the cursor, retitle the window, write the
 *   clipboard (OSC 52) or hide text. stdout to a pipe or file stays byte-exact but for redaction:
 *   scripts pipe JSON and downloads through it. confl's own colours survive because they are written
 *   with an unguessable marker in place of ESC (see markColors), turned into ESC only after stripping.
 *
 * The wrapper is a Proxy over the real stream: isTTY, columns, on("resize"), on("error") are the real
 * stream's, only write/end are intercepted.
 */
import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import { StreamRedactor, stripControls } from "../redact.js";

let marker: string | undefined;

/**
 * Stands for ESC in confl's own colour codes; random per process so server text cannot forge it. Made on
 * first use: node:crypto costs ~2 ms of CPU to load, which `confl --help` to a pipe never needs (issue 14).
 */
export function escMarker(): string {
  if (marker === undefined) {
    const { randomBytes } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
    marker = `\u{E000}${randomBytes(8).toString("hex")}\u{E001}`;
  }
  return marker;
}

export interface GuardOptions {
  /** Strip terminal control sequences from what is written. */
  stripControls: boolean;
  /**
   * Keep back a chunk's tail that could be the start of a secret until the next write (or flush).
   * Off for prompts: they redraw whole frames, and holding back typed input would hide it.
   */
  holdBack: boolean;
}

export type Guarded<S> = S & {
  /** Writes out anything held back. Called at exit; after it the stream may be written again. */
  flush(): void;
};

type WriteCallback = (error?: Error | null) => void;

export function guardStream<S extends Pick<Writable, "write">>(stream: S, options: GuardOptions): Guarded<S> {
  const redactor = new StreamRedactor();
  const decoder = new TextDecoder("utf-8");

  const transform = (chunk: unknown, encoding: BufferEncoding | undefined, final: boolean): Buffer => {
    let bytes = toBuffer(chunk, encoding);
    if (options.stripControls) {
      // Decoded as a stream so a character split across writes survives; invalid UTF-8 shows as U+FFFD,
      // which is what a terminal would show for it anyway.
      const text = decoder.decode(bytes, { stream: !final });
      bytes = Buffer.from(unmark(stripControls(text)), "utf8");
    } else if (typeof chunk === "string") {
      bytes = Buffer.from(unmark(bytes.toString("utf8")), "utf8");
    }
    const out = redactor.push(bytes);
    if (!options.holdBack || final) {
      const rest = redactor.end();
      return rest.length > 0 ? Buffer.concat([out, rest]) : out;
    }
    return out;
  };

  const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const encoding =
      typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : undefined;
    const cb = (typeof encodingOrCallback === "function" ? encodingOrCallback : callback) as
      | WriteCallback
      | undefined;
    const out = transform(chunk, encoding, false);
    return cb ? stream.write(out, cb) : stream.write(out);
  };

  const flush = (): void => {
    const out = transform(Buffer.alloc(0), undefined, true);
    if (out.length > 0) stream.write(out);
  };

  const end = (...args: unknown[]): unknown => {
    const [chunk, encoding] = args;
    if (chunk !== undefined && typeof chunk !== "function") write(chunk, encoding);
    flush();
    const target = stream as unknown as { end?: (cb?: unknown) => unknown };
    const cb = args.find((a) => typeof a === "function");
    return target.end?.call(stream, cb);
  };

  return new Proxy(stream, {
    get(target, property) {
      if (property === "write") return write;
      if (property === "end") return end;
      if (property === "flush") return flush;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Guarded<S>;
}

function toBuffer(chunk: unknown, encoding: BufferEncoding | undefined): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, encoding ?? "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), "utf8");
}

function unmark(text: string): string {
  // no marker yet: no colour was written, and no text can contain one
  return marker !== undefined && text.includes(marker) ? text.replaceAll(marker, "\x1b") : text;
}
