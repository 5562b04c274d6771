/**
 * A faster parse of Markdown into mdast: markdown-it's tokens turned into the tree remark-parse +
 * remark-gfm make (test/markdown/markdown-it.test.ts compares the two on the corpus, the property
 * test's documents and a set of tricky cases). micromark tokenizes at about 1 MB/s; markdown-it, a
 * CommonMark parser with GFM tables and strikethrough built in, is an order of magnitude faster.
 *
 * This is an adapter, not a parser: every construct is markdown-it's. Where the two parsers are known to
 * read a document differently, `parseWithMarkdownIt` returns undefined and the caller parses with
 * remark (per document): footnotes (markdown-it has none built in), CR line endings, single-tilde strikethrough (GFM
 * allows `~a~`, markdown-it only `~~a~~`), literal URLs that run into markup (GFM's autolink literals
 * are tokens in micromark, text found by a transform here), task markers it cannot match exactly,
 * escaped backslashes before a table pipe, and nesting near markdown-it's limit (past it markdown-it
 * stops parsing the rest).
 *
 * Positions: blocks get their start (first character after container markers) and end offsets, a
 * paragraph's first text node its paragraph's start (the alert marker check reads the source there),
 * table cells the span between their pipes, links their container's. Other inline nodes have none.
 */

import MarkdownIt, { type Env, type MarkdownIt as MarkdownItInstance, type Token } from "markdown-it";

type Position = NonNullable<Root["position"]>;

import type {
  Blockquote,
  Heading,
  List,
  ListItem,
  Paragraph,
  Parents,
  PhrasingContent,
  Root,
  RootContent,
  Table,
  TableCell,
  TableRow,
  Text,
} from "mdast";

interface BlockState {
  src: string;
  bMarks: number[];
  tShift: number[];
  eMarks: number[];
  tokens: Token[];
}
type BlockRule = (state: BlockState, startLine: number, endLine: number, silent: boolean) => boolean;

/** Nesting markdown-it allows; a document that comes near it is left to remark. */
const MAX_NESTING = 100;
const NESTING_FALLBACK = MAX_NESTING - 4;

let instance: MarkdownItInstance | undefined;

function markdownIt(): MarkdownItInstance {
  if (instance) return instance;
  const md = new MarkdownIt("default", { html: true, linkify: false, typographer: false });
  md.set({ maxNesting: MAX_NESTING });
  // URLs as written (remark keeps them so): no percent-encoding, no punycode, no scheme filtering
  // (the storage emitter classifies and drops script URLs itself)
  md.normalizeLink = (url) => url;
  md.normalizeLinkText = (url) => url;
  md.validateLink = () => true;
  // keep escapes and entities as their own tokens: an escaped `[` is not an alert or task marker
  md.core.ruler.disable("text_join");
  // every block token gets the offsets of its first and last line (container markers skipped)
  const rules = (
    md.block.ruler as unknown as { __rules__: Array<{ name: string; fn: BlockRule; alt: string[] }> }
  ).__rules__;
  for (const rule of [...rules]) {
    const fn = rule.fn;
    md.block.ruler.at(
      rule.name,
      ((state: BlockState, startLine: number, endLine: number, silent: boolean) => {
        if (silent) return fn(state, startLine, endLine, silent);
        const before = state.tokens.length;
        const ok = fn(state, startLine, endLine, silent);
        if (ok)
          for (let i = before; i < state.tokens.length; i++) {
            const token = state.tokens[i]!;
            if (token.map && token.meta?.start === undefined) {
              const [first, end] = token.map;
              const last = Math.max(first, end - 1);
              token.meta = {
                ...token.meta,
                start: state.bMarks[first]! + state.tShift[first]!,
                // where the content ends: an unclosed fence or HTML block runs on to the end (the
                // trailing blank lines tell chunks.ts that the piece cut it)
                end:
                  token.type === "fence" || token.type === "html_block"
                    ? state.eMarks[last]!
                    : contentEnd(state.src, state.bMarks[first]!, state.eMarks[last]!),
              };
            }
          }
        return ok;
      }) as never,
      { alt: rule.alt },
    );
  }
  instance = md;
  return md;
}

class Unsupported extends Error {}

/** The mdast remark-parse + remark-gfm would give, or undefined when the document needs remark. */
export function parseWithMarkdownIt(markdown: string): Root | undefined {
  return markdownItTree(markdown).tree;
}

