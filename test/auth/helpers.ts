/**
 * Shared by the auth tests: a Context over buffers with a private config directory, and the
 * simulator wired in through CONFL_ATLASSIAN_API_URL / CONFL_ATLASSIAN_AUTH_URL.
 */
import { PassThrough } from "node:stream";
import { startSimulator } from "../../sim/index.js";
import type { SimSettings } from "../../sim/types.js";
import { type Context, createContext } from "../../src/context.js";
import { createIOStreams } from "../../src/io/streams.js";
import { redactText } from "../../src/redact.js";
import { atlassianHosts, isolatedEnv, tempDir as sharedTempDir } from "../support/context.js";

export type Sim = Awaited<ReturnType<typeof startSimulator>>;

export async function startSim(settings: Partial<SimSettings> = {}): Promise<Sim> {
  return startSimulator({ settings });
}

export function tempDir(prefix = "confl-auth-"): string {
  return sharedTempDir(prefix);
}

/** An environment with nothing from the developer's: a private config dir, no netrc, the simulator's Atlassian hosts. */
export function simEnv(sim: Sim | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return isolatedEnv({ ...(sim ? atlassianHosts(sim) : {}), ...extra }, "confl-auth-");
}

export interface TestContext {
  ctx: Context;
  out(): string;
  err(): string;
}

export function makeContext(
  env: NodeJS.ProcessEnv,
  options: { profile?: string; json?: boolean; debug?: boolean; stdin?: string } = {},
): TestContext {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  if (options.stdin !== undefined) stdin.end(options.stdin);
  else stdin.end();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c) => out.push(String(c)));
  stderr.on("data", (c) => err.push(String(c)));
  const io = createIOStreams({ stdout, stderr, stdin, env: {} });
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
  return { ctx, out: () => out.join(""), err: () => err.join("") };
}
