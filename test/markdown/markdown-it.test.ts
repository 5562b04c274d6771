/**
 * The markdown-it adapter (markdown-it-parse.ts) against the reference, remark-parse + remark-gfm: the
 * same mdast (positions, `data` and list `spread` left out; link references resolved, as markdown-it
 * resolves them) and the same storage and report, on the corpus, the property test's documents (and the
 * Markdown they round-trip to), and tricky CommonMark/GFM cases. Documents the adapter leaves to remark
 * must still come out the same (they are parsed by remark), and most documents must take the fast path.
 */
import type { Definition, Nodes, Root } from "mdast";
import { describe, expect, it } from "vitest";
import { storageToMarkdown } from "../../src/markdown/index.js";
import { parseWithMarkdownIt } from "../../src/markdown/markdown-it-parse.js";
import { convertMarkdown, parseFast, parseWithRemark } from "../../src/markdown/markdown-to-storage.js";
import { generate, loadCorpus } from "./helpers.js";

/** The tree without positions, data and spread, references resolved and definitions dropped. */
function normalize(tree: Root): unknown {
  const definitions = new Map<string, Definition>();
  const collect = (node: Nodes) => {
    if (node.type === "definition") {
      const key = node.identifier.toLowerCase().replace(/\s+/g, " ").trim();
      if (!definitions.has(key)) definitions.set(key, node);
    }
    if ("children" in node) for (const child of node.children) collect(child as Nodes);
  };
  collect(tree);
  const walk = (node: Nodes): unknown => {
    if (node.type === "linkReference" || node.type === "imageReference") {
      const definition = definitions.get(node.identifier.toLowerCase().replace(/\s+/g, " ").trim());
      if (definition) {
        if (node.type === "linkReference")
          return walk({
            type: "link",
            url: definition.url,
            title: definition.title ?? null,
            children: node.children,
          });
        return { type: "image", url: definition.url, title: definition.title ?? null, alt: node.alt ?? "" };
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "position" || key === "data" || key === "spread") continue;
      if (key === "children")
        out.children = (value as Nodes[])
          .filter((c) => c.type !== "definition")
          .map(walk)
          // markdown-it leaves no paragraph where a paragraph held only definitions
          .filter(
            (c) =>
              !(c as { type: string; children?: unknown[] }).type.startsWith("paragraph") ||
              (c as { children: unknown[] }).children.length,
          );
      else out[key] = value === undefined ? null : value;
    }
    return out;
  };
  return walk(tree);
}

const stripOffsets = (report: { verbatim: unknown[]; skipped: Array<{ offset?: number }> }) => ({
  verbatim: report.verbatim,
  skipped: report.skipped.map(({ offset: _, ...rest }) => rest),
});

let fast = 0;
let total = 0;

function expectSame(markdown: string, label: string): void {
  total++;
  const reference = parseWithRemark(markdown);
  if (parseWithMarkdownIt(markdown)) fast++;
  // the parser markdownToStorage uses: markdown-it for the whole text, or piece by piece with remark
  // for the pieces it leaves
  expect(normalize(parseFast(markdown)), `${label}\n${markdown}`).toEqual(normalize(reference));
  let expected: unknown;
  let actual: unknown;
  try {
    const r = convertMarkdown(markdown, {}, parseWithRemark);
    expected = { storage: r.storage, report: stripOffsets(r.report) };
  } catch (error) {
    expected = String(error);
  }
  try {
    const r = convertMarkdown(markdown, {}, parseFast);
    actual = { storage: r.storage, report: stripOffsets(r.report) };
  } catch (error) {
    actual = String(error);
  }
  expect(actual, `${label}\n${markdown}`).toEqual(expected);
}