/**
 * The tree, or why there is none: `references` when a piece of a text (not `whole`) defines links
 * (markdown-it resolves references itself, from the text it is given; chunks.ts needs remark's
 * definition nodes to resolve them across pieces), `unsupported` for the constructs left to remark.
 * In a whole text, markdown-it's links from references are what the emitter makes of remark's
 * linkReference and definition nodes.
 */
export function markdownItTree(
  markdown: string,
  whole = false,
): { tree?: Root; reason?: "references" | "unsupported" } {
  // markdown-it reads CR LF and CR as LF, which moves every offset after them (and remark keeps
  // them in text): such text goes to remark
  if (markdown.includes("[^") || markdown.includes("\r")) return { reason: "unsupported" };
  const env: Env = {};
  const tokens = markdownIt().parse(markdown, env);
  const labels = Object.keys(env.references ?? {});
  if (labels.length) {
    // resolved by markdown-it as the emitter resolves remark's references (first definition wins),
    // but only for the whole text; `[x]` is a task marker to GFM before it is a reference
    if (!whole) return { reason: "references" };
    if (labels.includes("X")) return { reason: "references" };
  }
  try {
    return { tree: new Adapter(markdown).root(tokens) };
  } catch (error) {
    // a whole text that defines links and needs remark is parsed by remark whole (parseFast)
    if (error instanceof Unsupported) return { reason: labels.length ? "references" : "unsupported" };
    throw error;
  }
}

/**
 * The two parsers apply CommonMark's "rule of 3" differently when a delimiter run was partly used
 * (`***a* b*c**`): a paragraph with a run of `*` or `_` that can both open and close (not whitespace on
 * either side, punctuation on both sides or on neither) and a run of two or more goes to remark.
 */
function emphasisRisk(text: string): boolean {
  for (const mark of ["*", "_"]) {
    if (!text.includes(mark + mark)) continue;
    for (let i = text.indexOf(mark); i !== -1; i = text.indexOf(mark, i)) {
      let end = i;
      while (text[end] === mark) end++;
      const before = text[i - 1];
      const after = text[end];
      if (
        before !== undefined &&
        after !== undefined &&
        !/\s/.test(before) &&
        !/\s/.test(after) &&
        PUNCTUATION.test(before) === PUNCTUATION.test(after)
      )
        return true;
      i = end;
    }
  }
  return false;
}

const PUNCTUATION = /[\p{P}\p{S}]/u;

const AUTOLINK_CANDIDATE = /@|www|http/i;
const WHITESPACE_OR_LT = /[\s<]/;

class Adapter {
  /** line starts, for positions */
  private readonly lineStarts: number[] = [0];

  constructor(private readonly markdown: string) {
    for (let i = markdown.indexOf("\n"); i !== -1; i = markdown.indexOf("\n", i + 1))
      this.lineStarts.push(i + 1);
  }

