/**
 * Issue 14, "Bad input": generated malformed inputs (fast-check, seeded, a fixed number of samples per
 * kind) through the built CLI against the simulator: flags, site URLs, page references, files, storage
 * XML, Markdown and front matter (when the commands that read them exist in the command tree), and
 * hand-edited config.json files (truncated, wrong types, `__proto__`, huge, deeply nested).
 * For every run:
 * - exit code 1, 2 or 4; stderr is `confl: …` / `hint: …` lines, with no stack frame and no internal
 *   error (the "report it if it looks like a bug" hint);
 * - no partial write: the config directory is byte for byte what it was (no file added, changed or
 *   removed), the working directory, HOME and TMPDIR stay empty, and the simulator accepted no write
 *   (no POST/PUT/PATCH/DELETE answered below 400).
 * Network: the simulator on loopback; a site URL that is not the simulator goes through a proxy on a
 * closed loopback port, so nothing ever leaves the machine.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_NOUNS } from "../../src/commands/all.js";
import { buildProgram } from "../../src/main.js";
import { useSimulator } from "../support/context.js";
import { diffSnapshots, INTERNAL_HINT, pool, runConfl, STACK_FRAME, snapshot } from "./lib.js";

const SEED = 14_0014;
const WIDTH = 3;
/** A proxy nobody listens on: any request to a host that is not the simulator fails here, on loopback. */
const DEAD_PROXY = "http://127.0.0.1:9";

const sim = useSimulator({ host: "127.0.0.1" });
let template: string;
let pat: string;

