/**
 * Issue 14, "Canary": a unique fake secret through every input (stdin, each credential environment
 * variable, the keychain, the encrypted and plaintext files, a cookie, OAuth tokens, the client secret),
 * while running every leaf command of buildProgram()'s tree (with the arguments it needs to reach the
 * network), with --debug, -i and --json rotated, against echo servers that reflect whatever credential
 * they receive: raw, base64-decoded, re-encoded, percent-encoded and JSON-escaped, in bodies (identity
 * fields included), headers and error bodies, on 200, 400, 401, 403 and 404.
 * The canary never appears in stdout, stderr, the argv or environment of confl or any process it starts
 * (/proc, polled while it runs, and a CONFL_BROWSER recorder), or any file outside the secret store
 * (config dir, working directory where downloads land, HOME, TMPDIR).
 * Systematic matrix: every input × every command once; flags and server behaviour rotate with the
 * indices so each input and each command meets every flag set and most server behaviours.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_NOUNS } from "../../src/commands/all.js";
import { buildProgram } from "../../src/main.js";
import { startServer, type TestServer } from "../http/helpers.js";
import { pool, runConfl, snapshot } from "./lib.js";

const WIDTH = 4;
const keychainEnabled = process.env.CONFL_TEST_KEYCHAIN === "1";
const canary = (name: string) => `fake-canary-${name}-${randomBytes(6).toString("hex")}/Q+z`;

// ---------------------------------------------------------------------------------------------------
// Echo servers: one per (deployment, behaviour), all on loopback

const MODES = [200, 400, 401, 403, 404] as const;
type Mode = (typeof MODES)[number];
type Deployment = "cloud" | "dc";
const servers = new Map<string, TestServer>();
const serverFor = (d: Deployment, mode: Mode) => servers.get(`${d}-${mode}`) as TestServer;
/** Access tokens the token endpoints issued: canaries too. */
const issued: string[] = [];

/** Every form of every credential a request carried, as a hostile server reflects them. */
function reflections(req: IncomingMessage, body: string): string[] {
  const out: string[] = [];
  const values = [
    req.headers.authorization,
    req.headers.cookie,
    ...Object.values(Object.fromEntries(new URLSearchParams(body))),
  ];
  for (const value of values) {
    if (!value || typeof value !== "string") continue;
    const credential = value.replace(/^\S+\s+/, "");
    const decoded = Buffer.from(credential, "base64").toString("utf8");
    out.push(
      value,
      credential,
      decoded,
      ...decoded.split(":"),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1).replaceAll("/", "\\/"),
      Buffer.from(`x${decoded}`).toString("base64"),
      Buffer.from(`xy${value}`).toString("base64url"),
      ...value.split(/;\s*/),
      ...value.split(/;\s*/).map((part) => part.split("=").slice(1).join("=")),
    );
  }
  return out.filter((s) => s.trim() !== "");
}

const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, "");

