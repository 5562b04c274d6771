/**
 * Word wrapping for people's screens: the interactive kind list and `auth login --help`'s explanations wrap to
 * the terminal's width (80 when it is not known), each continuation line indented under its text.
 */

export const DEFAULT_COLUMNS = 80;

/** The terminal's width: the stream's own, else process.stdout's, else 80. */
export function terminalColumns(stream?: object): number {
  for (const columns of [(stream as { columns?: unknown } | undefined)?.columns, process.stdout.columns]) {
    if (typeof columns === "number" && Number.isFinite(columns) && columns > 0) return Math.floor(columns);
  }
  return DEFAULT_COLUMNS;
}

/** `text` cut into lines of at most `width` characters, at spaces; a word longer than `width` is split. */
export function wrapWords(text: string, width: number): string[] {
  const max = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > max) {
      if (line) {
        lines.push(line);
        line = "";
      }
      lines.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    if (!rest) continue;
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= max) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** Under this many columns of text, an explanation goes on the lines below its term instead of beside it. */
const MIN_TEXT_COLUMNS = 24;

/**
 * A term and its explanation as lines no wider than `columns`: `indent`, the term padded to `termWidth`, two
 * spaces, the text wrapped with its continuation lines aligned under it. On a terminal too narrow for that, the
 * text goes below the term, indented by two more.
 */
export function wrapDefinition(
  term: string,
  text: string,
  options: { columns: number; termWidth: number; indent?: string },
): string[] {
  const indent = options.indent ?? "";
  const left = indent.length + Math.max(options.termWidth, term.length) + 2;
  if (options.columns - left >= MIN_TEXT_COLUMNS) {
    const [first = "", ...more] = wrapWords(text, options.columns - left);
    return [
      `${indent}${term.padEnd(Math.max(options.termWidth, term.length))}  ${first}`,
      ...more.map((line) => `${" ".repeat(left)}${line}`),
    ];
  }
  const below = `${indent}  `;
  return [
    `${indent}${term}`,
    ...wrapWords(text, Math.max(options.columns - below.length, 1)).map((l) => `${below}${l}`),
  ];
}