/** The leaf commands in the tree, by path ("page view"), with their option flags. */
function commandTree(): Map<string, { flags: string[]; choices: Map<string, readonly string[]> }> {
  const program = buildProgram(() => {
    throw new Error("no command runs here");
  }, ALL_NOUNS) as unknown as CommandLike;
  const leaves = new Map<string, { flags: string[]; choices: Map<string, readonly string[]> }>();
  const walk = (cmd: CommandLike, path: string[]) => {
    if (cmd.commands.length === 0 && path.length > 0) {
      const choices = new Map<string, readonly string[]>();
      for (const o of cmd.options) if (o.argChoices && o.long) choices.set(o.long, o.argChoices);
      leaves.set(path.join(" "), {
        flags: cmd.options.filter((o) => !o.hidden).map((o) => o.flags),
        choices,
      });
    }
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return leaves;
}
interface CommandLike {
  commands: CommandLike[];
  options: Array<{ flags: string; long?: string; hidden?: boolean; argChoices?: string[] }>;
  name(): string;
}
const TREE = commandTree();
const has = (path: string) => TREE.has(path);

interface Case {
  kind: string;
  args: string[];
  stdin?: string;
  /** files to create under the run's files/ directory (name → content); "<dir>" makes a directory */
  files?: Record<string, string | Buffer>;
  /** rewrite the run's config.json (given the template's text); undefined leaves it alone */
  config?: (text: string) => string | Buffer;
  /** no config.json at all (a fresh machine) */
  noConfig?: boolean;
  env?: Record<string, string>;
  /** use the environment's credential (DC PAT) instead of the stored profile */
  envCredential?: boolean;
  /**
   * The command converts what it can and says what it skipped (issue 12: `convert --from storage` on malformed
   * storage): exit 0 with `note:` lines is right too; the other invariants (no trace, nothing written) hold.
   */
  lenient?: boolean;
}

beforeAll(async () => {
  pat = sim.credentials.dc.pat;
  // the template: one stored profile (DC, PAT, plaintext store) made by a real login
  template = mkdtempSync(join(tmpdir(), "confl-bad-template-"));
  const login = await runConfl(
    [
      "auth",
      "login",
      "--profile",
      "default",
      "--site",
      sim.origins.dc,
      "--type",
      "pat",
      "--with-token",
      "--storage",
      "plaintext",
      "--insecure-storage",
    ],
    { env: { CONFL_CONFIG_DIR: template }, stdin: `${pat}\n` },
  );
  expect(login.code, login.stderr).toBe(0);
  sim.log.length = 0;
}, 60_000);

/** Runs one case in its own directories and checks every invariant; returns a problem or undefined. */
async function check(c: Case): Promise<string | undefined> {
  const root = mkdtempSync(join(tmpdir(), "confl-bad-"));
  const dirs = {
    config: join(root, "config"),
    cwd: join(root, "cwd"),
    home: join(root, "home"),
    tmp: join(root, "tmp"),
    files: join(root, "files"),
  };
  for (const d of [dirs.cwd, dirs.home, dirs.tmp, dirs.files]) mkdirSync(d);
  if (c.noConfig) mkdirSync(dirs.config, { mode: 0o700 });
  else cpSync(template, dirs.config, { recursive: true });
  if (c.config)
    writeFileSync(
      join(dirs.config, "config.json"),
      c.config(readFileSync(join(template, "config.json"), "utf8")),
      { mode: 0o600 },
    );
  for (const [name, content] of Object.entries(c.files ?? {})) {
    if (content === "<dir>") mkdirSync(join(dirs.files, name));
    else writeFileSync(join(dirs.files, name), content);
  }
  const args = c.args.map((a) => a.replaceAll("@FILES@", dirs.files));
  const before = snapshot(dirs.config);
  const r = await runConfl(args, {
    env: {
      CONFL_CONFIG_DIR: dirs.config,
      HOME: dirs.home,
      TMPDIR: dirs.tmp,
      NETRC: join(dirs.home, "no-netrc"),
      ...(c.envCredential ? { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: pat } : {}),
      ...c.env,
    },
    cwd: dirs.cwd,
    ...(c.stdin !== undefined ? { stdin: c.stdin } : {}),
  });
  const label = `${c.kind}: confl ${JSON.stringify(args).slice(0, 300)} → ${r.code}${r.signal ?? ""}\n${r.stderr.slice(0, 600)}`;
  const converted = c.lenient === true && r.code === 0 && /^note: .*skipped/m.test(r.stderr);
  if (!converted && (r.code === null || ![1, 2, 4].includes(r.code))) return `exit code: ${label}`;
  if (STACK_FRAME.test(r.stderr)) return `stack trace: ${label}`;
  if (r.stderr.includes(INTERNAL_HINT)) return `internal error: ${label}`;
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  if (lines.length === 0 && !converted) return `silent failure: ${label}`;
  // one line per problem: `confl: …`, `hint: …`, a `WARNING: …` about the profile, or (--json) one error object
  const stray = lines.find((l) => !/^(confl|hint|note): |^WARNING: |^\{"error":\{"code":"[a-z_.]+"/.test(l));
  if (stray !== undefined) return `stray stderr line ${JSON.stringify(stray.slice(0, 120))}: ${label}`;
  const changed = diffSnapshots(before, snapshot(dirs.config));
  if (changed.length > 0) return `config dir changed (${changed.join(", ")}): ${label}`;
  for (const d of ["cwd", "home", "tmp"] as const) {
    const left = [...snapshot(dirs[d]).keys()];
    if (left.length > 0) return `wrote into ${d} (${left.join(", ")}): ${label}`;
  }
  return undefined;
}

async function runAll(cases: Case[]): Promise<void> {
  const problems = (await pool(cases, WIDTH, check)).filter((p): p is string => p !== undefined);
  if (process.env.CONFL_SUITE_VERBOSE) for (const p of problems) console.error(`---\n${p}`);
  expect(problems.slice(0, 5), `${problems.length} of ${cases.length} runs broke an invariant`).toEqual([]);
}

const sample = <T>(arb: fc.Arbitrary<T>, n: number, seed: number) => fc.sample(arb, { numRuns: n, seed });

// ---------------------------------------------------------------------------------------------------
// Generators

const junkChar = fc.constantFrom(
  ..."/\\.%:@?#&=;,'\"<>[]{}|^`~!$*()+ \t\u00e9\u202e\u200b\uff10xyz-_0".split(""),
);
const junk = (max = 16) => fc.string({ unit: junkChar, minLength: 1, maxLength: max });

/** Values no integer option accepts. */
const badNumber = fc.constantFrom(
  "abc",
  "-1",
  "1.5",
  "",
  " ",
  "NaN",
  "Infinity",
  "-Infinity",
  "0x1F",
  "12abc",
  "\u0663",
  "1,000",
  "--",
  "1e999",
  "-9999999999999999999999",
  "½",
);

/** A base invocation per command that reaches the network, and the integer options it takes. */
const BASE: Record<string, string[]> = {
  "space list": ["space", "list"],
  "space view": ["space", "view", "DOC"],
  "page view": ["page", "view", "65538"],
  "page list": ["page", "list", "--space", "DOC"],
  "page children": ["page", "children", "65538"],
  "page tree": ["page", "tree", "65538"],
  search: ["search", "type=page"],
  "attachment list": ["attachment", "list", "65538"],
  "attachment download": ["attachment", "download", "65538"],
  "comment list": ["comment", "list", "65538"],
  "label list": ["label", "list", "65538"],
  api: ["api", "rest/api/space"],
  "auth status": ["auth", "status"],
  "backup run": ["backup", "run", "policy-1", "--org-id", "org-1"],
};

function numericOptions(path: string): string[] {
  const flags = TREE.get(path)?.flags ?? [];
  return flags
    .filter((f) => /<(n|seconds|minutes|port|req\/s)>/.test(f))
    .map((f) => /--[a-z-]+/.exec(f)?.[0] ?? "")
    .filter(Boolean);
}

const flagCase: fc.Arbitrary<Case> = fc.oneof(
  // an integer option with a value it cannot take
  fc
    .constantFrom(...Object.keys(BASE).filter((p) => has(p) && numericOptions(p).length > 0))
    .chain((p) => fc.tuple(fc.constant(p), fc.constantFrom(...numericOptions(p)), badNumber))
    .map(([p, flag, value]) => ({
      kind: "flag value",
      args: [...(BASE[p] ?? []), `${flag}=${value}`],
      envCredential: true,
    })),
  // a choice option with a value outside its choices
  fc
    .constantFrom(...[...TREE].filter(([p, t]) => BASE[p] && t.choices.size > 0).map(([p]) => p))
    .chain((p) => fc.tuple(fc.constant(p), fc.constantFrom(...(TREE.get(p)?.choices.keys() ?? [])), junk(10)))
    .filter(([p, flag, v]) => !(TREE.get(p)?.choices.get(flag) ?? []).includes(v))
    .map(([p, flag, value]) => ({
      kind: "choice",
      args: [...(BASE[p] ?? []), `${flag}=${value}`],
      envCredential: true,
    })),
  // unknown flags, stray arguments, a flag without its value
  fc
    .tuple(
      fc.constantFrom(...Object.keys(BASE).filter(has)),
      fc.constantFrom("--no-such-flag", "-Z", "--jsonn", "---", "--json=yes", "stray-argument"),
    )
    .map(([p, extra]) => ({ kind: "unknown flag", args: [...(BASE[p] ?? []), extra], envCredential: true })),
  // confl api: malformed -H, -f, -X, --jq
  fc
    .oneof(
      fc
        .constantFrom(
          "NoColonHere",
          ": novalue",
          "Bad Name: x",
          "X-A: b\r\nX-Injected: c",
          "X\u0000Y: z",
          "Über: x",
        )
        .map((h) => ["-H", h]),
      fc
        .constantFrom("novalue", "=v", "__proto__=1", "constructor=x", "prototype[a]=1")
        .map((f) => ["-f", f]),
      fc.constantFrom("GE T", "", "G\nET", "get;rm", "PO/ST").map((m) => ["-X", m]),
      fc.constantFrom(".[", "@@", "if", "{", ".a |", "$__loc__ +").map((q) => ["--jq", q]),
    )
    .map((extra) => ({ kind: "api flag", args: ["api", "rest/api/space", ...extra], envCredential: true })),
  // profile names that cannot be names
  fc
    .constantFrom("__proto__", "../x", "", "a/b", "constructor", "x".repeat(300), "-", " spaced ")
    .map((name) => ({ kind: "profile name", args: ["space", "list", "--profile", name] })),
  // missing required arguments and options
  fc
    .constantFrom(
      ["page", "view"],
      ["page", "list"],
      ["label", "add", "65538"],
      ["comment", "add", "65538"],
      ["attachment", "upload", "65538"],
      ["auth", "switch"],
      ["api"],
      ["completion"],
      ["completion", "tcsh"],
    )
    .map((args) => ({ kind: "missing argument", args: [...args], envCredential: true })),
);

const badUrl = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "ftp://127.0.0.1/",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/plain,x",
    "mailto:a@b.example",
    "http://",
    "https://",
    "://",
    "http://[::1",
    "https://exa mple.atlassian.net",
    "https://user:pass@127.0.0.1/",
    "https://u@127.0.0.1/",
    "https://127.0.0.1:99999/",
    "https://127.0.0.1:-1/",
    "https://%zz/",
    "https://a..b/",
    "http:\\\\\\\\",
    "https://\u202eevil",
    "https://host\u0000.example",
  ),
  fc
    .tuple(
      fc.constantFrom("", "https://", "http://", "htp://", "https:/", "//", "HTTPS://"),
      fc.constantFrom("user:pw@", "@", "[", "%", ":", " ", "\\", "#", "?"),
      junk(12),
    )
    .map(([scheme, bad, rest]) => `${scheme}${bad}${rest}`),
);

const urlCase: fc.Arbitrary<Case> = fc.oneof(
  badUrl.map((site) => ({
    kind: "login --site",
    args: [
      "auth",
      "login",
      "--site",
      site,
      "--type",
      "pat",
      "--with-token",
      "--storage",
      "plaintext",
      "--insecure-storage",
    ],
    stdin: `${pat}\n`,
    noConfig: true,
    env: { HTTPS_PROXY: DEAD_PROXY, HTTP_PROXY: DEAD_PROXY, ALL_PROXY: DEAD_PROXY },
  })),
  badUrl.map((site) => ({
    kind: "CONFLUENCE_URL",
    args: ["api", "rest/api/space"],
    env: {
      CONFLUENCE_URL: site,
      CONFLUENCE_PERSONAL_TOKEN: "fake-bad-url-token-0001",
      HTTPS_PROXY: DEAD_PROXY,
      HTTP_PROXY: DEAD_PROXY,
      ALL_PROXY: DEAD_PROXY,
    },
  })),
);

/** Page references that name no page in the simulator (ids there are below 10^7). */
const badPageRef = fc.oneof(
  fc.constantFrom(
    "0",
    "-1",
    "65538x",
    "1e5",
    "9".repeat(400),
    " ",
    "DOC:",
    ":Title",
    "NOSUCH:Release checklist",
    "https://x.example/wiki/spaces/DOC/pages/abc",
    "https://x.example/pages/viewpage.action?pageId=",
    "https://x.example/pages/viewpage.action?pageId=12a",
    "https://x.example/x/!!!",
    "https://x.example/display/",
    "https://x.example/wiki/spaces/DOC/pages/edit-v2/",
    "/x/",
    "javascript:alert(1)",
    "%00",
  ),
  junk(24).filter((s) => !/^\d{1,7}$/.test(s.trim())),
  fc.bigInt({ min: 10n ** 10n, max: 10n ** 30n }).map(String),
  fc.tuple(fc.constantFrom("DOC", "ENG", "~ada", "NOSUCH"), junk(20)).map(([k, t]) => `${k}:zz-no-such-${t}`),
);
const pageRefCase: fc.Arbitrary<Case> = fc
  .tuple(
    badPageRef,
    fc.constantFrom(
      ["page", "view"],
      ["page", "children"],
      ["label", "list"],
      ["comment", "list"],
      ["attachment", "list"],
    ),
  )
  .map(([ref, cmd]) => ({ kind: "page reference", args: [...cmd, ref], envCredential: true }));

const fileCase: fc.Arbitrary<Case> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        { name: "missing.xml" },
        { name: "a-directory", content: "<dir>" },
        { name: "empty.xml", content: "" },
        { name: "blank.xml", content: " \n\t\n  " },
        { name: "big.xml", content: Buffer.alloc(5 * 1024 * 1024 + 10, 0x61) },
      ),
      fc.constantFrom(
        ["comment", "add", "65538", "--body-file"],
        ["api", "rest/api/content", "-X", "POST", "--input"],
        ["attachment", "upload", "65538"],
      ),
    )
    .filter(
      ([f, cmd]) =>
        !(
          cmd[0] !== "comment" &&
          (f.content === "" || f.content === " \n\t\n  " || Buffer.isBuffer(f.content))
        ),
    )
    .map(([f, cmd]) => ({
      kind: "file",
      args: [...cmd, `@FILES@/${f.name}`],
      ...(f.content !== undefined ? { files: { [f.name]: f.content } } : {}),
      envCredential: true,
    })),
  junk(30)
    .filter((p) => !p.includes("\u0000"))
    .map((p) => ({
      kind: "file path",
      args: ["comment", "add", "65538", "--body-file", `@FILES@/nope/${p}`],
      envCredential: true,
    })),
  fc.constantFrom("", " ", "\n\n").map((stdin) => ({
    kind: "empty stdin",
    args: ["comment", "add", "65538", "--body-file", "-"],
    stdin,
    envCredential: true,
  })),
);