function echoHandler(deployment: Deployment, mode: Mode, origin: () => string) {
  return (req: IncomingMessage, res: ServerResponse, body: string): undefined => {
    const path = req.url ?? "/";
    const send = (status: number, data: unknown, extra: Record<string, string> = {}): undefined => {
      res.writeHead(status, { "content-type": "application/json", ...extra });
      res.end(JSON.stringify(data));
      return undefined;
    };
    if (path.startsWith("/_edge/tenant_info"))
      return deployment === "cloud" ? send(200, { cloudId: "cloud-canary-0001" }) : send(404, {});
    if (path.includes("/rest/api/server-information"))
      return deployment === "dc"
        ? send(200, { baseUrl: origin(), version: "8.5.4", buildNumber: 9012 })
        : send(404, {});
    const echo = reflections(req, body);
    const all = echo.join(" ");
    if (path.includes("/oauth2/latest/token") || path.includes("/oauth/token")) {
      const token = canary("issued-access");
      issued.push(token);
      return send(200, { access_token: token, token_type: "bearer", expires_in: 3600, scope: `read ${all}` });
    }
    const [raw = "", credential = "", decoded = ""] = echo;
    const headers = {
      "x-echo": headerSafe(raw),
      "x-echo-b64": Buffer.from(credential).toString("base64"),
      "www-authenticate": `Basic realm="${headerSafe(decoded)}"`,
      "set-cookie": `echo=${headerSafe(credential).replace(/[;,\s]/g, "")}; Path=/`,
    };
    if (mode !== 200)
      return send(
        mode,
        {
          statusCode: mode,
          message: `denied ${all}`,
          reason: raw,
          errors: [{ title: decoded, detail: all }],
        },
        headers,
      );
    const who = {
      type: "known",
      accountId: "acc-canary-1",
      username: "alice",
      userKey: "k1",
      email: `${decoded}@example.com`,
      publicName: credential,
      displayName: `Alice ${all}`,
    };
    if (path.includes("user/current") || path.includes("/myself")) return send(200, who, headers);
    const item = {
      id: "65538",
      type: "page",
      status: "current",
      title: `Release ${decoded}`,
      name: raw,
      key: "DOC",
      spaceId: "1",
      displayName: all,
      mediaType: "text/plain",
      fileSize: 10,
      version: { number: 1, by: who, when: "2026-01-01T00:00:00Z" },
      space: { key: "DOC", name: credential },
      _links: {
        webui: `/spaces/DOC/pages/65538/${encodeURIComponent(raw)}`,
        download: "/download/attachments/65538/a.txt",
      },
    };
    send(
      200,
      {
        ...item,
        results: [item, { ...item, id: "att131073", title: "a.txt" }],
        size: 2,
        body: {
          storage: { value: `<p>${all}</p>`, representation: "storage" },
          view: { value: `<p>${all}</p>` },
        },
        history: { createdBy: who },
        _links: { base: origin(), webui: "/x" },
        message: all,
      },
      headers,
    );
  };
}

// ---------------------------------------------------------------------------------------------------
// Inputs

interface Input {
  name: string;
  deployment: Deployment;
  /** the secrets this input brings (the server-issued access tokens are added to every check) */
  canaries: string[];
  /** per-run environment (besides the config dir) */
  env: Record<string, string>;
  /** a stored profile: how to log in once, into a template config dir */
  login?: { args: string[]; stdin?: string; env?: Record<string, string> };
  /** the store holds it here: skipped when the keychain is not available */
  needsKeychain?: boolean;
}

