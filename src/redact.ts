/**
 * One registry of the secrets this process holds, and the one redactor everything confl writes goes
 * through: stdout and stderr (src/io/guarded-stream.ts wraps both, so no command can bypass it) and
 * the files confl writes (config.json via redactStrings). Every credential, once loaded, is registered
 * here with the forms a server could echo it in.
 *
 * Threat model: a server that reflects what it was sent, in whatever standard encoding it happens to
 * use. A server that deliberately obfuscates a secret it already holds (reversed, base32, one
 * character at a time) cannot be stopped by any redactor and is not the target.
 */

/**
 * Secrets shorter than this are not used as patterns: "wrong" or "admin" would be replaced in every
 * sentence. They are reported instead (onShortSecret), so the user learns they are not protected.
 */
export const MIN_SECRET_LENGTH = 8;

const REPLACEMENT = "***";

/** Every registered secret, raw (what was loaded) -> nothing; the patterns are derived in `compile`. */
const secrets = new Set<string>();
/** Labels of secrets too short to protect, already reported (one notice per label per process). */
const shortNoticesSent = new Set<string>();
let shortSecretListener: ((label: string) => void) | undefined;

interface Compiled {
  /** every form of every secret, longest first */
  buffers: Buffer[];
  maxLength: number;
  byFirstByte: Buffer[][];
  /** GRAM-byte pieces of every form (latin1 keys) -> where they occur, for the run rule */
  grams: Map<string, Array<{ form: Buffer; at: number }>>;
  /** the first 4 bytes of every gram as a number: a cheap test before building the key */
  gramHeads: Set<number>;
}
let compiled: Compiled | undefined;

/**
 * The run rule: besides whole forms, any RUN_LENGTH or more consecutive bytes of a form are replaced,
 * wherever they stand. That closes the encodings nobody listed (HTML entities for "/", "\u002f",
 * double percent-encoding, a cut at any length) which leave most of a secret intact around the one
 * character they change. The data is sampled every RUN_LENGTH - GRAM bytes, so every run of
 * RUN_LENGTH holds a sampled GRAM-byte piece; a hit is extended to the run's full length.
 */
const GRAM = 8;
/**
 * Long enough that ids built like a secret are not hit (the simulator's client id and client secret
 * share "fake-oauth-client-", 18 characters; real token prefixes such as "ATATT3xFfGF0" are 12), short
 * enough that what an unlisted encoding leaves visible is at most 19 characters of a secret.
 */
const RUN_LENGTH = 20;
/**
 * Only token-shaped forms take part in the run rule. A stored secret is registered whole as JSON
 * (`{"kind":"oauth","scopes":"read:confluence-user ..."}`) and a header as "Bearer x": runs of those
 * would be ordinary text; their atomic parts are registered on their own.
 */
