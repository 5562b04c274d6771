/**
 * The export's state: which page and attachment versions are on disk and under which names. Two files
 * in the export folder:
 * - `.confl-export.json`, the snapshot: replaced atomically (a temporary file beside it, then a rename),
 *   so a kill leaves the old or the new one, never half of one. It is written when a run has planned
 *   its file names (before the first file) and when the run ends.
 * - `.confl-export.log`, appended to between snapshots: one JSON line per finished page or attachment,
 *   written after the file itself is in place. Rewriting the whole snapshot after every page cost
 *   O(pages²) bytes and main-thread JSON work in a large export; a line costs its own size.
 * Loading reads the snapshot and applies the log's lines in order; a last line a kill cut short does not
 * parse and is ignored (that page is redone). The next snapshot folds the log in and removes it, so the
 * log only ever holds lines appended after the snapshot beside it.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../errors.js";

export const STATE_FILE = ".confl-export.json";
export const STATE_LOG = ".confl-export.log";

export interface StatePage {
  /** where the page goes in this plan (export-relative, `/`-separated) */
  path: string;
  title: string;
  /** the version on disk, null until written */
  version: number | null;
  /** where it was written (differs from `path` until a moved page is rewritten) */
  writtenPath: string | null;
  labels: string[];
  /** title of each page this one links to → the link written for it (null: not exported, a URL) */
  links: Record<string, string | null>;
  /** ids of the attachments its body refers to */
  referenced: string[];
}

export interface StateAttachment {
  pageId: string;
  path: string;
  version: number | null;
  writtenPath: string | null;
}

export interface ExportState {
  format: 1;
  /** the site the export came from, and what was exported */
  site: string | null;
  spaceKey: string;
  /** the page the export starts at, or null for the whole space */
  root: string | null;
  pages: Record<string, StatePage>;
  attachments: Record<string, StateAttachment>;
}

export async function loadState(dir: string): Promise<ExportState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const state = JSON.parse(text) as ExportState;
    if (state.format !== 1 || typeof state.pages !== "object" || typeof state.attachments !== "object")
      throw new Error("unknown format");
    applyLog(state, await readLog(dir));
    return state;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${join(dir, STATE_FILE)} is not an export state file confl can read`, {
      code: "usage.export_state",
      hint: "remove it to export everything again, or export into another folder",
    });
  }
}

/** One line of the log: a finished page (`page`) or attachment (`attachment`) with its whole entry. */
type LogLine = { page: string; entry: StatePage } | { attachment: string; entry: StateAttachment };

async function readLog(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, STATE_LOG), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

/** Applies the log's lines to the snapshot; only the last line may be torn (cut short by a kill). */
export function applyLog(state: ExportState, text: string): void {
  const lines = text.split("\n");
  // text ending in a newline leaves one empty string after it
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, i) => {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
      if (typeof parsed !== "object" || parsed === null || typeof parsed.entry !== "object")
        throw new Error("not a log line");
    } catch (error) {
      // a kill in the middle of an append: that page or attachment was not recorded as done
      if (i === lines.length - 1) return;
      throw new UsageError(`${STATE_LOG} line ${i + 1} is not a state record confl can read`, {
        code: "usage.export_state",
        hint: "remove it to export everything again, or export into another folder",
        cause: error,
      });
    }
    if ("page" in parsed) state.pages[parsed.page] = parsed.entry;
    else state.attachments[parsed.attachment] = parsed.entry;
  });
}

/**
 * Writes the state: `snapshot()` replaces the snapshot atomically and then removes the log (its lines are
 * in the snapshot now); `page(id)` and `attachment(id)` append the entry's current value to the log.
 * Writes happen one at a time, in the order asked.
 */
export function stateWriter(dir: string, state: ExportState) {
  let chain: Promise<unknown> = Promise.resolve();
  let log: FileHandle | undefined;
  const target = join(dir, STATE_FILE);
  const logPath = join(dir, STATE_LOG);
  const queue = (work: () => Promise<void>): Promise<void> => {
    const next = chain.then(work);
    // a failed write fails its caller; the ones after it still run
    chain = next.catch(() => {});
    return next;
  };
  const append = (line: LogLine) => {
    // the entry as it is now, not as it may be when the write's turn comes
    const text = `${JSON.stringify(line)}\n`;
    return queue(async () => {
      log ??= await open(logPath, "a");
      await log.write(text);
    });
  };
  return {
    snapshot(): Promise<void> {
      return queue(async () => {
        const temp = join(dir, `.confl-export.${randomBytes(4).toString("hex")}.tmp`);
        try {
          await writeFile(temp, `${JSON.stringify(state)}\n`);
          await rename(temp, target);
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
        // only now: a kill before this line leaves log lines the snapshot already holds, harmless to reapply
        await log?.close();
        log = undefined;
        await rm(logPath, { force: true });
      });
    },
    page(id: string): Promise<void> {
      return append({ page: id, entry: state.pages[id]! });
    },
    attachment(id: string): Promise<void> {
      return append({ attachment: id, entry: state.attachments[id]! });
    },
    async close(): Promise<void> {
      await chain;
      await log?.close();
      log = undefined;
    },
  };
}
