/** `confl attachment list <page>`: a page's attachments. */
import type { Command } from "@commander-js/extra-typings";
import type { Attachment } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";
import { listPageItems } from "../list-run.js";

export interface ListOptions {
  page: string;
  limit: number | undefined;
}

const columns = (formatBytes: (bytes: number) => string): Column<Attachment>[] => [
  { header: "ID", value: (a) => a.id, style: (t, c) => c.dim(t) },
  { header: "Name", value: (a) => a.title, flex: true, style: (t, c) => c.bold(t) },
  { header: "Size", value: (a) => (a.fileSize === null ? "" : formatBytes(a.fileSize)) },
  { header: "Type", value: (a) => a.mediaType ?? "" },
  { header: "Version", value: (a) => (a.version ? String(a.version.number) : "") },
  { header: "Updated", value: (a) => a.version?.createdAt?.slice(0, 10) ?? "" },
];

export async function run(options: ListOptions, ctx: Context): Promise<Attachment[]> {
  const [{ listAttachments }, { formatBytes }] = await Promise.all([
    import("../../confluence/attachments.js"),
    import("../../io/progress.js"),
  ]);
  return listPageItems(
    ctx,
    options.page,
    (client, pageId) => listAttachments(client, pageId, { limit: options.limit }),
    columns(formatBytes),
    (pageId) => `Page ${pageId} has no attachments.`,
  );
}

export function register(noun: Command, getContext: ContextFactory): void {
  withListFlags(
    noun
      .command("list")
      .description("List a page's attachments")
      .argument("<page>", "page id, page URL, or SPACEKEY:Title"),
  )
    .addHelpText(
      "after",
      `
Piped, each line is ID, NAME, SIZE, TYPE, VERSION and UPDATED separated by tabs.

Examples:
  $ confl attachment list 65538
  $ confl attachment list "DOC:Release checklist" --json`,
    )
    .action(async (page, opts, cmd) => {
      await run({ page, limit: listLimit(opts) }, getContext(cmd as unknown as Command));
    });
}
