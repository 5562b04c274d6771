/**
 * The one shared test context (issue 14): the simulator fixture, a private environment for the CLI, the
 * built CLI as a child process, and an in-process Context over buffers. Older helpers
 * (test/commands/helpers.ts, deployments.ts' `isolated`, test/auth/helpers.ts, test/oauth/test-context.ts,
 * test/suites/lib.ts' `runConfl`) are thin wrappers around this module.
 *
 *   const sim = useSimulator();                 // started once per file, reset after every test
 *   const env = { ...isolatedEnv(), ...cloudEnv(sim) };
 *   const r = await confl(["space", "list"], env);
 *   const t = inProcessContext(env, { stdin: token });   // await login(options, t.ctx); t.err()
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { type SimulatorExtras, startSimulator } from "../../sim/index.js";
import type { SimOptions, Simulator } from "../../sim/types.js";
import type { LoginOptions } from "../../src/commands/auth/login.js";
import { type Context, createContext } from "../../src/context.js";
import { createIOStreams } from "../../src/io/streams.js";
import { redactText } from "../../src/redact.js";
import type { SecretStore } from "../../src/secrets/types.js";
import { recordHints } from "../hints/collect.js";

export type Sim = Simulator & SimulatorExtras;

/** The built CLI (npm run build; test/global-setup.ts builds it before any file runs). */
export const CLI = join(import.meta.dirname, "..", "..", "dist", "confl.mjs");

/**
 * The simulator for this file: started in beforeAll, `reset()` after every test (knobs, settings back to
 * those given here, content, log, expiries), stopped in afterAll. Returns a stand-in that forwards to the
 * running simulator, so `sim.origins.site` reads as it always did.
 */
export function useSimulator(options: SimOptions = {}): Sim {
  let current: Sim | undefined;
  beforeAll(async () => {
    current = await startSimulator(options);
  }, 60_000);
  afterEach(() => current?.reset());
  afterAll(async () => {
    await current?.stop();
    current = undefined;
  });
  return new Proxy({} as Sim, {
    get(_target, property) {
      if (!current) throw new Error("the simulator is used outside a test (it starts in beforeAll)");
      const value = Reflect.get(current, property, current);
      return typeof value === "function" ? value.bind(current) : value;
    },
    has(_target, property) {
      return current !== undefined && property in current;
    },
    set(_target, property, value) {
      if (!current) throw new Error("the simulator is used outside a test (it starts in beforeAll)");
      return Reflect.set(current, property, value, current);
    },
  });
}

const made: string[] = [];
process.once("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = "confl-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export type IsolatedEnv = NodeJS.ProcessEnv & { HOME: string; CONFL_CONFIG_DIR: string; NETRC: string };

/**
 * An environment with nothing of the developer's: a private HOME, config directory, keychain service name
 * and an absent netrc. `extra` is merged last.
 */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}, prefix = "confl-test-"): IsolatedEnv {
  const dir = tempDir(prefix);
  return {
    CONFL_CONFIG_DIR: join(dir, "config"),
    CONFL_KEYCHAIN_SERVICE: `confl-test-${process.pid}-${Math.random().toString(36).slice(2)}`,
    HOME: dir,
    NETRC: join(dir, "netrc"),
    ...extra,
  } as IsolatedEnv;
}

/** A Cloud site with the classic API token, all in the environment. */
export function cloudEnv(sim: Simulator): NodeJS.ProcessEnv {
  return {
    CONFLUENCE_URL: sim.origins.site,
    CONFLUENCE_EMAIL: sim.credentials.cloud.email,
    CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
  };
}

/** Data Center under its context path with a personal access token. */
export function dcEnv(sim: Simulator): NodeJS.ProcessEnv {
  return { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat };
}

/** The simulator's Atlassian hosts in place of api.atlassian.com and auth.atlassian.com. */
export function atlassianHosts(sim: Simulator): NodeJS.ProcessEnv {
  return { CONFL_ATLASSIAN_API_URL: sim.origins.gateway, CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth };
}

export interface Run {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string | Buffer;
  cwd?: string;
  /** called once the child exists (to watch /proc/<pid> or to kill it) */
  onSpawn?: (child: ChildProcess) => void;
  /** killed (SIGKILL) after this long; default 30 s */
  timeoutMs?: number;
  /** check the confl command lines it printed (test/hints); default true */
  checkHints?: boolean;
}

/**
 * Runs `node dist/confl.mjs ...args` with exactly `env` (plus PATH, NO_COLOR=1 and CONFL_NO_INPUT=1 unless
 * `env` says otherwise) and collects its output; the confl command lines it printed are checked
 * (test/hints). `code` is 1 when the child died of a signal (see `signal`).
 */
export function confl(args: string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", CONFL_NO_INPUT: "1", ...env },
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (options.checkHints !== false) recordHints({ args, stderr, env });
      resolve({ code: code ?? 1, signal, stdout, stderr });
    });
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.stdin ?? "");
    options.onSpawn?.(child);
  });
}

