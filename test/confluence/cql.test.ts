import { describe, expect, it } from "vitest";
import { parseCql } from "../../sim/cql.js";
import { buildCql, cqlString, luceneWords } from "../../src/confluence/cql.js";

/** What the simulator's CQL parser (a real tokenizer) makes of the query: it must be one `text ~` literal. */
function textLiteral(cql: string): string {
  const parsed = parseCql(cql);
  if ("error" in parsed) throw new Error(parsed.error);
  expect(parsed.where.kind).toBe("clause");
  if (parsed.where.kind !== "clause") throw new Error("not one clause");
  expect(parsed.where.clause).toMatchObject({ field: "text", operator: "~" });
  return parsed.where.clause.values[0]!;
}

describe("CQL built from user words", () => {
  it("escapes Lucene specials with a backslash and lower-cases operator words", () => {
    expect(luceneWords('a+b (c) [d] {e} ^f ~g *h ?i :j /k \\l !m -n && || "o"')).toBe(
      'a\\+b \\(c\\) \\[d\\] \\{e\\} \\^f \\~g \\*h \\?i \\:j \\/k \\\\l \\!m \\-n \\&\\& \\|\\| \\"o\\"',
    );
    expect(luceneWords("cats AND dogs OR NOT birds")).toBe("cats and dogs or not birds");
    expect(luceneWords("  line\none\ttab\r\n\u2028sep\u0000nul ")).toBe("line one tab sep nul");
    expect(luceneWords(" \n\t ")).toBeUndefined();
  });

  it("a CQL string literal escapes only backslash and quote, and flattens control characters", () => {
    expect(cqlString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(cqlString("a\nb\u0000c")).toBe('"a b c"');
  });

  it.each([
    ['x" OR type = "page'],
    ["x\\"],
    ['x\\\\" OR \\"'],
    ['") OR (space = DOC'],
    ["a\nOR\nb"],
    ["*"],
    ["~"],
    ["NOT"],
    ['\\"\\"'],
  ])("hostile words %j parse back as exactly one text literal", (words) => {
    const cql = buildCql({ text: words });
    const literal = textLiteral(cql);
    // the Lucene query inside is the escaped words: unescaping gives the words back (whitespace normalised)
    const unescaped = literal.replace(/\\(.)/g, "$1");
    const expected = words
      .replace(/\s+/g, " ")
      .trim()
      .split(" ")
      .map((w) => (["AND", "OR", "NOT"].includes(w) ? w.toLowerCase() : w))
      .join(" ");
    expect(unescaped).toBe(expected);
  });

  it("space, label and type are exact literals joined with AND", () => {
    expect(buildCql({ text: "release", space: "DOC", type: "page", label: "q3" })).toBe(
      'text ~ "release" AND space = "DOC" AND label = "q3" AND type = page',
    );
    const cql = buildCql({ space: 'DOC" OR space = "ENG', label: "a\\" });
    const parsed = parseCql(cql);
    if ("error" in parsed) throw new Error(parsed.error);
    expect(parsed.where).toEqual({
      kind: "and",
      items: [
        { kind: "clause", clause: { field: "space", operator: "=", values: ['DOC" OR space = "ENG'] } },
        { kind: "clause", clause: { field: "label", operator: "=", values: ["a\\"] } },
      ],
    });
  });

  it("nothing to search for, or empty values → usage errors", () => {
    expect(() => buildCql({})).toThrow(/nothing to search for/);
    expect(() => buildCql({ text: " \n " })).toThrow(/no words/);
    expect(() => buildCql({ space: " " })).toThrow(/--space is empty/);
  });
});
