/**
 * Parsing Markdown in top-level pieces (src/markdown/chunks.ts) gives the tree a single parse gives,
 * positions included: on the corpus, on the generated documents, and on the constructs that run across
 * blank lines. Piece size 1 cuts at every candidate point, the worst case for the cutting rules.
 */
import type { Html, Nodes, Root } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { describe, expect, it } from "vitest";
import { parseInPieces, pieceStarts } from "../../src/markdown/chunks.js";
import { storageToMarkdown } from "../../src/markdown/index.js";
import { parseMarkdown, reparseCommentParagraphs } from "../../src/markdown/markdown-to-storage.js";
import { generate, loadCorpus } from "./helpers.js";

/** remark-parse + remark-gfm as they come (parseMarkdown runs GFM's autolink transform only where it can act). */
const reference = unified().use(remarkParse).use(remarkGfm);

function expectSameTree(markdown: string, size: number): void {
  const whole = reference.parse(markdown) as Root;
  expect(parseMarkdown(markdown).children).toEqual(whole.children);
  const pieces = parseInPieces(markdown, parseMarkdown, size);
  expect(pieces.children).toEqual(whole.children);
  expect(pieces.position?.end).toEqual(whole.position?.end);
}

const corpus = loadCorpus();

describe("the corpus", () => {
  it.each(corpus.map((entry) => [entry.name, entry.markdown] as const))("%s", (_name, markdown) => {
    expectSameTree(markdown, 1);
  });

  it("all of it in one document, cut at every point and at the default size", () => {
    const all = corpus.map((entry) => entry.markdown).join("\n");
    const doc = all.repeat(Math.ceil(100_000 / all.length));
    expect(pieceStarts(doc, 1).length).toBeGreaterThan(100);
    expectSameTree(doc, 1);
    expectSameTree(doc, 4096);
  });

  it("storage → Markdown of the corpus, repeated", () => {
    const storage = corpus.map((entry) => entry.storage).join("\n");
    const markdown = storageToMarkdown(storage.repeat(5)).markdown;
    expectSameTree(markdown, 1);
  });
});

describe("generated documents", () => {
  it.each(Array.from({ length: 300 }, (_, i) => i + 1))("seed %i", (seed) => {
    expectSameTree(generate(seed), 1);
  });

  it("all of them in one document", () => {
    const doc = Array.from({ length: 300 }, (_, i) => generate(i + 1)).join("\n");
    expectSameTree(doc, 1);
    expectSameTree(doc, 4096);
  });
});

const tricky: Array<[string, string]> = [
  ["a fence with blank lines and column-0 lines", "a\n\n```\nx\n\ny\n\nz\n```\n\nb\n"],
  ["a tilde fence closed by a longer one", "~~~\nx\n\n~~\n\ny\n~~~~~\n\nb\n"],
  ["an unclosed fence", "a\n\n```js\nx\n\ny\n"],
  ["a backtick line that is not a fence", "``` a ` b\n\nc\n\nd\n"],
  ["a fence in a list item", "- ```\n  x\n\n  y\n  ```\n\nz\n\n```\nq\n\nr\n```\n\nend\n"],
  ["a fence in a list item that the item ends", "- ```\n  x\n\npara\n\n```\nx\n\ny\n```\n\nend\n"],
  ["a fence in a block quote", "> ```\n> x\n\ny\n\n```\nz\n\nw\n```\n"],
  ["a multi-line HTML comment", "a\n\n<!--\nx\n\ny\n-->\n\nb\n"],
  ["an HTML comment closed on its line", "<!-- x -->\n\ny\n\n<!-->\n\nz\n\n<!--->\n\nw\n"],
  [
    "pre, script and CDATA blocks",
    "<pre>\nx\n\ny\n</pre>\n\n<script>\n\nz\n</script>\n\n<![CDATA[\n\nq\n]]>\n\n<?x\n\ny ?>\n\n<!X\n\nz>\n\nend\n",
  ],
  ["details around content", "<details>\n<summary>T</summary>\n\ntext\n\n</details>\n\nafter\n"],
  ["a loose list", "- a\n\n- b\n\n  c\n\nd\n\n1. x\n\n2. y\n\n* z\n\n+ w\n\nend\n"],
  ["a list item continued after a blank line", "- a\n\n  b\n\nc\n"],
  ["an indented code block", "    a\n\n    b\n\nc\n\n    d\n"],
  [
    "a link definition after its use",
    "[a] and [b][c] and ![d]\n\ntext\n\n[a]: /x\n\n> [c]: /y\n\n- [D]: /z\n",
  ],
  ["a footnote", "x[^1] and [^n]\n\ny\n\n[^1]: note\n\n    indented\n\n[^n]: other\n\nz\n"],
  ["a definition before an indented piece", "[a]\n\n    code\n\n[^f]\n\n[a]: /u\n[^f]: x\n"],
  ["CRLF line endings", "a\r\n\r\n```\r\nx\r\n\r\ny\r\n```\r\n\r\nb\r\n\r\n- c\r\n\r\nd\r\n"],
  ["CR line endings", "a\r\rb\r\r```\rx\r\ry\r```\r\rc\r"],
  ["whitespace-only blank lines", "a\n  \n```\nx\n\t\ny\n```\n \nb\n"],
  ["a table", "| a | b |\n| - | - |\n| 1 | 2 |\n\n| c |\n| - |\n\ntext\n"],
  ["setext headings and rules", "a\n===\n\nb\n---\n\n---\n\n***\n\nc\n"],
  ["no final newline", "a\n\nb"],
  [
    "bare URLs and e-mail addresses",
    "see https://example.com/a?b=1 and www.example.com.\n\n> mail me@example.com or mailto:a@b.co\n\n- xmpp:a@b.co/r\n\n| HTTP://X.COM | b |\n| - | - |\n\n| w&#119;w.example.com |\n| - |\n\nme&#64;example.com\n\n[https://in.link](https://x.y) *www.em.ph*\n\nno links here\n\n# heading www.h.com\n\nx[^f] ~~a@b.cd~~\n\n[^f]: note http://f.n\n\n[text only](https://not.text)\n",
  ],
  ["blank lines only", "\n\n\n"],
];

