/**
 * Registers every noun. Each noun lives in src/commands/<noun>/ with one file per verb; each verb
 * file exports a plain `run(options, ctx)` and a small function that declares its flags.
 */
import type { Command } from "@commander-js/extra-typings";
import type { Context } from "../context.js";
import { registerApi } from "./api/index.js";
import { registerAuth } from "./auth/index.js";

export type ContextFactory = (cmd: Command) => Context;

export function registerCommands(_program: Command, _getContext: ContextFactory): void {
  // Nouns are added here as they are built: auth, api, space, page, ...
  registerAuth(_program, _getContext);
  registerApi(_program, _getContext);
}
