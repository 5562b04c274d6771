/**
 * A plain `Headers` for the request pipeline. Node's global Headers (like Response, Request and fetch)
 * loads undici's fetch implementation the first time it is touched, about 20 ms of CPU before a single
 * byte is sent (measured, issue 14), so the default transport (node-transport.ts) and the pipeline use
 * this instead. It behaves as the WHATWG Headers class does where the pipeline can tell: names are
 * case-insensitive and iterate lower-cased in sorted order, repeated values join with ", ", Set-Cookie
 * keeps each value, values are trimmed, and a name or value that cannot be sent is a TypeError.
 * https://fetch.spec.whatwg.org/#headers-class
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// https://fetch.spec.whatwg.org/#header-value: no NUL, CR or LF; leading and trailing whitespace dropped
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;

type Init = HeadersInit | Iterable<readonly [string, string]> | undefined | null;

function checkName(name: string): string {
  if (!TOKEN.test(name)) throw new TypeError(`invalid header name: "${name}"`);
  return name.toLowerCase();
}

function normaliseValue(name: string, value: string): string {
  const trimmed = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  if (FORBIDDEN_IN_VALUE.test(trimmed)) throw new TypeError(`invalid value for header "${name}"`);
  return trimmed;
}

export class HttpHeaders implements Headers {
  readonly #values = new Map<string, string>();
  readonly #cookies: string[] = [];

  constructor(init?: Init) {
    if (init === undefined || init === null) return;
    if (typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError("a header pair must have a name and a value");
        this.append(pair[0], pair[1]);
      }
      return;
    }
    for (const [name, value] of Object.entries(init as Record<string, string>)) this.append(name, value);
  }

  readonly append = (name: string, value: string): void => {
    const key = checkName(name);
    const v = normaliseValue(name, value);
    if (key === "set-cookie") {
      this.#cookies.push(v);
      return;
    }
    const old = this.#values.get(key);
    this.#values.set(key, old === undefined ? v : `${old}, ${v}`);
  };

  readonly set = (name: string, value: string): void => {
    const key = checkName(name);
    const v = normaliseValue(name, value);
    if (key === "set-cookie") {
      this.#cookies.length = 0;
      this.#cookies.push(v);
      return;
    }
    this.#values.set(key, v);
  };

  readonly delete = (name: string): void => {
    const key = checkName(name);
    if (key === "set-cookie") this.#cookies.length = 0;
    else this.#values.delete(key);
  };

  readonly get = (name: string): string | null => {
    const key = checkName(name);
    if (key === "set-cookie") return this.#cookies.length > 0 ? this.#cookies.join(", ") : null;
    return this.#values.get(key) ?? null;
  };

  readonly has = (name: string): boolean => {
    const key = checkName(name);
    return key === "set-cookie" ? this.#cookies.length > 0 : this.#values.has(key);
  };

  readonly getSetCookie = (): string[] => [...this.#cookies];

  /** Lower-cased names in sorted order; each Set-Cookie value on its own, as WHATWG Headers iterate. */
  #list(): [string, string][] {
    const names = [...this.#values.keys(), ...(this.#cookies.length > 0 ? ["set-cookie"] : [])].sort();
    const list: [string, string][] = [];
    for (const name of names) {
      if (name === "set-cookie") for (const cookie of this.#cookies) list.push([name, cookie]);
      else list.push([name, this.#values.get(name)!]);
    }
    return list;
  }

  readonly forEach = (
    callbackfn: (value: string, key: string, parent: Headers) => void,
    thisArg?: unknown,
  ): void => {
    for (const [name, value] of this.#list()) callbackfn.call(thisArg, value, name, this);
  };

  readonly entries = (): HeadersIterator<[string, string]> => this.#list()[Symbol.iterator]();
  readonly keys = (): HeadersIterator<string> =>
    this.#list()
      .map(([name]) => name)
      [Symbol.iterator]();
  readonly values = (): HeadersIterator<string> =>
    this.#list()
      .map(([, value]) => value)
      [Symbol.iterator]();
  readonly [Symbol.iterator] = (): HeadersIterator<[string, string]> => this.entries();
}
