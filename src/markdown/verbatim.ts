/**
 * The lossless fallback: how storage that Markdown cannot express rides through a Markdown file and
 * comes back byte for byte. Three forms, all plain CommonMark that any renderer shows or hides sanely:
 *
 * - block: a fenced code block with the info string `confluence-storage`, holding the element's
 *   storage XML exactly (an unknown block macro, a table with merged cells).
 * - inline: `<!--confl:raw XML -->` inside a paragraph: XML written back as is (an anchor macro, the
 *   start or end tag of a coloured span around converted text).
 *   `<!--confl:xml XML -->shown<!--/confl:xml -->`: XML written back, and the Markdown between the two
 *   comments is only what readers see (a status lozenge's text, a mention's name); edits to it are
 *   ignored.
 * - wrapper (block level): `<!--confl:block XML -->` on its own between blocks: start and end tags
 *   around converted content (a page layout's sections and cells, an unknown macro's rich-text body).
 *
 * Inside a comment, `%`, CR, LF and the `>` of `-->` are percent-encoded; nothing else is touched, so
 * the XML stays readable.
 */

export const STORAGE_FENCE_LANG = "confluence-storage";

export const RAW_PREFIX = "<!--confl:raw ";
export const XML_PREFIX = "<!--confl:xml ";
export const XML_END = "<!--/confl:xml -->";
export const BLOCK_PREFIX = "<!--confl:block ";
const SUFFIX = " -->";

export function encodeComment(xml: string): string {
  return xml.replace(/%|\r|\n|-->/g, (c) =>
    c === "%" ? "%25" : c === "\r" ? "%0D" : c === "\n" ? "%0A" : "--%3E",
  );
}

export function decodeComment(text: string): string {
  return text.replace(/%(25|0D|0A|3E)/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

export const rawComment = (xml: string) => `${RAW_PREFIX}${encodeComment(xml)}${SUFFIX}`;
export const xmlComment = (xml: string) => `${XML_PREFIX}${encodeComment(xml)}${SUFFIX}`;
export const blockComment = (xml: string) => `${BLOCK_PREFIX}${encodeComment(xml)}${SUFFIX}`;

export type ConflComment =
  | { kind: "raw"; xml: string }
  | { kind: "xml"; xml: string }
  | { kind: "xml-end" }
  | { kind: "block"; xml: string };

/** The confl comment an HTML node holds exactly, or undefined. */
export function parseConflComment(html: string): ConflComment | undefined {
  const value = html.trim();
  if (value === XML_END) return { kind: "xml-end" };
  if (!value.endsWith(SUFFIX)) return undefined;
  for (const [prefix, kind] of [
    [RAW_PREFIX, "raw"],
    [XML_PREFIX, "xml"],
    [BLOCK_PREFIX, "block"],
  ] as const) {
    if (value.startsWith(prefix)) {
      const body = value.slice(prefix.length, -SUFFIX.length);
      if (body.includes("-->")) return undefined;
      return { kind, xml: decodeComment(body) };
    }
  }
  return undefined;
}

/** Whether an HTML node starts with an inline confl comment (see markdown-to-storage: html blocks). */
export function startsWithInlineComment(html: string): boolean {
  return html.startsWith(RAW_PREFIX) || html.startsWith(XML_PREFIX);
}
