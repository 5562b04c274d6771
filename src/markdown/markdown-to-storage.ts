/**
 * GitHub-flavoured Markdown → storage format: remark-parse + remark-gfm → mdast → this emitter.
 *
 * Output shapes follow "Confluence Storage Format" (https://confluence.atlassian.com/doc/confluence-storage-format-790796544.html)
 * and the macro pages: code macro with `language` and a CDATA `ac:plain-text-body` ("Code Block
 * Macro"), info/tip/note/warning panels with `ac:rich-text-body`, `expand` with a `title`, task lists
 * as `ac:task-list` / `ac:task` / `ac:task-status` / `ac:task-body` (a nested task list follows its
 * parent task inside the same `ac:task-list`).
 *
 * Raw HTML is never passed through: it is written as text. The exceptions are the converter's own
 * comments (verbatim.ts), `<details>`/`<summary>` (the expand macro), and `<u>`, `<sub>`, `<sup>`,
 * `<br>`, which storage has too. The result is checked for well-formedness before it is returned.
 */
import type {
  Blockquote,
  Code,
  Definition,
  Html,
  List,
  ListItem,
  Nodes,
  Paragraph,
  PhrasingContent,
  Root,
  RootContent,
  Table,
} from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { type Processor, unified } from "unified";
import { parseInPieces } from "./chunks.js";
import { parseFrontMatter } from "./front-matter.js";
import { classifyHref } from "./links.js";
import { PANEL_FOR_ALERT, parseMeta } from "./macros.js";
import { markdownItTree } from "./markdown-it-parse.js";
import {
  type ConversionReport,
  InvalidStorageError,
  type MarkdownToStorageOptions,
  type MarkdownToStorageResult,
  type PageRef,
} from "./types.js";
import { parseConflComment, STORAGE_FENCE_LANG, startsWithInlineComment } from "./verbatim.js";
import { cdata, checkStorage, decodeEntities, escapeAttribute, escapeText } from "./xml.js";

type TreeTransform = (tree: Root) => unknown;
type MdastExtension = { transforms?: TreeTransform[]; enter?: Record<string, unknown> };

/** GFM's bare-URL and e-mail links: the transform taken out of the parser (see parseMarkdown). */
const autolinkTransforms: TreeTransform[] = [];

/**
 * mdast-util-gfm-autolink-literal finds bare URLs and e-mail addresses by running its expressions over
 * every text node of the tree (findAndReplace, ~10% of a parse). Its transform is taken out of the
 * parser and run by parseMarkdown only on the top-level blocks that have text it can act on.
 */
function deferAutolinkTransform(this: Processor): void {
  const data = this.data() as { fromMarkdownExtensions?: Array<MdastExtension | MdastExtension[]> };
  const strip = (extension: MdastExtension): MdastExtension => {
    if (!extension.transforms || !extension.enter || !("literalAutolink" in extension.enter))
      return extension;
    autolinkTransforms.push(...extension.transforms);
    return { ...extension, transforms: [] };
  };
  data.fromMarkdownExtensions = (data.fromMarkdownExtensions ?? []).map((entry) =>
    Array.isArray(entry) ? entry.map(strip) : strip(entry),
  );
}

const parser = unified().use(remarkParse).use(remarkGfm).use(deferAutolinkTransform).freeze();

/**
 * Whether the autolink transform can find anything in a block: it looks only at text nodes outside
 * links and link references, and each of its expressions needs `http`, `www` or `@` in the value.
 */
function mayHoldAutolink(block: Nodes): boolean {
  const stack: Nodes[] = [block];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === "text") {
      if (AUTOLINK_CANDIDATE.test(node.value)) return true;
    } else if (node.type !== "link" && node.type !== "linkReference" && "children" in node)
      for (const child of node.children) stack.push(child as Nodes);
  }
  return false;
}

const AUTOLINK_CANDIDATE = /@|www|http/i;

