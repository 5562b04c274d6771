/**
 * Parsing a large Markdown document in top-level pieces. micromark's cost grows faster than the input
 * (micromark-extension-gfm-table's resolver copies the whole event list once per table), so a page of
 * 1 MB parsed in one go took minutes; in pieces of a few KB it is linear.
 *
 * A piece may start at a line that begins in column 0 with something other than a list marker, right
 * after a blank line. CommonMark closes every block there except a top-level fenced code block or an
 * HTML block of kinds 1–5 (`<!--`, `<pre`, `<?`, `<!X`, `<![CDATA[`), which run on across blank lines,
 * and a list, which a new item at that line would continue. The scanner below skips list markers and
 * follows fences and those HTML blocks, and every piece's parse is checked: a block still open at its
 * end (its node runs into the blank line) means the cut was wrong, and the piece is parsed again
 * together with the next one. Link and footnote definitions apply to the whole document, so when there
 * are any, every piece that could refer to one is parsed with all of their labels defined in front of
 * it. The pieces' positions are moved to where they are in the whole document: the result is the tree
 * the whole document parses to (test/markdown/chunks.test.ts compares them).
 */
import type { Nodes, Root, RootContent } from "mdast";

/** Pieces are put together up to about this many characters: smaller is more linear, larger has less overhead per parse. */
const PIECE_SIZE = 4096;
/** After this many wrong cuts the rest of the document is parsed in one go: a bound on re-parsing. */
const MAX_RETRIES = 16;

interface Piece {
  start: number;
  end: number;
  /** line endings before the piece */
  line: number;
  nodes: RootContent[];
}

export function parseInPieces(markdown: string, parse: (text: string) => Root, size = PIECE_SIZE): Root {
  const starts = pieceStarts(markdown, size);
  if (starts.length <= 1) return parse(markdown);
  const pieces: Piece[] = [];
  const labels: string[] = [];
  let line = 0;
  let retries = 0;
  for (let i = 0; i < starts.length; ) {
    const start = starts[i]!;
    let j = i + 1;
    let end = starts[j] ?? markdown.length;
    let tree = parse(markdown.slice(start, end));
    while (j < starts.length && !closedBefore(tree, markdown, start, end)) {
      j = ++retries > MAX_RETRIES ? starts.length : j + 1;
      end = starts[j] ?? markdown.length;
      tree = parse(markdown.slice(start, end));
    }
    collectLabels(tree, labels);
    shiftPositions(tree.children, start, line);
    pieces.push({ start, end, line, nodes: tree.children });
    line += countLineEndings(markdown, start, end);
    i = j;
  }
  if (labels.length) {
    // every label defined ahead of the piece, each in a block of its own (a footnote definition would
    // take the next line as its text), then a thematic break that closes the last one (it would take
    // an indented first line of the piece)
    const prefix = `${labels.join("\n\n")}\n\n***\n`;
    const prefixLines = countLineEndings(prefix, 0, prefix.length);
    // a reference needs a `[`; pieces are in order, so one search forward serves them all
    let bracket = markdown.indexOf("[");
    const withBracket = pieces.filter((p) => {
      if (bracket !== -1 && bracket < p.start) bracket = markdown.indexOf("[", p.start);
      return bracket !== -1 && bracket < p.end;
    });
    if (prefix.length * withBracket.length > 2 * markdown.length) return parse(markdown);
    for (const piece of withBracket) {
      const tree = parse(prefix + markdown.slice(piece.start, piece.end));
      const nodes = tree.children.filter((n) => (n.position?.start.offset ?? 0) >= prefix.length);
      shiftPositions(nodes, piece.start - prefix.length, piece.line - prefixLines);
      piece.nodes = nodes;
    }
  }
  const children: RootContent[] = [];
  for (const piece of pieces) for (const node of piece.nodes) children.push(node);
  const end = { line: line + 1, column: 1, offset: markdown.length };
  const lastLineStart = Math.max(markdown.lastIndexOf("\n"), markdown.lastIndexOf("\r")) + 1;
  end.column = markdown.length - lastLineStart + 1;
  return {
    type: "root",
    children,
    position: { start: { line: 1, column: 1, offset: 0 }, end },
  };
}

/** Whether the piece's last block ends before the blank line the piece ends with (an open block runs to the end). */
function closedBefore(tree: Root, markdown: string, start: number, end: number): boolean {
  const last = tree.children[tree.children.length - 1];
  if (!last) return true;
  let contentEnd = end;
  while (contentEnd > start && isSpace(markdown.charCodeAt(contentEnd - 1))) contentEnd--;
  const lastEnd = last.position?.end.offset;
  return lastEnd !== undefined && start + lastEnd <= contentEnd;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function collectLabels(tree: Root, labels: string[]): void {
  const stack: Nodes[] = [...tree.children];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === "definition") labels.push(`[${node.label ?? node.identifier}]: x`);
    else if (node.type === "footnoteDefinition") labels.push(`[^${node.label ?? node.identifier}]: x`);
    // definitions are blocks: no need to look inside paragraphs, headings and tables
    if ("children" in node && node.type !== "paragraph" && node.type !== "heading" && node.type !== "table")
      for (const child of node.children) stack.push(child as Nodes);
  }
}

