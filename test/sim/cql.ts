/**
 * The CQL subset the simulator understands: clauses joined with AND (case-insensitive), an optional trailing
 * ORDER BY. Fields: type, space, title, text, label, id, parent, ancestor. Operators: = != ~ and IN (...).
 * Anything else is a parse error, answered with 400 like Atlassian's "Could not parse cql".
 */
import type { PageRecord } from "./fixtures.js";
import { type ContentStore, storageToText } from "./store.js";

const fields = ["type", "space", "title", "text", "label", "id", "parent", "ancestor"] as const;

export interface CqlClause {
  field: (typeof fields)[number];
  operator: "=" | "~" | "!=" | "in";
  values: string[];
}

export interface CqlQuery {
  clauses: CqlClause[];
  orderBy?: { field: "title" | "created" | "lastmodified" | "id"; descending: boolean };
}

const value = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"'(),]+))`;
const clausePattern = new RegExp(String.raw`^\s*(${fields.join("|")})\s*(=|~|!=)\s*${value}\s*$`, "i");
const inPattern = new RegExp(String.raw`^\s*(${fields.join("|")})\s+in\s*\((.*)\)\s*$`, "i");
const listItem = new RegExp(String.raw`\s*${value}\s*(?:,|$)`, "gy");

function unquote(match: RegExpExecArray, first: number): string {
  return (match[first] ?? match[first + 1] ?? match[first + 2] ?? "").replace(/\\(.)/g, "$1");
}

export function parseCql(cql: string): CqlQuery | { error: string } {
  const failure = { error: `Could not parse cql : ${cql}` };
  let text = cql;
  let orderBy: CqlQuery["orderBy"];
  const order = /\s+order\s+by\s+(title|created|lastmodified|id)(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (order) {
    orderBy = {
      field: order[1]!.toLowerCase() as NonNullable<CqlQuery["orderBy"]>["field"],
      descending: order[2]?.toLowerCase() === "desc",
    };
    text = text.slice(0, order.index);
  }
  const clauses: CqlClause[] = [];
  for (const part of text.split(/\s+AND\s+/i)) {
    const single = clausePattern.exec(part);
    if (single) {
      clauses.push({
        field: single[1]!.toLowerCase() as CqlClause["field"],
        operator: single[2] as CqlClause["operator"],
        values: [unquote(single, 3)],
      });
      continue;
    }
    const list = inPattern.exec(part);
    if (!list) return failure;
    const values: string[] = [];
    listItem.lastIndex = 0;
    const body = list[2]!;
    while (listItem.lastIndex < body.length) {
      const item = listItem.exec(body);
      if (!item) return failure;
      values.push(unquote(item, 1));
    }
    if (values.length === 0) return failure;
    clauses.push({ field: list[1]!.toLowerCase() as CqlClause["field"], operator: "in", values });
  }
  return orderBy ? { clauses, orderBy } : { clauses };
}

export function runCql(store: ContentStore, query: CqlQuery): PageRecord[] {
  const pages = store.pages
    .filter((page) => page.status === "current")
    .filter((page) => query.clauses.every((clause) => matches(store, page, clause)))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const order = query.orderBy;
  if (!order) return pages;
  const key = (page: PageRecord): string | number =>
    order.field === "title"
      ? page.title.toLowerCase()
      : order.field === "created"
        ? page.createdAt
        : order.field === "lastmodified"
          ? page.version.createdAt
          : Number(page.id);
  return pages.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const compared = x < y ? -1 : x > y ? 1 : 0;
    return order.descending ? -compared : compared;
  });
}

function matches(store: ContentStore, page: PageRecord, clause: CqlClause): boolean {
  const hit = clause.values.some((value) => test(store, page, clause, value));
  return clause.operator === "!=" ? !hit : hit;
}

function test(store: ContentStore, page: PageRecord, clause: CqlClause, raw: string): boolean {
  const value = raw.toLowerCase();
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
      return page.labels.includes(raw);
    case "id":
      return page.id === raw;
    case "parent":
      return page.parentId === raw;
    case "ancestor":
      return store.ancestors(page).some((ancestor) => ancestor.id === raw);
  }
}
