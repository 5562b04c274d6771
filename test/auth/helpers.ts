/**
 * Shared by the auth tests: thin names over test/support/context.ts (a private config directory, the
 * simulator wired in through CONFL_ATLASSIAN_API_URL / CONFL_ATLASSIAN_AUTH_URL, an in-process Context).
 */
import { startSimulator } from "../../sim/index.js";
import type { SimSettings } from "../../sim/types.js";
import {
  atlassianHosts,
  type InProcessContext,
  type InProcessOptions,
  inProcessContext,
  isolatedEnv,
  tempDir as sharedTempDir,
} from "../support/context.js";

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

export type TestContext = InProcessContext;

/** stdin holds `options.stdin` (or nothing) and is ended */
export function makeContext(
  env: NodeJS.ProcessEnv,
  options: Omit<InProcessOptions, "openStdin"> = {},
): TestContext {
  return inProcessContext(env, options);
}
