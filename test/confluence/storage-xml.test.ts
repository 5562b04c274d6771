/**
 * The storage well-formedness check: real storage (the simulator's showcase body, macros with CDATA,
 * undeclared ac:/ri: prefixes, XHTML entities) passes; each way of breaking XML is caught with its
 * line and column.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { showcaseStorage } from "../../sim/fixtures.js";
import { checkStorage } from "../../src/confluence/storage-xml.js";

describe("well-formed storage passes", () => {
  it.each([
    ["the simulator's showcase body", showcaseStorage],
    ["empty", ""],
    ["plain text", "just text, with > and ' and \""],
    ["several top-level elements", "<p>one</p><p>two</p>text"],
    ["undeclared prefixes", '<ac:link><ri:page ri:content-title="Other &amp; more" /></ac:link>'],
    ["XHTML entities", "<p>a&nbsp;b&mdash;c&euro;&hellip;&apos;&#160;&#x2713;</p>"],
    [
      "CDATA with < & and a split ]]>",
      "<ac:plain-text-body><![CDATA[a < b && ]]]]><![CDATA[> c]]></ac:plain-text-body>",
    ],
    ["comments and PIs", "<!-- a - comment --><?pi data?><p/>"],
    ["single-quoted and spaced attributes", "<td colspan = '2'  rowspan=\"1\" >x</td >"],
    ["non-ASCII names and text", "<p>Grüße 日本 😀</p><ac:é/>"],
    ["a prefix the body declares", '<x:y xmlns:x="urn:x" x:z="1"/>'],
  ])("%s", (_name, xml) => {
    expect(checkStorage(xml)).toBeNull();
  });
});

describe("malformed storage is caught, with where", () => {
  it.each([
    ["<p>unclosed", "<p> is never closed", 1, 1],
    ["<p><strong>x</p></strong>", "</p> closes <strong> (opened at line 1, column 4)", 1, 13],
    ["<p>x</p></p>", "</p> closes an element that was never opened", 1, 9],
    ["<p>\n  fish & chips</p>", '"&" must start an entity such as &amp; (write a literal & as &amp;)', 2, 8],
    [
      "<p>&nbps;</p>",
      "unknown entity &nbps; (storage knows XML's and XHTML 1.0's named entities; use a numeric one such as &#x2713;)",
      1,
      4,
    ],
    ["<p>&#0;</p>", "&#0; is not a character XML allows", 1, 4],
    ["<p>&#x110000;</p>", "&#x110000; is not a character XML allows", 1, 4],
    ["<p>a < b</p>", '"<" must start a tag (write a literal < as &lt;)', 1, 6],
    ["<p class=x>a</p>", "the value of class in <p> must be in quotes", 1, 10],
    ['<p class="a" class="b">a</p>', "attribute class appears twice in <p>", 1, 14],
    ['<p title="a<b">a</p>', '"<" is not allowed in an attribute value (write &lt;)', 1, 12],
    ['<p title="a & b">a</p>', '"&" must start an entity such as &amp; (write a literal & as &amp;)', 1, 13],
    ['<p title="a"x="b">a</p>', 'expected a space, ">" or "/>" in <p>', 1, 13],
    ["<p disabled>a</p>", 'attribute disabled in <p> needs ="value"', 1, 12],
    ["<p>a ]]> b</p>", '"]]>" is not allowed in text (write ]]&gt;)', 1, 6],
    ["<!-- a -- b -->", '"--" is not allowed inside a comment', 1, 8],
    ["<!-- open", "the comment is never closed with -->", 1, 1],
    ["<![CDATA[ open", "the CDATA section is never closed with ]]>", 1, 1],
    ["<!DOCTYPE html><p/>", "a DOCTYPE is not allowed in storage format", 1, 1],
    ["<a:b:c/>", "<a:b:c> is not a valid element name", 1, 2],
    ["<c:name/>", "unknown namespace prefix c: in <c:name> (storage knows ac:, ri: and at:)", 1, 2],
    ['<p a:x="1"/>', "unknown namespace prefix a: in a:x (storage knows ac:, ri: and at:)", 1, 4],
    ["<p>\u0001</p>", "U+0001 is not allowed in XML", 1, 4],
    ["<p", '<p is never closed with ">"', 1, 1],
    ["<p>x</p", '</p must end with ">"', 1, 8],
  ])("%j", (xml, reason, line, column) => {
    expect(checkStorage(xml)).toEqual({ reason, line, column });
  });
});

/**
 * Cross-check against a real XML parser: Python's expat (namespace-aware, with the XHTML entities
 * declared in an internal DTD) must agree on ok/not-ok for random mutations of the showcase body.
 * Skipped where python3 is missing.
 */
const python = (() => {
  try {
    execFileSync("python3", ["-c", "import xml.parsers.expat, html.entities"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const EXPAT = `
import sys, json, xml.parsers.expat, html.entities
ents = [n for n in html.entities.name2codepoint]
dtd = "<!DOCTYPE r [" + "".join('<!ENTITY %s "&#%d;">' % (e, html.entities.name2codepoint[e]) for e in ents) + "]>"
out = []
for c in json.load(sys.stdin):
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    try:
        p.Parse(dtd + '<r xmlns:ac="a" xmlns:ri="b" xmlns:at="c">' + c + "</r>", True); out.append(True)
    except Exception:
        out.append(False)
print(json.dumps(out))
`;

it.skipIf(!python)("agrees with expat on 500 mutated bodies", () => {
  const pieces = [
    "<",
    ">",
    "&",
    "&amp;",
    "&nbsp;",
    "</p>",
    "<p>",
    '"',
    "'",
    "]]>",
    "<!--",
    "-->",
    "--",
    "=",
    " ",
    "/",
    "<![CDATA[",
    ":",
    "&#65;",
    "&#0;",
  ];
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const cases: string[] = [];
  for (let t = 0; t < 500; t++) {
    let body = showcaseStorage;
    for (let k = 0, m = 1 + random(2); k < m; k++) {
      const at = random(body.length);
      body =
        random(3) === 0
          ? body.slice(0, at) + body.slice(at + 1 + random(4))
          : body.slice(0, at) + pieces[random(pieces.length)] + body.slice(at);
    }
    cases.push(body);
  }
  const expat = JSON.parse(
    execFileSync("python3", ["-c", EXPAT], { input: JSON.stringify(cases) }).toString(),
  );
  const disagreements = cases.filter((body, i) => (checkStorage(body) === null) !== expat[i]);
  expect(disagreements).toEqual([]);
  // both verdicts occur, so the comparison means something
  expect(new Set(expat)).toEqual(new Set([true, false]));
});