const TRICKY: string[] = [
  "- a\n  - b\n    - c\n\n  d\n- e",
  "1. one\n2. two\n\n   para\n3) three",
  "- a\nlazy continuation\n- b",
  "> quote\nlazy\n> - item\n>   more",
  "<div>\n*html*\n</div>\n\ntext",
  '<!--confl:block <ac:layout> -->\n\n<!--confl:block <ac:layout-section ac:type="two_equal"> -->\n\ntext',
  '<!--confl:xml <ac:emoticon ac:name="smile"/> -->🙂<!--/confl:xml --> after the comment',
  '```confluence-storage\n<ac:structured-macro ac:name="toc"/>\n```',
  "<https://example.com/a_b> and <mail@example.com> and https://example.com/x. and www.example.com",
  "mail me: someone@example.com, or visit http://example.com/path?q=1",
  "\\*not em\\* \\[x\\] \\` \\\\ \\# \\<b>",
  "&amp; &copy; &#35; &#x41; &nosuch; & alone",
  "| a | b |\n| --- | :-: |\n| `x \\| y` | c \\| d |\n| short |\n| e | f | extra |",
  "| left | right | center |\n|:--|--:|:-:|\n| 1 | 2 | 3 |",
  "---\ntitle: Front\n---\n\n# Heading",
  "Setext\n======\n\nTwo\n---",
  "    indented code\n\n\tand tab",
  '~~~ python title="x"\ncode\n~~~\n\n```\nunclosed',
  "**strong *em* strong** *a **b** c* ***both***",
  "~~strike~~ and ~single~",
  '[ref] and [other][ref] and ![img][ref]\n\n[ref]: https://example.com "Title"',
  "[link](<url with spaces> 'title') ![alt *em*](pic.png \"t\")",
  "line one  \nline two\\\nline three",
  "- [ ] open\n- [x] done\n- [X] also\n- [ ]\n- [x]not\n  - [ ] nested",
  "* [ ]\n  text after eol",
  "> [!NOTE] Title\n> body\n\n> \\[!NOTE] escaped",
  "<details>\n<summary>More</summary>\n\ninside\n\n</details>",
  "text <u>under</u> <sub>s</sub> <br> <span>x</span>",
  "a\n***\nb\n___\n- - -",
  "1. a\n1. b\n\n10. c",
  "foo\n- bar\n\n2. not interrupting\nfoo\n1. interrupting",
  "`` code with ` backtick `` and ` spaced `",
  "# Heading with `code` and [link](x.md) #",
  "<pre>\n\nraw\n\n</pre>\n\nafter",
  "<!-- a comment\n\nover lines -->\n\ntext",
  "[a](javascript:alert(1)) [b](data:text/html,x) ![c](file:///etc/passwd)",
  "https://example.com/*star* and http://a.com/_u_",
  "Ünïcode 日本 emoji🙂 [ü](https://example.com/ü)",
  "| a |\n| - |\n| b |\n> quote after table",
  "- a\n\n- b\n\n  c",
  "\t- tab list\n\n  \tcode?",
  "[foo]: /url\n\n[Foo]\n\n[FOO][]",
  "***x1 x1* `x < y` _under_ a*b a & b** and **a* b*c**",
  "**bold**, **old bold**, *it*, a*b, snake_case_name, __init__",
  "- [ ] **Ship** it\n- [x]   spaced\n- [ ]  \n  hard break\n- [\n  ] split",
  "*a*b@c.com and x<!-- c -->@user<!-- d --> and www.example.com/*x* and `code`https://x.org",
  "&#91;!NOTE] and \\[x] task?\n\n- \\[ ] not a task\n- &#91; ] nor this",
  "| a | b |\n| - | - |\n| x \\\\| y | z |",
  "| a |\n| - |\n| b |\n- list after\n\n| a |\n| - |\nno pipe row\n\n| a |\n| - |\n    indented\n\n| a |\n| - |\n# heading",
  "| a |\n| - |\n```\ncode\n```\n\n| a | b |\n|---|---|\n\n|x|\n|-|\n|y|",
  "- a\n -b\n\n1. a\n\n\n2. b\n\n-\n  foo\n\n- ```\n  code\n  ```\n- > quote in item",
  '<div>\n\n</div>\n\n<DIV CLASS="x">\n</DIV>\n\n<textarea>\n\n*x*\n</textarea>\n\n<custom-tag>\ntext\n</custom-tag>',
  '[a](http://x.com/?a=1&amp;b=2 "t \\" &quot;") [b]( <c d> ) `a\\` <http://a.com/&amp;> ![a ![b](c)](d)',
  "para\n<div>interrupts</div>\n\npara\n<span>does not</span>\n\n* * *\n- a\n* b\n+ c",
  "  # spaced heading\n\n#not heading\n\n# closed ##  \n\n####### seven",
  "- [x] task, not a reference\n- [ ] open\n\n[x]: https://example.com\n\n[![badge](b.svg)][x] [X] [y]\n\n[y]: <a b> 'T'",
  "[a]: /first\n[A]: /second\n\n[a] [ a ] [a][] ![a]\n\n> [b]: /in-quote\n\n[b]",
  // found by comparing the two on real READMEs
  "Reports `NO\nRESULT` and `--whatever\n  false` and `a\nb`",
  "line one\r\nline two with https://example.com/x\r\n\r\n- item\r\n",
  "- a\n-\n\n    indented code\n\n    :   - more code\n\nafter",
  '> [!TIP]\n> - list in alert\n\n<details>\n<summary>T</summary>\n\n```confluence-storage\n<ac:structured-macro ac:name="x"/>\n```\n\n</details>',
];