  private point(offset: number): Position["start"] {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1, offset };
  }

  private position(start: number, end: number): Position {
    return { start: this.point(start), end: this.point(end) };
  }

  private blockPosition(token: Token): Position | undefined {
    const meta = token.meta as { start?: number; end?: number } | undefined;
    if (meta?.start === undefined || meta.end === undefined) return undefined;
    return this.position(meta.start, Math.max(meta.start, meta.end));
  }

  root(tokens: Token[]): Root {
    const root: Root = { type: "root", children: [] };
    const stack: Parents[] = [root];
    let table: { node: Table; align: Table["align"]; header: boolean } | undefined;
    let row: { node: TableRow; cells: Array<[number, number]> } | undefined;
    let cellIndex = 0;
    const top = () => stack[stack.length - 1]!;
    const add = (node: RootContent) => {
      (top().children as RootContent[]).push(node);
    };
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (token.level >= NESTING_FALLBACK) throw new Unsupported();
      switch (token.type) {
        case "paragraph_open": {
          const inline = tokens[i + 1]!;
          const position = this.blockPosition(token);
          const paragraph: Paragraph = {
            type: "paragraph",
            children: this.inline(inline, position),
          };
          if (position) paragraph.position = position;
          i += 2;
          const parent = top();
          if (parent.type === "listItem" && parent.children.length === 0) this.taskCheck(parent, paragraph);
          add(paragraph);
          break;
        }
        case "heading_open": {
          const position = this.blockPosition(token);
          const heading: Heading = {
            type: "heading",
            depth: Number(token.tag.slice(1)) as Heading["depth"],
            children: this.inline(tokens[i + 1]!, position),
          };
          if (position) heading.position = position;
          add(heading);
          i += 2;
          break;
        }
        case "blockquote_open": {
          const node: Blockquote = { type: "blockquote", children: [] };
          const position = this.blockPosition(token);
          if (position) node.position = position;
          add(node);
          stack.push(node);
          break;
        }
        case "bullet_list_open":
        case "ordered_list_open": {
          const ordered = token.type === "ordered_list_open";
          const node: List = {
            type: "list",
            ordered,
            start: ordered ? Number(attribute(token, "start") ?? 1) : null,
            spread: false,
            children: [],
          };
          const position = this.blockPosition(token);
          if (position) node.position = position;
          add(node);
          stack.push(node);
          break;
        }
        case "list_item_open": {
          const node: ListItem = { type: "listItem", spread: false, checked: null, children: [] };
          const position = this.blockPosition(token);
          if (position) node.position = position;
          add(node);
          stack.push(node);
          break;
        }
        case "blockquote_close":
        case "list_item_close":
          stack.pop();
          break;
        case "bullet_list_close":
        case "ordered_list_close": {
          const list = stack.pop() as List;
          // markdown-it hides the paragraphs of a tight list: the list is spread when it does not
          list.spread = this.isLoose(tokens, i);
          for (const item of list.children) item.spread = list.spread;
          break;
        }
        case "code_block":
        case "fence": {
          let lang: string | null = null;
          let meta: string | null = null;
          if (token.type === "fence") {
            const info = unescapeAll(token.info).trim();
            if (info) {
              const space = /\s/.exec(info);
              lang = space ? info.slice(0, space.index) : info;
              const rest = space ? info.slice(space.index).trim() : "";
              meta = rest === "" ? null : rest;
            }
          }
          const value = token.content.endsWith("\n") ? token.content.slice(0, -1) : token.content;
          // indented code across a blank line: micromark sometimes splits it in two (after a list
          // ended by an empty item), markdown-it never does
          if (token.type === "code_block" && /\n[ \t]*\n/.test(value)) throw new Unsupported();
          const position = this.blockPosition(token);
          add({ type: "code", lang, meta, value, ...(position ? { position } : {}) });
          break;
        }
        case "html_block": {
          const value = token.content.endsWith("\n") ? token.content.slice(0, -1) : token.content;
          const position = this.blockPosition(token);
          add({ type: "html", value, ...(position ? { position } : {}) });
          break;
        }
        case "hr": {
          const position = this.blockPosition(token);
          add({ type: "thematicBreak", ...(position ? { position } : {}) });
          break;
        }
        case "table_open": {
          const node: Table = { type: "table", align: [], children: [] };
          const position = this.blockPosition(token);
          if (position) node.position = position;
          add(node);
          table = { node, align: node.align!, header: true };
          break;
        }
        case "thead_open":
        case "thead_close":
        case "tbody_open":
        case "tbody_close":
          break;
        case "tr_open": {
          const meta = token.meta as { start: number; end: number };
          const node: TableRow = { type: "tableRow", children: [] };
          node.position = this.position(meta.start, meta.end);
          table!.node.children.push(node);
          row = { node, cells: this.cellSpans(meta.start, meta.end) };
          // remark keeps cells past the header's count; markdown-it drops them unparsed
          if (table!.align!.length && row.cells.length > table!.align!.length) throw new Unsupported();
          cellIndex = 0;
          break;
        }
        case "tr_close":
          if (table) table.header = false;
          row = undefined;
          break;
        case "th_open":
        case "td_open": {
          const inline = tokens[i + 1]!;
          i += 2;
          const style = attribute(token, "style");
          const align = style ? (style.slice("text-align:".length) as "left" | "right" | "center") : null;
          if (table!.header) table!.align!.push(align);
          const span = row!.cells[cellIndex++];
          // markdown-it fills a short row with empty cells; remark does not
          if (!span) break;
          const position = this.position(span[0], span[1]);
          const cell: TableCell = { type: "tableCell", children: this.inline(inline, position), position };
          row!.node.children.push(cell);
          break;
        }
        case "table_close":
          table = undefined;
          break;
        default:
          throw new Unsupported();
      }
    }
    return root;
  }

  /** Whether a list is loose: one of its own paragraphs is shown (markdown-it hides them in tight lists). */
  private isLoose(tokens: Token[], closeIndex: number): boolean {
    const level = tokens[closeIndex]!.level;
    for (let i = closeIndex - 1; i >= 0; i--) {
      const token = tokens[i]!;
      if (token.level === level && token.nesting === 1) return false;
      if (token.type === "paragraph_open" && token.level === level + 2) return !token.hidden;
    }
    return false;
  }

  /** The offsets of each cell of a table row (GFM splits on pipes that are not escaped). */
  private cellSpans(start: number, end: number): Array<[number, number]> {
    const line = this.markdown.slice(start, end);
    if (line.includes("\\\\|")) throw new Unsupported();
    const spans: Array<[number, number]> = [];
    let from = 0;
    for (let i = 0; i < line.length; i++)
      if (line.charCodeAt(i) === 124 && line.charCodeAt(i - 1) !== 92) {
        spans.push([from, i]);
        from = i + 1;
      }
    spans.push([from, line.length]);
    if (spans.length > 1 && line.slice(spans[0]![0], spans[0]![1]).trim() === "") spans.shift();
    const last = spans[spans.length - 1]!;
    if (spans.length > 0 && line.slice(last[0], last[1]).trim() === "") spans.pop();
    return spans.map(([a, b]) => [start + a, start + b]);
  }

  /** GFM task list item: `[ ]`, `[x]` or `[X]` opening the item's first paragraph. */
  private taskCheck(item: ListItem, paragraph: Paragraph): void {
    const head = paragraph.children[0];
    if (head?.type !== "text" || !(head.data as { literalStart?: boolean } | undefined)?.literalStart) return;
    const value = head.value;
    if (value[0] !== "[") return;
    const mark = value[1];
    // `[` and `]` on two lines: GFM takes the line ending for the space
    if (value[2] === "]" && (mark === "\n" || mark === "\r")) throw new Unsupported();
    if (value[2] !== "]" || (mark !== " " && mark !== "\t" && mark !== "x" && mark !== "X")) return;
    const after = value[3];
    const next = paragraph.children[1];
    // a hard break right after the marker: trailing spaces, which markdown-it has already taken away
    if (next?.type === "break" && value.slice(3).trim() === "") throw new Unsupported();
    if (after === undefined) return; // markup right after `]`, or the end
    if (after !== "\n" && after !== " " && after !== "\t") return;
    // after a space, something must follow (the end of the paragraph does not count)
    if (after !== "\n" && value.slice(3).trim() === "" && !next) return;
    item.checked = mark === "x" || mark === "X";
    head.value = value.slice(4);
    if (head.value === "") paragraph.children.shift();
    else if (head.position) {
      const start = head.position.start.offset! + 4;
      head.position = { ...head.position, start: this.point(start) };
      paragraph.position = { ...paragraph.position!, start: this.point(start) };
    }
  }

  // --- inline -------------------------------------------------------------------------------------

  private inline(token: Token, container: Position | undefined): PhrasingContent[] {
    const children = token.children ?? [];
    this.checkAutolinkRisk(children);
    if (emphasisRisk(token.content)) throw new Unsupported();
    const multiline = token.content.includes("\n");
    const root: { children: PhrasingContent[] } = { children: [] };
    const stack: Array<{ children: PhrasingContent[] }> = [root];
    let first = true;
    const add = (node: PhrasingContent) => {
      stack[stack.length - 1]!.children.push(node);
    };
    const addText = (value: string, literal: boolean) => {
      const siblings = stack[stack.length - 1]!.children;
      const last = siblings[siblings.length - 1];
      if (last?.type === "text") last.value += value;
      else {
        const text: Text = { type: "text", value };
        if (first && stack.length === 1 && container) {
          text.position = copy(container);
          if (literal) text.data = { literalStart: true } as Text["data"];
        }
        siblings.push(text);
      }
      first = false;
    };
    for (const child of children) {
      if (child.level >= NESTING_FALLBACK) throw new Unsupported();
      switch (child.type) {
        case "text":
          // markdown-it leaves empty text tokens where emphasis delimiters were
          if (child.content === "") continue;
          if (child.content.includes("~")) throw new Unsupported();
          addText(child.content, true);
          continue;
        case "text_special":
          addText(child.content, false);
          continue;
        case "softbreak":
          addText("\n", false);
          continue;
        case "hardbreak":
          add({ type: "break" });
          break;
        case "code_inline":
          // markdown-it turns a line ending inside a code span into a space; mdast keeps it
          if (multiline && codeSpansLines(token.content, child.content)) throw new Unsupported();
          add({ type: "inlineCode", value: child.content });
          break;
        case "html_inline":
          add({ type: "html", value: child.content });
          break;
        case "em_open":
        case "strong_open":
        case "s_open": {
          const node = {
            type: child.type === "em_open" ? "emphasis" : child.type === "strong_open" ? "strong" : "delete",
            children: [],
          } as PhrasingContent & { children: PhrasingContent[] };
          add(node);
          stack.push(node);
          break;
        }
        case "link_open": {
          const node = {
            type: "link",
            url: attribute(child, "href") ?? "",
            title: attribute(child, "title") ?? null,
            children: [],
            ...(container ? { position: copy(container) } : {}),
          } as PhrasingContent & { children: PhrasingContent[] };
          add(node);
          stack.push(node);
          break;
        }
        case "em_close":
        case "strong_close":
        case "s_close":
        case "link_close":
          stack.pop();
          break;
        case "image":
          add({
            type: "image",
            url: attribute(child, "src") ?? "",
            title: attribute(child, "title") ?? null,
            alt: imageAlt(child.children ?? []),
          });
          break;
        default:
          throw new Unsupported();
      }
      first = false;
    }
    return root.children;
  }

  /**
   * GFM's literal URLs and e-mail addresses are tokens in micromark (they take precedence over what
   * follows them in the same word); here the autolink transform finds them in text afterwards. The two
   * agree unless a candidate's word runs into another token (markup, an escape, an entity).
   */
  private checkAutolinkRisk(children: Token[]): void {
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.type !== "text" || !AUTOLINK_CANDIDATE.test(child.content)) continue;
      // the text of an autolink (`<https://…>`) is the link, in both parsers
      if (children[i - 1]?.type === "link_open" && children[i - 1]!.markup === "autolink") continue;
      const content = child.content;
      const touchesNext = isToken(children[i + 1]);
      const touchesPrevious = isToken(children[i - 1]);
      if (!touchesNext && !touchesPrevious) continue;
      const firstSpace = content.search(WHITESPACE_OR_LT);
      if (firstSpace === -1) {
        if (mayBeAutolink(content)) throw new Unsupported();
        continue;
      }
      if (touchesPrevious && mayBeAutolink(content.slice(0, firstSpace))) throw new Unsupported();
      if (touchesNext && mayBeAutolink(content.slice(lastIndexOfSpace(content) + 1))) throw new Unsupported();
    }
  }
}