/** One parse of a whole Markdown text with remark (markdownToStorage parses large documents in pieces: chunks.ts). */
export function parseMarkdown(markdown: string): Root {
  return linkLiterals(parser.parse(markdown) as Root);
}

/** GFM's bare URLs and e-mail addresses made links, in the blocks that can hold one. */
function linkLiterals(tree: Root): Root {
  const blocks = tree.children.filter(mayHoldAutolink);
  // the transform changes text nodes' parents in place, never a top-level block itself
  if (blocks.length)
    for (const transform of autolinkTransforms) transform({ type: "root", children: blocks });
  return tree;
}

/** A Markdown document → mdast. */
export type MarkdownParser = (markdown: string) => Root;

/** remark-parse + remark-gfm, in pieces: the reference parser. */
export const parseWithRemark: MarkdownParser = (markdown) => parseInPieces(markdown, parseMarkdown);

/**
 * markdown-it through the adapter (markdown-it-parse.ts), the same tree ~10× faster; remark for the
 * documents the adapter leaves to it.
 */
export const parseFast: MarkdownParser = (markdown) => {
  const whole = markdownItTree(markdown, true);
  if (whole.tree) return linkLiteralsFast(whole.tree);
  if (whole.reason === "references") return parseWithRemark(markdown);
  // in pieces, each by markdown-it where it can (a piece that defines links goes to remark too, so
  // chunks.ts sees every definition)
  return parseInPieces(markdown, (piece) => {
    const tree = markdownItTree(piece).tree;
    return tree ? linkLiteralsFast(tree) : parseMarkdown(piece);
  });
};

function linkLiteralsFast(tree: Root): Root {
  // the remark parser's setup is what takes the autolink transform out of it (deferAutolinkTransform)
  if (autolinkTransforms.length === 0) parser.parse("");
  return linkLiterals(tree);
}

const ALLOWED_INLINE_HTML = /^<(\/?)(u|sub|sup)>$/i;
const BREAK_HTML = /^<br\s*\/?>$/i;
const DETAILS_OPEN = /^<details>\s*(?:<summary>([\s\S]*?)<\/summary>)?\s*$/i;
const DETAILS_CLOSE = /^<\/details>$/i;
const ALERT = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)((?:\|[^\]|\n]*)*)\][ \t]*/i;

/** Storage a raw piece must never carry into Confluence, even though it is well-formed XML. */
const UNSAFE_RAW =
  /<\s*(script|style|iframe|object|embed|form)\b|\son[a-z]+\s*=|\s(href|src|ri:value)\s*=\s*["']\s*(javascript|vbscript|data):/i;

export function markdownToStorage(
  markdown: string,
  options: MarkdownToStorageOptions = {},
): MarkdownToStorageResult {
  return convertMarkdown(markdown, options, parseFast);
}

/** markdownToStorage with a given parser (tests compare the parsers' results). */
export function convertMarkdown(
  markdown: string,
  options: MarkdownToStorageOptions,
  parse: MarkdownParser,
): MarkdownToStorageResult {
  const { frontMatter, body: text } = parseFrontMatter(markdown);
  const report: ConversionReport = { verbatim: [], skipped: [] };
  const body = limitNesting(text, report);
  const tree = parse(body);
  const emitter = new StorageEmitter(
    body,
    options,
    report,
    collectDefinitions(tree),
    reparseCommentParagraphs(tree, parse),
    parse,
  );
  const storage = emitter.flow(tree.children, 0);
  const problems = checkStorage(storage);
  if (problems.length) {
    const first = problems[0]!;
    const near = storage.slice(Math.max(0, first.offset - 30), first.offset + 30).replace(/\s+/g, " ");
    throw new InvalidStorageError(
      `the Markdown would make invalid storage: ${first.message} near "${near}"` +
        (problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ""),
      problems,
    );
  }
  return { storage, frontMatter, report };
}

/** Indentation (in columns) beyond which a list marker is pulled back: 120 levels at two columns each; storage → Markdown never nests deeper than 48. */
const MAX_LIST_INDENT = 240;

/**
 * The Markdown parser's list handling is quadratic in nesting depth (1000 nested items took a minute),
 * so list items indented deeper than MAX_LIST_INDENT are pulled back to it before parsing. Lines inside
 * top-level fenced code are never touched. Only hostile or generated input nests this deep.
 */
function limitNesting(markdown: string, report: ConversionReport): string {
  if (!/\n[ \t]{240,}/.test(markdown)) return markdown;
  let fence: string | undefined;
  let clamped = 0;
  const lines = markdown.split("\n").map((line) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && opener) fence = opener[1]![0]!.repeat(opener[1]!.length);
    else if (fence !== undefined && opener && opener[1]!.startsWith(fence)) fence = undefined;
    if (fence !== undefined) return line;
    const match = /^([ \t]+)(?=(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$))/.exec(line);
    if (!match) return line;
    const width = match[1]!.replace(/\t/g, "    ").length;
    if (width <= MAX_LIST_INDENT) return line;
    clamped++;
    return " ".repeat(MAX_LIST_INDENT) + line.slice(match[1]!.length);
  });
  if (clamped)
    report.skipped.push({
      what: `${clamped} list items nested deeper than ${MAX_LIST_INDENT / 2} levels`,
      reason: "written at that depth",
    });
  return clamped ? lines.join("\n") : markdown;
}

