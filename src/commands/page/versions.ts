/** `confl page versions <page>`: the page's history, newest first. */
import type { Command } from "@commander-js/extra-typings";
import type { VersionEntry } from "../../confluence/page-write.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";

export interface VersionsOptions {
  page: string;
  limit: number | undefined;
}

export const versionColumns: Column<VersionEntry>[] = [
  { header: "Version", value: (v) => String(v.number), style: (t, c) => c.bold(t) },
  { header: "Author", value: (v) => v.authorId ?? "" },
  { header: "Date", value: (v) => v.createdAt?.replace("T", " ").slice(0, 16) ?? "" },
  { header: "Minor", value: (v) => (v.minorEdit ? "minor" : "") },
  { header: "Message", value: (v) => v.message ?? "", flex: true },
];

export async function run(options: VersionsOptions, ctx: Context): Promise<VersionEntry[]> {
  const [{ collect }, { parsePageRef, resolvePageRef }, { listVersions }, { printJson }, { printTable }] =
    await Promise.all([
      import("../../confluence/client.js"),
      import("../../confluence/page-ref.js"),
      import("../../confluence/page-write.js"),
      import("../../output/json.js"),
      import("../../output/table.js"),
    ]);
  const ref = parsePageRef(options.page);
  const client = await ctx.client();
  const id = await resolvePageRef(client, ref);
  const versions = await collect(listVersions(client, id, { limit: options.limit }));
  if (ctx.globals.json) printJson(ctx.io, versions);
  else printTable(ctx.io, versionColumns, versions);
  return versions;
}

export function register(page: Command, getContext: ContextFactory): void {
  withListFlags(
    page
      .command("versions")
      .description("List a page's versions, newest first: number, author, date, message")
      .argument("<page>", "page id, page URL, or SPACEKEY:Title"),
  )
    .addHelpText(
      "after",
      `
The author is the account id on Cloud and the user key on Data Center. Piped, each line is VERSION,
AUTHOR, DATE, MINOR and MESSAGE separated by tabs.

Examples:
  $ confl page versions 65538
  $ confl page versions "DOC:Release checklist" --limit 3 --json`,
    )
    .action(async (ref, opts, cmd) => {
      await run({ page: ref, limit: listLimit(opts) }, getContext(cmd as unknown as Command));
    });
}
