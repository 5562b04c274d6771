/** `confl label list <page>`: a page's labels. */
import type { Command } from "@commander-js/extra-typings";
import type { Label } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";

export const labelColumns: Column<Label>[] = [
  { header: "Name", value: (l) => l.name, style: (t, c) => c.bold(t) },
  { header: "Prefix", value: (l) => l.prefix },
  { header: "ID", value: (l) => l.id, style: (t, c) => c.dim(t) },
];

export async function run(options: { page: string }, ctx: Context): Promise<Label[]> {
  const [{ listLabels }, { resolvePageRef }, { printList }] = await Promise.all([
    import("../../confluence/labels.js"),
    import("../../confluence/page-ref.js"),
    import("../../output/list.js"),
  ]);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const labels = await listLabels(client, pageId);
  printList(ctx, labelColumns, labels, `Page ${pageId} has no labels.`);
  return labels;
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("list")
    .description("List a page's labels")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .addHelpText(
      "after",
      `
Piped, each line is NAME, PREFIX and ID separated by tabs.

Examples:
  $ confl label list 65538
  $ confl label list "DOC:Release checklist" --json`,
    )
    .action(async (page, _opts, cmd) => {
      await run({ page }, getContext(cmd as unknown as Command));
    });
}
