/**
 * Files that must stay private and whole: the config directory (0700), config.json and the secret
 * files (0600). Writes go to a temp file opened 0600, are fsynced and renamed over the target, so a
 * kill at any moment leaves the old file or the new one, never a torn one. Modes are enforced with an
 * explicit chmod because `fs.writeFile(path, data, { mode })` leaves an existing file's mode alone
 * (measured: a 0644 file stayed 0644; docs/dependencies.md §3).
 *
 * None of this ever follows a symbolic link: a config.json (or secrets file, or config directory) that
 * is a link would make confl chmod, read or replace whatever it points at. Each file is opened with
 * O_NOFOLLOW and changed through that descriptor (fchmod), so nothing can be swapped in between a
 * check and the change; a link is refused with one line naming it (ConflError, exit 1: the command
 * line was fine, a file on disk is not what confl expects, like a corrupt config.json).
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ConflError } from "../errors.js";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const isWindows = process.platform === "win32";

/** O_NOFOLLOW and friends; 0 where the platform lacks them (Windows, where no chmod happens anyway). */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;

/** Creates the directory (0700) or tightens an existing one to 0700; refuses a symbolic link. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    // Checked before mkdir too: mkdir on a dangling link fails with a misleading EEXIST.
    if (!isWindows) await refuseLink(dir);
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (isWindows) return;
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      // ENOTDIR: something that is not a directory; ELOOP: a link that appeared after the check.
      handle = await open(dir, constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      const info = await handle.stat();
      if ((info.mode & 0o777) !== PRIVATE_DIR_MODE) await handle.chmod(PRIVATE_DIR_MODE);
    } finally {
      await handle?.close().catch(() => {});
    }
  } catch (error) {
    if (error instanceof ConflError) throw error;
    if (isErrno(error, "ELOOP")) throw symlinkError(dir);
    if (isErrno(error, "ENOTDIR") || isErrno(error, "EEXIST")) {
      throw new ConflError(`${dir} exists and is not a directory`, {
        hint: "Move it aside, or point CONFL_CONFIG_DIR at a directory.",
        code: "config.not_a_directory",
      });
    }
    throw fileError(`cannot create or secure the directory ${dir}`, error);
  }
}

/** Tightens an existing file to 0600; a missing file is fine; a symbolic link is refused. */
export async function ensurePrivateFile(path: string): Promise<void> {
  if (isWindows) return;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await openNoFollow(path);
    const info = await handle.stat();
    if ((info.mode & 0o777) !== PRIVATE_FILE_MODE) await handle.chmod(PRIVATE_FILE_MODE);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return;
    if (error instanceof ConflError) throw error;
    throw fileError(`cannot set permissions 0600 on ${path}`, error);
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * Opens one of confl's own files for reading without following a link (ELOOP becomes the symlink
 * error), without blocking on a FIFO, and refuses anything that is not a regular file.
 */
async function openNoFollow(path: string): Promise<Awaited<ReturnType<typeof open>>> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    // Some systems answer O_NOFOLLOW on a link with EMLINK or EFTYPE instead of ELOOP.
    if (isErrno(error, "ELOOP") || isErrno(error, "EMLINK") || isErrno(error, "EFTYPE"))
      throw symlinkError(path);
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close().catch(() => {});
    throw new ConflError(`refusing to use ${path}: it is not a regular file`, {
      hint: `Move it aside (mv ${path} ${path}.bak) and run the command again.`,
      code: "config.not_a_file",
    });
  }
  return handle;
}

/** Throws the symlink error when `path` is a symbolic link; a missing path is fine. */
async function refuseLink(path: string): Promise<void> {
  const info = await lstat(path).catch((error: unknown) => {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  });
  if (info?.isSymbolicLink()) throw symlinkError(path);
}

function symlinkError(path: string): ConflError {
  return new ConflError(`refusing to use ${path}: it is a symbolic link`, {
    hint: "confl never follows a link for its private files; replace the link with the real file or directory, or point CONFL_CONFIG_DIR at the real directory.",
    code: "config.symlink",
  });
}

