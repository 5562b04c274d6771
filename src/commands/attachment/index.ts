/** The `attachment` noun: list, upload, download, delete. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerDelete } from "./delete.js";
import { register as registerDownload } from "./download.js";
import { register as registerList } from "./list.js";
import { register as registerUpload } from "./upload.js";

export function registerAttachment(program: Command, getContext: ContextFactory): void {
  const noun = program
    .command("attachment")
    .description("List, upload, download and delete a page's attachments");
  registerList(noun, getContext);
  registerUpload(noun, getContext);
  registerDownload(noun, getContext);
  registerDelete(noun, getContext);
}
