/**
 * Writing a server-named file safely: the name comes from an attachment title, which anyone who can edit
 * the page chooses, so it is made into one plain file name inside the target directory, and the bytes go
 * to a temporary file beside it that is renamed into place only once complete and flushed. A failure or
 * Ctrl-C leaves no half-written file (the temporary is removed, also on process exit).
 */
import { randomBytes } from "node:crypto";
import { unlinkSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { redactSecrets } from "../redact.js";

/** Names Windows reserves for devices, with or without an extension (Microsoft, "Naming Files, Paths, and Namespaces"). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;
const MAX_NAME_BYTES = 255;

/**
 * One file name for `title`, never a path: separators, NUL and other control or invisible format
 * characters, and the characters Windows forbids (`<>:"|?*`) become `_` (after any credential in the title is
 * redacted); leading/trailing spaces and
 * trailing dots go (so `.` and `..` vanish); Windows device names get a `_` in front; the name is cut to
 * 255 UTF-8 bytes keeping its extension. Nothing left → `fallback`.
 */
export function safeFileName(title: string, fallback: string): string {
  // A name is written to disk like any other output: a credential a server put into a title is redacted
  // before the characters around it change (a `/` in a token becomes `_` below, and would no longer match).
  let name = redactSecrets(title)
    .normalize("NFC")
    .replace(/[/\\]/g, "_")
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "_")
    .replace(/[<>:"|?*]/g, "_")
    .trim()
    .replace(/[.\s]+$/, "");
  // only dots and underscores left (`..`, `._.`) says nothing; neither does an empty name
  if (/^[._]*$/.test(name)) name = "";
  if (name === "") name = fallback;
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    let stem = name.slice(0, name.length - ext.length);
    while (Buffer.byteLength(stem + ext) > MAX_NAME_BYTES) stem = [...stem].slice(0, -1).join("");
    name = stem + ext;
  }
  return name;
}

/** `dir/name`, checked to be directly inside `dir` (defence in depth after safeFileName). */
export function pathInside(dir: string, name: string): string {
  const target = resolve(dir, name);
  if (dirname(target) !== resolve(dir) || basename(target) !== name)
    throw new Error(`refusing to write outside ${dir}: ${JSON.stringify(name)}`);
  return target;
}

/** Temporary files in progress; removed synchronously if the process exits first (Ctrl-C → exit 130). */
const pending = new Set<string>();
let exitHookInstalled = false;
function track(path: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const file of pending) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    });
  }
  pending.add(path);
}

export interface AtomicWriteOptions {
  /** refuse to replace an existing file */
  noClobber?: boolean;
  /** the size the server announced (Content-Length): fewer or more bytes is a failed transfer */
  expectedBytes?: number | null | undefined;
  /** bytes written so far, after every chunk */
  onBytes?: (written: number) => void;
  /**
   * fsync the directory after the rename (default): the rename survives a power loss. A caller writing
   * many files into few folders may sync each folder once instead (syncDirectory below).
   */
  syncDirectory?: boolean;
}

/** Makes renames into `dir` durable where the platform allows syncing a directory (not Windows). */
export async function syncDirectory(dir: string): Promise<void> {
  await open(dir, "r")
    .then(async (d) => {
      await d.sync().catch(() => {});
      await d.close();
    })
    .catch(() => {});
}

/**
 * Bytes already in memory into `target`, as writeFileAtomically does (temporary file beside it, fsync,
 * rename) without a stream: four file operations instead of eight for a small file.
 */
export async function writeBytesAtomically(
  target: string,
  bytes: Uint8Array,
  options: { syncDirectory?: boolean } = {},
): Promise<void> {
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target).slice(0, 100)}.${randomBytes(6).toString("hex")}.confl-part`);
  track(temp);
  try {
    const handle = await open(temp, "wx", 0o666);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    pending.delete(temp);
  } catch (error) {
    await rm(temp, { force: true });
    pending.delete(temp);
    throw error;
  }
  if (options.syncDirectory !== false) await syncDirectory(dir);
}

/**
 * Streams `source` into `target` through a temporary file in the same directory: write, fsync, rename.
 * Returns the bytes written. On any failure the temporary is removed and `target` is untouched.
 */
export async function writeFileAtomically(
  target: string,
  source: Readable | AsyncIterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<number> {
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target).slice(0, 100)}.${randomBytes(6).toString("hex")}.confl-part`);
  track(temp);
  const handle = await open(temp, "wx", 0o666);
  let closed = false;
  let written = 0;
  try {
    // the stream closes the handle when it finishes; it is reopened below only to fsync
    const out = handle.createWriteStream({ highWaterMark: 1024 * 1024 });
    out.once("close", () => {
      closed = true;
    });
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          written += chunk.length;
          options.onBytes?.(written);
          yield chunk;
        }
      },
      out,
    );
    if (
      options.expectedBytes !== undefined &&
      options.expectedBytes !== null &&
      written !== options.expectedBytes
    )
      throw new Error(`received ${written} bytes, the server announced ${options.expectedBytes}`);
    const flush = await open(temp, "r+");
    try {
      await flush.sync();
    } finally {
      await flush.close();
    }
    if (options.noClobber) {
      // link-then-unlink would be exact; a check is enough for a CLI that names the flag to override it
      const existing = await open(target, "r").then(
        (h) => h.close().then(() => true),
        () => false,
      );
      if (existing) throw Object.assign(new Error(`${target} already exists`), { code: "EEXIST" });
    }
    await rename(temp, target);
    pending.delete(temp);
    if (options.syncDirectory !== false) await syncDirectory(dir);
    return written;
  } catch (error) {
    if (!closed) await handle.close().catch(() => {});
    await rm(temp, { force: true });
    pending.delete(temp);
    throw error;
  }
}
