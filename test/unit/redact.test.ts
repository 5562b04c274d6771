/**
 * The redactor and the stream guard in isolation: every form a reflected secret takes, secrets split
 * across writes, binary data, terminal control sequences, and the short-secret rule.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { guardStream } from "../../src/io/guarded-stream.js";
import { createIOStreams } from "../../src/io/streams.js";
import {
  clearRegisteredSecrets,
  onShortSecret,
  redactSecrets,
  redactStrings,
  registerCookieSecret,
  registerSecret,
  safeServerText,
  stripControls,
} from "../../src/redact.js";

const SECRET = "fake-canary/token+7f3a9c2e51==";
const USER = "alice@example.com";

afterEach(() => {
  clearRegisteredSecrets();
  onShortSecret(undefined);
});

/** Any 8 consecutive characters of the secret, in the text or in a base64 run of it at any offset. */
function leaks(text: string, secret = SECRET, length = 8): boolean {
  const pieces = new Set<string>();
  for (let i = 0; i + length <= secret.length; i++) pieces.add(secret.slice(i, i + length));
  const candidates = [text];
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    for (let shift = 0; shift < 4; shift++) {
      const standard = run.slice(shift).replaceAll("-", "+").replaceAll("_", "/");
      candidates.push(Buffer.from(standard, "base64").toString("latin1"));
    }
  }
  return candidates.some((c) => [...pieces].some((p) => c.includes(p)));
}

function collect(stream: PassThrough): () => Buffer {
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks);
}

describe("redactSecrets: the forms a server echoes a secret in", () => {
  it("raw, JSON-escaped (with and without \\/), percent-encoded (both hex cases, form +), percent-decoded", () => {
    registerSecret(SECRET);
    const json = JSON.stringify(SECRET).slice(1, -1);
    const cases = [
      SECRET,
      json,
      json.replaceAll("/", "\\/"),
      encodeURIComponent(SECRET),
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      new URLSearchParams({ t: SECRET }).toString(),
    ];
    for (const form of cases) {
      const out = redactSecrets(`before ${form} after`);
      expect(out, form).toContain("***");
      expect(leaks(out), form).toBe(false);
    }
    registerSecret("percent%2Dencoded%2Dsecret");
    expect(redactSecrets("x percent-encoded-secret y")).toBe("x *** y");
  });

  it("inside base64 at every alignment, standard and URL alphabets, padded or not (Basic user:secret)", () => {
    registerSecret(SECRET);
    for (const prefix of ["", "a", "ab", `${USER}:`, `Basic x${USER}:`]) {
      for (const suffix of ["", "z", "zz"]) {
        const standard = Buffer.from(`${prefix}${SECRET}${suffix}`).toString("base64");
        for (const encoded of [
          standard,
          standard.replace(/=+$/, ""),
          Buffer.from(`${prefix}${SECRET}${suffix}`).toString("base64url"),
        ]) {
          const out = redactSecrets(`{"echo":"${encoded}"}`);
          expect(leaks(out), `${prefix}|${suffix}|${encoded}`).toBe(false);
        }
      }
    }
  });

  it("the run rule: 20+ characters of a secret go whatever encoding changed the rest; 19 stay", () => {
    const long = "fakeCanaryPat0123456789abcdef/ghijklmnopqrstuvwx+yz0123==";
    registerSecret(long);
    const variants = [
      long.replaceAll("/", "&#x2F;").replaceAll("+", "&#43;"),
      long.replaceAll("/", "\\u002f").replaceAll("+", "\\u002b"),
      encodeURIComponent(encodeURIComponent(long)),
      long.slice(0, 21),
      long.slice(9, 40),
    ];
    for (const variant of variants) {
      const out = redactSecrets(`say ${variant}!`);
      expect(out, variant).toContain("***");
      expect(leaks(out, long, 20), `${variant} -> ${out}`).toBe(false);
    }
    expect(redactSecrets(`the ${long.slice(0, 19)} stays`)).toBe(`the ${long.slice(0, 19)} stays`);
  });

  it("a cookie header: each part's value, and a part without = as a whole", () => {
    registerCookieSecret("JSESSIONID=fake-session-0123456789; BAREFAKESSOVALUE42; other=x");
    expect(redactSecrets("got fake-session-0123456789 and BAREFAKESSOVALUE42")).toBe("got *** and ***");
  });

  it("a secret shorter than 8 characters is not a pattern; the listener hears it once per label", () => {
    const heard: string[] = [];
    onShortSecret((label) => heard.push(label));
    registerSecret("wrong", "CONFL_PASSPHRASE");
    registerSecret("wrong", "CONFL_PASSPHRASE");
    expect(redactSecrets("wrong passphrase: the wrong one")).toBe("wrong passphrase: the wrong one");
    expect(heard).toEqual(["CONFL_PASSPHRASE"]);
  });

  it("redactStrings redacts and strips every string of a JSON value (what config.json gets)", () => {
    registerSecret(SECRET);
    expect(redactStrings({ a: [`x${SECRET}`], b: { c: "\u001b]0;t\u0007ok" }, n: 1 })).toEqual({
      a: ["x***"],
      b: { c: "ok" },
      n: 1,
    });
  });
});

