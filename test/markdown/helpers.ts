/** Shared by the converter tests: the corpus on disk, and what a storage document's code bodies and macros are. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ChildNode, isElement, parseStorage, textContent } from "../../src/markdown/dom.js";

export const corpusDir = join(import.meta.dirname, "corpus");

export interface CorpusEntry {
  name: string;
  storage: string;
  markdown: string;
  /** the storage the Markdown must turn into, where written down */
  expectedStorage: string | undefined;
}

export function loadCorpus(): CorpusEntry[] {
  const files = readdirSync(corpusDir);
  return files
    .filter((f) => f.endsWith(".storage.xml"))
    .map((f) => f.slice(0, -".storage.xml".length))
    .sort()
    .map((name) => {
      const read = (file: string) => readFileSync(join(corpusDir, file), "utf8");
      return {
        name,
        storage: read(`${name}.storage.xml`),
        markdown: read(`${name}.md`),
        expectedStorage: files.includes(`${name}.expected.xml`) ? read(`${name}.expected.xml`) : undefined,
      };
    });
}

function walk(nodes: ChildNode[], visit: (el: ChildNode) => void): void {
  const stack = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    visit(node);
    if ("children" in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
}

/** Every code and noformat macro body, in document order, exactly as Confluence reads it. */
export function codeBodies(storage: string): string[] {
  const bodies: string[] = [];
  walk(parseStorage(storage).children, (node) => {
    if (!isElement(node) || node.name !== "ac:plain-text-body") return;
    bodies.push(textContent(node));
  });
  return bodies;
}

/** The name of every macro in the document, in order. */
export function macroNames(storage: string): string[] {
  const names: string[] = [];
  walk(parseStorage(storage).children, (node) => {
    if (isElement(node) && (node.name === "ac:structured-macro" || node.name === "ac:macro"))
      names.push(node.attribs["ac:name"] ?? "");
  });
  return names;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

const WORDS = [
  "alpha",
  "beta",
  "Ünïcode",
  "日本",
  "a*b",
  "_under_",
  "[br]",
  "<tag>",
  "a & b",
  "pipe|",
  "#hash",
  "1.",
  "- dash",
  "`tick`",
  "back\\slash",
  "~tilde~",
  "]]>",
  "&amp;",
  "emoji🙂",
  "<!--c-->",
];

/** A random Markdown document from the grammar the converter supports (property.test.ts), the same for the same seed. */
export function generate(seed: number): string {
  const r = rng(seed);
  const words = (n: number) => Array.from({ length: 1 + r.int(n) }, () => r.pick(WORDS)).join(" ");
  const plain = () =>
    Array.from({ length: 1 + r.int(4) }, () => r.pick(["alpha", "beta", "gamma", "delta", "x1"])).join(" ");
  const inline = (depth = 0): string => {
    const parts: string[] = [];
    for (let i = 0, n = 1 + r.int(4); i < n; i++) {
      const kind = depth > 1 ? 0 : r.int(13);
      switch (kind) {
        case 1:
          parts.push(`**${plain()}**`);
          break;
        case 2:
          parts.push(`*${plain()}*`);
          break;
        case 3:
          parts.push(`~~${plain()}~~`);
          break;
        case 4:
          parts.push(`\`${r.pick(["code", "a|b", "x < y", "]]>"])}\``);
          break;
        case 5:
          parts.push(`[${plain()}](https://example.com/${r.int(100)}?a=1&b=2)`);
          break;
        case 6:
          parts.push(
            `[${plain()}](${r.pick(["Some%20Page.md", "Other.md#Section", "#anchor", "file.pdf", "/display/KEY/Title"])})`,
          );
          break;
        case 7:
          parts.push(`![${plain()}](${r.pick(["pic.png", "https://example.com/i.png"])})`);
          break;
        case 8:
          parts.push(`<${r.pick(["sub", "sup", "u"])}>${plain()}</${r.pick(["sub", "sup", "u"])}>`);
          break;
        case 9:
          parts.push(`${plain()}<br>${plain()}`);
          break;
        case 10:
          parts.push(`**${inline(depth + 1)}**`);
          break;
        case 11:
          parts.push('<!--confl:xml <ac:emoticon ac:name="smile"/> -->🙂<!--/confl:xml -->');
          break;
        default:
          parts.push(words(5));
      }
    }
    return parts.join(" ");
  };
  const code = () => {
    const body = Array.from({ length: 1 + r.int(4) }, () =>
      r.pick(["x = 1", "\tindented", "  two", "```", "]]>", "<b>&amp;</b>", "", "~~~"]),
    ).join("\n");
    const fence = body.includes("```") ? "````" : "```";
    return `${fence}${r.pick(["", "python", "js", "noformat", 'sql title="Query"'])}\n${body}\n${fence}`;
  };
  const list = (depth: number): string => {
    const ordered = r.int(3) === 0;
    const task = !ordered && r.int(3) === 0;
    const items: string[] = [];
    for (let i = 0, n = 1 + r.int(3); i < n; i++) {
      const marker = ordered ? `${i + 1}.` : task ? `- [${r.pick([" ", "x"])}]` : "-";
      const indent = " ".repeat(ordered ? 3 : 2);
      let item = `${marker} ${inline()}`;
      if (depth < 3 && r.int(3) === 0)
        item += `\n${list(depth + 1)
          .split("\n")
          .map((l) => (l ? indent + l : l))
          .join("\n")}`;
      items.push(item);
    }
    return items.join("\n");
  };
  const table = () => {
    const width = 1 + r.int(3);
    const row = () =>
      `| ${Array.from({ length: width }, () => r.pick([plain(), "a \\| b", "`c`", "**d**", ""])).join(" | ")} |`;
    const rows = Array.from({ length: 1 + r.int(3) }, row);
    return [row(), `| ${Array.from({ length: width }, () => "-").join(" | ")} |`, ...rows].join("\n");
  };
  const block = (depth: number): string => {
    switch (r.int(depth > 1 ? 6 : 10)) {
      case 0:
        return `${"#".repeat(1 + r.int(6))} ${inline(1)}`;
      case 1:
        return list(0);
      case 2:
        return code();
      case 3:
        return table();
      case 4:
        return "---";
      case 6:
        return `> ${inline()}\n>\n> ${inline()}`;
      case 7:
        return `> [!${r.pick(["NOTE", "TIP", "WARNING", "CAUTION", "IMPORTANT"])}]${r.int(2) ? " Title" : ""}\n> ${inline()}`;
      case 8:
        return `<details>\n<summary>${plain()}</summary>\n\n${block(depth + 1)}\n\n</details>`;
      case 9:
        return '```confluence-storage\n<ac:structured-macro ac:name="toc"/>\n```';
      default:
        return inline();
    }
  };
  return `${Array.from({ length: 1 + r.int(6) }, () => block(0)).join("\n\n")}\n`;
}
