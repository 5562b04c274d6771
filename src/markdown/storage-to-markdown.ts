/**
 * Storage format → GitHub-flavoured Markdown: storage DOM → mdast → mdast-util-to-markdown.
 *
 * Element and macro shapes follow Atlassian's "Confluence Storage Format"
 * (https://confluence.atlassian.com/doc/confluence-storage-format-790796544.html) and the macro pages
 * it links to ("Code Block Macro", "Info, Tip, Note, and Warning Macros", "Expand Macro", "Status
 * Macro", "Jira Issues Macro", "Anchor Macro"), plus what real pages do that the docs do not say
 * (xwiki.org, "Confluence XHTML Syntax Documentation"): block macros wrapped in their own `<p>`,
 * inline text straight inside `<td>`, `<li>` and `<ac:rich-text-body>`, and Cloud's extra attributes.
 *
 * Whatever Markdown cannot say is carried in the forms described in verbatim.ts and listed in the
 * report; nothing is dropped silently.
 */
import type {
  BlockContent,
  Code,
  Heading,
  Html,
  Image,
  Link,
  List,
  ListItem,
  Paragraph,
  PhrasingContent,
  Root,
  RootContent,
  Table,
  TableCell,
  TableRow,
  Text,
} from "mdast";
import { gfmToMarkdown } from "mdast-util-gfm";
import { defaultHandlers, type Options as ToMarkdownOptions, toMarkdown } from "mdast-util-to-markdown";
import {
  attr,
  type ChildNode,
  childElements,
  type Element,
  firstChild,
  isElement,
  openTag,
  parseStorage,
  serialize,
  textContent,
} from "./dom.js";
import { installFastSafe } from "./escape.js";
import { serializeFrontMatter } from "./front-matter.js";
import { attachmentHref, isDangerousUrl, pageHref } from "./links.js";
import { ALERT_FOR_PANEL, EMOTICONS, formatMeta } from "./macros.js";
import type {
  ConversionReport,
  PageRef,
  StorageToMarkdownOptions,
  StorageToMarkdownResult,
  VerbatimItem,
} from "./types.js";
import {
  BLOCK_PREFIX,
  blockComment,
  decodeComment,
  rawComment,
  STORAGE_FENCE_LANG,
  XML_END,
  xmlComment,
} from "./verbatim.js";
import { checkStorage, decodeEntities } from "./xml.js";

/** Deeper than this, a subtree is kept verbatim: no stack overflow, no quadratic Markdown indentation. */
const MAX_DEPTH = 48;

const INLINE_TAGS = new Set([
  "a",
  "abbr",
  "b",
  "big",
  "br",
  "cite",
  "code",
  "del",
  "dfn",
  "em",
  "font",
  "i",
  "img",
  "ins",
  "kbd",
  "mark",
  "q",
  "s",
  "samp",
  "small",
  "span",
  "strike",
  "strong",
  "sub",
  "sup",
  "time",
  "tt",
  "u",
  "var",
  "ac:link",
  "ac:image",
  "ac:emoticon",
  "ac:inline-comment-marker",
  "ac:placeholder",
]);

/** Macros that live inside a line of text. */
const INLINE_MACROS = new Set(["status", "jira", "anchor", "mention"]);

type Phrasing = PhrasingContent;
type Block = BlockContent;

const text = (value: string): Text => ({ type: "text", value });
const html = (value: string): Html => ({ type: "html", value });

export function storageToMarkdown(
  storage: string,
  options: StorageToMarkdownOptions = {},
): StorageToMarkdownResult {
  const report: ConversionReport = { verbatim: [], skipped: [] };
  const problems = checkStorage(storage, 100);
  for (const problem of problems)
    report.skipped.push({ what: "malformed storage", reason: problem.message, offset: problem.offset });
  const converter = new StorageConverter(storage, problems.length === 0, options, report);
  const root: Root = {
    type: "root",
    children: mergeBlockComments(converter.flow(parseStorage(storage).children, 0)),
  };
  let markdown = serializeMarkdown(root);
  if (root.children.length === 0) markdown = "";
  if (options.frontMatter) markdown = serializeFrontMatter(options.frontMatter) + markdown;
  return { markdown, report };
}

