/** `confl attachment list <page>`: a page's attachments. */
import type { Command } from "@commander-js/extra-typings";
import type { Attachment } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import {
  ALL_FLAG,
  ALL_HELP,
  LIMIT_FLAG,
  LIMIT_HELP,
  listLimit,
  parsePositiveInteger,
} from "../list-flags.js";

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
  const [{ listAttachments }, { resolvePageRef }, { formatBytes }, { printList }] = await Promise.all([
    import("../../confluence/attachments.js"),
    import("../../confluence/page-ref.js"),
    import("../../io/progress.js"),
    import("../../output/list.js"),
  ]);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const attachments = await listAttachments(client, pageId, { limit: options.limit });
  printList(ctx, columns(formatBytes), attachments, `Page ${pageId} has no attachments.`);
  return attachments;
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("list")
    .description("List a page's attachments")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .option(LIMIT_FLAG, LIMIT_HELP, parsePositiveInteger)
    .option(ALL_FLAG, ALL_HELP)
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