function copy(position: Position): Position {
  return { start: { ...position.start }, end: { ...position.end } };
}

function contentEnd(src: string, from: number, to: number): number {
  let end = to;
  while (end > from && /\s/.test(src[end - 1]!)) end--;
  return end;
}

function attribute(token: Token, name: string): string | undefined {
  const value = token.attrGet(name);
  return value === null ? undefined : String(value);
}

/** Something next to the text that is not a line break. */
function isToken(token: Token | undefined): boolean {
  return token !== undefined && token.type !== "softbreak" && token.type !== "hardbreak";
}

/** A word GFM could find a literal URL or e-mail address in: `www.`, `http(s)://`, `local@domain.tld`. */
function mayBeAutolink(word: string): boolean {
  return /www\.|https?:/i.test(word) || /[-.\w+]@[-\w]+\./.test(word);
}

/** Whether a code span's text, a space read as a line ending, occurs across lines in the source. */
function codeSpansLines(source: string, content: string): boolean {
  if (!content.includes(" ")) return false;
  const pattern = new RegExp(content.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "[ \\n]"), "g");
  for (const match of source.matchAll(pattern)) if (match[0].includes("\n")) return true;
  return false;
}

function lastIndexOfSpace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (WHITESPACE_OR_LT.test(text[i]!)) return i;
  return -1;
}

/** An image's alt text: its description's text (as mdast-util-to-string reads it). */
function imageAlt(tokens: Token[]): string {
  let out = "";
  for (const token of tokens) {
    if (token.type === "text" || token.type === "text_special" || token.type === "code_inline")
      out += token.content;
    else if (token.type === "softbreak") out += "\n";
    else if (token.type === "image") out += imageAlt(token.children ?? []);
    else if (token.type === "html_inline") out += token.content;
  }
  return out;
}

/** Backslash escapes and entity references decoded, as in a fence's info string. */
function unescapeAll(text: string): string {
  return markdownIt().utils.unescapeAll(text);
}