const TO_MARKDOWN: ToMarkdownOptions = {
  extensions: [gfmToMarkdown({ tablePipeAlign: false })],
  bullet: "-",
  emphasis: "*",
  strong: "*",
  fence: "`",
  fences: true,
  rule: "*",
  listItemIndent: "one",
  resourceLink: false,
};

const TO_MARKDOWN_FAST: ToMarkdownOptions = {
  ...TO_MARKDOWN,
  handlers: {
    root(node, parent, state, info) {
      installFastSafe(state);
      return defaultHandlers.root(node, parent, state, info);
    },
  },
};

/** mdast → Markdown text; `fastEscape: false` is mdast-util-to-markdown's own escaping (escape.ts). */
export function serializeMarkdown(root: Root, fastEscape = true): string {
  return toMarkdown(root, fastEscape ? TO_MARKDOWN_FAST : TO_MARKDOWN);
}

/** Adjacent `<!--confl:block -->` comments become one, so a layout's `</cell><cell>` is one line. */
function mergeBlockComments(blocks: RootContent[]): RootContent[] {
  const out: RootContent[] = [];
  for (const block of blocks) {
    const previous = out[out.length - 1];
    if (
      block.type === "html" &&
      previous?.type === "html" &&
      block.value.startsWith(BLOCK_PREFIX) &&
      previous.value.startsWith(BLOCK_PREFIX)
    ) {
      const xml = (value: string) => decodeComment(value.slice(BLOCK_PREFIX.length, -" -->".length));
      out[out.length - 1] = html(blockComment(xml(previous.value) + xml(block.value)));
    } else out.push(block);
  }
  return out;
}

class StorageConverter {
  constructor(
    private readonly storage: string,
    private readonly wellFormed: boolean,
    private readonly options: StorageToMarkdownOptions,
    private readonly report: ConversionReport,
  ) {}

  // --- verbatim -----------------------------------------------------------------------------------

  /** The element's storage exactly as written; re-serialised (and so repaired) if the input was malformed. */
  private source(el: Element): string {
    if (this.wellFormed && el.startIndex !== null && el.endIndex !== null)
      return this.storage.slice(el.startIndex, el.endIndex + 1);
    return serialize(el);
  }

  private keep(el: Element, form: VerbatimItem["form"], reason: string): void {
    this.report.verbatim.push({ element: describe(el), form, reason });
  }

  private blockVerbatim(el: Element, reason: string): Code {
    this.keep(el, "block", reason);
    return { type: "code", lang: STORAGE_FENCE_LANG, meta: null, value: this.source(el) };
  }

  private inlineRaw(el: Element, reason: string): Phrasing[] {
    this.keep(el, "inline", reason);
    return [html(rawComment(this.source(el)))];
  }

  /** The exact XML, and Markdown that readers see in its place (ignored on the way back). */
  private inlineShown(el: Element, shown: Phrasing[], reason: string): Phrasing[] {
    if (shown.length === 0) return this.inlineRaw(el, reason);
    this.keep(el, "inline", reason);
    return [html(xmlComment(this.source(el))), ...shown, html(XML_END)];
  }

  /** Start and end tags as comments around converted inline content. */
  private inlineWrapper(el: Element, inner: Phrasing[], reason: string): Phrasing[] {
    this.keep(el, "wrapper", reason);
    return [html(rawComment(openTag(el))), ...inner, html(rawComment(`</${el.name}>`))];
  }

  // --- flow (block) content ----------------------------------------------------------------------