/** Hand edits of config.json that no confl can read. */
const configEdit: fc.Arbitrary<{ what: string; edit: (text: string) => string | Buffer }> = fc.oneof(
  fc.double({ min: 0, max: 0.999, noNaN: true }).map((f) => ({
    what: `truncated at ${f.toFixed(3)}`,
    edit: (text: string) => text.trimEnd().slice(0, Math.floor(text.trimEnd().length * f)),
  })),
  fc
    .tuple(
      fc.constantFrom(
        "version",
        "profiles",
        "activeProfile",
        "name",
        "site",
        "apiBase",
        "kind",
        "deployment",
        "secretStore",
      ),
      fc.constantFrom<unknown>(null, 42, true, [], {}, "2", ["x"], -1),
    )
    .filter(([field, value]) => !(field === "activeProfile" && value === "2"))
    .map(([field, value]) => ({
      what: `${field} = ${JSON.stringify(value)}`,
      edit: (text: string) => {
        const config = JSON.parse(text);
        if (field === "version" || field === "profiles" || field === "activeProfile") {
          config[field] = field === "version" && value === 1 ? 2 : value;
        } else config.profiles.default[field] = value;
        return JSON.stringify(config);
      },
    })),
  fc.constantFrom("top", "profiles", "profile", "identity", "tls").map((where) => ({
    what: `__proto__ in ${where}`,
    edit: (text: string) => {
      const inject = '"__proto__": {"polluted": "yes", "apiBase": "http://127.0.0.1:9/"}, ';
      if (where === "top") return text.replace("{", `{${inject}`);
      if (where === "profiles")
        return text
          .replace('"profiles": {', `"profiles": {${inject}`)
          .replace('"profiles":{', `"profiles":{${inject}`);
      const config = JSON.parse(text);
      const target = config.profiles.default;
      if (where === "identity") target.identity = { displayName: "x" };
      if (where === "tls") target.tls = {};
      const json = JSON.stringify(config);
      const key = where === "profile" ? '"default":{' : `"${where}":{`;
      return json.replace(key, `${key}${inject}`);
    },
  })),
  fc.constantFrom("deep-array", "deep-object", "huge-bad", "bom-garbage", "binary").map((what) => ({
    what,
    edit: (text: string): string | Buffer => {
      if (what === "deep-array")
        return `{"version":1,"profiles":{},"x":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
      if (what === "deep-object")
        return `{"version":1,"profiles":{},"x":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
      if (what === "huge-bad")
        return `{"version":1,"profiles":{"default":{"name":"default","site":"${"s".repeat(20_000_000)}"}}}`;
      if (what === "bom-garbage") return `\ufeff${text}garbage`;
      return Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80, 0x81]);
    },
  })),
);
const CONFIG_COMMANDS = [
  ["auth", "status"],
  ["auth", "status", "--json"],
  ["auth", "logout"],
  ["auth", "switch", "default"],
  ["auth", "refresh"],
  ["auth", "token", "--yes"],
  ["api", "rest/api/space"],
  ["space", "list"],
  ["page", "view", "65538"],
];
const configCase: fc.Arbitrary<Case> = fc
  .tuple(configEdit, fc.constantFrom(...CONFIG_COMMANDS))
  .map(([e, args]) => ({ kind: `config.json ${e.what}`, args, config: e.edit }));

