/**
 * The export's state file, `.confl-export.json` in the export folder: which page and attachment versions
 * are on disk and under which names. It is replaced atomically (a temporary file beside it, then a
 * rename) after every finished page, so a kill at any moment leaves either the old or the new state,
 * never half of one; the next run trusts it and redoes only what it does not record as done.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../errors.js";

export const STATE_FILE = ".confl-export.json";

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
    return state;
  } catch {
    throw new UsageError(`${join(dir, STATE_FILE)} is not an export state file confl can read`, {
      code: "usage.export_state",
      hint: "remove it to export everything again, or export into another folder",
    });
  }
}

/** Saves the state atomically; calls made while a save runs are folded into one more save. */
export function stateSaver(dir: string, state: ExportState) {
  let running: Promise<void> | undefined;
  let again = false;
  const target = join(dir, STATE_FILE);
  const once = async () => {
    const temp = join(dir, `.confl-export.${randomBytes(4).toString("hex")}.tmp`);
    try {
      await writeFile(temp, `${JSON.stringify(state)}\n`);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  };
  const loop = async () => {
    do {
      again = false;
      await once();
    } while (again);
  };
  return {
    save(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = loop().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
