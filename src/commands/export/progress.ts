/**
 * Export progress. On a terminal: one line on stderr, redrawn at most ten times a second, with pages
 * and attachments done out of the total and an estimate of the time left. Piped: each finished page's
 * path on its own line on stdout (nothing with --json, which prints the summary alone).
 */
import type { Context } from "../../context.js";

export interface ExportProgress {
  pageDone(path: string, how: "written" | "attachments" | "skipped"): void;
  attachmentDone(path: string): void;
  stop(): void;
}

export function createExportProgress(
  ctx: Pick<Context, "io" | "globals">,
  totals: { pages: number; attachments: number },
  now: () => number = Date.now,
): ExportProgress {
  const { io } = ctx;
  const started = now();
  let pages = 0;
  let attachments = 0;
  let lastDraw = 0;
  let drawn = false;
  const tty = io.stderrIsTTY && !ctx.globals.json;
  const draw = (force = false) => {
    if (!tty) return;
    const at = now();
    if (!force && at - lastDraw < 100) return;
    lastDraw = at;
    const work = totals.pages + totals.attachments;
    const done = pages + attachments;
    const fraction = work === 0 ? 1 : done / work;
    const width = 24;
    const bar = `[${"#".repeat(Math.round(fraction * width)).padEnd(width, " ")}]`;
    const elapsed = (at - started) / 1000;
    const eta = done > 0 && fraction < 1 ? ` · ETA ${formatSeconds((elapsed / done) * (work - done))}` : "";
    const line = `Exporting ${bar} ${pages}/${totals.pages} pages · ${attachments}/${totals.attachments} attachments${eta}`;
    const columns = (io.stderr as { columns?: number }).columns ?? 80;
    io.stderr.write(`\r\x1b[2K${line.slice(0, Math.max(10, columns - 1))}`);
    drawn = true;
  };
  draw(true);
  return {
    pageDone(path, how) {
      pages++;
      if (!tty && !ctx.globals.json && how !== "skipped") io.out(path);
      draw(pages === totals.pages);
    },
    attachmentDone() {
      attachments++;
      draw();
    },
    stop() {
      if (drawn) io.stderr.write("\r\x1b[2K");
      drawn = false;
    },
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.ceil(seconds - minutes * 60)} s`;
}