/** Storage bodies that are not well-formed XHTML fragments. */
const badStorage = fc.oneof(
  fc.constantFrom(
    "<p>unclosed",
    "<p></b>",
    "<ac:structured-macro>",
    "<p>&nosuchentity;</p>",
    "<p a=1>x</p>",
    "<!DOCTYPE x><p/>",
    "<p>\u0001</p>",
    "<<>>",
    '<p attr="x" attr="y"/>',
    "</p>",
    "<![CDATA[x",
  ),
  fc
    .tuple(fc.constantFrom("<p>", "<table><tr>", "<ac:link>", "<ri:page "), junk(20))
    .map(([a, b]) => `${a}${b}<`),
);
/** Front matter that is not YAML (or not a mapping). */
const badFrontMatter = fc.oneof(
  fc.constantFrom(
    "---\ntitle: [unclosed\n---\n# x\n",
    "---\ntitle: ok\n: :\n  - a\n b\n---\nbody\n",
    "---\ntitle: ok\n- a list\n---\nbody\n",
    "---\ntitle: a\ntitle: b\n---\nx\n",
    "---\ntitle: ok\n\t\ttabs: x\n---\n",
    "---\n__proto__: {x: 1}\n---\nbody\n",
  ),
  junk(30).map((j) => `---\ntitle: "${j}\n---\nbody\n`),
);

