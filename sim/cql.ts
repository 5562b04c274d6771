/**
 * The CQL subset the simulator understands, parsed with a real tokenizer so quoted strings are single
 * literals: clauses combined with AND, OR, NOT and parentheses, an optional trailing ORDER BY. Fields: type,
 * space, title, text, label, id, parent, ancestor. Operators: = != ~ !~, IN (...) and NOT IN (...). String
 * values take `\` escapes (`\"`, `\\`), as Atlassian writes them (performing-text-searches-using-cql).
 * Anything else is a parse error, answered with 400 like Atlassian's "Could not parse cql".
 *
 * The value of `text ~` is a small Lucene query, as on Confluence (Lucene classic query parser syntax):
 * terms must all appear (Confluence's default), `\` escapes the next character, `"…"` is a phrase, unescaped
 * OR / || make alternatives, NOT / - / ! negate the next term, `*` and `?` are wildcards and a trailing `~`
 * is fuzzy (matched as the bare term). Unescaped grouping, field, range, boost and regex syntax
 * (`( ) [ ] { } : ^ /`) is not simulated and is a parse error, so a client that fails to escape them
 * notices. Matching is by case-insensitive substring of title + body text.
 */
import type { AttachmentRecord, PageRecord } from "./fixtures.js";
import { type ContentStore, storageToText } from "./store.js";

const fields = ["type", "space", "title", "text", "label", "id", "parent", "ancestor"] as const;
type Field = (typeof fields)[number];

export interface CqlClause {
  field: Field;
  operator: "=" | "~" | "!=" | "!~" | "in" | "not in";
  values: string[];
}

export type CqlExpr =
  | { kind: "clause"; clause: CqlClause }
  | { kind: "and" | "or"; items: CqlExpr[] }
  | { kind: "not"; item: CqlExpr };

export interface CqlQuery {
  where: CqlExpr;
  orderBy?: { field: "title" | "created" | "lastmodified" | "id"; descending: boolean };
}

type Token = { type: "word" | "string" | "op" | "punct"; text: string };

function tokenize(cql: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < cql.length) {
    const c = cql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = "";
      i++;
      while (i < cql.length && cql[i] !== c) {
        if (cql[i] === "\\") {
          if (i + 1 >= cql.length) return undefined;
          value += cql[i + 1];
          i += 2;
        } else value += cql[i++];
      }
      if (i >= cql.length) return undefined; // unterminated string
      i++;
      tokens.push({ type: "string", text: value });
      continue;
    }
    // right after an operator a bare value may start with ~ or ! (space = ~ada, a personal space)
    if (tokens.at(-1)?.type === "op" && c !== "(") {
      const bare = /^[^\s"'(),]+/.exec(cql.slice(i));
      if (bare) {
        tokens.push({ type: "word", text: bare[0] });
        i += bare[0].length;
        continue;
      }
    }
    const op = /^(!=|!~|=|~)/.exec(cql.slice(i));
    if (op) {
      tokens.push({ type: "op", text: op[1]! });
      i += op[1]!.length;
      continue;
    }
    if (c === "(" || c === ")" || c === ",") {
      tokens.push({ type: "punct", text: c });
      i++;
      continue;
    }
    const word = /^[^\s"'(),=!~]+/.exec(cql.slice(i));
    if (!word) return undefined;
    tokens.push({ type: "word", text: word[0] });
    i += word[0].length;
  }
  return tokens;
}

