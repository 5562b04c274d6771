/**
 * `confl api <path-or-url>`: an authenticated request to any Confluence (or Jira) endpoint, modelled
 * on `gh api`. Paths are relative to the profile's API root, so the same command works on a Cloud
 * site, through the gateway and on Data Center.
 */
import { readFile } from "node:fs/promises";
import type { Context } from "../../context.js";
import { ReadOnlyError, UsageError } from "../../errors.js";
import { errorForResponse, READ_METHODS } from "../../http/client.js";
import { maskHeaderValue } from "../../http/debug.js";
import { statusText } from "../../http/errors.js";
import { iteratePages, pageItems } from "../../http/paginate.js";
import { IDEMPOTENT_METHODS } from "../../http/retry.js";
import type { HttpClient, HttpClientOptions, HttpResponse, QueryValue } from "../../http/types.js";
import { stripControls } from "../../redact.js";

export type Product = "confluence" | "jira";

export interface ApiOptions {
  /** path relative to the API root, a path with a leading `/`, or a same-origin URL */
  endpoint: string;
  method?: string | undefined;
  /** "Name: value" */
  headers?: string[];
  /** -f key=value: always strings */
  rawFields?: string[];
  /** -F key=value: numbers, true/false/null, @file, @- */
  fields?: string[];
  /** --input <file|->: the raw request body */
  input?: string | undefined;
  paginate?: boolean;
  include?: boolean;
  silent?: boolean;
  product?: Product;
  rateLimit?: number | undefined;
  maxRetries?: number | undefined;
  /** seconds */
  timeout?: number | undefined;
  caFile?: string | undefined;
  insecure?: boolean;
}

export interface ApiDeps {
  /** An authenticated client for the product; `overrides` carry --rate-limit, --timeout, TLS flags. */
  client(product: Product, overrides: Partial<HttpClientOptions>): Promise<HttpClient>;
  readFile?(path: string): Promise<Uint8Array>;
}

type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue };

export async function run(options: ApiOptions, ctx: Context, deps: ApiDeps): Promise<void> {
  validate(options);
  // Early and clear for -X; the client refuses any write again whatever path reached it (READ_METHODS).
  refuseWrite(options.method?.toUpperCase(), ctx);
  const read = deps.readFile ?? ((p: string) => readFile(p));
  const stdin = once(() => readStream(ctx.io.stdin));
  const headers = parseHeaders(options.headers ?? []);
  const fields = await parseFields(options.rawFields ?? [], options.fields ?? [], read, stdin);
  const hasFields = Object.keys(fields).length > 0;
  // gh's rule: POST once there is something to send; --paginate implies GET (lists are read with GET).
  const defaultMethod = !options.paginate && (hasFields || options.input !== undefined) ? "POST" : "GET";
  const method = (options.method ?? defaultMethod).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new UsageError(`invalid method "${options.method}"`);
  refuseWrite(method, ctx);
  if (options.paginate && method !== "GET")
    throw new UsageError("--paginate works with GET requests only", { hint: "drop -X, or drop --paginate" });

  const product = options.product ?? "confluence";
  // Where the request may go is decided by the client on the resolved URL (src/http/url.ts), for this
  // request, every next link and every retry alike; the command does not pre-judge the string.
  const client = await deps.client(product, clientOverrides(options));

  let query: Record<string, QueryValue> | undefined;
  let json: unknown;
  let body: BodyInit | undefined;
  const sendFieldsInQuery = method === "GET" || method === "HEAD" || options.input !== undefined;
  if (hasFields) {
    if (sendFieldsInQuery) query = toQuery(fields);
    else json = fields;
  }
  if (options.input !== undefined) {
    const bytes = options.input === "-" ? await stdin() : await readInput(read, options.input);
    body = bytes as unknown as BodyInit;
    if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/json";
  }
  if (!hasHeader(headers, "accept")) headers.accept = "application/json";

  if (options.paginate) {
    await paginateAll(client, { path: options.endpoint, query, headers }, options, ctx);
    return;
  }
  const response = await client.request<Uint8Array>({
    method,
    path: options.endpoint,
    headers,
    ...(query ? { query } : {}),
    ...(json !== undefined ? { json } : {}),
    ...(body !== undefined ? { body } : {}),
    responseType: "bytes",
    throwOnError: false,
  });
  if (options.include) printHead(response, ctx);
  if (!options.silent) printBody(response, ctx);
  if (response.status >= 400) {
    throw errorForResponse({
      status: response.status,
      method,
      url: new URL(response.url || client.apiBase.href).href,
      headers: response.headers,
      bodyText: new TextDecoder().decode(response.data ?? new Uint8Array()),
      notReplayed: response.status >= 500 && !IDEMPOTENT_METHODS.has(method),
      now: Date.now(),
    });
  }
}

