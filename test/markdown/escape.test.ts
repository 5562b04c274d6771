/**
 * The faster escaping (src/markdown/escape.ts) writes exactly what mdast-util-to-markdown's own does:
 * on the corpus, the generated documents, and random trees whose text is made of the characters the
 * escaping is about, in every construct that escapes text.
 */
import type { BlockContent, PhrasingContent, Root } from "mdast";
import { describe, expect, it } from "vitest";
import { parseMarkdown } from "../../src/markdown/markdown-to-storage.js";
import { serializeMarkdown } from "../../src/markdown/storage-to-markdown.js";
import { generate, loadCorpus, rng } from "./helpers.js";

function expectSameMarkdown(tree: Root): void {
  const slow = serializeMarkdown(structuredClone(tree), false);
  expect(serializeMarkdown(structuredClone(tree), true)).toBe(slow);
}

describe("the same Markdown as mdast-util-to-markdown's escaping", () => {
  it.each(loadCorpus().map((entry) => [entry.name, entry.markdown] as const))(
    "corpus %s",
    (_name, markdown) => {
      expectSameMarkdown(parseMarkdown(markdown));
    },
  );

  it("300 generated documents", () => {
    for (let seed = 1; seed <= 300; seed++) expectSameMarkdown(parseMarkdown(generate(seed)));
  });

  it("3000 random trees of escape-prone text", () => {
    for (let seed = 1; seed <= 3000; seed++) expectSameMarkdown(randomTree(seed));
  });
});

const PIECES = [
  "a",
  "W",
  "w",
  "1",
  "12",
  " ",
  "  ",
  "\t",
  "\n",
  "\r",
  ...`*_#.-+\`~|<>[]()!&\\:@=^"'$%{}/?;,`,
  "www.",
  "https://",
  "a_b",
  "1.",
  "2)",
  "- ",
  "# ",
  "> ",
  "```",
  "~~~",
  "&amp;",
  "&#x61;",
  "<!--",
  "-->",
  "Ü",
  "日本",
  "🙂",
];

function randomTree(seed: number): Root {
  const r = rng(seed);
  const text = (): string =>
    Array.from({ length: 1 + r.int(8) }, () => r.pick(PIECES))
      .join("")
      .replace(/^\n+|\n+$/g, "") || "x";
  const phrasing = (depth: number): PhrasingContent[] =>
    Array.from({ length: 1 + r.int(4) }, (): PhrasingContent => {
      switch (depth > 1 ? 0 : r.int(9)) {
        case 1:
          return { type: "emphasis", children: phrasing(depth + 1) };
        case 2:
          return { type: "strong", children: phrasing(depth + 1) };
        case 3:
          return { type: "delete", children: phrasing(depth + 1) };
        case 4:
          return { type: "inlineCode", value: text() };
        case 5:
          return {
            type: "link",
            url: text(),
            title: r.int(2) ? text() : null,
            children: phrasing(depth + 1),
          };
        case 6:
          return { type: "image", url: text(), alt: text(), title: null };
        case 7:
          return { type: "break" };
        default:
          return { type: "text", value: text() };
      }
    });
  const block = (depth: number): BlockContent => {
    switch (depth > 1 ? 0 : r.int(7)) {
      case 1:
        return { type: "heading", depth: (1 + r.int(6)) as 1, children: phrasing(0) };
      case 2:
        return {
          type: "list",
          ordered: r.int(2) === 0,
          start: 1,
          spread: false,
          children: [
            { type: "listItem", spread: false, checked: null, children: [block(depth + 1)] },
            { type: "listItem", spread: false, checked: null, children: [block(depth + 1)] },
          ],
        };
      case 3:
        return { type: "blockquote", children: [block(depth + 1)] };
      case 4: {
        const row = () => ({
          type: "tableRow" as const,
          children: [0, 1].map(() => ({ type: "tableCell" as const, children: phrasing(1) })),
        });
        return { type: "table", align: [null, null], children: [row(), row()] };
      }
      case 5:
        return {
          type: "code",
          lang: r.int(2) ? text().replace(/\s/g, "") || null : null,
          meta: null,
          value: text(),
        };
      default:
        return { type: "paragraph", children: phrasing(0) };
    }
  };
  return { type: "root", children: Array.from({ length: 1 + r.int(4) }, () => block(0)) };
}
