/**
 * src/http/headers.ts stands in for the WHATWG Headers class on the default transport (issue 14): for
 * any sequence of operations it must answer as Node's own Headers does.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HttpHeaders } from "../../src/http/headers.js";

const name = fc.constantFrom(
  "Accept",
  "accept",
  "X-Trace",
  "x-trace",
  "Set-Cookie",
  "set-cookie",
  "Location",
  "A",
);
const value = fc.oneof(
  fc.constantFrom("a", " padded ", "v=1; Path=/", "", "\tx\t"),
  fc.string({ maxLength: 6 }).filter((s) => !/[\0\r\n]/.test(s)),
);
const op = fc.oneof(
  fc.tuple(fc.constant("append" as const), name, value),
  fc.tuple(fc.constant("set" as const), name, value),
  fc.tuple(fc.constant("delete" as const), name, fc.constant("")),
);

function snapshot(h: Headers) {
  const seen: string[][] = [];
  h.forEach((v, k) => {
    seen.push([k, v]);
  });
  return {
    entries: [...h],
    keys: [...h.keys()],
    values: [...h.values()],
    forEach: seen,
    get: ["accept", "X-TRACE", "set-cookie", "location", "a", "missing"].map((n) => h.get(n)),
    has: ["accept", "set-cookie", "missing"].map((n) => h.has(n)),
    cookies: h.getSetCookie(),
  };
}

describe("HttpHeaders", () => {
  it("answers as the WHATWG Headers class for any sequence of append, set and delete", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const ours = new HttpHeaders();
        const theirs = new Headers();
        for (const [kind, n, v] of ops) {
          if (kind === "delete") {
            ours.delete(n);
            theirs.delete(n);
            continue;
          }
          let threw = false;
          try {
            theirs[kind](n, v);
          } catch {
            threw = true;
          }
          if (threw) expect(() => ours[kind](n, v)).toThrow(TypeError);
          else ours[kind](n, v);
        }
        expect(snapshot(ours)).toEqual(snapshot(theirs));
        expect(snapshot(new HttpHeaders(theirs))).toEqual(snapshot(new Headers(theirs)));
      }),
    );
  });

  it("takes a record, pairs or another Headers, and refuses what Headers refuses", () => {
    expect([...new HttpHeaders({ B: "2", a: "1" })]).toEqual([...new Headers({ B: "2", a: "1" })]);
    const pairs: [string, string][] = [
      ["x", "1"],
      ["X", "2"],
    ];
    expect([...new HttpHeaders(pairs)]).toEqual([...new Headers(pairs)]);
    for (const [n, v] of [
      ["bad name", "x"],
      ["x", "a\r\nInjected: yes"],
      ["x", "a\0b"],
      ["", "x"],
    ] as const) {
      expect(() => new Headers({ [n]: v })).toThrow(TypeError);
      expect(() => new HttpHeaders({ [n]: v })).toThrow(TypeError);
    }
  });
});
