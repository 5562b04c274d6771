/**
 * The small CQL subset the simulator understands: `type=page`, `space=KEY` / `space="KEY"`, `title~"x"`,
 * `title="x"`, `text~"x"`, `label=x`, joined with AND (case-insensitive). Anything else is a parse error,
 * answered with 400 like Atlassian's "Could not parse cql".
 */
import type { PageRecord } from "./fixtures.js";
import { type ContentStore, storageToText } from "./store.js";

export interface CqlClause {
  field: "type" | "space" | "title" | "text" | "label";
  operator: "=" | "~" | "!=";
  value: string;
}

export function parseCql(cql: string): CqlClause[] | { error: string } {
  const clauses: CqlClause[] = [];
  const parts = cql.split(/\s+AND\s+/i);
  for (const part of parts) {
    const match =
      /^\s*(type|space|title|text|label)\s*(=|~|!=)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))\s*$/i.exec(
        part,
      );
    if (!match) return { error: `Could not parse cql : ${cql}` };
    const field = match[1]!.toLowerCase() as CqlClause["field"];
    const operator = match[2] as CqlClause["operator"];
    const value = (match[3] ?? match[4] ?? match[5] ?? "").replace(/\\(.)/g, "$1");
    clauses.push({ field, operator, value });
  }
  return clauses;
}

export function runCql(store: ContentStore, clauses: CqlClause[]): PageRecord[] {
  return store.pages
    .filter((page) => page.status === "current")
    .filter((page) => clauses.every((clause) => matches(store, page, clause)))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

function matches(store: ContentStore, page: PageRecord, clause: CqlClause): boolean {
  const result = test(store, page, clause);
  return clause.operator === "!=" ? !result : result;
}

function test(store: ContentStore, page: PageRecord, clause: CqlClause): boolean {
  const value = clause.value.toLowerCase();
  switch (clause.field) {
    case "type":
      return value === "page";
    case "space":
      return store.spaceById(page.spaceId)?.key.toLowerCase() === value;
    case "title":
      return clause.operator === "~"
        ? page.title.toLowerCase().includes(value)
        : page.title.toLowerCase() === value;
    case "text":
      return `${page.title} ${storageToText(page.body)}`.toLowerCase().includes(value);
    case "label":
      return page.labels.includes(clause.value);
  }
}
