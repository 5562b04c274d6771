/**
 * Building CQL from user words so that whatever they type stays one literal and cannot widen the query.
 *
 * Two languages are nested here, and each needs its own escaping, innermost first:
 *
 * 1. The value of `text ~ "…"` is handed to Apache Lucene's classic query parser. Atlassian, "Performing
 *    text searches using CQL" (developer.atlassian.com/cloud/confluence/performing-text-searches-using-cql,
 *    updated 2025-07-03): "Confluence uses Apache Lucene for text indexing … derived from the Query Parser
 *    Syntax page of the Lucene documentation"; `?` and `*` are wildcards, a trailing `~` is a fuzzy search.
 *    Lucene's Query Parser Syntax ("Escaping Special Characters") lists
 *    `+ - && || ! ( ) { } [ ] ^ " ~ * ? : \ /` and says to escape each with `\`. Its boolean operators
 *    AND, OR and NOT are operators only in capitals, and Confluence terms are case-insensitive ("All query
 *    terms in Confluence are case insensitive", same Atlassian page), so lower-casing those three words
 *    keeps what they match and removes what they mean.
 * 2. The CQL string literal around it: the same Atlassian page writes a quote inside a CQL string as `\"`
 *    (`text ~ "\"hello dolly\""`, and `%5c` for the backslash in a URL), so `\` and `"` are escaped with a
 *    backslash. Control characters (newlines included) are whitespace to both parsers and become spaces.
 *
 * Space keys and labels are exact-match (`=`) values: only the CQL string escaping applies.
 */
import { UsageError } from "../errors.js";

/** Lucene's classic query parser special characters (escaped one by one with a backslash). */
const LUCENE_SPECIAL = /[+\-&|!(){}[\]^"~*?:\\/]/g;
const LUCENE_OPERATOR_WORDS = new Set(["AND", "OR", "NOT"]);

/** Whitespace and control characters (C0, DEL, C1, line/paragraph separators) become one space. */
function normaliseWhitespace(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
}

/** A CQL double-quoted string literal holding exactly `value`. */
export function cqlString(value: string): string {
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ");
  return `"${flat.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The Lucene query for "all these words, literally": every special character escaped, the operator
 * words lower-cased, whitespace normalised. Undefined when nothing searchable is left.
 */
export function luceneWords(words: string): string | undefined {
  const terms = normaliseWhitespace(words)
    .split(" ")
    .filter((term) => term !== "")
    .map((term) => (LUCENE_OPERATOR_WORDS.has(term) ? term.toLowerCase() : term))
    .map((term) => term.replace(LUCENE_SPECIAL, (c) => `\\${c}`));
  return terms.length === 0 ? undefined : terms.join(" ");
}

export type ContentType = "page" | "blogpost";

export interface CqlFilters {
  /** words that must all appear in the content (a text search) */
  text?: string | undefined;
  space?: string | undefined;
  type?: ContentType | undefined;
  label?: string | undefined;
}

/** The CQL for `confl search --text … --space … --type … --label …`; each value is one literal. */
export function buildCql(filters: CqlFilters): string {
  const clauses: string[] = [];
  if (filters.text !== undefined) {
    const lucene = luceneWords(filters.text);
    if (lucene === undefined)
      throw new UsageError("--text has no words to search for", {
        hint: 'give some words: --text "release notes"',
      });
    clauses.push(`text ~ ${cqlString(lucene)}`);
  }
  for (const [field, value] of [
    ["space", filters.space],
    ["label", filters.label],
  ] as const) {
    if (value === undefined) continue;
    if (normaliseWhitespace(value) === "")
      throw new UsageError(`--${field} is empty`, {
        hint: `give a ${field === "space" ? "space key" : "label"}`,
      });
    clauses.push(`${field} = ${cqlString(value.trim())}`);
  }
  if (filters.type !== undefined) clauses.push(`type = ${filters.type}`);
  if (clauses.length === 0)
    throw new UsageError("nothing to search for", {
      hint: "give a CQL query (confl search 'type = page AND space = DOC') or --text, --space, --type or --label",
    });
  return clauses.join(" AND ");
}
