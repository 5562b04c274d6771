/**
 * What a command is handed (the gh "factory"): streams, environment, global flags. Commands never
 * reach for process globals, so tests can build a Context with buffers and a fake environment.
 */
import type { IOStreams } from "./io/streams.js";

export interface GlobalOptions {
  profile?: string;
  json: boolean;
  debug: boolean;
  color: boolean;
  /** Never prompt (--no-input or CONFL_NO_INPUT). */
  input: boolean;
}

export interface Context {
  io: IOStreams;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  /** Writes a debug line to stderr when --debug is on. Callers must pass redacted text only. */
  debug(line: string): void;
}
