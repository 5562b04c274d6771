/**
 * A unified diff of two texts, line by line (the `diff -u` format: `---`/`+++` headers, `@@ -a,b +c,d @@`
 * hunks with 3 lines of context). The edit script is Myers' O(ND) shortest one ("An O(ND) Difference
 * Algorithm and Its Variations", 1986), so the output is as small as GNU diff's, if not always the
 * same hunk for ties. Kept here rather than a dependency: about 80 lines, and only `page diff` uses it.
 */

type Op = { kind: " " | "-" | "+"; line: string };

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Myers' greedy forward search, keeping each round's furthest points to walk the path back. */
function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  let rounds = 0;
  search: for (let d = 0; d <= n + m; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice());
        rounds = d;
        break search;
      }
    }
    trace.push(v.slice());
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = rounds; d > 0; d--) {
    const previous = trace[d - 1]!;
    const k = x - y;
    const fromK =
      k === -d || (k !== d && previous[offset + k - 1]! < previous[offset + k + 1]!) ? k + 1 : k - 1;
    const fromX = previous[offset + fromK]!;
    const fromY = fromX - fromK;
    while (x > fromX && y > fromY) {
      x--;
      y--;
      ops.push({ kind: " ", line: a[x]! });
    }
    if (fromK === k + 1) ops.push({ kind: "+", line: b[fromY]! });
    else ops.push({ kind: "-", line: a[fromX]! });
    x = fromX;
    y = fromY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    ops.push({ kind: " ", line: a[x]! });
  }
  return ops.reverse();
}

/** The unified diff of `before` → `after`, or "" when they are the same. */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { from: string; to: string },
  context = 3,
): string {
  const ops = editScript(splitLines(before), splitLines(after));
  if (ops.every((op) => op.kind === " ")) return "";
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let i = 0;
  while (i < ops.length) {
    // the next change, with up to `context` lines before it
    while (i < ops.length && ops[i]!.kind === " ") i++;
    if (i >= ops.length) break;
    let start = Math.max(0, i - context);
    let end = i;
    // extend while changes are within 2×context of each other
    for (let j = i, unchanged = 0; j < ops.length; j++) {
      if (ops[j]!.kind === " ") {
        unchanged++;
        if (unchanged > 2 * context) break;
      } else {
        unchanged = 0;
        end = j;
      }
    }
    const stop = Math.min(ops.length, end + 1 + context);
    let aStart = 0;
    let bStart = 0;
    for (let j = 0; j < start; j++) {
      if (ops[j]!.kind !== "+") aStart++;
      if (ops[j]!.kind !== "-") bStart++;
    }
    const hunk = ops.slice(start, stop);
    const aCount = hunk.filter((op) => op.kind !== "+").length;
    const bCount = hunk.filter((op) => op.kind !== "-").length;
    const range = (from: number, count: number) =>
      count === 1 ? `${from + 1}` : `${count === 0 ? from : from + 1},${count}`;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    i = stop;
    start = stop;
  }
  return `${out.join("\n")}\n`;
}
