/**
 * XML text rules for storage format: escaping, CDATA, and a strict well-formedness check.
 *
 * Storage format is XML with HTML's named entities allowed (`&nbsp;`, `&mdash;` …): "we should call
 * it XML, because the Confluence storage format does not comply with the XHTML definition"
 * (Confluence Storage Format, https://confluence.atlassian.com/doc/confluence-storage-format-790796544.html).
 * A strict XML parser rejects `&nbsp;`, an HTML parser destroys CDATA (dependencies.md §5), so the
 * check here is our own: tags balanced, attributes quoted and unique, every `&` a known reference,
 * no character XML 1.0 forbids.
 */
import { decodeHTMLStrict } from "entities";

export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

export function escapeAttribute(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

/** A CDATA section holding `text` exactly: `]]>` cannot occur inside one, so it is split across two. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
}

/** Decodes entity references the way Confluence reads them (HTML names, semicolon required). */
export function decodeEntities(text: string): string {
  return text.includes("&") ? decodeHTMLStrict(text) : text;
}

const knownEntityCache = new Map<string, boolean>();
export function isKnownEntity(name: string): boolean {
  let known = knownEntityCache.get(name);
  if (known === undefined) {
    known = decodeHTMLStrict(`&${name};`) !== `&${name};`;
    knownEntityCache.set(name, known);
  }
  return known;
}

/** `&…;` references that are valid in storage: numeric ones naming a legal character, known names. */
function isValidReference(body: string): boolean {
  if (body[0] === "#") {
    const code =
      body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    return Number.isInteger(code) && isXmlChar(code);
  }
  return isKnownEntity(body);
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Characters XML 1.0 forbids, and lone surrogates (which UTF-8 cannot carry). */
const FORBIDDEN_CHARS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function hasForbiddenChars(text: string): boolean {
  return FORBIDDEN_CHARS.test(text);
}

/** Text with every `&` that does not start a valid reference escaped (for re-serialising bad input). */
export function repairText(raw: string): string {
  return raw
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);|&/g, (whole, body?: string) =>
      body !== undefined && isValidReference(body) ? whole : `&amp;${whole.slice(1)}`,
    )
    .replace(/</g, "&lt;");
}

export interface XmlProblem {
  /** offset in the checked text */
  offset: number;
  message: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTRIBUTE = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/y;

/**
 * Every well-formedness problem in a storage fragment (a sequence of elements and text, no single
 * root needed), at most `limit` of them. An empty list means Confluence's XML reader will accept it.
 */
export function checkStorage(xml: string, limit = 50): XmlProblem[] {
  const problems: XmlProblem[] = [];
  const stack: Array<{ name: string; offset: number }> = [];
  const add = (offset: number, message: string) => {
    if (problems.length < limit) problems.push({ offset, message });
  };
  // next '&' and ']]>' at or after a position, found once and reused: a search per text run would
  // rescan the rest of the document each time (quadratic on large pages)
  let nextAmp = -2;
  let nextCdataEnd = -2;
  const ampFrom = (from: number) => {
    if (nextAmp !== -1 && nextAmp < from) nextAmp = xml.indexOf("&", from);
    return nextAmp;
  };
  const checkRefs = (from: number, to: number) => {
    let amp = ampFrom(from);
    while (amp !== -1 && amp < to) {
      REFERENCE.lastIndex = amp;
      const match = REFERENCE.exec(xml);
      if (!match || match.index + match[0].length > to) add(amp, "a bare '&' (write &amp;)");
      else if (!isValidReference(match[1]!)) add(amp, `unknown entity ${match[0]}`);
      amp = ampFrom(amp + 1);
    }
  };
  const checkChars = (from: number, to: number) => {
    if (!maybeForbidden) return;
    const slice = xml.slice(from, to);
    const match = FORBIDDEN_CHARS.exec(slice);
    if (match)
      add(
        from + match.index,
        `a character XML does not allow (U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`,
      );
  };
  const maybeForbidden = FORBIDDEN_CHARS.test(xml);
  let i = 0;
  const n = xml.length;
  while (i < n && problems.length < limit) {
    const lt = xml.indexOf("<", i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      checkRefs(i, textEnd);
      checkChars(i, textEnd);
      if (nextCdataEnd !== -1 && nextCdataEnd < i) nextCdataEnd = xml.indexOf("]]>", i);
      if (nextCdataEnd !== -1 && nextCdataEnd < textEnd) add(nextCdataEnd, "']]>' outside a CDATA section");
    }
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith("<![CDATA[", i)) {
      const end = xml.indexOf("]]>", i + 9);
      if (end === -1) {
        add(i, "a CDATA section that is never closed");
        break;
      }
      checkChars(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i + 4);
      if (end === -1) {
        add(i, "a comment that is never closed");
        break;
      }
      i = end + 3;
    } else if (xml.startsWith("<?", i)) {
      const end = xml.indexOf("?>", i + 2);
      if (end === -1) {
        add(i, "a processing instruction that is never closed");
        break;
      }
      i = end + 2;
    } else if (xml[i + 1] === "/") {
      NAME.lastIndex = i + 2;
      const match = NAME.exec(xml);
      const close = match ? xml.indexOf(">", i) : -1;
      if (!match || close === -1 || xml.slice(NAME.lastIndex, close).trim() !== "") {
        add(i, "a malformed closing tag");
        i = close === -1 ? n : close + 1;
        continue;
      }
      const open = stack.pop();
      if (!open) add(i, `</${match[0]}> closes nothing`);
      else if (open.name !== match[0]) {
        add(i, `</${match[0]}> closes <${open.name}>`);
        // resynchronise on the nearest matching open element, if there is one
        const at = stack.map((e) => e.name).lastIndexOf(match[0]);
        if (at !== -1) stack.length = at;
        else stack.push(open);
      }
      i = close + 1;
    } else {
      NAME.lastIndex = i + 1;
      const match = NAME.exec(xml);
      if (!match) {
        add(i, "a bare '<' (write &lt;)");
        i++;
        continue;
      }
      let j = NAME.lastIndex;
      const seen = new Set<string>();
      for (;;) {
        ATTRIBUTE.lastIndex = j;
        const attr = ATTRIBUTE.exec(xml);
        if (!attr) break;
        if (seen.has(attr[1]!)) add(j, `attribute ${attr[1]} repeated`);
        seen.add(attr[1]!);
        const valueStart = j + attr[0].length - attr[2]!.length + 1;
        checkRefs(valueStart, j + attr[0].length - 1);
        checkChars(valueStart, j + attr[0].length - 1);
        j = ATTRIBUTE.lastIndex;
      }
      while (j < n && /\s/.test(xml[j]!)) j++;
      if (xml.startsWith("/>", j)) i = j + 2;
      else if (xml[j] === ">") {
        stack.push({ name: match[0], offset: i });
        i = j + 1;
      } else {
        add(i, `a malformed <${match[0]}> tag`);
        const close = xml.indexOf(">", j);
        i = close === -1 ? n : close + 1;
      }
    }
  }
  for (const open of stack.reverse()) add(open.offset, `<${open.name}> is never closed`);
  return problems;
}
