/**
 * Registers every noun. Each noun lives in src/commands/<noun>/ with one file per verb; each verb
 * file exports a plain `run(options, ctx)` and a small function that declares its flags.
 */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../context.js";
import { registerApi } from "./api/index.js";
import { registerAuth } from "./auth/index.js";
import { registerConvert } from "./convert/index.js";
import { registerPage } from "./page/index.js";
import { registerSpace } from "./space/index.js";

export function registerCommands(program: Command, getContext: ContextFactory): void {
  registerAuth(program, getContext);
  registerApi(program, getContext);
  registerSpace(program, getContext);
  registerPage(program, getContext);
  registerConvert(program, getContext);
}
