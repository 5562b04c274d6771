/**
 * What a command is handed (the gh "Factory"): streams, environment, global flags, and lazy factories
 * for the parts that cost something to build — the Confluence client (resolves the profile and its
 * secret), the config file, the prompter, the browser. Nothing is built until a command asks, and
 * tests replace any part with createContext({...}, { client: async () => fake }).
 */
import type { Command } from "@commander-js/extra-typings";
import type { ClientOverrides } from "./auth/session.js";
import type { ConfigFile } from "./config/types.js";
import type { ConfluenceClient } from "./confluence/client.js";
import type { Prompter } from "./io/prompter.js";
import type { IOStreams } from "./io/streams.js";

export interface GlobalOptions {
  profile?: string;
  json: boolean;
  /** --jq <expression>: the JSON output is filtered through jq (implies json). */
  jq?: string;
  debug: boolean;
  color: boolean;
  /** Never prompt (--no-input or CONFL_NO_INPUT). */
  input: boolean;
  /**
   * Refuse every write (--read-only or CONFL_READ_ONLY=1): which of the two asked, for the message.
   * A profile's `readOnly` setting is applied where the client is built (clientForSession).
   */
  readOnly?: "--read-only" | "CONFL_READ_ONLY" | undefined;
}

export interface Browser {
  /** Opens the URL in the user's browser (CONFL_BROWSER, else the system default). */
  open(url: string): Promise<void>;
}

export interface Factories {
  /** The authenticated, deployment-aware Confluence client for the active profile (built once). */
  client(overrides?: ClientOverrides): Promise<ConfluenceClient>;
  /** config.json as stored (profiles, active profile); never holds a secret. */
  config(): Promise<ConfigFile>;
  prompter(): Prompter;
  browser(): Browser;
}

export interface ContextBase {
  io: IOStreams;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  /** Writes a debug line to stderr when --debug is on. Callers must pass redacted text only. */
  debug(line: string): void;
}

export interface Context extends ContextBase, Factories {}

/** What each command's registration receives: builds the Context for the command being run. */
export type ContextFactory = (cmd: Command) => Context;

/** A Context over `base` with the real factories, each replaceable (tests inject fakes). */
export function createContext(
  base: Omit<ContextBase, "debug"> & Partial<Pick<ContextBase, "debug">>,
  overrides: Partial<Factories> = {},
): Context {
  let prompter: Prompter | undefined;
  const ctx: Context = {
    ...base,
    debug:
      base.debug ??
      ((line: string) => {
        if (base.globals.debug) base.io.err(`[debug] ${line}`);
      }),
    client: overrides.client ?? memoiseClient(() => ctx),
    config:
      overrides.config ??
      (async () => {
        const { loadConfig } = await import("./config/store.js");
        return loadConfig(base.env);
      }),
    prompter: overrides.prompter ?? (() => (prompter ??= lazyPrompter(base.io))),
    browser: overrides.browser ?? (() => systemBrowser(ctx)),
  };
  return ctx;
}

function memoiseClient(getCtx: () => Context): Factories["client"] {
  const built = new Map<string, Promise<ConfluenceClient>>();
  return (overrides = {}) => {
    const key = JSON.stringify(overrides);
    let client = built.get(key);
    if (!client) {
      client = (async () => {
        const ctx = getCtx();
        const [{ resolveSession, clientForSession, withDetectionRecheck }, { createConfluenceClient }] =
          await Promise.all([import("./auth/session.js"), import("./confluence/client.js")]);
        const tls =
          overrides.tls || overrides.tlsOverrides
            ? { ...overrides.tlsOverrides, ...overrides.tls }
            : undefined;
        const session = await resolveSession(ctx, tls ? { tlsOverrides: tls } : {});
        let http = clientForSession(ctx, session, overrides);
        if (session.cachedDetection) http = withDetectionRecheck(ctx, session, overrides, http, tls, false);
        return createConfluenceClient({ http, profile: session.profile });
      })();
      built.set(key, client);
    }
    return client;
  };
}

/** The clack prompter, imported on first question so commands that never ask do not load it. */
function lazyPrompter(io: IOStreams): Prompter {
  const real = import("./io/prompter.js").then((m) => m.clackPrompter(io));
  return {
    text: async (message, options) => (await real).text(message, options),
    secret: async (message) => (await real).secret(message),
    confirm: async (message, initial) => (await real).confirm(message, initial),
  };
}

/**
 * The browser is another program: it gets confl's environment without the variables that can carry a
 * credential (CONFLUENCE_*, ATLASSIAN_*, JIRA_*, the passphrase, the OAuth client secret).
 */
export function browserEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (/^(CONFLUENCE_|ATLASSIAN_|JIRA_)|^CONFL_(PASSPHRASE|OAUTH_CLIENT_SECRET)$/i.test(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * CONFL_BROWSER (a command; the URL is appended as its last argument, like GH_BROWSER) or the system
 * opener from the `open` package, which OAuth login uses too.
 */
function systemBrowser(ctx: Context): Browser {
  return {
    async open(url) {
      const custom = ctx.env.CONFL_BROWSER?.trim();
      if (custom) {
        const { spawn } = await import("node:child_process");
        const [command, ...args] = custom.split(/\s+/);
        await new Promise<void>((resolve, reject) => {
          const child = spawn(command!, [...args, url], { stdio: "ignore", env: browserEnv(ctx.env) });
          child.on("error", reject);
          child.on("exit", (code) =>
            code === 0 ? resolve() : reject(new Error(`${command} exited with status ${code}`)),
          );
        });
        return;
      }
      const { default: open } = await import("open");
      const child = await open(url, { wait: false });
      // `open` resolves even when xdg-open fails later; the URL is printed anyway (dependencies.md §10).
      child.on("error", (error) => ctx.debug(`browser launcher failed: ${error.message}`));
      child.unref();
    },
  };
}