describe("constructs that run across blank lines", () => {
  it.each(tricky)("%s", (_name, markdown) => {
    expectSameTree(markdown, 1);
  });
});

it("a document with no cut point is parsed in one go", () => {
  const markdown = "```\n" + "x\n\ny\n".repeat(5000) + "```\n";
  expect(pieceStarts(markdown, 1)).toEqual([0]);
  const tree: Root = parseInPieces(markdown, parseMarkdown, 1);
  expect(tree.children).toHaveLength(1);
});

describe("paragraphs that start with an inline comment, read again in one batch", () => {
  /** What parsing `x…` alone gives, offsets moved to the block's (the one-at-a-time path in htmlBlock). */
  function alone(node: Html): Nodes {
    const paragraph = parseMarkdown(`x${node.value}`).children[0]!;
    const by = node.position!.start.offset! - 1;
    const stack: Nodes[] = [paragraph];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.position) {
        n.position.start.offset! += by;
        n.position.end.offset! += by;
      }
      if ("children" in n) stack.push(...(n.children as Nodes[]));
    }
    return paragraph;
  }

  const documents = [
    ...corpus.map((entry) => entry.markdown),
    storageToMarkdown(corpus.map((entry) => entry.storage).join("\n")).markdown,
    '<!--confl:raw <ac:structured-macro ac:name="anchor"/> -->a **b** [c](https://x.y) www.z.com\n\n- <!--confl:xml <x/> -->shown<!--/confl:xml --> tail\n\n> <!--confl:raw <y/> -->[ref]\n\n[ref]: /u\n',
  ];

  it.each(documents.map((markdown, i) => [i, markdown] as const))("document %i", (_i, markdown) => {
    const tree = parseMarkdown(markdown);
    const batch = reparseCommentParagraphs(tree);
    for (const [node, paragraph] of batch) expect(paragraph).toEqual(alone(node));
  });

  it("finds them in list items and block quotes, not inside paragraphs", () => {
    const tree = parseMarkdown(documents.at(-1)!);
    expect(reparseCommentParagraphs(tree).size).toBe(3);
  });
});

it("with definitions, only the pieces that have a `[` are parsed again", () => {
  const markdown = `${"text\n\n".repeat(2000)}[a] and [^n]\n\n[a]: /u\n\n[^n]: note\n`;
  let parses = 0;
  const tree = parseInPieces(
    markdown,
    (text) => {
      parses++;
      return parseMarkdown(text);
    },
    1,
  );
  const pieces = pieceStarts(markdown, 1).length;
  expect(parses).toBeLessThanOrEqual(pieces + 3);
  expect(tree.children).toEqual((reference.parse(markdown) as Root).children);
});
