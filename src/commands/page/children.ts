/** `confl page children <page>`: a page's direct children, in their tree order. */
import type { Command } from "@commander-js/extra-typings";
import type { ChildPage } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";
import { listPageItems } from "../list-run.js";

export interface ChildrenOptions {
  page: string;
  limit: number | undefined;
}

export const childColumns: Column<ChildPage>[] = [
  { header: "ID", value: (p) => p.id, style: (t, c) => c.dim(t) },
  { header: "Title", value: (p) => p.title, flex: true, style: (t, c) => c.bold(t) },
  { header: "Type", value: (p) => p.type },
  { header: "Status", value: (p) => p.status },
];

export async function run(options: ChildrenOptions, ctx: Context): Promise<ChildPage[]> {
  const [{ collect }, { parsePageRef }, { listChildren }] = await Promise.all([
    import("../../confluence/client.js"),
    import("../../confluence/page-ref.js"),
    import("../../confluence/pages.js"),
  ]);
  return listPageItems(
    ctx,
    parsePageRef(options.page),
    (client, id) => collect(listChildren(client, id, { limit: options.limit })),
    childColumns,
    (id) => `Page ${id} has no child pages.`,
  );
}

export function register(page: Command, getContext: ContextFactory): void {
  withListFlags(
    page
      .command("children")
      .description("List a page's direct children")
      .argument("<page>", "page id, page URL, or SPACEKEY:Title"),
  )
    .addHelpText(
      "after",
      `
Piped, each line is ID, TITLE, TYPE and STATUS separated by tabs.

Examples:
  $ confl page children 65536
  $ confl page children "DOC:Documentation Home" --limit 3 --json`,
    )
    .action(async (ref, opts, cmd) => {
      await run({ page: ref, limit: listLimit(opts) }, getContext(cmd as unknown as Command));
    });
}
