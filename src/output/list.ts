/**
 * What every list command prints: with --json the array (an empty one too); otherwise the table (tab-separated
 * when piped), or, on a terminal with nothing to show, one line on stderr saying so.
 */
import type { Context } from "../context.js";
import { printJson } from "./json.js";
import { type Column, printTable } from "./table.js";

export function printList<T>(
  ctx: Pick<Context, "io" | "globals">,
  columns: Column<T>[],
  rows: readonly T[],
  emptyMessage: string,
): void {
  if (ctx.globals.json) printJson(ctx.io, rows);
  else if (rows.length === 0 && ctx.io.stdoutIsTTY) ctx.io.err(emptyMessage);
  else printTable(ctx.io, columns, rows);
}