  /** Block content from a node list in which text and inline elements may sit beside blocks. */
  flow(nodes: ChildNode[], depth: number): Block[] {
    const out: Block[] = [];
    let pending: Phrasing[] = [];
    const flush = () => {
      const paragraph = finishParagraph(pending);
      if (paragraph) out.push(paragraph);
      pending = [];
    };
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (!isElement(node)) {
        pending.push(...this.nonElement(node));
        continue;
      }
      if (depth > MAX_DEPTH) {
        flush();
        out.push(this.blockVerbatim(node, `nested deeper than ${MAX_DEPTH} levels`));
        continue;
      }
      if (this.isInline(node, pending, nodes[i + 1])) pending.push(...this.inline(node, depth + 1));
      else {
        flush();
        out.push(...this.block(node, depth + 1));
      }
    }
    flush();
    return out;
  }

  private nonElement(node: ChildNode): Phrasing[] {
    if (node.type === "text") return [text(decodeEntities(node.data))];
    if (node.type === "cdata") return [text(textContent(node))];
    if (node.type === "comment")
      this.report.skipped.push({
        what: "XML comment",
        reason: "comments are not page content",
        offset: node.startIndex ?? undefined,
      });
    return [];
  }

  private isInline(el: Element, pending: Phrasing[], next: ChildNode | undefined): boolean {
    if (INLINE_TAGS.has(el.name)) return true;
    if (el.name === "time") return true;
    if (el.name !== "ac:structured-macro" && el.name !== "ac:macro") return false;
    const name = macroName(el);
    // a Jira macro naming one issue is a link in the text; one with a JQL query is a table
    if (INLINE_MACROS.has(name) && (name !== "jira" || macroParams(el)?.has("key"))) return true;
    if (BLOCK_MACROS.has(name)) return false;
    // an unknown macro is inline when it sits in a line of text
    const textBefore = pending.some((p) => p.type !== "text" || p.value.trim() !== "");
    const textAfter =
      next !== undefined &&
      ((next.type === "text" && next.data.trim() !== "") || (isElement(next) && INLINE_TAGS.has(next.name)));
    return textBefore || textAfter;
  }

  private block(el: Element, depth: number): Block[] {
    const name = el.name;
    switch (name) {
      case "p":
      case "div":
      case "section":
      case "article":
      case "main":
      case "center":
        return this.flow(el.children, depth);
      case "h1":
      case "h2":
      case "h3":
      case "h4":
      case "h5":
      case "h6": {
        const children = trimPhrasing(collapse(this.phrasing(el.children, depth).map(noBreaks)));
        if (children.length === 0) return [];
        return [{ type: "heading", depth: Number(name[1]) as Heading["depth"], children }];
      }
      case "hr":
        return [{ type: "thematicBreak" }];
      case "blockquote":
        return [{ type: "blockquote", children: this.flow(el.children, depth) }];
      case "ul":
      case "ol":
        return [this.list(el, depth)];
      case "ac:task-list":
        return [this.taskList(el, depth)];
      case "pre":
        // `pre` as the fence's language, so it comes back as <pre> rather than as a code macro
        if (childElements(el).length === 0)
          return [{ type: "code", lang: "pre", meta: null, value: textContent(el) }];
        return [this.blockVerbatim(el, "preformatted text with markup inside")];
      case "table":
        return [this.table(el, depth)];
      case "ac:layout":
      case "ac:layout-section":
      case "ac:layout-cell":
        return this.blockWrapper(el, this.layoutContent(el, depth), "page layout (kept as start/end tags)");
      case "ac:structured-macro":
      case "ac:macro":
        return this.blockMacro(el, depth);
      default:
        return [this.blockVerbatim(el, "no Markdown equivalent")];
    }
  }

  private layoutContent(el: Element, depth: number): Block[] {
    if (el.name === "ac:layout-cell") return this.flow(el.children, depth);
    // sections and the layout hold only their parts; stray whitespace between them is not content
    const out: Block[] = [];
    for (const child of el.children) {
      if (isElement(child)) out.push(...this.block(child, depth + 1));
      else if (child.type === "text" && child.data.trim() !== "") out.push(...this.flow([child], depth));
    }
    return out;
  }

  private blockWrapper(el: Element, inner: Block[], reason: string): Block[] {
    this.keep(el, "wrapper", reason);
    return [html(blockComment(openTag(el))), ...inner, html(blockComment(`</${el.name}>`))];
  }

  // --- lists --------------------------------------------------------------------------------------

  private list(el: Element, depth: number): List {
    const ordered = el.name === "ol";
    const items: ListItem[] = [];
    for (const child of el.children) {
      if (isElement(child) && child.name === "li") {
        items.push({
          type: "listItem",
          spread: false,
          checked: null,
          children: this.flow(child.children, depth),
        });
      } else if (isElement(child) || (child.type === "text" && child.data.trim() !== "")) {
        // content outside an <li> (older editors nested <ul> straight in <ul>): it belongs to the item before
        const blocks = this.flow([child], depth);
        const last = items[items.length - 1];
        if (last) last.children.push(...blocks);
        else items.push({ type: "listItem", spread: false, checked: null, children: blocks });
      }
    }
    const start = ordered ? Number(attr(el, "start") ?? "1") : null;
    return {
      type: "list",
      ordered,
      start: Number.isInteger(start) ? start : 1,
      spread: false,
      children: items,
    };
  }

  private taskList(el: Element, depth: number): List {
    const items: ListItem[] = [];
    for (const child of childElements(el)) {
      if (child.name === "ac:task") {
        const status = textContent(firstChild(child, "ac:task-status") ?? child).trim();
        const body = firstChild(child, "ac:task-body");
        items.push({
          type: "listItem",
          spread: false,
          checked: status === "complete",
          children: body ? this.flow(body.children, depth) : [],
        });
      } else if (child.name === "ac:task-list") {
        // a nested task list sits beside the tasks; it belongs to the task before it
        const nested = this.taskList(child, depth + 1);
        const last = items[items.length - 1];
        if (last) last.children.push(nested);
        else items.push({ type: "listItem", spread: false, checked: false, children: [nested] });
      }
    }
    return { type: "list", ordered: false, start: null, spread: false, children: items };
  }

  // --- tables -------------------------------------------------------------------------------------

  private table(el: Element, depth: number): Block {
    const rows: Element[] = [];
    for (const child of childElements(el)) {
      if (child.name === "tr") rows.push(child);
      else if (child.name === "tbody" || child.name === "thead" || child.name === "tfoot")
        rows.push(...childElements(child).filter((r) => r.name === "tr"));
      else if (child.name !== "colgroup")
        return this.blockVerbatim(el, `a table with <${child.name}> cannot be a Markdown table`);
    }
    if (rows.length === 0) return this.blockVerbatim(el, "a table without rows");
    const converted: Array<Array<{ header: boolean; content: Phrasing[] }>> = [];
    for (const row of rows) {
      const cells: Array<{ header: boolean; content: Phrasing[] }> = [];
      for (const cell of row.children) {
        if (!isElement(cell)) {
          if (cell.type === "text" && cell.data.trim() !== "")
            return this.blockVerbatim(el, "text between table cells");
          continue;
        }
        if (cell.name !== "td" && cell.name !== "th")
          return this.blockVerbatim(el, `<${cell.name}> in a table row`);
        const span = (name: string) => Number(attr(cell, name) ?? "1");
        if (span("colspan") !== 1 || span("rowspan") !== 1)
          return this.blockVerbatim(el, "merged cells (colspan/rowspan) cannot be a Markdown table");
        if (attr(cell, "data-highlight-colour") || attr(cell, "style"))
          return this.blockVerbatim(el, "coloured or styled cells cannot be a Markdown table");
        const content = this.cellContent(cell, depth);
        if (content === undefined)
          return this.blockVerbatim(
            el,
            "block content (lists, code, macros) in a cell cannot be a Markdown table",
          );
        cells.push({ header: cell.name === "th", content });
      }
      converted.push(cells);
    }
    const width = Math.max(...converted.map((r) => r.length));
    if (width === 0) return this.blockVerbatim(el, "a table without cells");
    const first = converted[0]!;
    const headerRow = first.length > 0 && first.every((c) => c.header);
    const toRow = (cells: Array<{ header: boolean; content: Phrasing[] }>, isHeader: boolean): TableRow => {
      const row: TableCell[] = cells.map((c) => ({
        type: "tableCell",
        // a header cell outside the header row is shown bold
        children:
          c.header && !isHeader && c.content.length ? [{ type: "strong", children: c.content }] : c.content,
      }));
      while (row.length < width) row.push({ type: "tableCell", children: [] });
      return { type: "tableRow", children: row };
    };
    // GFM needs a header row: a table without one gets an empty one, which reads back as "no header"
    const body = headerRow ? converted.slice(1) : converted;
    const head = headerRow ? toRow(first, true) : toRow([], true);
    const table: Table = {
      type: "table",
      align: Array.from({ length: width }, () => null),
      children: [head, ...body.map((r) => toRow(r, false))],
    };
    return table;
  }

  /** A cell's content as one line of phrasing (paragraphs joined by <br>), or undefined if it has blocks. */
  private cellContent(cell: Element, depth: number): Phrasing[] | undefined {
    const blocks = this.flow(cell.children, depth);
    const out: Phrasing[] = [];
    for (const block of blocks) {
      if (block.type !== "paragraph") return undefined;
      if (out.length) out.push(html("<br>"));
      out.push(...block.children);
    }
    return out;
  }

  // --- macros -------------------------------------------------------------------------------------

  private blockMacro(el: Element, depth: number): Block[] {
    const name = macroName(el);
    const params = macroParams(el);
    const body = firstChild(el, "ac:rich-text-body");
    const plain = firstChild(el, "ac:plain-text-body");
    const structural = childElements(el).every((c) =>
      ["ac:parameter", "ac:rich-text-body", "ac:plain-text-body", "ac:default-parameter"].includes(c.name),
    );
    if (!params || !structural) return [this.blockVerbatim(el, `macro ${name} with structured parameters`)];
    if ((name === "code" || name === "noformat") && !body) {
      const value = plain ? textContent(plain) : "";
      const language = name === "code" ? params.get("language") : "noformat";
      const rest = new Map(params);
      rest.delete("language");
      if (!language && rest.size > 0)
        return [this.blockVerbatim(el, "code macro with parameters but no language")];
      if (language !== undefined && !/^[^\s`{}]+$/.test(language))
        return [this.blockVerbatim(el, "code macro language that cannot be a fence info string")];
      const meta = formatMeta(rest);
      if (meta === undefined)
        return [this.blockVerbatim(el, "code macro parameters that cannot be a fence info string")];
      return [{ type: "code", lang: language ?? null, meta: meta || null, value }];
    }
    const alert = ALERT_FOR_PANEL[name];
    if (alert && !plain) {
      const rest = new Map(params);
      const title = rest.get("title");
      rest.delete("title");
      const meta = [...rest].map(([k, v]) => `|${k}=${v}`).join("");
      if ([...rest].some(([k, v]) => /[|\]\s=]/.test(k) || /[|\]\n]/.test(v)) || (title && /\n/.test(title)))
        return this.macroWrapper(el, body, depth, "panel parameters that an alert cannot hold");
      const marker: Phrasing[] = [html(`[!${alert}${meta}]`)];
      if (title) marker.push(text(` ${title}`));
      const content = body ? this.flow(body.children, depth) : [];
      return [{ type: "blockquote", children: [{ type: "paragraph", children: marker }, ...content] }];
    }
    if (name === "expand" && !plain && [...params.keys()].every((k) => k === "title")) {
      const title = params.get("title") ?? "";
      const open = `<details>\n<summary>${escapeHtml(title)}</summary>`;
      const content = body ? this.flow(body.children, depth) : [];
      return [html(open), ...content, html("</details>")];
    }
    if (body && !plain) return this.macroWrapper(el, body, depth, `macro ${name} (its body is converted)`);
    return [this.blockVerbatim(el, `macro ${name}`)];
  }

  /** An unknown macro with a rich-text body: start and end as block comments, the body as Markdown. */
  private macroWrapper(el: Element, body: Element | undefined, depth: number, reason: string): Block[] {
    if (!body) return [this.blockVerbatim(el, reason)];
    this.keep(el, "wrapper", reason);
    const index = el.children.indexOf(body);
    const before = el.children
      .slice(0, index)
      .filter(isElement)
      .map((c) => this.source(c))
      .join("");
    const after = el.children
      .slice(index + 1)
      .filter(isElement)
      .map((c) => this.source(c))
      .join("");
    return [
      html(blockComment(`${openTag(el)}${before}${openTag(body)}`)),
      ...this.flow(body.children, depth),
      html(blockComment(`</ac:rich-text-body>${after}</${el.name}>`)),
    ];
  }

  private inlineMacro(el: Element, depth: number): Phrasing[] {
    const name = macroName(el);
    const params = macroParams(el);
    if (depth > MAX_DEPTH || !params) return this.inlineRaw(el, `macro ${name}`);
    switch (name) {
      case "status": {
        const title = params.get("title");
        return this.inlineShown(el, title ? [{ type: "inlineCode", value: title }] : [], "status lozenge");
      }
      case "jira": {
        const key = params.get("key");
        return this.inlineShown(el, key ? [text(key)] : [], "Jira issue macro");
      }
      case "anchor":
        return this.inlineRaw(el, "anchor macro");
      default:
        return this.inlineRaw(el, `macro ${name} inside a line of text`);
    }
  }

  // --- inline content -----------------------------------------------------------------------------

  phrasing(nodes: ChildNode[], depth: number): Phrasing[] {
    const out: Phrasing[] = [];
    for (const node of nodes) {
      if (isElement(node)) out.push(...this.inline(node, depth + 1));
      else out.push(...this.nonElement(node));
    }
    return out;
  }

  private inline(el: Element, depth: number): Phrasing[] {
    if (depth > MAX_DEPTH) return this.inlineRaw(el, `nested deeper than ${MAX_DEPTH} levels`);
    const inner = () => this.phrasing(el.children, depth);
    switch (el.name) {
      case "strong":
      case "b":
        return nonEmpty(inner(), (children) => [{ type: "strong", children }]);
      case "em":
      case "i":
        return nonEmpty(inner(), (children) => [{ type: "emphasis", children }]);
      case "s":
      case "del":
      case "strike":
        return nonEmpty(inner(), (children) => [{ type: "delete", children }]);
      case "u":
      case "sub":
      case "sup":
        return nonEmpty(inner(), (children) => [html(`<${el.name}>`), ...children, html(`</${el.name}>`)]);
      case "span": {
        const attributes = Object.keys(el.attribs);
        if (attributes.length === 0) return inner();
        const style = (attr(el, "style") ?? "").replace(/\s+/g, "").replace(/;$/, "");
        if (attributes.length === 1 && style === "text-decoration:line-through")
          return nonEmpty(inner(), (children) => [{ type: "delete", children }]);
        return this.inlineWrapper(el, inner(), "styled text");
      }
      case "br":
        return [html("<br>")];
      case "code":
      case "tt":
        if (childElements(el).length === 0) return [{ type: "inlineCode", value: textContent(el) }];
        return this.inlineWrapper(el, inner(), "monospace text with markup inside");
      case "a":
        return this.anchorLink(el, depth);
      case "img": {
        const src = attr(el, "src");
        if (!src || isDangerousUrl(src)) return this.inlineRaw(el, "an image without a usable source");
        return [{ type: "image", url: src, alt: attr(el, "alt") ?? "", title: attr(el, "title") ?? null }];
      }
      case "ac:link":
        return this.acLink(el, depth);
      case "ac:image":
        return this.acImage(el);
      case "ac:emoticon":
        return this.inlineShown(el, [text(emoticonText(el))], "emoticon");
      case "time": {
        const datetime = attr(el, "datetime");
        return this.inlineShown(el, datetime ? [text(datetime)] : [], "date");
      }
      case "ac:structured-macro":
      case "ac:macro":
        return this.inlineMacro(el, depth);
      case "ac:inline-comment-marker":
        return this.inlineWrapper(el, inner(), "inline comment marker");
      case "ac:placeholder":
        return this.inlineRaw(el, "template placeholder");
      default:
        // namespaced elements hold structure, not text: keep them whole; HTML ones around their text
        if (el.name.includes(":") || el.children.length === 0 || !INLINE_TAGS.has(el.name))
          return this.inlineRaw(el, "no Markdown equivalent");
        return this.inlineWrapper(el, inner(), "no Markdown equivalent");
    }
  }

  private anchorLink(el: Element, depth: number): Phrasing[] {
    const href = attr(el, "href");
    const children = this.phrasing(el.children, depth);
    if (href === undefined) {
      return children.length
        ? this.inlineWrapper(el, children, "HTML anchor")
        : this.inlineRaw(el, "HTML anchor");
    }
    if (isDangerousUrl(href)) {
      this.report.skipped.push({
        what: `link to ${href.slice(0, 40)}`,
        reason: "a script URL: the link is dropped, its text kept",
        offset: el.startIndex ?? undefined,
      });
      return children;
    }
    const extra = Object.keys(el.attribs).filter((a) => a !== "href" && a !== "title");
    const link: Link = {
      type: "link",
      url: href,
      title: attr(el, "title") ?? null,
      children: children.length ? children : [text(href)],
    };
    if (extra.length) return this.inlineShown(el, [link], "link with attributes");
    return [link];
  }

  private acLink(el: Element, depth: number): Phrasing[] {
    const target = childElements(el).find((c) => c.name.startsWith("ri:"));
    const plainBody = firstChild(el, "ac:plain-text-link-body");
    const richBody = firstChild(el, "ac:link-body");
    const body: Phrasing[] = plainBody
      ? [text(textContent(plainBody))]
      : richBody
        ? collapse(this.phrasing(richBody.children, depth))
        : [];
    const anchor = attr(el, "ac:anchor");
    const extraLinkAttributes = Object.keys(el.attribs).filter((a) => a !== "ac:anchor");
    const otherChildren = childElements(el).filter((c) => c !== target && c !== plainBody && c !== richBody);
    const fallback = (reason: string, shown: Phrasing[]) => this.inlineShown(el, shown, reason);
    if (extraLinkAttributes.length || otherChildren.length)
      return fallback(
        "link with attributes Markdown cannot hold",
        body.length ? body : [text(attr(target ?? el, "ri:content-title") ?? "link")],
      );
    if (!target) {
      if (anchor)
        return [
          {
            type: "link",
            url: `#${encodeURIComponent(anchor)}`,
            title: null,
            children: body.length ? body : [text(anchor)],
          },
        ];
      return fallback("link without a target", body);
    }
    const targetAttributes = Object.keys(target.attribs);
    const only = (...allowed: string[]) =>
      targetAttributes.every((a) => allowed.includes(a)) && childElements(target).length === 0;
    if (target.name === "ri:page" && only("ri:content-title", "ri:space-key", "ri:version-at-save")) {
      const title = attr(target, "ri:content-title");
      if (title) {
        const ref: PageRef = { title };
        const spaceKey = attr(target, "ri:space-key");
        if (spaceKey) ref.spaceKey = spaceKey;
        if (anchor) ref.anchor = anchor;
        return [
          {
            type: "link",
            url: pageHref(ref, this.options),
            title: null,
            children: body.length ? body : [text(title)],
          },
        ];
      }
    }
    if (target.name === "ri:attachment" && only("ri:filename", "ri:version-at-save") && !anchor) {
      const filename = attr(target, "ri:filename");
      if (filename)
        return [
          {
            type: "link",
            url: attachmentHref(filename, this.options),
            title: null,
            children: body.length ? body : [text(filename)],
          },
        ];
    }
    if (target.name === "ri:url" && only("ri:value") && !anchor) {
      const url = attr(target, "ri:value");
      if (url && !isDangerousUrl(url))
        return [{ type: "link", url, title: null, children: body.length ? body : [text(url)] }];
    }
    if (target.name === "ri:user") {
      const who =
        attr(target, "ri:account-id") ?? attr(target, "ri:username") ?? attr(target, "ri:userkey") ?? "user";
      return fallback("user mention", body.length ? body : [text(`@${who}`)]);
    }
    const label =
      attr(target, "ri:content-title") ?? attr(target, "ri:filename") ?? attr(target, "ri:space-key") ?? "";
    return fallback(`link to ${target.name}`, body.length ? body : label ? [text(label)] : []);
  }

  private acImage(el: Element): Phrasing[] {
    const target = childElements(el).find((c) => c.name.startsWith("ri:"));
    const others = childElements(el).filter((c) => c !== target);
    let url: string | undefined;
    if (target?.name === "ri:attachment" && childElements(target).length === 0) {
      const filename = attr(target, "ri:filename");
      if (filename) url = attachmentHref(filename, this.options);
    } else if (target?.name === "ri:url") {
      const value = attr(target, "ri:value");
      if (value && !isDangerousUrl(value)) url = value;
    }
    if (url === undefined) return this.inlineRaw(el, "image from another page or an unknown source");
    const image: Image = {
      type: "image",
      url,
      alt: attr(el, "ac:alt") ?? "",
      title: attr(el, "ac:title") ?? null,
    };
    const noise = new Set(["ac:alt", "ac:title", "ac:original-height", "ac:original-width"]);
    const extra = Object.keys(el.attribs).filter((a) => !noise.has(a));
    const targetExtra = Object.keys(target!.attribs).filter(
      (a) => a !== "ri:filename" && a !== "ri:value" && a !== "ri:version-at-save",
    );
    if (extra.length || targetExtra.length || others.length)
      return this.inlineShown(el, [image], "image size, alignment or caption");
    return [image];
  }
}

