/**
 * Registers every noun. Each noun lives in src/commands/<noun>/ with one file per verb; each verb
 * file exports a plain `run(options, ctx)` and a small function that declares its flags.
 */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../context.js";
import { registerApi } from "./api/index.js";
import { registerAttachment } from "./attachment/index.js";
import { registerAuth } from "./auth/index.js";
import { registerBackup } from "./backup/index.js";
import { registerComment } from "./comment/index.js";
import { registerCompletion } from "./completion/index.js";
import { registerConvert } from "./convert/index.js";
import { registerExport } from "./export/index.js";
import { registerHelp } from "./help/index.js";
import { registerLabel } from "./label/index.js";
import { registerOpen } from "./open/index.js";
import { registerPage } from "./page/index.js";
import { registerProperty } from "./property/index.js";
import { registerPublish } from "./publish/index.js";
import { registerSearch } from "./search/index.js";
import { registerSpace } from "./space/index.js";

export function registerCommands(program: Command, getContext: ContextFactory): void {
  registerAuth(program, getContext);
  registerApi(program, getContext);
  registerSpace(program, getContext);
  registerPage(program, getContext);
  registerSearch(program, getContext);
  registerAttachment(program, getContext);
  registerComment(program, getContext);
  registerLabel(program, getContext);
  registerOpen(program, getContext);
  registerBackup(program, getContext);
  registerCompletion(program, getContext);
  registerProperty(program, getContext);
  registerConvert(program, getContext);
  registerExport(program, getContext);
  registerPublish(program, getContext);
  registerHelp(program, getContext);
}