/** Link definitions by label; the first in the document wins (CommonMark). */
function collectDefinitions(tree: Root): Map<string, Definition> {
  const definitions = new Map<string, Definition>();
  const stack: Nodes[] = [tree];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === "definition") {
      const key = normalizeLabel(node.identifier);
      if (!definitions.has(key)) definitions.set(key, node);
    } else if ("children" in node)
      // in reverse, so that they come off the stack in document order
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }
  return definitions;
}

function normalizeLabel(label: string): string {
  return label.toLowerCase().replace(/\s+/g, " ").trim();
}

/** Markdown nested deeper than this is written flat: Confluence's editor does not go near it either. */
const MAX_DEPTH = 200;

class StorageEmitter {
  private taskId = 0;

  constructor(
    private readonly markdown: string,
    private readonly options: MarkdownToStorageOptions,
    private readonly report: ConversionReport,
    private readonly definitions: Map<string, Definition>,
    /** HTML blocks that are paragraphs starting with an inline comment, read again as paragraphs */
    private readonly commentParagraphs: Map<Html, Paragraph> = new Map(),
    private readonly parse: MarkdownParser = parseWithRemark,
  ) {}

  private skip(what: string, reason: string, node?: Nodes): void {
    const offset = node?.position?.start.offset;
    this.report.skipped.push(offset === undefined ? { what, reason } : { what, reason, offset });
  }

  /** Raw storage from a verbatim form, unless it carries script into the page. */
  private raw(xml: string, node: Nodes, form: "block" | "inline" | "wrapper"): string {
    if (UNSAFE_RAW.test(xml)) {
      this.skip("storage XML with script, a frame or an event handler", "not passed through", node);
      return "";
    }
    this.report.verbatim.push({ element: rootElementName(xml), form, reason: "storage written as is" });
    return xml;
  }

  // --- blocks -------------------------------------------------------------------------------------

