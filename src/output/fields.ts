/**
 * Human "view" output: label/value pairs. On a terminal the labels are aligned and dimmed; piped, each
 * line is `label:<TAB>value` (the gh convention for view commands), which `cut -f2` and grep handle.
 */
import type { IOStreams } from "../io/streams.js";

export function printFields(io: IOStreams, fields: ReadonlyArray<readonly [string, string]>): void {
  const shown = fields.filter(([, value]) => value !== "");
  if (!io.stdoutIsTTY) {
    for (const [label, value] of shown) io.out(`${label}:\t${value.replace(/[\t\r\n]+/g, " ")}`);
    return;
  }
  const width = Math.max(0, ...shown.map(([label]) => label.length + 1));
  for (const [label, value] of shown) io.out(`${io.colors.dim(`${label}:`.padEnd(width))} ${value}`);
}