const storageTargets: Array<(file: string) => string[]> = [
  ...(has("page update") ? [(f: string) => ["page", "update", "65538", "--body-file", f]] : []),
  ...(has("page create")
    ? [(f: string) => ["page", "create", "--space", "DOC", "--title", "zz bad input", "--body-file", f]]
    : []),
  ...(has("convert") ? [(f: string) => ["convert", "--from", "storage", "--to", "markdown", f]] : []),
];
const frontMatterTargets: Array<(file: string) => string[]> = [
  ...(has("convert") ? [(f: string) => ["convert", "--from", "markdown", "--to", "storage", f]] : []),
  ...(has("page create") && (TREE.get("page create")?.choices.get("--format") ?? []).includes("markdown")
    ? [
        (f: string) => [
          "page",
          "create",
          "--space",
          "DOC",
          "--title",
          "zz bad fm",
          "--format",
          "markdown",
          "--body-file",
          f,
        ],
      ]
    : []),
];

// ---------------------------------------------------------------------------------------------------

describe("bad input: generated malformed inputs never crash, never half-write", () => {
  it("flags: 80 malformed option values, choices, unknown flags, -H/-f/-X/--jq, profile names, missing arguments", async () => {
    await runAll(sample(flagCase, 80, SEED));
  }, 120_000);

  it("site URLs: 30 malformed --site and CONFLUENCE_URL values (nothing stored, nothing sent off the machine)", async () => {
    await runAll(sample(urlCase, 30, SEED + 1));
  }, 120_000);

  it("page references: 50 that name no page, through five commands", async () => {
    await runAll(sample(pageRefCase, 50, SEED + 2));
  }, 120_000);

  it("files: 25 missing, directory, empty, oversized, unreadable paths for --body-file, --input and upload", async () => {
    await runAll(sample(fileCase, 25, SEED + 3));
  }, 120_000);

  it("config.json: 50 hand edits (truncated, wrong types, __proto__, deeply nested, huge, binary) under nine commands", async () => {
    await runAll(sample(configCase, 50, SEED + 4));
  }, 180_000);

  it.runIf(storageTargets.length > 0)(
    "storage XML: 20 malformed bodies, refused before anything is sent",
    async () => {
      const cases = sample(fc.tuple(badStorage, fc.constantFrom(...storageTargets)), 20, SEED + 5).map(
        ([body, target]) => ({
          kind: "storage XML",
          args: target("@FILES@/body.xml"),
          files: { "body.xml": body },
          envCredential: true,
          lenient: target("f")[0] === "convert",
        }),
      );
      await runAll(cases);
    },
    120_000,
  );
  // TODO(issue 14): runs once `page create`/`page update` (storage checker) or `confl convert` are merged
  it.skipIf(storageTargets.length > 0)(
    "storage XML: needs page create/update or convert in the tree",
    () => {},
  );

  it.runIf(frontMatterTargets.length > 0)(
    "Markdown front matter: 20 malformed headers",
    async () => {
      const cases = sample(
        fc.tuple(badFrontMatter, fc.constantFrom(...frontMatterTargets)),
        20,
        SEED + 6,
      ).map(([body, target]) => ({
        kind: "front matter",
        args: target("@FILES@/doc.md"),
        files: { "doc.md": body },
        envCredential: true,
      }));
      await runAll(cases);
    },
    120_000,
  );
  // TODO(issue 14): runs once `confl convert --from markdown` (or page create --format markdown) is merged
  it.skipIf(frontMatterTargets.length > 0)(
    "Markdown front matter: needs confl convert in the tree",
    () => {},
  );

  it("no write reached the simulator: nothing answered a POST/PUT/PATCH/DELETE below 400", () => {
    const writes = sim.log.filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.status < 400);
    expect(writes.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([]);
  });

  it("the suite is not vacuous: the generators give at least 200 distinct runs", () => {
    const all = [
      ...sample(flagCase, 80, SEED),
      ...sample(urlCase, 30, SEED + 1),
      ...sample(pageRefCase, 50, SEED + 2),
      ...sample(fileCase, 25, SEED + 3),
      ...sample(configCase, 50, SEED + 4),
    ];
    expect(
      new Set(all.map((c) => `${c.kind} ${JSON.stringify(c.args)} ${c.stdin ?? ""}`)).size,
    ).toBeGreaterThanOrEqual(180);
    expect(all.length).toBeGreaterThanOrEqual(200);
  });
});