  flow(nodes: RootContent[], depth: number): string {
    let out = "";
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.type === "html") {
        const open = DETAILS_OPEN.exec(node.value.trim());
        if (open) {
          const end = findDetailsEnd(nodes, i);
          if (end !== -1) {
            out += this.expand(open[1], nodes.slice(i + 1, end), depth);
            i = end;
            continue;
          }
        }
      }
      out += this.block(node, depth);
    }
    return out;
  }

  private block(node: RootContent, depth: number): string {
    if (depth > MAX_DEPTH && "children" in node) {
      this.skip(node.type, `nested deeper than ${MAX_DEPTH} levels: written as plain text`, node);
      return `<p>${escapeText(plainText(node))}</p>`;
    }
    switch (node.type) {
      case "paragraph":
        return this.paragraph(node.children, depth, node);
      case "heading":
        return `<h${node.depth}>${this.phrasing(node.children, depth, node)}</h${node.depth}>`;
      case "thematicBreak":
        return "<hr/>";
      case "blockquote":
        return this.blockquote(node, depth);
      case "list":
        return this.list(node, depth);
      case "code":
        return this.code(node);
      case "table":
        return this.table(node, depth);
      case "html":
        return this.htmlBlock(node, depth);
      case "definition":
        return "";
      case "footnoteDefinition":
        return `<p><sup>[${escapeText(node.label ?? node.identifier)}]</sup></p>${this.flow(node.children, depth + 1)}`;
      default:
        this.skip(node.type, "no storage equivalent: written as text", node);
        return `<p>${escapeText(plainText(node))}</p>`;
    }
  }

  private paragraph(children: PhrasingContent[], depth: number, container?: Nodes): string {
    const inner = this.phrasing(children, depth, container);
    return inner.trim() === "" ? "" : `<p>${inner}</p>`;
  }

  private htmlBlock(node: Html, depth: number): string {
    const value = node.value.trim();
    const comment = parseConflComment(value);
    if (comment?.kind === "block") return this.raw(comment.xml, node, "wrapper");
    if (startsWithInlineComment(value)) {
      // A paragraph that starts with `<!--` is an HTML block to CommonMark (start condition 2), which
      // ends at the end of that line. Our paragraphs that start with a comment are one line long (breaks
      // are written as <br>), so reading the line again as a paragraph gives back what was meant.
      let reparsed = this.commentParagraphs.get(node);
      const start = node.position?.start.offset;
      if (reparsed === undefined && start !== undefined) {
        const paragraph = this.parse(`x${node.value}`).children[0];
        if (paragraph?.type === "paragraph") {
          shiftPositions(paragraph, start - 1);
          reparsed = paragraph;
        }
      }
      if (reparsed) {
        const first = reparsed.children[0];
        if (first?.type === "text") {
          first.value = first.value.slice(1);
          if (first.value === "") reparsed.children.shift();
        }
        return this.paragraph(reparsed.children, depth, reparsed);
      }
    }
    if (/^<!--[\s\S]*-->$/.test(value)) {
      this.skip("HTML comment", "comments are not page content", node);
      return "";
    }
    if (DETAILS_CLOSE.test(value)) {
      this.skip("</details>", "no matching <details>", node);
      return "";
    }
    this.skip("raw HTML", "not passed through: written as text", node);
    return `<p>${escapeText(node.value)}</p>`;
  }

  private expand(summary: string | undefined, content: RootContent[], depth: number): string {
    const title = summary === undefined ? "" : decodeEntities(summary).trim();
    const param = title ? `<ac:parameter ac:name="title">${escapeText(title)}</ac:parameter>` : "";
    return `<ac:structured-macro ac:name="expand">${param}<ac:rich-text-body>${this.flow(content, depth + 1)}</ac:rich-text-body></ac:structured-macro>`;
  }

  private blockquote(node: Blockquote, depth: number): string {
    const alert = this.alert(node);
    if (alert) {
      const params = [...(alert.title ? [["title", alert.title] as const] : []), ...alert.params]
        .map(([k, v]) => `<ac:parameter ac:name="${escapeAttribute(k)}">${escapeText(v)}</ac:parameter>`)
        .join("");
      return `<ac:structured-macro ac:name="${alert.panel}">${params}<ac:rich-text-body>${this.flow(alert.body, depth + 1)}</ac:rich-text-body></ac:structured-macro>`;
    }
    return `<blockquote>${this.flow(node.children, depth + 1)}</blockquote>`;
  }

  /** `> [!NOTE|icon=false] Title` (the marker as written, not `\[!NOTE]`, which is text). */
  private alert(
    node: Blockquote,
  ): { panel: string; title: string; params: Array<[string, string]>; body: RootContent[] } | undefined {
    const first = node.children[0];
    if (first?.type !== "paragraph") return undefined;
    const lead = first.children[0];
    if (lead?.type !== "text") return undefined;
    const offset = lead.position?.start.offset;
    if (offset === undefined || this.markdown[offset] !== "[") return undefined;
    const match = ALERT.exec(lead.value);
    if (!match) return undefined;
    const panel = PANEL_FOR_ALERT[match[1]!.toUpperCase()]!;
    const params: Array<[string, string]> = [];
    for (const part of match[2]!.split("|").slice(1)) {
      const eq = part.indexOf("=");
      if (eq > 0) params.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
    }
    // the title is the rest of the marker's line; the paragraph's later lines are the body
    const rest: PhrasingContent[] = [
      { ...lead, value: lead.value.slice(match[0].length) },
      ...first.children.slice(1),
    ];
    const titleNodes: PhrasingContent[] = [];
    const bodyNodes: PhrasingContent[] = [];
    let inBody = false;
    for (const child of rest) {
      if (inBody) bodyNodes.push(child);
      else if (child.type === "text" && child.value.includes("\n")) {
        const nl = child.value.indexOf("\n");
        titleNodes.push({ type: "text", value: child.value.slice(0, nl) });
        bodyNodes.push({ type: "text", value: child.value.slice(nl + 1) });
        inBody = true;
      } else if (child.type === "break") inBody = true;
      else titleNodes.push(child);
    }
    const title = titleNodes.map(plainText).join("").trim();
    const body: RootContent[] = [];
    if (bodyNodes.some((n) => n.type !== "text" || n.value.trim() !== ""))
      body.push({ type: "paragraph", children: bodyNodes } as Paragraph);
    body.push(...node.children.slice(1));
    return { panel, title, params, body };
  }

  private list(node: List, depth: number): string {
    const isTaskList =
      node.children.length > 0 && node.children.every((item) => typeof item.checked === "boolean");
    if (isTaskList) return this.taskList(node, depth);
    const tag = node.ordered ? "ol" : "ul";
    const start =
      node.ordered && typeof node.start === "number" && node.start !== 1 ? ` start="${node.start}"` : "";
    let out = `<${tag}${start}>`;
    for (const item of node.children) out += `<li>${this.listItemContent(item, depth + 1)}</li>`;
    return `${out}</${tag}>`;
  }

  /** An item's first paragraph is written inline (`<li>text<ul>…</ul></li>`), as Confluence does. */
  private listItemContent(item: ListItem, depth: number): string {
    const [first, ...rest] = item.children;
    let out = "";
    if (typeof item.checked === "boolean") out += item.checked ? "[x] " : "[ ] ";
    if (first?.type === "paragraph")
      out += this.phrasing(first.children, depth, first) + this.flow(rest, depth);
    else out += this.flow(item.children, depth);
    return out;
  }

  private taskList(node: List, depth: number): string {
    let out = "<ac:task-list>";
    for (const item of node.children) {
      const nested = item.children.filter((c): c is List => c.type === "list" && isTaskListNode(c));
      const inBody: ListItem = {
        ...item,
        checked: null,
        children: item.children.filter((c) => !nested.includes(c as List)),
      };
      out += `<ac:task><ac:task-id>${++this.taskId}</ac:task-id><ac:task-status>${item.checked ? "complete" : "incomplete"}</ac:task-status><ac:task-body>${this.listItemContent(inBody, depth + 1)}</ac:task-body></ac:task>`;
      for (const list of nested) out += this.taskList(list, depth + 1);
    }
    return `${out}</ac:task-list>`;
  }

  private code(node: Code): string {
    const lang = node.lang ?? "";
    if (lang === STORAGE_FENCE_LANG) {
      const problems = checkStorage(node.value);
      if (problems.length) {
        throw new InvalidStorageError(
          `a \`\`\`${STORAGE_FENCE_LANG} block${node.position ? ` (line ${node.position.start.line})` : ""} is not well-formed storage: ${problems[0]!.message}`,
          problems,
        );
      }
      return this.raw(node.value, node, "block");
    }
    if (lang === "pre" && !node.meta) return `<pre>${escapeText(node.value)}</pre>`;
    const params = parseMeta(node.meta);
    const name = lang === "noformat" ? "noformat" : "code";
    if (name === "code" && lang) params.set("language", lang);
    const ordered = [...params].sort(([a], [b]) => (a === "language" ? -1 : b === "language" ? 1 : 0));
    const xmlParams = ordered
      .map(([k, v]) => `<ac:parameter ac:name="${escapeAttribute(k)}">${escapeText(v)}</ac:parameter>`)
      .join("");
    return `<ac:structured-macro ac:name="${name}">${xmlParams}<ac:plain-text-body>${cdata(node.value)}</ac:plain-text-body></ac:structured-macro>`;
  }

  private table(node: Table, depth: number): string {
    let out = "<table><tbody>";
    node.children.forEach((row, index) => {
      const header = index === 0;
      // an all-empty header row is how a table without one is written in GFM
      if (header && row.children.every((cell) => cell.children.length === 0)) return;
      out += "<tr>";
      for (const cell of row.children) {
        const tag = header ? "th" : "td";
        out += `<${tag}>${this.phrasing(cell.children, depth + 1, cell)}</${tag}>`;
      }
      out += "</tr>";
    });
    return `${out}</tbody></table>`;
  }

  // --- inline -------------------------------------------------------------------------------------

  /** The source of the block whose text is being written (see the autolink case in inline()). */
  private blockSource = "";

  private sourceOf(node: Nodes): string {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    return start === undefined || end === undefined ? this.blockSource : this.markdown.slice(start, end);
  }

  phrasing(nodes: PhrasingContent[], depth: number, container?: Nodes): string {
    if (container) this.blockSource = this.sourceOf(container);
    const pairs = matchInlineTags(nodes);
    let out = "";
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.type === "html") {
        const comment = parseConflComment(node.value);
        if (comment?.kind === "xml") {
          out += this.raw(comment.xml, node, "inline");
          // what follows up to <!--/confl:xml --> is only what readers saw
          const end = nodes.findIndex(
            (n, j) => j > i && n.type === "html" && parseConflComment(n.value)?.kind === "xml-end",
          );
          if (end !== -1) i = end;
          continue;
        }
        if (comment?.kind === "raw" || comment?.kind === "block") {
          out += this.raw(comment.xml, node, "inline");
          continue;
        }
        if (comment?.kind === "xml-end") continue;
        if (pairs.has(i)) {
          out += node.value.startsWith("</") ? `</${pairs.get(i)}>` : `<${pairs.get(i)}>`;
          continue;
        }
      }
      out += this.inline(node, depth + 1);
    }
    return out;
  }

  private inline(node: PhrasingContent, depth: number): string {
    if (depth > MAX_DEPTH && "children" in node) return escapeText(plainText(node));
    switch (node.type) {
      case "text":
        return escapeText(node.value);
      case "emphasis":
        return `<em>${this.phrasing(node.children, depth)}</em>`;
      case "strong":
        return `<strong>${this.phrasing(node.children, depth)}</strong>`;
      case "delete":
        return `<s>${this.phrasing(node.children, depth)}</s>`;
      case "inlineCode":
        return `<code>${escapeText(node.value)}</code>`;
      case "break":
        return "<br/>";
      case "link":
        // A bare URL becomes a link after parsing, from the text alone (mdast-util-gfm-autolink-literal),
        // so `https\://…`, which to-markdown writes to keep a URL in text as text, would turn into a link.
        // Such links have no position: they are links only if the URL stands unescaped in the source.
        if (!node.position && !this.blockSource.includes(plainText(node))) return escapeText(plainText(node));
        return this.link(node.url, node.title ?? null, node.children, depth, node);
      case "image":
        return this.image(node.url, node.alt ?? "", node.title ?? null, node);
      case "linkReference": {
        const definition = this.definitions.get(normalizeLabel(node.identifier));
        if (!definition) return escapeText(`[${plainText(node)}]`);
        return this.link(definition.url, definition.title ?? null, node.children, depth, node);
      }
      case "imageReference": {
        const definition = this.definitions.get(normalizeLabel(node.identifier));
        if (!definition) return escapeText(`![${node.alt ?? ""}]`);
        return this.image(definition.url, node.alt ?? "", definition.title ?? null, node);
      }
      case "footnoteReference":
        return `<sup>[${escapeText(node.label ?? node.identifier)}]</sup>`;
      case "html": {
        if (BREAK_HTML.test(node.value.trim())) return "<br/>";
        if (/^<!--[\s\S]*-->$/.test(node.value)) {
          this.skip("HTML comment", "comments are not page content", node);
          return "";
        }
        this.skip(`raw HTML ${node.value.slice(0, 30)}`, "not passed through: written as text", node);
        return escapeText(node.value);
      }
      default:
        return escapeText(plainText(node));
    }
  }

  private link(
    url: string,
    title: string | null,
    children: PhrasingContent[],
    depth: number,
    node: Nodes,
  ): string {
    const target = classifyHref(url, this.options);
    const body = () => this.linkBody(children, depth);
    switch (target.kind) {
      case "dangerous":
        this.skip(`link to ${url.slice(0, 40)}`, "a script URL: the link is dropped, its text kept", node);
        return this.phrasing(children, depth);
      case "page":
        return `<ac:link${target.ref.anchor ? ` ac:anchor="${escapeAttribute(target.ref.anchor)}"` : ""}>${pageRef(target.ref)}${body()}</ac:link>`;
      case "anchor":
        return `<ac:link ac:anchor="${escapeAttribute(target.anchor)}">${body()}</ac:link>`;
      case "attachment":
        return `<ac:link><ri:attachment ri:filename="${escapeAttribute(target.filename)}"/>${body()}</ac:link>`;
      case "url":
        return `<a href="${escapeAttribute(target.url)}"${title ? ` title="${escapeAttribute(title)}"` : ""}>${this.phrasing(children, depth)}</a>`;
    }
  }

  /** Plain link text goes in a CDATA body (as the editor writes it); formatted text in ac:link-body. */
  private linkBody(children: PhrasingContent[], depth: number): string {
    if (children.length === 0) return "";
    if (children.every((c) => c.type === "text"))
      return `<ac:plain-text-link-body>${cdata(children.map((c) => (c as { value: string }).value).join(""))}</ac:plain-text-link-body>`;
    return `<ac:link-body>${this.phrasing(children, depth)}</ac:link-body>`;
  }

  private image(url: string, alt: string, title: string | null, node: Nodes): string {
    const target = classifyHref(url, this.options, true);
    const attributes = `${alt ? ` ac:alt="${escapeAttribute(alt)}"` : ""}${title ? ` ac:title="${escapeAttribute(title)}"` : ""}`;
    switch (target.kind) {
      case "attachment":
        return `<ac:image${attributes}><ri:attachment ri:filename="${escapeAttribute(target.filename)}"/></ac:image>`;
      case "url":
        return `<ac:image${attributes}><ri:url ri:value="${escapeAttribute(target.url)}"/></ac:image>`;
      default:
        this.skip(
          `image ${url.slice(0, 40)}`,
          "not an attachment or a web address: its alt text is kept",
          node,
        );
        return escapeText(alt);
    }
  }
}