function refuseWrite(method: string | undefined, ctx: Context): void {
  if (method !== undefined && ctx.globals.readOnly && !READ_METHODS.has(method))
    throw new ReadOnlyError(`${method} request`, ctx.globals.readOnly);
}

function validate(options: ApiOptions): void {
  if (!options.endpoint)
    throw new UsageError(
      "missing the endpoint: give a path such as rest/api/user/current, or a URL on the profile's site",
    );
  if (options.rateLimit !== undefined && !(options.rateLimit > 0))
    throw new UsageError("--rate-limit must be a positive number of requests per second");
  if (options.maxRetries !== undefined && !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0))
    throw new UsageError("--max-retries must be a whole number ≥ 0");
  if (options.timeout !== undefined && !(options.timeout > 0))
    throw new UsageError("--timeout must be a positive number of seconds");
  if (options.product !== undefined && options.product !== "confluence" && options.product !== "jira")
    throw new UsageError(`--product must be confluence or jira, not "${options.product}"`);
  if (options.input === "-" && [...(options.fields ?? [])].some((f) => f.endsWith("=@-")))
    throw new UsageError("stdin can feed either --input - or one -F key=@-, not both");
}

function clientOverrides(options: ApiOptions): Partial<HttpClientOptions> {
  const overrides: Partial<HttpClientOptions> = {};
  if (options.rateLimit !== undefined) overrides.rateLimit = options.rateLimit;
  if (options.maxRetries !== undefined) overrides.maxRetries = options.maxRetries;
  if (options.timeout !== undefined) overrides.timeoutMs = Math.round(options.timeout * 1000);
  // Flags, merged field by field over CONFL_CA_FILE and the profile's tls (a profile's mTLS stays).
  const tlsFlags: NonNullable<HttpClientOptions["tlsOverrides"]> = {};
  if (options.caFile !== undefined) tlsFlags.caFile = options.caFile;
  if (options.insecure) tlsFlags.insecure = true;
  if (Object.keys(tlsFlags).length > 0) overrides.tlsOverrides = tlsFlags;
  return overrides;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

export function parseHeaders(lines: string[]): Record<string, string> {
  // No prototype: a header named __proto__ is just a (strange) header, never the object's prototype.
  const headers: Record<string, string> = Object.create(null);
  for (const line of lines) {
    const match = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:\s*(.*)$/.exec(line);
    if (!match) throw new UsageError(`invalid header "${line.split(":")[0]}": expected "Name: value"`);
    headers[match[1]!.toLowerCase()] = match[2]!;
  }
  return headers;
}

/** -F values: numbers, booleans and null become JSON types; `@file` and `@-` read contents (gh's rules). */
async function typedValue(
  value: string,
  read: (path: string) => Promise<Uint8Array>,
  stdin: () => Promise<Uint8Array>,
): Promise<FieldValue> {
  if (value === "true") return true;
  if (value === "false") return false;
  if (value === "null") return null;
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return Number(value);
  if (value === "@-") return new TextDecoder().decode(await stdin());
  if (value.startsWith("@")) return new TextDecoder().decode(await readInput(read, value.slice(1)));
  return value;
}

export async function parseFields(
  rawFields: string[],
  typedFields: string[],
  read: (path: string) => Promise<Uint8Array>,
  stdin: () => Promise<Uint8Array>,
): Promise<Record<string, FieldValue>> {
  const out: Record<string, FieldValue> = Object.create(null);
  const entries: Array<[string, boolean]> = [
    ...rawFields.map((f) => [f, false] as [string, boolean]),
    ...typedFields.map((f) => [f, true] as [string, boolean]),
  ];
  for (const [field, typed] of entries) {
    const eq = field.indexOf("=");
    if (eq <= 0) throw new UsageError(`invalid field "${field}": expected key=value`);
    const key = field.slice(0, eq);
    const raw = field.slice(eq + 1);
    const value = typed ? await typedValue(raw, read, stdin) : raw;
    setPath(out, key, value);
  }
  return out;
}

/**
 * Names that would reach an object's prototype chain in JavaScript. User data never needs them as keys
 * of a request body, and allowing them is how `-F '__proto__[insecure]=true'` once switched TLS checks
 * off for the whole process.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** `a`, `a[]` (append to an array), `a[b]` (nested object), as in gh api. */
function setPath(target: Record<string, FieldValue>, key: string, value: FieldValue): void {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) throw new UsageError(`invalid field name "${key}"`);
  const parts = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
  const forbidden = parts.find((part) => FORBIDDEN_KEYS.has(part));
  if (forbidden !== undefined)
    throw new UsageError(`invalid field name "${key}": "${forbidden}" is not allowed as a field name`, {
      hint: "to send such a key, write the JSON body yourself and pass it with --input",
    });
  let node: Record<string, FieldValue> | FieldValue[] = target;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const nextIsArray = parts[i + 1] === "";
    if (Array.isArray(node)) {
      if (part !== "") throw new UsageError(`invalid field name "${key}"`);
      if (last) node.push(value);
      else {
        const child: Record<string, FieldValue> | FieldValue[] = nextIsArray ? [] : {};
        node.push(child);
        node = child;
      }
      continue;
    }
    if (part === "") throw new UsageError(`invalid field name "${key}"`);
    if (last) {
      node[part] = value;
      continue;
    }
    const existing = Object.hasOwn(node, part) ? node[part] : undefined;
    if (existing === undefined || existing === null || typeof existing !== "object") {
      node[part] = nextIsArray ? [] : (Object.create(null) as Record<string, FieldValue>);
    }
    node = node[part] as Record<string, FieldValue> | FieldValue[];
  }
}