// --- helpers ----------------------------------------------------------------------------------------

const BLOCK_MACROS = new Set([
  "code",
  "noformat",
  "info",
  "note",
  "warning",
  "tip",
  "expand",
  "panel",
  "toc",
]);

function macroName(el: Element): string {
  return (attr(el, "ac:name") ?? "").toLowerCase();
}

/** The macro's parameters, or undefined when one of them holds markup (a page or user reference). */
function macroParams(el: Element): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const child of childElements(el)) {
    if (child.name !== "ac:parameter" && child.name !== "ac:default-parameter") continue;
    if (childElements(child).length > 0) return undefined;
    params.set(
      child.name === "ac:default-parameter" ? "" : (attr(child, "ac:name") ?? ""),
      textContent(child),
    );
  }
  return params;
}

function describe(el: Element): string {
  if (el.name === "ac:structured-macro" || el.name === "ac:macro") return `${el.name}[${macroName(el)}]`;
  return el.name;
}

function emoticonText(el: Element): string {
  const name = attr(el, "ac:name") ?? "";
  const fallback = attr(el, "ac:emoji-fallback");
  if (fallback && !fallback.startsWith(":")) return fallback;
  return EMOTICONS[name] ?? attr(el, "ac:emoji-shortname") ?? `:${name}:`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

function nonEmpty(children: Phrasing[], make: (children: Phrasing[]) => Phrasing[]): Phrasing[] {
  if (children.length === 0) return [];
  return make(children);
}

/** Breaks inside a heading become spaces (a heading is one line). */
function noBreaks(node: Phrasing): Phrasing {
  return node.type === "html" && node.value === "<br>" ? text(" ") : node;
}

/** Storage whitespace is HTML whitespace: runs collapse to one space (not inside code). */
function collapse(nodes: Phrasing[]): Phrasing[] {
  for (const node of nodes) {
    if (node.type === "text") node.value = node.value.replace(/[ \t\n\r\f]+/g, " ");
    else if ("children" in node) collapse(node.children as Phrasing[]);
  }
  return nodes;
}

function trimPhrasing(nodes: Phrasing[]): Phrasing[] {
  const out = nodes.filter((n) => !(n.type === "text" && n.value === ""));
  trimEdge(out, "start");
  trimEdge(out, "end");
  return out.filter((n) => !(n.type === "text" && n.value === ""));
}

function trimEdge(nodes: Phrasing[], edge: "start" | "end"): void {
  while (nodes.length) {
    const node = edge === "start" ? nodes[0]! : nodes[nodes.length - 1]!;
    if (node.type === "text") {
      node.value =
        edge === "start" ? node.value.replace(/^[ \t\n\r\f]+/, "") : node.value.replace(/[ \t\n\r\f]+$/, "");
      if (node.value === "") {
        if (edge === "start") nodes.shift();
        else nodes.pop();
        continue;
      }
    } else if (node.type === "html" && node.value === "<br>") {
      if (edge === "start") nodes.shift();
      else nodes.pop();
      continue;
    } else if (node.type === "strong" || node.type === "emphasis" || node.type === "delete") {
      trimEdge(node.children, edge);
      if (node.children.length === 0) {
        if (edge === "start") nodes.shift();
        else nodes.pop();
        continue;
      }
    }
    return;
  }
}

function finishParagraph(pending: Phrasing[]): Paragraph | undefined {
  if (pending.length === 0) return undefined;
  const children = trimPhrasing(collapse(mergeText(pending)));
  if (children.length === 0) return undefined;
  return { type: "paragraph", children };
}

function mergeText(nodes: Phrasing[]): Phrasing[] {
  const out: Phrasing[] = [];
  for (const node of nodes) {
    const last = out[out.length - 1];
    if (node.type === "text" && last?.type === "text") last.value += node.value;
    else out.push(node);
  }
  return out;
}