/** Moves a piece's positions to the whole document's: `offset` characters and `lines` line endings on. */
function shiftPositions(nodes: RootContent[], offset: number, lines: number): void {
  if (offset === 0 && lines === 0) return;
  const stack: Nodes[] = [...nodes];
  while (stack.length) {
    const node = stack.pop()!;
    const position = node.position;
    if (position) {
      // new point objects: a point shared between two nodes must not move twice
      node.position = {
        start: {
          line: position.start.line + lines,
          column: position.start.column,
          offset: position.start.offset === undefined ? undefined : position.start.offset + offset,
        },
        end: {
          line: position.end.line + lines,
          column: position.end.column,
          offset: position.end.offset === undefined ? undefined : position.end.offset + offset,
        },
      };
    }
    if ("children" in node) for (const child of node.children) stack.push(child as Nodes);
  }
}

/** Line endings as micromark counts them: CR LF, CR, LF. */
function countLineEndings(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) count++;
    else if (code === 13) {
      count++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return count;
}

const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
const HTML_OPEN = /^<(?:(script|pre|style|textarea)(?:[\s>]|$)|(!--)|(\?)|(![A-Za-z])|(!\[CDATA\[))/i;
/** Container markers in front of a line's content: block quote `>`, list item markers. */
const CONTAINER_PREFIX = /^(?:[ ]{0,3}(?:>[ ]?|(?:[-+*]|\d{1,9}[.)])(?:[ ]+|$)))*/;

/**
 * Where pieces start: offset 0, then cut points at least `size` characters apart. The fence and HTML
 * tracking only chooses good candidates; closedBefore() is what makes a cut safe.
 */
export function pieceStarts(markdown: string, size: number): number[] {
  const starts = [0];
  const n = markdown.length;
  let previousBlank = false;
  /** the open fence's character and length, or the open HTML block's end marker */
  let fence: { char: string; length: number } | undefined;
  let htmlEnd: string | undefined;
  let pos = 0;
  while (pos < n) {
    let eol = markdown.indexOf("\n", pos);
    if (eol === -1) eol = n;
    const first = markdown.charCodeAt(pos);
    if (
      previousBlank &&
      fence === undefined &&
      htmlEnd === undefined &&
      canStartPiece(first) &&
      pos - starts[starts.length - 1]! >= size
    )
      starts.push(pos);
    let blank = true;
    for (let i = pos; i < eol; i++) {
      const code = markdown.charCodeAt(i);
      if (code !== 32 && code !== 9 && code !== 13) {
        blank = false;
        break;
      }
    }
    if (!blank) {
      const line = markdown.slice(pos, eol);
      if (htmlEnd !== undefined) {
        if (line.toLowerCase().includes(htmlEnd)) htmlEnd = undefined;
      } else {
        const content = line.slice(CONTAINER_PREFIX.exec(line)![0].length).replace(/^[ ]{0,3}/, "");
        if (fence !== undefined) {
          const run = /^(`+|~+)[ \t\r]*$/.exec(content)?.[1];
          if (run && run[0] === fence.char && run.length >= fence.length) fence = undefined;
        } else if (content[0] === "`" || content[0] === "~") {
          const open = FENCE_OPEN.exec(content);
          if (open && !(open[1]![0] === "`" && open[2]!.includes("`")))
            fence = { char: open[1]![0]!, length: open[1]!.length };
        } else if (content[0] === "<") {
          const open = HTML_OPEN.exec(content);
          if (open) {
            const endMarker = open[1]
              ? `</${open[1].toLowerCase()}>`
              : open[2]
                ? "-->"
                : open[3]
                  ? "?>"
                  : open[4]
                    ? ">"
                    : "]]>";
            // the end may be on the opening line itself (`<!-->` is a whole comment)
            const rest = content.slice(open[2] ? 2 : open[0].length).toLowerCase();
            if (!rest.includes(endMarker)) htmlEnd = endMarker;
          }
        }
      }
    }
    previousBlank = blank;
    pos = eol + 1;
  }
  return starts;
}

/** A line starting with this character, in column 0, after a blank line, closes every open block but a list's. */
function canStartPiece(code: number): boolean {
  // not whitespace, not a list marker (- + * or a digit)
  return !(
    code === 32 ||
    code === 9 ||
    code === 10 ||
    code === 13 ||
    code === 45 ||
    code === 43 ||
    code === 42 ||
    (code >= 48 && code <= 57)
  );
}