function inputs(): Input[] {
  const list: Input[] = [];
  const envSite = (d: Deployment) => `@SITE-${d}@`;
  const pat = canary("env-pat");
  list.push({
    name: "CONFLUENCE_PERSONAL_TOKEN",
    deployment: "dc",
    canaries: [pat],
    env: { CONFLUENCE_URL: envSite("dc"), CONFLUENCE_PERSONAL_TOKEN: pat },
  });
  const password = canary("env-password");
  list.push({
    name: "CONFLUENCE_PASSWORD",
    deployment: "dc",
    canaries: [password],
    env: { CONFLUENCE_URL: envSite("dc"), CONFLUENCE_USERNAME: "alice", CONFLUENCE_PASSWORD: password },
  });
  const session = canary("env-session");
  const bare = canary("env-bare-sso").replace(/[/+]/g, "");
  list.push({
    name: "CONFLUENCE_COOKIE",
    deployment: "dc",
    canaries: [session, bare],
    env: { CONFLUENCE_URL: envSite("dc"), CONFLUENCE_COOKIE: `JSESSIONID=${session}; ${bare}` },
  });
  for (const [variable, emailVariable] of [
    ["CONFLUENCE_API_TOKEN", "CONFLUENCE_EMAIL"],
    ["ATLASSIAN_API_TOKEN", "ATLASSIAN_EMAIL"],
    ["JIRA_API_TOKEN", "CONFLUENCE_EMAIL"],
  ] as const) {
    const token = canary(variable.toLowerCase());
    list.push({
      name: variable,
      deployment: "cloud",
      canaries: [token],
      env: { CONFLUENCE_URL: envSite("cloud"), [emailVariable]: "alice@example.com", [variable]: token },
    });
  }
  const storedPat = canary("stdin-pat");
  list.push({
    name: "stdin PAT, plaintext store",
    deployment: "dc",
    canaries: [storedPat],
    env: {},
    login: {
      args: ["--type", "pat", "--with-token", "--storage", "plaintext", "--insecure-storage"],
      stdin: `${storedPat}\n`,
    },
  });
  const encPat = canary("stdin-pat-enc");
  const passphrase = canary("passphrase");
  list.push({
    name: "stdin PAT, encrypted file, CONFL_PASSPHRASE",
    deployment: "dc",
    canaries: [encPat, passphrase],
    env: { CONFL_PASSPHRASE: passphrase },
    login: {
      args: ["--type", "pat", "--with-token", "--storage", "encrypted-file"],
      stdin: `${encPat}\n`,
      env: { CONFL_PASSPHRASE: passphrase },
    },
  });
  const keychainToken = canary("keychain-api-token");
  // the Secret Service is found through the session bus (scripts/test.sh's private one)
  const bus: Record<string, string> = {};
  for (const name of ["DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"])
    if (process.env[name]) bus[name] = process.env[name] as string;
  list.push({
    name: "stdin API token, OS keychain",
    deployment: "cloud",
    canaries: [keychainToken],
    env: { CONFL_KEYCHAIN_SERVICE: `confl-canary-${process.pid}`, ...bus },
    login: {
      args: ["--type", "api-token", "--email", "alice@example.com", "--with-token", "--storage", "keychain"],
      stdin: `${keychainToken}\n`,
      env: { CONFL_KEYCHAIN_SERVICE: `confl-canary-${process.pid}`, ...bus },
    },
    needsKeychain: true,
  });
  const cloudToken = canary("stdin-api-token");
  list.push({
    name: "stdin API token, plaintext store (Cloud)",
    deployment: "cloud",
    canaries: [cloudToken],
    env: {},
    login: {
      args: [
        "--type",
        "api-token",
        "--email",
        "alice@example.com",
        "--with-token",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      stdin: `${cloudToken}\n`,
    },
  });
  const cookie = canary("stdin-cookie");
  list.push({
    name: "stdin cookie, plaintext store",
    deployment: "dc",
    canaries: [cookie],
    env: {},
    login: {
      args: ["--type", "cookie", "--with-token", "--storage", "plaintext", "--insecure-storage"],
      stdin: `JSESSIONID=${cookie}\n`,
    },
  });
  const clientSecret = canary("client-secret-env");
  list.push({
    name: "CONFL_OAUTH_CLIENT_SECRET (client credentials), issued access token",
    deployment: "dc",
    canaries: [clientSecret],
    env: { CONFL_OAUTH_CLIENT_SECRET: clientSecret },
    login: {
      args: [
        "--type",
        "client-credentials",
        "--client-id",
        "fake-client-id",
        "--deployment",
        "dc",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      env: { CONFL_OAUTH_CLIENT_SECRET: clientSecret },
    },
  });
  const stdinSecret = canary("client-secret-stdin");
  list.push({
    name: "--client-secret-stdin (client credentials), encrypted file",
    deployment: "dc",
    canaries: [stdinSecret, passphrase],
    env: { CONFL_PASSPHRASE: passphrase },
    login: {
      args: [
        "--type",
        "client-credentials",
        "--client-id",
        "fake-client-id",
        "--deployment",
        "dc",
        "--client-secret-stdin",
        "--storage",
        "encrypted-file",
      ],
      stdin: `${stdinSecret}\n`,
      env: { CONFL_PASSPHRASE: passphrase },
    },
  });
  const oauthToken = canary("oauth-access");
  list.push({
    name: "OAuth access token on stdin (bring your own)",
    deployment: "dc",
    canaries: [oauthToken],
    env: {},
    login: {
      args: [
        "--type",
        "oauth",
        "--client-id",
        "fake-client-id",
        "--deployment",
        "dc",
        "--with-token",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      stdin: `${oauthToken}\n`,
    },
  });
  return list;
}

// ---------------------------------------------------------------------------------------------------
// Commands: every leaf of the tree, with the arguments that take it to the network

/** Arguments per leaf command; a leaf not listed gets [..path, "65538"] (and is reported). */
const ARGS: Record<string, string[]> = {
  "auth status": [],
  "auth token": [], // prints the secret by design: run, but its stdout is not checked (stderr, files, processes are)
  "auth logout": [],
  "auth switch": ["default"],
  "auth refresh": [],
  api: ["rest/api/content/65538"],
  "space list": [],
  "space view": ["DOC"],
  "page view": ["65538"],
  "page list": ["--space", "DOC"],
  "page children": ["65538"],
  "page tree": ["65538"],
  search: ["type=page"],
  "attachment list": ["65538"],
  "attachment download": ["65538"],
  "attachment upload": ["65538", "@FILES@/upload.txt"],
  "attachment delete": ["65538", "att131073", "--yes"],
  "comment list": ["65538"],
  "comment add": ["65538", "--body-file", "@FILES@/comment.txt"],
  "label list": ["65538"],
  "label add": ["65538", "canary-label"],
  "label remove": ["65538", "canary-label"],
  open: ["65538"],
  "backup policy view": ["policy-1", "--org-id", "org-1"],
  "backup run": ["policy-1", "--org-id", "org-1"],
  completion: ["bash"],
  help: ["environment"],
  "auth login": [], // run in setup, with every input that can be stored
};

interface CommandLike {
  commands: CommandLike[];
  name(): string;
}
function leafCommands(): string[] {
  const program = buildProgram(() => {
    throw new Error("no command runs here");
  }, ALL_NOUNS) as unknown as CommandLike;
  const out: string[] = [];
  const walk = (cmd: CommandLike, path: string[]) => {
    if (cmd.commands.length === 0 && path.length > 0) out.push(path.join(" "));
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

const FLAG_SETS: string[][] = [[], ["--debug"], ["--json"], ["--debug", "--json"]];

// ---------------------------------------------------------------------------------------------------
// The check

/** Where a canary shows up in `text` (raw, 12-character pieces, base64 at any offset, URL or JSON escaped). */
function findCanary(text: string, secrets: string[]): string | undefined {
  if (text === "") return undefined;
  const candidates = [text];
  for (const run of text.match(/[A-Za-z0-9+/_-]{16,}/g) ?? []) {
    for (let shift = 0; shift < 4; shift++) {
      const standard = run.slice(shift).replaceAll("-", "+").replaceAll("_", "/");
      candidates.push(Buffer.from(standard, "base64").toString("latin1"));
    }
  }
  try {
    candidates.push(decodeURIComponent(text));
  } catch {
    candidates.push(text.replace(/%2F/gi, "/").replace(/%2B/gi, "+"));
  }
  candidates.push(text.replaceAll("\\/", "/"));
  for (const secret of secrets) {
    // 12-character pieces of the unique tail (every canary starts "fake-canary-<input>-")
    const tail = secret.slice(-17);
    for (let i = 0; i + 12 <= tail.length; i++) {
      const piece = tail.slice(i, i + 12);
      const hit = candidates.find((c) => c.includes(piece));
      if (hit !== undefined) {
        const at = hit.indexOf(piece);
        return `"${piece}" of ${secret} in …${JSON.stringify(hit.slice(Math.max(0, at - 60), at + 40))}…`;
      }
    }
  }
  return undefined;
}

const SECRET_STORE_FILES = new Set(["secrets.json", "secrets.enc.json"]);

/** The pids of `pid`'s descendants (Linux /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  for (let p = queue.shift(); p !== undefined && out.length < 100; p = queue.shift()) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, "utf8").split(" ").filter(Boolean)) {
          out.push(Number(c));
          queue.push(Number(c));
        }
      } catch {
        // gone
      }
    }
  }
  return out;
}

let root: string;
let recorder: string;
const templates = new Map<string, { dir: string; origin: string }>();
let INPUTS: Input[] = [];
const knownGaps: string[] = [];
const durations: Array<[number, string]> = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "confl-canary-"));
  for (const d of ["cloud", "dc"] as const)
    for (const mode of MODES) {
      let origin = "";
      const server = await startServer(echoHandler(d, mode, () => origin));
      origin = server.origin;
      servers.set(`${d}-${mode}`, server);
    }
  // CONFL_BROWSER: records its arguments and environment where the file scan finds them
  recorder = join(root, "browser.sh");
  writeFileSync(recorder, '#!/bin/sh\n{ printf "%s\\n" "$@"; env; } > "$CANARY_RECORD_DIR/browser-$$.txt"\n');
  chmodSync(recorder, 0o755);
  INPUTS = inputs().filter((i) => !i.needsKeychain || keychainEnabled);
  // one login per stored input, against the 200 echo server of its deployment
  await pool(
    INPUTS.filter((i) => i.login),
    WIDTH,
    async (input) => {
      const dir = mkdtempSync(join(root, "template-"));
      const server = serverFor(input.deployment, 200);
      const login = input.login as NonNullable<Input["login"]>;
      const r = await runConfl(["auth", "login", "--site", server.origin, ...login.args], {
        env: { CONFL_CONFIG_DIR: join(dir, "config"), HOME: dir, ...login.env },
        ...(login.stdin !== undefined ? { stdin: login.stdin } : {}),
      });
      expect(r.code, `login for ${input.name}: ${r.stderr}`).toBe(0);
      const secrets = [...input.canaries, ...issued];
      expect(findCanary(r.stdout + r.stderr, secrets), `login output for ${input.name}`).toBeUndefined();
      templates.set(input.name, { dir: join(dir, "config"), origin: server.origin });
    },
  );
}, 120_000);

afterAll(async () => {
  for (const s of servers.values()) await s.close();
});

interface Planned {
  input: Input;
  command: string;
  flags: string[];
  mode: Mode;
}

async function runOne(p: Planned): Promise<string[]> {
  const problems: string[] = [];
  const dir = mkdtempSync(join(root, "run-"));
  const config = join(dir, "config");
  const cwd = join(dir, "cwd");
  const home = join(dir, "home");
  const tmp = join(dir, "tmp");
  const files = join(dir, "files");
  const record = join(dir, "record");
  for (const d of [cwd, home, tmp, files, record]) mkdirSync(d);
  writeFileSync(join(files, "upload.txt"), "hello\n");
  writeFileSync(join(files, "comment.txt"), "Looks good\n");
  const server = serverFor(p.input.deployment, p.mode);
  const template = templates.get(p.input.name);
  if (template) {
    cpSync(template.dir, config, { recursive: true });
    const path = join(config, "config.json");
    writeFileSync(path, readFileSync(path, "utf8").replaceAll(template.origin, server.origin));
  } else mkdirSync(config, { mode: 0o700 });
  const path = p.command.split(" ");
  const args = [...path, ...(ARGS[p.command] ?? ["65538"]), ...p.flags]
    .filter((a) => !(a === "-i" && p.command !== "api"))
    .map((a) => a.replaceAll("@FILES@", files));
  const env: Record<string, string> = {
    HOME: home,
    TMPDIR: tmp,
    NETRC: join(home, "no-netrc"),
    CONFL_CONFIG_DIR: config,
    CONFL_BROWSER: recorder,
    CANARY_RECORD_DIR: record,
    CONFL_ATLASSIAN_API_URL: server.origin,
    ...Object.fromEntries(
      Object.entries(p.input.env).map(([k, v]) => [k, v.replace(/@SITE-(cloud|dc)@/, server.origin)]),
    ),
  };
  // what the secrets are for this run: the input's, and every access token the servers issued so far
  const secrets = () => [...p.input.canaries, ...issued];
  const started = Date.now();
  let polling = true;
  let pollError: string | undefined;
  const r = await runConfl(args, {
    env,
    cwd,
    timeoutMs: 30_000,
    onSpawn: (child) => {
      const pid = child.pid;
      if (pid === undefined) return;
      const tick = () => {
        if (!polling) return;
        for (const proc of [pid, ...descendants(pid)]) {
          for (const what of ["cmdline", ...(proc === pid ? [] : ["environ"])]) {
            try {
              const text = readFileSync(`/proc/${proc}/${what}`, "latin1").replaceAll("\u0000", "\n");
              const found = findCanary(text, secrets());
              if (found) pollError ??= `/proc/${proc}/${what}: ${found}`;
            } catch {
              // the process is gone
            }
          }
        }
        setTimeout(tick, 10);
      };
      tick();
    },
  });
  polling = false;
  durations.push([Date.now() - started, `${p.input.name} ${p.command} ${p.mode} ${p.flags.join(" ")}`]);
  const label = `[${p.input.name}] confl ${args.join(" ")} (server ${p.mode}) → ${r.code}`;
  if (pollError) problems.push(`${label}: ${pollError}`);
  if (p.command !== "auth token") {
    const found = findCanary(r.stdout, secrets());
    if (found) problems.push(`${label}: stdout holds ${found}`);
  }
  const foundErr = findCanary(r.stderr, secrets());
  if (foundErr) problems.push(`${label}: stderr holds ${foundErr}`);
  if (/^\s+at .*:\d+:\d+\)?$/m.test(r.stderr) && !p.flags.includes("--debug"))
    problems.push(`${label}: a stack trace without --debug:\n${r.stderr.slice(0, 400)}`);
  for (const [where, base] of [
    ["config dir", config],
    ["cwd", cwd],
    ["HOME", home],
    ["TMPDIR", tmp],
    ["browser record", record],
  ] as const) {
    for (const [name, content] of snapshot(base)) {
      if (where === "config dir" && SECRET_STORE_FILES.has(name)) continue;
      const inName = findCanary(name, secrets());
      if (inName) problems.push(`${label}: the name ${where}/${name} holds ${inName}`);
      const found = findCanary(content, secrets());
      // KNOWN GAP (reported to the lead, not decided here): `attachment download` writes the attachment's
      // bytes as the server sent them, so a server that puts the credential into an attachment gets it
      // into the downloaded file. Counted and printed, not failed, until it is decided whether downloads
      // go through the redactor as `confl api` output does.
      if (found && where === "cwd" && p.command === "attachment download")
        knownGaps.push(`${label}: ${where}/${name} holds ${found}`);
      else if (found) problems.push(`${label}: ${where}/${name} holds ${found}`);
    }
  }
  return problems;
}

describe("canary: a unique secret through every input never escapes", () => {
  it("every input × every leaf command, flags and server behaviour rotated", async () => {
    const commands = leafCommands().filter((c) => c !== "auth login");
    const plan: Planned[] = [];
    INPUTS.forEach((input, i) => {
      commands.forEach((command, j) => {
        plan.push({
          input,
          command,
          flags: [...(FLAG_SETS[(i + j) % FLAG_SETS.length] ?? []), ...((i + j) % 2 === 0 ? ["-i"] : [])],
          mode: MODES[(i * 3 + j) % MODES.length] as Mode,
        });
      });
    });
    // logout and delete-like runs last: a keychain entry is shared by every copy of its config dir
    const late = (p: Planned) => p.command === "auth logout";
    const ordered = [...plan.filter((p) => !late(p)), ...plan.filter(late)];
    const problems = (
      await pool(
        ordered.filter((p) => !late(p)),
        WIDTH,
        runOne,
      )
    ).flat();
    problems.push(...(await pool(ordered.filter(late), WIDTH, runOne)).flat());
    if (process.env.CONFL_SUITE_VERBOSE) for (const p of problems) console.error(`---\n${p}`);
    if (process.env.CONFL_SUITE_VERBOSE)
      console.error(
        durations
          .sort((a, b) => b[0] - a[0])
          .slice(0, 15)
          .map((d) => d.join(" "))
          .join("\n"),
      );
    if (knownGaps.length > 0)
      console.warn(
        `canary: known gap, downloaded attachment content (${knownGaps.length}):\n${knownGaps[0]}`,
      );
    expect(problems.slice(0, 8), `${problems.length} leaks in ${plan.length} runs`).toEqual([]);
    // not vacuous: the servers were reached, and echoed
    const reached = [...servers.values()].reduce(
      (n, s) => n + s.log.filter((e) => e.headers.authorization || e.headers.cookie).length,
      0,
    );
    expect(reached).toBeGreaterThan(plan.length / 3);
  }, 300_000);

  it("covers every leaf command and every input", () => {
    const commands = leafCommands();
    const unlisted = commands.filter((c) => !(c in ARGS));
    if (unlisted.length > 0)
      console.warn(`canary: no arguments listed for ${unlisted.join(", ")}; ran with "65538"`);
    expect(commands.length).toBeGreaterThanOrEqual(25);
    expect(INPUTS.length).toBeGreaterThanOrEqual(keychainEnabled ? 14 : 13);
    if (!keychainEnabled)
      console.warn("canary: the OS keychain input needs scripts/test.sh (CONFL_TEST_KEYCHAIN=1)");
    expect(existsSync(recorder)).toBe(true);
  });
});
