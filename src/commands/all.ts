/**
 * Every noun, built: for completion (which walks the whole tree) and for tests that check every command.
 * A normal run loads only its own noun (index.ts, nounsFor and loadNouns).
 */
import { registerApi } from "./api/index.js";
import { registerAttachment } from "./attachment/index.js";
import { registerAuth } from "./auth/index.js";
import { registerBackup } from "./backup/index.js";
import { registerComment } from "./comment/index.js";
import { registerCompletion } from "./completion/index.js";
import { registerConvert } from "./convert/index.js";
import { registerExport } from "./export/index.js";
import { registerHelp } from "./help/index.js";
import type { NounRegistry, RegisterNoun } from "./index.js";
import { registerLabel } from "./label/index.js";
import { registerOpen } from "./open/index.js";
import { registerPage } from "./page/index.js";
import { registerProperty } from "./property/index.js";
import { registerPublish } from "./publish/index.js";
import { registerSearch } from "./search/index.js";
import { registerSpace } from "./space/index.js";

export const ALL_NOUNS: NounRegistry = new Map<string, RegisterNoun>([
  ["auth", registerAuth],
  ["api", registerApi],
  ["space", registerSpace],
  ["page", registerPage],
  ["search", registerSearch],
  ["attachment", registerAttachment],
  ["comment", registerComment],
  ["label", registerLabel],
  ["open", registerOpen],
  ["backup", registerBackup],
  ["completion", registerCompletion],
  ["property", registerProperty],
  ["convert", registerConvert],
  ["export", registerExport],
  ["publish", registerPublish],
  ["help", registerHelp],
]);