describe("safeServerText: strip, redact, then cut", () => {
  it("a secret straddling the cut is redacted whole, not left mostly visible", () => {
    registerSecret(SECRET);
    for (let at = 280; at < 300; at++) {
      const out = safeServerText(`${"x".repeat(at)}${SECRET}`, 300);
      expect(out.length).toBeLessThanOrEqual(300);
      expect(leaks(out), String(at)).toBe(false);
    }
  });

  it("a secret split by an escape sequence is joined before redaction", () => {
    registerSecret(SECRET);
    const split = `${SECRET.slice(0, 10)}\u001b[0m${SECRET.slice(10)}`;
    expect(safeServerText(split)).toBe("***");
  });
});

describe("stripControls", () => {
  it("drops CSI, OSC (BEL and ST), DCS, 8-bit C1, C0 but newline and tab, DEL, bidi and zero-width", () => {
    const hostile =
      "a\u001b[31mb\u001b]52;c;ZXZpbA==\u0007c\u001b]0;title\u001b\\d\u001bPq#0\u001b\\e\u009b2Jf\u0085g\rh\u0000i\u007fj\u202ek\u200bl\tm\nn\u001b";
    expect(stripControls(hostile)).toBe("abcdefghijk" + "l\tm\nn");
  });
});

describe("guardStream", () => {
  it("a secret split across two writes is redacted; the held-back tail comes out on flush", () => {
    registerSecret(SECRET);
    const sink = new PassThrough();
    const read = collect(sink);
    const out = guardStream(sink, { stripControls: false, holdBack: true });
    out.write(`{"a":"${SECRET.slice(0, 12)}`);
    out.write(`${SECRET.slice(12)}","b":"${SECRET.slice(0, 5)}`);
    expect(read().toString()).toBe('{"a":"***","b":"');
    out.flush();
    expect(read().toString()).toBe(`{"a":"***","b":"${SECRET.slice(0, 5)}`);
  });

  it("binary bytes pass through byte-exact (invalid UTF-8, NUL, ESC) when stdout is not a terminal", () => {
    registerSecret(SECRET);
    const bytes = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x1b, 0x9b, 0xc3,
    ]);
    const sink = new PassThrough();
    const read = collect(sink);
    const out = guardStream(sink, { stripControls: false, holdBack: true });
    out.write(bytes);
    out.write(bytes);
    out.flush();
    expect(read().equals(Buffer.concat([bytes, bytes]))).toBe(true);
  });

  it("a secret inside binary is still replaced: one invalid byte does not switch redaction off", () => {
    registerSecret(SECRET);
    const sink = new PassThrough();
    const read = collect(sink);
    const out = guardStream(sink, { stripControls: false, holdBack: true });
    out.write(Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from(SECRET), Buffer.from([0xfe])]));
    out.flush();
    expect(read().equals(Buffer.from([0xff, 0x00, 0x2a, 0x2a, 0x2a, 0xfe]))).toBe(true);
  });

  it("on a terminal: control sequences stripped, a UTF-8 character split across writes intact", () => {
    const sink = new PassThrough();
    const read = collect(sink);
    const out = guardStream(sink, { stripControls: true, holdBack: true });
    const euro = Buffer.from("€");
    out.write(Buffer.concat([Buffer.from("\u001b]52;c;ZXZpbA==\u0007price "), euro.subarray(0, 1)]));
    out.write(Buffer.concat([euro.subarray(1), Buffer.from("\u009b2J\n")]));
    out.flush();
    expect(read().toString()).toBe("price €\n");
  });
});

describe("IOStreams", () => {
  it("stderr keeps confl's colours but not a server's escapes; printSecret is the only unredacted write", () => {
    registerSecret(SECRET);
    const stdout = Object.assign(new PassThrough(), { isTTY: false });
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const readOut = collect(stdout);
    const readErr = collect(stderr);
    const io = createIOStreams({ stdout, stderr, env: { FORCE_COLOR: "1" } });
    io.err(`${io.errColors.green("ok")} as \u001b[8mhidden\u001b[0m ${SECRET}`);
    io.out(`token ${SECRET}`);
    io.printSecret(SECRET);
    io.flush();
    expect(readErr().toString()).toBe("\u001b[32mok\u001b[39m as hidden ***\n");
    expect(readOut().toString()).toBe(`token ***\n${SECRET}\n`);
  });
});