describe("markdown-it adapter: the same tree and storage as remark", () => {
  it("the corpus (its Markdown, and what its storage converts to)", () => {
    for (const entry of loadCorpus()) {
      expectSame(entry.markdown, `corpus ${entry.name}.md`);
      expectSame(storageToMarkdown(entry.storage).markdown, `corpus ${entry.name}.storage.xml → Markdown`);
    }
  });

  // in six tests of 50 seeds: each compares four parses and four conversions per seed
  it.each([1, 51, 101, 151, 201, 251])(
    "the property-test documents from seed %i, and their round trips",
    (first) => {
      for (let seed = first; seed < first + 50; seed++) {
        const markdown = generate(seed);
        expectSame(markdown, `seed ${seed}`);
        const once = storageToMarkdown(convertMarkdown(markdown, {}, parseWithRemark).storage).markdown;
        expectSame(once, `seed ${seed} round trip`);
      }
    },
  );

  it("large documents parsed in pieces, some by markdown-it and some by remark", () => {
    const corpus = loadCorpus();
    const joined = [
      ...corpus.map((e) => e.markdown),
      ...corpus.map((e) => storageToMarkdown(e.storage).markdown),
    ].join("\n\n");
    // a single tilde (GFM strikethrough, not markdown-it's) sends one piece to remark
    const mixed = `${joined}\n\n~single~ tilde\n\n${joined}`;
    expect(parseWithMarkdownIt(mixed)).toBeUndefined();
    expectSame(mixed, "the corpus joined");
    const tricky = TRICKY.filter((t) => !t.startsWith("---")).join("\n\n");
    expectSame(`${tricky}\n\n${joined}`, "tricky cases and the corpus joined");
    const generated = Array.from({ length: 60 }, (_, i) => generate(i + 1)).join("\n\n");
    expectSame(generated, "60 generated documents joined");
  });

  it("the first of two definitions of a label wins (CommonMark), with either parser", () => {
    const markdown = "[a] and [b]\n\n[a]: /first\n[A]: /second\n\n- [b]: /nested-first\n\n[b]: /later";
    for (const parse of [parseWithRemark, parseFast]) {
      const { storage } = convertMarkdown(markdown, {}, parse);
      expect(storage).toContain('href="/first"');
      expect(storage).toContain('href="/nested-first"');
    }
  });

  it("tricky CommonMark and GFM cases", () => {
    for (const [i, markdown] of TRICKY.entries()) expectSame(markdown, `tricky ${i}`);
  });

  it("most documents take the fast path", () => {
    expect(fast / total).toBeGreaterThan(0.5);
  });
});