function pageRef(ref: PageRef): string {
  const space = ref.spaceKey ? ` ri:space-key="${escapeAttribute(ref.spaceKey)}"` : "";
  return `<ri:page${space} ri:content-title="${escapeAttribute(ref.title)}"/>`;
}

/**
 * Paragraphs that start with an inline confl comment are HTML blocks to CommonMark (see htmlBlock):
 * each is read again as the paragraph `x…` it is meant to be. One parse for all of them (a parse per
 * paragraph was 6% of a conversion): one-line blocks, each its own paragraph in the batch, each given
 * the offsets and lines that parsing it alone gives. Anything else is left to htmlBlock.
 */
export function reparseCommentParagraphs(
  tree: Root,
  parse: MarkdownParser = parseWithRemark,
): Map<Html, Paragraph> {
  const nodes: Html[] = [];
  const stack: Nodes[] = [tree];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === "html") {
      const value = node.value;
      if (
        startsWithInlineComment(value.trim()) &&
        !/[\r\n]/.test(value) &&
        node.position?.start.offset !== undefined
      )
        nodes.push(node);
    } else if (
      "children" in node &&
      node.type !== "paragraph" &&
      node.type !== "heading" &&
      node.type !== "table"
    )
      for (const child of node.children) stack.push(child as Nodes);
  }
  const paragraphs = new Map<Html, Paragraph>();
  if (nodes.length === 0) return paragraphs;
  const starts: number[] = [];
  let batch = "";
  for (const node of nodes) {
    starts.push(batch.length);
    batch += `x${node.value}\n\n`;
  }
  const parsed = parse(batch).children;
  if (parsed.length !== nodes.length || parsed.some((p) => p.type !== "paragraph")) return paragraphs;
  nodes.forEach((node, i) => {
    const paragraph = parsed[i] as Paragraph;
    shiftPositions(paragraph, node.position!.start.offset! - 1 - starts[i]!, -2 * i);
    paragraphs.set(node, paragraph);
  });
  return paragraphs;
}