function toQuery(fields: Record<string, FieldValue>): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = Object.create(null);
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) query[key] = "null";
    else if (Array.isArray(value)) {
      if (value.some((v) => v !== null && typeof v === "object"))
        throw new UsageError(`field "${key}" is nested; nested fields only work in a JSON body`);
      query[key] = value.map((v) => String(v));
    } else if (typeof value === "object") {
      throw new UsageError(`field "${key}" is nested; nested fields only work in a JSON body`, {
        hint: "use -X POST (or PUT) to send fields as JSON",
      });
    } else query[key] = value;
  }
  return query;
}

async function readInput(read: (path: string) => Promise<Uint8Array>, path: string): Promise<Uint8Array> {
  try {
    return await read(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function printHead(response: HttpResponse<unknown>, ctx: Context): void {
  const lines = [`HTTP/1.1 ${response.status} ${statusText(response.status)}`.trimEnd()];
  response.headers.forEach((value, name) => {
    // set-cookie is a session secret: show the cookie names only. Header lines are for reading, so
    // control characters go even when stdout is a pipe (the body stays byte-exact there).
    lines.push(
      `${name}: ${name === "set-cookie" ? maskHeaderValue(name, value, new Set()) : stripControls(value)}`,
    );
  });
  ctx.io.stdout.write(`${lines.join("\n")}\n\n`);
}

function isJson(headers: Headers): boolean {
  return /[/+]json\b/i.test(headers.get("content-type") ?? "");
}

function printBody(response: HttpResponse<Uint8Array>, ctx: Context): void {
  const data = response.data;
  if (!data || data.byteLength === 0) return;
  if (ctx.io.stdoutIsTTY && isJson(response.headers)) {
    const text = new TextDecoder().decode(data);
    try {
      ctx.io.out(JSON.stringify(JSON.parse(text), null, 2));
      return;
    } catch {
      // not valid JSON after all: print it as it came
    }
  }
  ctx.io.stdout.write(data);
  if (ctx.io.stdoutIsTTY && data[data.byteLength - 1] !== 0x0a) ctx.io.stdout.write("\n");
}

async function paginateAll(
  client: HttpClient,
  request: { path: string; query: Record<string, QueryValue> | undefined; headers: Record<string, string> },
  options: ApiOptions,
  ctx: Context,
): Promise<void> {
  const merged: unknown[] = [];
  let single: unknown;
  let pages = 0;
  for await (const page of iteratePages<unknown>({
    apiBase: client.apiBase,
    request: (o) => client.request(o),
    options: {
      path: request.path,
      headers: request.headers,
      ...(request.query ? { query: request.query } : {}),
    },
  })) {
    pages++;
    if (options.include) printHead(page, ctx);
    const items = pageItems<unknown>(page.data);
    if (!items) {
      // not a list: print what came, as gh does for non-paginated bodies
      single = page.data;
      break;
    }
    merged.push(...items);
  }
  if (options.silent) return;
  const output = pages === 1 && single !== undefined ? single : merged;
  ctx.io.out(ctx.io.stdoutIsTTY ? JSON.stringify(output, null, 2) : JSON.stringify(output));
}