const TOKEN_SHAPED = /^[^\s"{}[\],;]+$/;

/**
 * Registers a credential. `label` names it in the "too short to be protected" notice, e.g.
 * "CONFL_PASSPHRASE". Leading/trailing whitespace is dropped from the pattern, as every reader trims.
 */
export function registerSecret(value: string | undefined | null, label = "a credential"): void {
  if (!value) return;
  const trimmed = value.trim();
  if (trimmed === "") return;
  if (trimmed.length < MIN_SECRET_LENGTH) {
    noteShortSecret(label);
    return;
  }
  if (secrets.has(trimmed)) return;
  secrets.add(trimmed);
  compiled = undefined;
}

/**
 * A Cookie header: the header, each `name=value` part, and each part's value, since a server may echo
 * any one cookie. A part without `=` is a bare value (some SSO proxies send one) and is secret whole.
 */
export function registerCookieSecret(header: string | undefined | null, label = "the cookie"): void {
  if (!header) return;
  registerSecret(header, label);
  for (const part of header.split(";")) {
    const trimmed = part.trim();
    const eq = trimmed.indexOf("=");
    registerSecret(trimmed, label);
    if (eq >= 0) registerSecret(trimmed.slice(eq + 1), label);
  }
}

/** Called once per label when a secret too short to redact is registered (main prints a warning). */
export function onShortSecret(listener: ((label: string) => void) | undefined): void {
  shortSecretListener = listener;
}

function noteShortSecret(label: string): void {
  if (shortNoticesSent.has(label) || !shortSecretListener) return;
  shortNoticesSent.add(label);
  shortSecretListener(label);
}

/** For tests: forget everything registered. */
export function clearRegisteredSecrets(): void {
  secrets.clear();
  shortNoticesSent.clear();
  compiled = undefined;
}

/**
 * The forms a reflected secret takes: as sent, JSON-escaped once or twice (with and without `\/`), percent-encoded
 * (upper- and lower-case hex, `+` for space as in forms), percent-decoded (cookies are often
 * percent-encoded on the way in), and inside base64 (standard and URL alphabets, any alignment, padded
 * or not: see base64Cores), which covers the Basic `user:secret` header however a server re-encodes it.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  // JSON-escaped once, and twice (a JSON document quoted inside another one's string)
  for (const once of [
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(secret).slice(1, -1).replaceAll("/", "\\/"),
  ]) {
    forms.add(once);
    forms.add(JSON.stringify(once).slice(1, -1));
  }
  const percent = encodeURIComponent(secret);
  forms.add(percent);
  forms.add(percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  try {
    forms.add(decodeURIComponent(secret));
  } catch {
    // not percent-encoded: nothing to decode
  }
  if (/^[A-Za-z0-9+/_-]+=+$/.test(secret)) forms.add(secret.replace(/=+$/, ""));
  for (const core of base64Cores(secret)) forms.add(core);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/**
 * Base64 of any text containing the secret contains one of three fixed strings, depending on where the
 * secret falls in the 3-byte groups: encode the secret behind 0, 1 or 2 filler bytes and keep only the
 * 4-character groups made of secret bytes alone. Also the whole secret's own base64, padded and not.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const groups = Math.floor(padded.length / 3);
    const first = shift === 0 ? 0 : 1;
    if (groups - first < 2) continue;
    const standard = padded.subarray(first * 3, groups * 3).toString("base64");
    cores.push(standard, standard.replaceAll("+", "-").replaceAll("/", "_"));
  }
  const whole = bytes.toString("base64");
  cores.push(whole, whole.replace(/=+$/, ""));
  return cores;
}

function compile(): Compiled {
  if (compiled) return compiled;
  const all = new Set<string>();
  const runForms = new Set<string>();
  for (const secret of secrets) {
    const forms = secretForms(secret);
    for (const form of forms) all.add(form);
    // decided on the secret, not the form: a JSON blob's percent-encoding has no quotes left
    if (TOKEN_SHAPED.test(secret)) for (const form of forms) runForms.add(form);
  }
  // Longest first, so a Basic header's base64 goes as a whole before the secret's own core inside it.
  const strings = [...all].sort((a, b) => b.length - a.length);
  const buffers = strings.map((s) => Buffer.from(s, "utf8"));
  // the partial-match check at a chunk's end only looks at patterns starting with the byte it is on
  const byFirstByte: Buffer[][] = Array.from({ length: 256 }, () => []);
  for (const b of buffers) byFirstByte[b[0]!]!.push(b);
  const grams = new Map<string, Array<{ form: Buffer; at: number }>>();
  const gramHeads = new Set<number>();
  for (const form of buffers) {
    if (form.length < RUN_LENGTH || !runForms.has(form.toString("utf8"))) continue;
    for (let at = 0; at + GRAM <= form.length; at++) {
      const key = form.toString("latin1", at, at + GRAM);
      gramHeads.add(form.readUInt32LE(at));
      const list = grams.get(key);
      if (list) list.push({ form, at });
      else grams.set(key, [{ form, at }]);
    }
  }
  compiled = { buffers, maxLength: buffers[0]?.length ?? 0, byFirstByte, grams, gramHeads };
  return compiled;
}

/** Replaces every registered secret (in every form) with `***`. No heuristics: safe for data output. */
export function redactSecrets(text: string): string {
  if (secrets.size === 0) return text;
  const data = Buffer.from(text, "utf8");
  const matches = findMatches(data, compile());
  // Patterns are whole UTF-8 strings, so the cuts fall on character boundaries.
  return matches.length === 0 ? text : replaceRanges(data, matches).toString("utf8");
}

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization / Proxy-Authorization header values, whatever the scheme.
  [
    /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(basic|bearer|token|negotiate)\s+[^\s"',;]+/gi,
    "$1$2$3 ***",
  ],
  // Cookie headers: keep names, hide values.
  [/\b(cookie|set-cookie)(["']?\s*[:=]\s*["']?)([^\r\n"]*)/gi, "$1$2***"],
  // Tokens in query strings or form bodies.
  [
    /([?&;\s"]|^)((?:access_token|refresh_token|id_token|token|client_secret|password|passphrase|code|code_verifier|jwt)=)[^&\s"#]+/gi,
    "$1$2***",
  ],
  // Tokens in JSON bodies.
  [
    /("(?:access_token|refresh_token|id_token|token|client_secret|password|passphrase|code|code_verifier|accessToken|refreshToken|clientSecret)"\s*:\s*")[^"]*(")/g,
    "$1***$2",
  ],
  // user:password@ in URLs (proxy URLs).
  [/(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi, "$1$2:***@"],
];

/**
 * For diagnostics (error messages, --debug lines): registered secrets, plus credential-shaped text
 * that was never registered (an Authorization header, `token=` in a URL). Not for data on stdout,
 * where `"code": "..."` is an ordinary field.
 */
export function redactText(text: string): string {
  // shapes first: a run of a registered secret must not eat the "token=" that marks an unregistered one
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return redactSecrets(out);
}

/**
 * Terminal control: CSI (ESC [ or 0x9b), OSC/DCS/SOS/PM/APC strings with their terminator, other
 * two-byte ESC sequences; then any C0 control but newline and tab (CR too: it lets text overwrite
 * what was printed), DEL, C1 (0x80-0x9f, which some terminals obey as 8-bit controls), and invisible
 * format characters (zero-width, bidi overrides, soft hyphen) that can hide or reorder text.
 */
const ESCAPE_SEQUENCE =
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)|\x1b[ -/]*[0-~]/g;
const CONTROL_CHARACTER =
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/** Server text made safe for a terminal: no escape sequences, no control or invisible characters. */
export function stripControls(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL_CHARACTER, "");
}

/**
 * Server-provided text for a message: control sequences stripped first (so a secret split by an
 * escape sequence is whole again), then redacted, then cut to `max` characters. Redacting after
 * cutting would leave most of a secret that straddles the cut.
 */
export function safeServerText(text: string, max?: number): string {
  const clean = redactText(stripControls(text));
  return max !== undefined && clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Every string in a JSON-able value redacted and stripped of control characters (for files). */
export function redactStrings<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(stripControls(value)) as T;
  if (Array.isArray(value)) return value.map((item) => redactStrings(item)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactStrings(item);
    return out as T;
  }
  return value;
}

/**
 * Redacts a byte stream written in chunks. Matching is on bytes, so text and binary are treated alike:
 * bytes that are not a registered secret pass through unchanged (a downloaded image comes out
 * byte-exact), and a secret inside binary is still replaced (a rule "redact only what decodes as
 * UTF-8" would be bypassed by one invalid byte). A chunk ending in what could be the start of a secret
 * keeps that tail back until the next chunk shows whether it is; `end()` releases it.
 */
export class StreamRedactor {
  private held: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    if (secrets.size === 0) {
      this.held = Buffer.alloc(0);
      return data;
    }
    const patterns = compile();
    // Hold back first, then match in what goes out: a secret's first half at the end of this chunk waits
    // for its second half instead of going out as a run of its own.
    const holdFrom = partialMatchStart(data, patterns);
    this.held = Buffer.from(data.subarray(holdFrom));
    const out = data.subarray(0, holdFrom);
    return replaceRanges(out, findMatches(out, patterns));
  }

  /** The held-back tail: a prefix of a secret long enough to be a run is still replaced. */
  end(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest.length > 0 && secrets.size > 0 ? replaceRanges(rest, findMatches(rest, compile())) : rest;
  }
}

/** Non-overlapping [start, end) ranges covering every whole form and every run (see GRAM), in order. */
function findMatches(data: Buffer, patterns: Compiled): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const pattern of patterns.buffers) {
    for (let at = data.indexOf(pattern); at >= 0; at = data.indexOf(pattern, at + 1)) {
      ranges.push([at, at + pattern.length]);
    }
  }
  if (patterns.grams.size > 0) {
    for (let i = 0; i + GRAM <= data.length; i += RUN_LENGTH - GRAM) {
      if (!patterns.gramHeads.has(data.readUInt32LE(i))) continue;
      const hits = patterns.grams.get(data.toString("latin1", i, i + GRAM));
      if (hits) for (const hit of hits) pushRun(data, i, hit, ranges);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** The longest run of `hit.form` around data[i, i + GRAM), kept when it is RUN_LENGTH or more. */
function pushRun(
  data: Buffer,
  i: number,
  hit: { form: Buffer; at: number },
  ranges: Array<[number, number]>,
): void {
  let start = i;
  let formStart = hit.at;
  while (start > 0 && formStart > 0 && data[start - 1] === hit.form[formStart - 1]) {
    start--;
    formStart--;
  }
  let end = i + GRAM;
  let formEnd = hit.at + GRAM;
  while (end < data.length && formEnd < hit.form.length && data[end] === hit.form[formEnd]) {
    end++;
    formEnd++;
  }
  if (end - start >= RUN_LENGTH) ranges.push([start, end]);
}

/** The earliest offset where the rest of `data` is a proper prefix of a pattern, else its length. */
function partialMatchStart(data: Buffer, patterns: Compiled): number {
  for (let start = Math.max(0, data.length - patterns.maxLength + 1); start < data.length; start++) {
    const candidates = patterns.byFirstByte[data[start]!]!;
    if (candidates.length === 0) continue;
    const tail = data.subarray(start);
    for (const pattern of candidates) {
      if (pattern.length > tail.length && pattern.compare(tail, 0, tail.length, 0, tail.length) === 0)
        return start;
    }
  }
  return data.length;
}

function replaceRanges(data: Buffer, ranges: Array<[number, number]>): Buffer {
  const inside = ranges.filter(([start]) => start < data.length);
  if (inside.length === 0) return data;
  const parts: Buffer[] = [];
  let at = 0;
  const replacement = Buffer.from(REPLACEMENT);
  for (const [start, end] of inside) {
    parts.push(data.subarray(at, start), replacement);
    at = end;
  }
  parts.push(data.subarray(at));
  return Buffer.concat(parts);
}