/**
 * `auth login` options (the in-process run) for the simulator's Cloud site and email, the secret read from
 * stdin and kept in the plain file (tests have no keychain); `extra` adds or overrides (site, verify, …).
 */
export function cloudLoginOptions(
  sim: Simulator,
  type: "api-token" | "scoped-token",
  extra: Partial<LoginOptions> = {},
): LoginOptions {
  return {
    site: sim.origins.site,
    type,
    email: sim.credentials.cloud.email,
    withToken: true,
    insecureStorage: true,
    ...extra,
  };
}

/** The same login as argv for the built CLI (secret on stdin); `more` follows (e.g. a storage flag). */
export function cloudLoginArgs(
  sim: Simulator,
  type: "api-token" | "scoped-token",
  ...more: string[]
): string[] {
  return [
    ...["auth", "login", "--site", sim.origins.site, "--type", type],
    ...["--email", sim.credentials.cloud.email, "--with-token", ...more],
  ];
}

/**
 * `env` logged in with the scoped token through the simulator's API gateway (the Cloud deployment
 * that reaches Confluence at api.atlassian.com/ex/confluence/<cloud id>).
 */
export async function gatewayEnv<E extends NodeJS.ProcessEnv>(
  sim: Simulator,
  env: E,
): Promise<E & { CONFL_ATLASSIAN_API_URL: string }> {
  const loggedIn = { ...env, CONFL_ATLASSIAN_API_URL: sim.origins.gateway };
  const login = await confl(cloudLoginArgs(sim, "scoped-token", "--insecure-storage"), loggedIn, {
    stdin: sim.credentials.cloud.scopedToken,
  });
  expect(login.code, login.stderr).toBe(0);
  return loggedIn;
}

/**
 * For a describe block: before every test, a fresh environment from `make` and an empty simulator log.
 * `json(args)` runs confl with --json in it, expects exit 0 and returns the parsed stdout.
 */
export function useEnv(sim: Simulator, make: () => Promise<NodeJS.ProcessEnv>) {
  let env: NodeJS.ProcessEnv = {};
  beforeEach(async () => {
    env = await make();
    sim.clearLog();
  });
  return {
    env: () => env,
    async json(args: string[]) {
      const run = await confl([...args, "--json"], env);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    },
  };
}

export interface InProcessOptions {
  /** the global --profile */
  profile?: string;
  json?: boolean;
  /** debug lines (redacted, as the CLI prints them) go to stderr */
  debug?: boolean;
  /** stdin's whole content (then end of input); default: empty */
  stdin?: string;
  /** leave stdin open for the test to write to (t.stdin.write) instead */
  openStdin?: boolean;
}

/** A Context over in-memory streams, for calling command functions and login flows in the test process. */
export interface InProcessContext {
  ctx: Context;
  stdin: PassThrough;
  /** what was written to stdout / stderr so far */
  out(): string;
  err(): string;
  /** resolves with the first stderr text matching the pattern (a prompt or URL the flow printed) */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/**
 * `env` is the Context's environment; the streams are not terminals and take nothing from the environment
 * (no colour, no prompts), like a CLI run with its output piped.
 */
export function inProcessContext(env: NodeJS.ProcessEnv, options: InProcessOptions = {}): InProcessContext {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (!options.openStdin) stdin.end(options.stdin ?? "");
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
    for (const listener of listeners) listener();
  });
  const io = createIOStreams({ stdin, stdout, stderr, env: {}, noInput: true });
  const ctx: Context = createContext({
    io,
    env,
    globals: {
      ...(options.profile ? { profile: options.profile } : {}),
      json: options.json === true,
      debug: options.debug === true,
      color: false,
      input: false,
    },
    debug(line) {
      if (options.debug) io.err(`[debug] ${redactText(line)}`);
    },
  });
  return {
    ctx,
    stdin,
    out: () => out,
    err: () => err,
    waitForStderr(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = err.match(pattern);
          if (!match) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`stderr never matched ${pattern}: ${err}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

/** A secret store in memory that counts its writes (a refresh must persist exactly once). */
export class MemoryStore implements SecretStore {
  readonly kind = "plaintext" as const;
  values = new Map<string, string>();
  sets = 0;
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.sets++;
    this.values.set(key, value);
  }
  async delete(key: string) {
    return this.values.delete(key);
  }
}

const decodeEntities = (text: string) => text.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));

/** What a person does on the simulator's consent page, without a browser: submit it with Accept or Deny. */
export async function submitConsent(authorizeUrl: string, decision: "accept" | "deny"): Promise<string> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${await page.text()}`);
  const html = await page.text();
  const action = /<form method="POST" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error("no consent form");
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(m[1] as string, decodeEntities(m[2] as string));
  }
  form.set("decision", decision);
  const answer = await fetch(new URL(decodeEntities(action), authorizeUrl), {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  const location = answer.headers.get("location");
  if (answer.status !== 302 || !location) throw new Error(`consent answered ${answer.status}`);
  return location;
}
