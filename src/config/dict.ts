/**
 * Maps keyed by names that come from users or files (profile names, secret-store keys). A plain `{}`
 * inherits from Object.prototype, so `map["__proto__"] = x` replaces its prototype instead of storing
 * an entry, and `map["constructor"]` finds a function that was never stored. A null-prototype object has
 * no such names: every key is an ordinary own property, and JSON.stringify writes it like any other.
 */
export function dictionary<T>(entries?: Record<string, T>): Record<string, T> {
  const dict = Object.create(null) as Record<string, T>;
  if (entries) for (const [key, value] of Object.entries(entries)) dict[key] = value;
  return dict;
}

/** Names a plain object already answers to: __proto__, constructor, toString, hasOwnProperty, ... */
export const PROTOTYPE_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
]);

/** A JSON object (not null, not an array): the one shape check for parsed files and server bodies. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