export function parseCql(cql: string): CqlQuery | { error: string } {
  const failure = { error: `Could not parse cql : ${cql}` };
  const tokens = tokenize(cql);
  if (!tokens) return failure;
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, word: string) => t?.type === "word" && t.text.toLowerCase() === word;
  class ParseError extends Error {}
  const fail = (): never => {
    throw new ParseError();
  };

  const value = (): string => {
    const t = tokens[pos++];
    if (!t || (t.type !== "word" && t.type !== "string")) return fail();
    return t.text;
  };
  const clause = (): CqlExpr => {
    const t = tokens[pos++];
    if (t?.type !== "word" || !fields.includes(t.text.toLowerCase() as Field)) return fail();
    const field = t.text.toLowerCase() as Field;
    let negatedIn = false;
    if (isWord(peek(), "not")) {
      pos++;
      negatedIn = true;
      if (!isWord(peek(), "in")) return fail();
    }
    if (isWord(peek(), "in")) {
      pos++;
      if (peek()?.text !== "(") return fail();
      pos++;
      const values = [value()];
      while (peek()?.text === ",") {
        pos++;
        values.push(value());
      }
      if (tokens[pos++]?.text !== ")") return fail();
      return { kind: "clause", clause: { field, operator: negatedIn ? "not in" : "in", values } };
    }
    const op = tokens[pos++];
    if (op?.type !== "op") return fail();
    return {
      kind: "clause",
      clause: { field, operator: op.text as CqlClause["operator"], values: [value()] },
    };
  };
  const unary = (): CqlExpr => {
    if (isWord(peek(), "not")) {
      pos++;
      return { kind: "not", item: unary() };
    }
    if (peek()?.text === "(" && peek()?.type === "punct") {
      pos++;
      const inner = or();
      if (tokens[pos++]?.text !== ")") return fail();
      return inner;
    }
    return clause();
  };
  const and = (): CqlExpr => {
    const items = [unary()];
    while (isWord(peek(), "and")) {
      pos++;
      items.push(unary());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  };
  const or = (): CqlExpr => {
    const items = [and()];
    while (isWord(peek(), "or")) {
      pos++;
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  };

  try {
    const where = or();
    let orderBy: CqlQuery["orderBy"];
    if (isWord(peek(), "order")) {
      pos++;
      if (!isWord(tokens[pos++], "by")) return failure;
      const field = tokens[pos++]?.text.toLowerCase();
      if (field !== "title" && field !== "created" && field !== "lastmodified" && field !== "id")
        return failure;
      let descending = false;
      if (isWord(peek(), "asc") || isWord(peek(), "desc"))
        descending = tokens[pos++]!.text.toLowerCase() === "desc";
      orderBy = { field, descending };
    }
    if (pos !== tokens.length) return failure;
    for (const text of textValues(where)) if (parseLucene(text) === undefined) return failure;
    return orderBy ? { where, orderBy } : { where };
  } catch (error) {
    if (error instanceof ParseError) return failure;
    throw error;
  }
}

function textValues(expr: CqlExpr): string[] {
  if (expr.kind === "clause")
    return expr.clause.field === "text" && (expr.clause.operator === "~" || expr.clause.operator === "!~")
      ? expr.clause.values
      : [];
  if (expr.kind === "not") return textValues(expr.item);
  return expr.items.flatMap(textValues);
}

// ---- the Lucene subset inside `text ~ "…"` -----------------------------------------------------------------

interface LuceneTerm {
  /** matcher over lower-cased text */
  test(text: string): boolean;
  negated: boolean;
}

/** Alternatives (OR) of conjunctions (all terms); undefined = a parse error. */
export function parseLucene(query: string): LuceneTerm[][] | undefined {
  const alternatives: LuceneTerm[][] = [[]];
  let negateNext = false;
  let i = 0;
  const unsupported = new Set(["(", ")", "[", "]", "{", "}", ":", "^", "/"]);
  while (i < query.length) {
    if (/\s/.test(query[i]!)) {
      i++;
      continue;
    }
    if (query[i] === '"') {
      let phrase = "";
      i++;
      while (i < query.length && query[i] !== '"') {
        if (query[i] === "\\" && i + 1 < query.length) {
          phrase += query[i + 1];
          i += 2;
        } else phrase += query[i++];
      }
      if (i >= query.length) return undefined;
      i++;
      const needle = phrase.toLowerCase().replace(/\s+/g, " ").trim();
      alternatives.at(-1)!.push({ test: (text) => text.includes(needle), negated: negateNext });
      negateNext = false;
      continue;
    }
    // a term: escaped characters are literal; unescaped specials mean something
    let pattern = "";
    let literal = "";
    let wildcard = false;
    let raw = "";
    let first = true;
    let prefixOperator: string | undefined;
    while (i < query.length && !/\s/.test(query[i]!)) {
      const c = query[i]!;
      if (c === "\\") {
        if (i + 1 >= query.length) return undefined;
        const next = query[i + 1]!;
        pattern += next.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        literal += next;
        raw += `\\${next}`;
        i += 2;
        first = false;
        continue;
      }
      if (first && (c === "-" || c === "!" || c === "+")) {
        prefixOperator = c;
        i++;
        first = false;
        continue;
      }
      first = false;
      if (c === '"') break;
      if (unsupported.has(c)) return undefined;
      if (c === "*" || c === "?") {
        wildcard = true;
        pattern += c === "*" ? "\\S*" : "\\S";
      } else if (c === "~") {
        // fuzzy (roam~ or roam~0.8): matched as the bare term here
        while (i + 1 < query.length && /[0-9.]/.test(query[i + 1]!)) i++;
      } else if (c === "&" || c === "|") {
        // && and || are operators only as whole tokens
        pattern += `\\${c}`;
        literal += c;
      } else {
        pattern += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        literal += c;
      }
      raw += c;
      i++;
    }
    if (raw === "OR" || raw === "||") {
      alternatives.push([]);
      continue;
    }
    if (raw === "AND" || raw === "&&") continue;
    if (raw === "NOT") {
      negateNext = true;
      continue;
    }
    if (raw === "" && literal === "") {
      if (prefixOperator === "-" || prefixOperator === "!") negateNext = true;
      continue;
    }
    const negated = negateNext || prefixOperator === "-" || prefixOperator === "!";
    negateNext = false;
    const needle = literal.toLowerCase();
    const regex = wildcard ? new RegExp(pattern, "i") : undefined;
    alternatives
      .at(-1)!
      .push({ test: (text) => (regex ? regex.test(text) : text.includes(needle)), negated });
  }
  return alternatives;
}

function luceneMatches(query: string, text: string): boolean {
  const alternatives = parseLucene(query) ?? [];
  const lower = text.toLowerCase();
  return alternatives.some(
    (terms) => terms.length > 0 && terms.every((term) => term.test(lower) !== term.negated),
  );
}

export function runCql(store: ContentStore, query: CqlQuery): PageRecord[] {
  const pages = store.pages
    .filter((page) => page.status === "current")
    .filter((page) => evaluate(store, page, query.where))
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

function evaluate(store: ContentStore, page: PageRecord, expr: CqlExpr): boolean {
  switch (expr.kind) {
    case "clause":
      return matches(store, page, expr.clause);
    case "and":
      return expr.items.every((item) => evaluate(store, page, item));
    case "or":
      return expr.items.some((item) => evaluate(store, page, item));
    case "not":
      return !evaluate(store, page, expr.item);
  }
}

function matches(store: ContentStore, page: PageRecord, clause: CqlClause): boolean {
  const hit = clause.values.some((value) => test(store, page, clause, value));
  return clause.operator === "!=" || clause.operator === "!~" || clause.operator === "not in" ? !hit : hit;
}

function test(store: ContentStore, page: PageRecord, clause: CqlClause, raw: string): boolean {
  const value = raw.toLowerCase();
  const contains = clause.operator === "~" || clause.operator === "!~";
  switch (clause.field) {
    case "type":
      return value === "page";
    case "space":
      return store.spaceById(page.spaceId)?.key.toLowerCase() === value;
    case "title":
      return contains ? luceneMatches(raw, page.title) : page.title.toLowerCase() === value;
    case "text":
      return luceneMatches(raw, `${page.title} ${storageToText(page.body)}`);
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

/** Whether the query asks for attachments (`type = attachment`): content/search then lists those. */
export function asksForAttachments(expr: CqlExpr): boolean {
  if (expr.kind === "clause")
    return (
      expr.clause.field === "type" &&
      (expr.clause.operator === "=" || expr.clause.operator === "in") &&
      expr.clause.values.some((value) => value.toLowerCase() === "attachment")
    );
  if (expr.kind === "not") return false;
  return expr.items.some(asksForAttachments);
}

/**
 * Attachments matching a query: `type`, `space` (the page's), `id`, `title` (the file name), `parent`
 * and `ancestor` (the page and its ancestors) are known; other fields never match an attachment.
 */
export function runAttachmentCql(store: ContentStore, query: CqlQuery): AttachmentRecord[] {
  const test = (attachment: AttachmentRecord, clause: CqlClause, raw: string): boolean => {
    const value = raw.toLowerCase();
    const page = store.page(attachment.pageId);
    switch (clause.field) {
      case "type":
        return value === "attachment";
      case "space":
        return !!page && store.spaceById(page.spaceId)?.key.toLowerCase() === value;
      case "title":
        return attachment.title.toLowerCase() === value;
      case "id":
        return attachment.id === raw || attachment.id === `att${raw}`;
      case "parent":
        return attachment.pageId === raw;
      case "ancestor":
        return !!page && (page.id === raw || store.ancestors(page).some((ancestor) => ancestor.id === raw));
      default:
        return false;
    }
  };
  const evaluateOn = (attachment: AttachmentRecord, expr: CqlExpr): boolean => {
    switch (expr.kind) {
      case "clause": {
        const { clause } = expr;
        const hit = clause.values.some((value) => test(attachment, clause, value));
        return clause.operator === "!=" || clause.operator === "!~" || clause.operator === "not in"
          ? !hit
          : hit;
      }
      case "and":
        return expr.items.every((item) => evaluateOn(attachment, item));
      case "or":
        return expr.items.some((item) => evaluateOn(attachment, item));
      case "not":
        return !evaluateOn(attachment, expr.item);
    }
  };
  return store.attachments
    .filter((attachment) => attachment.status === "current" && store.livePage(attachment.pageId))
    .filter((attachment) => evaluateOn(attachment, query.where))
    .sort((a, b) => Number(a.id.replace(/^att/, "")) - Number(b.id.replace(/^att/, "")));
}
