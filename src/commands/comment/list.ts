/** `confl comment list <page>`: a page's footer comments, oldest first. */
import type { Command } from "@commander-js/extra-typings";
import type { Comment } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";
import { listPageItems } from "../list-run.js";

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
  const [{ listComments }, { storageToText }] = await Promise.all([
    import("../../confluence/comments.js"),
    import("../../confluence/storage-text.js"),
  ]);
  return listPageItems(
    ctx,
    options.page,
    (client, pageId) => listComments(client, pageId, { limit: options.limit }),
    columns(storageToText),
    (pageId) => `Page ${pageId} has no comments.`,
  );
}

export function register(noun: Command, getContext: ContextFactory): void {
  withListFlags(
    noun
      .command("list")
      .description("List a page's comments")
      .argument("<page>", "page id, page URL, or SPACEKEY:Title"),
  )
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