/** Moves a reparsed subtree's source offsets back to where its text sits in the whole document. */
function shiftPositions(root: Nodes, by: number, lines = 0): void {
  const stack: Nodes[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.position) {
      if (node.position.start.offset !== undefined) node.position.start.offset += by;
      if (node.position.end.offset !== undefined) node.position.end.offset += by;
      node.position.start.line += lines;
      node.position.end.line += lines;
    }
    if ("children" in node) stack.push(...(node.children as Nodes[]));
  }
}

function isTaskListNode(list: List): boolean {
  return list.children.length > 0 && list.children.every((item) => typeof item.checked === "boolean");
}

function findDetailsEnd(nodes: RootContent[], start: number): number {
  let depth = 0;
  for (let i = start; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.type !== "html") continue;
    const value = node.value.trim();
    if (DETAILS_OPEN.test(value)) depth++;
    else if (DETAILS_CLOSE.test(value) && --depth === 0) return i;
  }
  return -1;
}

/** `<u>`, `<sub>`, `<sup>` that open and close within the same run of text: index → tag name. */
function matchInlineTags(nodes: PhrasingContent[]): Map<number, string> {
  const pairs = new Map<number, string>();
  const stack: Array<{ index: number; name: string }> = [];
  nodes.forEach((node, index) => {
    if (node.type !== "html") return;
    const match = ALLOWED_INLINE_HTML.exec(node.value.trim());
    if (!match) return;
    const name = match[2]!.toLowerCase();
    if (!match[1]) stack.push({ index, name });
    else {
      const at = stack.map((s) => s.name).lastIndexOf(name);
      if (at === -1) return;
      const open = stack[at]!;
      stack.length = at;
      pairs.set(open.index, name);
      pairs.set(index, name);
    }
  });
  return pairs;
}

function rootElementName(xml: string): string {
  const match = /^\s*<\/?([A-Za-z_:][-A-Za-z0-9_:.]*)/.exec(xml);
  if (!match) return "text";
  if (match[1] === "ac:structured-macro") {
    const name = /ac:name="([^"]*)"/.exec(xml);
    if (name) return `ac:structured-macro[${name[1]}]`;
  }
  return match[1]!;
}

function plainText(node: Nodes): string {
  if ("value" in node && typeof node.value === "string") return node.value;
  if (node.type === "image" || node.type === "imageReference") return node.alt ?? "";
  if ("children" in node) return (node.children as Nodes[]).map(plainText).join("");
  return "";
}