/** Writes `data` to `path` atomically with mode 0600, creating the parent directory 0700. */
export async function writePrivateFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  await ensurePrivateDir(dir);
  // rename() would replace a link rather than follow it, but a linked file is never silently undone.
  if (!isWindows) await refuseLink(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // "wx": never follow or reuse something an attacker pre-created at the temp name.
    handle = await open(tmp, "wx", PRIVATE_FILE_MODE);
    await handle.writeFile(data, "utf8");
    // The umask can only remove bits, but be explicit: the mode is the point of this function.
    if (!isWindows) await handle.chmod(PRIVATE_FILE_MODE);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw fileError(`cannot write ${path}`, error);
  }
  await syncDirectory(dir);
  await removeAbandonedTempFiles(dir, basename(path));
}

/**
 * A process killed between creating its temp file and renaming it leaves `.name.<pid>.<hex>.tmp`
 * behind, possibly holding a secret. Remove those whose writer is gone; never another live
 * process's file, which may be about to be renamed.
 */
async function removeAbandonedTempFiles(dir: string, base: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const match = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    await unlink(join(dir, name)).catch(() => {});
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrno(error, "EPERM");
  }
}

/**
 * Reads one of confl's own files (config.json, the secret files) as UTF-8; undefined when it does not
 * exist. Never follows a symbolic link and never reads a FIFO or device (see openNoFollow).
 */
export async function readPrivateFileIfExists(path: string): Promise<string | undefined> {
  if (isWindows) return readFileIfExists(path);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await openNoFollow(path);
    return await handle.readFile("utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    if (error instanceof ConflError) throw error;
    throw fileError(`cannot read ${path}`, error);
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Reads a file as UTF-8, following links (~/.netrc is the user's, not confl's); undefined when missing. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw fileError(`cannot read ${path}`, error);
  }
}

type LockfileModule = typeof import("proper-lockfile");

/**
 * proper-lockfile, loaded on first use. It is CommonJS: in the code-split bundle a dynamic import of it
 * yields `{ default: module.exports }`, while Node and vitest also expose the named exports, so accept both.
 */
export async function loadLockfile(): Promise<LockfileModule> {
  const mod = (await import("proper-lockfile")) as LockfileModule & { default?: LockfileModule };
  return typeof mod.lock === "function" ? mod : (mod.default as LockfileModule);
}

/**
 * Runs `fn` while holding an exclusive lock on `path` (a `<path>.lock` directory, proper-lockfile),
 * so a read-modify-write by one process cannot lose another's update (OAuth refreshes and logins from
 * several processes may touch the same file). Waits up to ~15 s; a lock left by a killed process is
 * taken over once it is stale (10 s without an update).
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  await ensurePrivateDir(dirname(path));
  const lockfile = await loadLockfile();
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      lockfilePath: `${path}.lock`,
      stale: 10_000,
      retries: { retries: 300, minTimeout: 5, maxTimeout: 50, factor: 1.2, randomize: true },
      // The default throws from a timer (an uncaught exception); remember it and fail the operation instead.
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    if (isErrno(error, "ELOCKED")) {
      throw new ConflError(`another confl process is holding the lock on ${path}`, {
        hint: `Wait for it to finish. If no confl process is running, remove ${path}.lock.`,
        code: "config.locked",
        cause: error,
      });
    }
    throw fileError(`cannot lock ${path}`, error);
  }
  try {
    const result = await fn();
    if (compromised) {
      throw new ConflError(`lost the lock on ${path} while updating it`, {
        hint: "Another process took over the lock; run the command again.",
        code: "config.lock_compromised",
        cause: compromised,
      });
    }
    return result;
  } finally {
    await release().catch(() => {});
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Not possible on Windows; best effort elsewhere.
  if (isWindows) return;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => {});
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

function fileError(message: string, cause: unknown): ConflError {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const reason = typeof code === "string" ? ` (${code})` : "";
  const hint =
    code === "EACCES" || code === "EPERM"
      ? "Check that you own the confl config directory, or set CONFL_CONFIG_DIR to a directory you own."
      : code === "ENOSPC"
        ? "The disk is full; free some space and try again."
        : undefined;
  return new ConflError(`${message}${reason}`, { hint, code: "config.io", cause });
}
