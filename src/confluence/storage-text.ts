/**
 * Storage format (Confluence's XHTML with ac:/ri: elements) → readable plain text for `page view
 * --format text`. Not a renderer: it keeps the words, line structure, code blocks verbatim, list
 * bullets, task boxes, table rows as `a | b`, link texts and image names, and drops macro parameters.
 */

const BLOCKS = new Set([
  "p",
  "div",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "blockquote",
  "pre",
  "table",
  "tbody",
  "thead",
  "ul",
  "ol",
  "ac:structured-macro",
  "ac:rich-text-body",
  "ac:task-list",
  "hr",
]);

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  rsquo: "’",
  lsquo: "‘",
  rdquo: "”",
  ldquo: "“",
  copy: "©",
  reg: "®",
  trade: "™",
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export function storageToText(storage: string): string {
  const out: string[] = [];
  let line = "";
  const listStack: Array<{ ordered: boolean; n: number }> = [];
  let cells: string[] | null = null;
  let cell = "";
  const push = (text: string) => {
    if (cells !== null) cell += text;
    else line += text;
  };
  const breakLine = () => {
    if (cells !== null) return;
    if (line.trim() !== "") out.push(line.replace(/[ \t]+$/, ""));
    line = "";
  };
  const blank = () => {
    if (cells !== null) return;
    breakLine();
    if (out.length > 0 && out[out.length - 1] !== "") out.push("");
  };

  // CDATA sections hold code verbatim; Confluence splits a literal "]]>" as "]]]]><![CDATA[>".
  const tokens = storage.split(/(<!\[CDATA\[[\s\S]*?\]\]>|<[^>]+>)/);
  let skipDepth = 0;
  let inPlainBody = false;
  let code = "";
  let inTaskStatus = false;
  for (const token of tokens) {
    if (token === "") continue;
    if (token.startsWith("<![CDATA[")) {
      if (skipDepth > 0) continue;
      const text = token.slice(9, -3);
      if (inPlainBody) code += text;
      else push(text);
      continue;
    }
    if (token.startsWith("<")) {
      const match = /^<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>$/.exec(token);
      if (!match) continue;
      const [, closing, rawName, attrs, selfClosing] = match;
      const name = rawName!.toLowerCase();
      // macro parameters and task ids are metadata, not text
      if (name === "ac:parameter" || name === "ac:task-id") {
        if (selfClosing) continue;
        skipDepth += closing ? -1 : 1;
        continue;
      }
      if (skipDepth > 0) continue;
      if (name === "ac:plain-text-body") {
        inPlainBody = !closing;
        if (closing) {
          breakLine();
          for (const codeLine of code.split("\n")) out.push(`    ${codeLine}`.replace(/\s+$/, ""));
          code = "";
          blank();
        }
        continue;
      }
      if (name === "br") {
        breakLine();
        continue;
      }
      if (name === "ri:attachment" && /ri:filename="([^"]*)"/.test(attrs!)) {
        const file = decodeEntities(/ri:filename="([^"]*)"/.exec(attrs!)![1]!);
        push(`[image: ${file}]`);
        continue;
      }
      if (name === "ul" || name === "ol") {
        if (closing) listStack.pop();
        else listStack.push({ ordered: name === "ol", n: 0 });
        breakLine();
        if (closing && listStack.length === 0) blank();
        continue;
      }
      if (name === "li") {
        breakLine();
        if (!closing) {
          const list = listStack[listStack.length - 1];
          const indent = "  ".repeat(Math.max(0, listStack.length - 1));
          if (list) list.n++;
          push(`${indent}${list?.ordered ? `${list.n}.` : "-"} `);
        }
        continue;
      }
      if (name === "ac:task") {
        breakLine();
        continue;
      }
      if (name === "ac:task-status") {
        inTaskStatus = !closing;
        continue;
      }
      if (name === "tr") {
        if (!closing) cells = [];
        else if (cells !== null) {
          const row = cells.map((c) => c.trim()).join(" | ");
          cells = null;
          breakLine();
          line = row;
          breakLine();
        }
        continue;
      }
      if (name === "td" || name === "th") {
        if (cells === null) continue;
        if (closing) {
          cells.push(cell.replace(/\s+/g, " "));
          cell = "";
        }
        continue;
      }
      if (BLOCKS.has(name) || /^h[1-6]$/.test(name)) {
        if (closing || selfClosing) blank();
        else breakLine();
        continue;
      }
      continue;
    }
    if (skipDepth > 0) continue;
    // Text between tags: collapse the markup's whitespace; task status words become boxes.
    const text = decodeEntities(token.replace(/\s+/g, " "));
    if (inTaskStatus) {
      push(text.trim() === "complete" ? "[x] " : "[ ] ");
      continue;
    }
    if (inPlainBody) continue;
    push(line === "" && cells === null ? text.replace(/^ /, "") : text);
  }
  breakLine();
  while (out[out.length - 1] === "") out.pop();
  return out.join("\n");
}
