/**
 * One progress line on stderr for transfers (uploads, downloads), drawn only when stderr is a terminal:
 * piped or captured, nothing is drawn and the commands print one result line per file instead. Several
 * files in flight at once share the line (bytes summed), so concurrent transfers do not fight over it.
 */
import type { IOStreams } from "./streams.js";

export interface ProgressTask {
  /** bytes transferred so far for this file */
  update(bytes: number): void;
  /** this file is finished (or failed): its bytes stay counted, it leaves the "now" list */
  end(): void;
}

export interface ProgressBoard {
  task(name: string, total: number | null): ProgressTask;
  /** erase the line (call before printing results, and at the end) */
  clear(): void;
}

const INTERVAL_MS = 100;

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = n;
  let unit = "B";
  for (const u of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

const silent: ProgressBoard = {
  task: () => ({ update() {}, end() {} }),
  clear() {},
};

export function createProgressBoard(
  io: IOStreams,
  verb: string,
  now: () => number = Date.now,
): ProgressBoard {
  if (!io.stderrIsTTY) return silent;
  const started = now();
  const active = new Map<number, { name: string; done: number; total: number | null }>();
  let finishedBytes = 0;
  let finishedTotal = 0;
  let nextId = 0;
  let lastDraw = 0;
  let drawn = false;

  const draw = (force = false) => {
    const at = now();
    if (!force && at - lastDraw < INTERVAL_MS) return;
    lastDraw = at;
    let done = finishedBytes;
    let total = finishedTotal;
    let known = true;
    for (const item of active.values()) {
      done += item.done;
      if (item.total === null) known = false;
      else total += item.total;
    }
    const names = [...active.values()].map((item) => item.name);
    const label = names.length === 1 ? names[0]! : `${names.length} files`;
    const seconds = Math.max(0.001, (at - started) / 1000);
    const rate = `${formatBytes(Math.round(done / seconds))}/s`;
    const width = 24;
    const fraction = known && total > 0 ? Math.min(1, done / total) : 0;
    const bar = known
      ? `[${"#".repeat(Math.round(fraction * width)).padEnd(width, " ")}] ${String(Math.floor(fraction * 100)).padStart(3)}%`
      : "";
    const columns = (io.stderr as { columns?: number }).columns ?? 80;
    const sizes = known ? `${formatBytes(done)}/${formatBytes(total)}` : formatBytes(done);
    const line = `${verb} ${label} ${bar} ${sizes} ${rate}`.replace(/\s+/g, " ");
    io.stderr.write(`\r\x1b[2K${line.slice(0, Math.max(10, columns - 1))}`);
    drawn = true;
  };

  return {
    task(name, total) {
      const id = nextId++;
      const item = { name, done: 0, total };
      active.set(id, item);
      draw(true);
      return {
        update(bytes) {
          item.done = bytes;
          draw();
        },
        end() {
          if (!active.delete(id)) return;
          finishedBytes += item.done;
          finishedTotal += item.total ?? item.done;
          if (active.size > 0) draw(true);
        },
      };
    },
    clear() {
      if (drawn) io.stderr.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
