/**
 * Human list output, the gh way: on a terminal, aligned columns under a header, cut to the terminal's
 * width (the flexible column gives way first, with "…"); piped, one tab-separated line per row with no
 * header, nothing cut and nothing coloured, so `cut -f2` and `while read` work.
 */
import type { IOStreams } from "../io/streams.js";

export interface Column<T> {
  header: string;
  value(row: T): string;
  /** this column shrinks (with …) when the table is wider than the terminal */
  flex?: boolean;
  /** colour for the cell on a terminal */
  style?: (text: string, colors: IOStreams["colors"]) => string;
}

const GAP = "  ";
const DEFAULT_WIDTH = 80;
const MIN_FLEX = 8;

/** Display width: East Asian wide and fullwidth characters take two cells, combining marks none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (/\p{Mn}|\p{Me}|\p{Cf}/u.test(char)) continue;
    width +=
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1f300 && code <= 0x1faff) ||
      (code >= 0x20000 && code <= 0x3fffd)
        ? 2
        : 1;
  }
  return width;
}

/** Cuts `text` to `width` display cells, ending in "…" when something was cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return width === 1 ? "…" : "";
  let out = "";
  let used = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** One line per row, never a tab or newline inside a cell. */
function clean(value: string): string {
  return value.replace(/[\t\r\n]+/g, " ");
}

export function printTable<T>(io: IOStreams, columns: Column<T>[], rows: readonly T[]): void {
  const cells = rows.map((row) => columns.map((column) => clean(column.value(row))));
  if (!io.stdoutIsTTY) {
    for (const line of cells) io.out(line.join("\t"));
    return;
  }
  if (rows.length === 0) return;
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = columns.map((_, i) =>
    Math.max(displayWidth(headers[i]!), ...cells.map((line) => displayWidth(line[i]!))),
  );
  const terminal = io.stdout.columns && io.stdout.columns > 0 ? io.stdout.columns : DEFAULT_WIDTH;
  let total = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1);
  // Shrink flexible columns (widest first) down to MIN_FLEX, then whatever is last.
  const flexible = columns.map((c, i) => (c.flex ? i : -1)).filter((i) => i >= 0);
  const order = flexible.length > 0 ? flexible : [columns.length - 1];
  for (const i of order.sort((a, b) => widths[b]! - widths[a]!)) {
    if (total <= terminal) break;
    const shrinkTo = Math.max(MIN_FLEX, widths[i]! - (total - terminal));
    total -= widths[i]! - shrinkTo;
    widths[i] = shrinkTo;
  }
  // Still too wide (a very narrow terminal): cut the other columns too, rightmost first.
  for (let i = columns.length - 1; i >= 0 && total > terminal; i--) {
    const shrinkTo = Math.max(1, widths[i]! - (total - terminal));
    total -= widths[i]! - shrinkTo;
    widths[i] = shrinkTo;
  }
  const render = (line: string[], header: boolean) =>
    line
      .map((text, i) => {
        const cut = truncate(text, widths[i]!);
        const last = i === line.length - 1;
        const body = last ? cut : pad(cut, widths[i]!);
        if (header) return io.colors.bold(body);
        const style = columns[i]!.style;
        return style ? style(body, io.colors) : body;
      })
      .join(GAP)
      .trimEnd();
  io.out(render(headers, true));
  for (const line of cells) io.out(render(line, false));
}
