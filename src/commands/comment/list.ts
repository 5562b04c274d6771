/** `confl comment list <page>`: a page's footer comments, oldest first. */
import type { Command } from "@commander-js/extra-typings";
import type { Comment } from "../../confluence/types.js";
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

const columns = (storageToText: (storage: string) => string): Column<Comment>[] => [
  { header: "ID", value: (c) => c.id, style: (t, c) => c.dim(t) },
  { header: "Created", value: (c) => c.version?.createdAt?.slice(0, 10) ?? "" },
  { header: "Author", value: (c) => c.version?.authorId ?? "" },
  { header: "Comment", value: (c) => storageToText(c.body).replace(/\s+/g, " ").trim(), flex: true },
];

export async function run(options: ListOptions, ctx: Context): Promise<Comment[]> {
  const [{ listComments }, { resolvePageRef }, { storageToText }, { printList }] = await Promise.all([
    import("../../confluence/comments.js"),
    import("../../confluence/page-ref.js"),
    import("../../confluence/storage-text.js"),
    import("../../output/list.js"),
  ]);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const comments = await listComments(client, pageId, { limit: options.limit });
  printList(ctx, columns(storageToText), comments, `Page ${pageId} has no comments.`);
  return comments;
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("list")
    .description("List a page's comments")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .option(LIMIT_FLAG, LIMIT_HELP, parsePositiveInteger)
    .option(ALL_FLAG, ALL_HELP)
    .addHelpText(
      "after",
      `
Piped, each line is ID, CREATED, AUTHOR and the comment as one line of text, separated by tabs.

Examples:
  $ confl comment list 65538
  $ confl comment list "DOC:Release checklist" --all --json`,
    )
    .action(async (page, opts, cmd) => {
      await run({ page, limit: listLimit(opts) }, getContext(cmd as unknown as Command));
    });
}
