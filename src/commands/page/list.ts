/** `confl page list --space KEY [--title T]`: the pages of a space. */
import type { Command } from "@commander-js/extra-typings";
import type { Page } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";
import { listAll } from "../list-run.js";

export interface ListOptions {
  space: string;
  title?: string | undefined;
  /** undefined = all */
  limit: number | undefined;
}

export const pageColumns: Column<Page>[] = [
  { header: "ID", value: (p) => p.id, style: (t, c) => c.dim(t) },
  { header: "Title", value: (p) => p.title, flex: true, style: (t, c) => c.bold(t) },
  { header: "Version", value: (p) => (p.version ? String(p.version.number) : "") },
  { header: "Updated", value: (p) => p.version?.createdAt?.slice(0, 10) ?? "" },
  { header: "Parent", value: (p) => p.parentId ?? "" },
];

export async function run(options: ListOptions, ctx: Context): Promise<Page[]> {
  const { listPages } = await import("../../confluence/pages.js");
  return listAll(
    ctx,
    (client) => listPages(client, { spaceKey: options.space, title: options.title, limit: options.limit }),
    pageColumns,
    "No pages found.",
  );
}

export function register(page: Command, getContext: ContextFactory): void {
  withListFlags(
    page
      .command("list")
      .description("List the pages of a space")
      .requiredOption("-s, --space <key>", "the space key")
      .option("-t, --title <title>", "only the page with exactly this title"),
  )
    .addHelpText(
      "after",
      `
Piped, each line is ID, TITLE, VERSION, UPDATED and PARENT separated by tabs.

Examples:
  $ confl page list --space DOC
  $ confl page list --space DOC --all --json
  $ confl page list --space DOC --title "Release checklist"`,
    )
    .action(async (opts, cmd) => {
      await run(
        { space: opts.space, title: opts.title, limit: listLimit(opts) },
        getContext(cmd as unknown as Command),
      );
    });
}
