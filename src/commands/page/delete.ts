/** `confl page delete <page> [--purge] [--yes]`: to the trash, or (--purge) gone for good. */
import type { Command } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import { confirmDelete, refuseIfReadOnly, writableClient } from "../write-guard.js";

export interface DeleteOptions {
  page: string;
  purge?: boolean | undefined;
  yes?: boolean | undefined;
}

export interface DeleteResult {
  id: string;
  title: string;
  /** trashed (restorable from the space's trash) or purged */
  status: "trashed" | "purged";
}

export async function run(options: DeleteOptions, ctx: Context): Promise<DeleteResult> {
  refuseIfReadOnly(ctx, "page delete");
  const [{ parsePageRef, resolvePageRef }, { deletePage, pageSummary }, { printJson }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../confluence/page-write.js"),
    import("../../output/json.js"),
  ]);
  const ref = parsePageRef(options.page);
  const client = await writableClient(ctx, "page delete");
  const page = await pageSummary(client, await resolvePageRef(client, ref));
  await confirmDelete(
    ctx,
    options.purge
      ? `Delete page ${page.id} "${page.title}" for good (purge, cannot be undone)?`
      : `Move page ${page.id} "${page.title}" to the trash?`,
    options.yes,
  );
  await deletePage(client, page.id, { purge: options.purge });
  const result: DeleteResult = {
    id: page.id,
    title: page.title,
    status: options.purge ? "purged" : "trashed",
  };
  if (ctx.globals.json) printJson(ctx.io, result);
  else
    ctx.io.out(
      options.purge
        ? `Deleted page ${page.id} "${page.title}" for good.`
        : `Moved page ${page.id} "${page.title}" to the trash.`,
    );
  return result;
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("delete")
    .description("Move a page to the trash, or delete it for good with --purge")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .option("--purge", "delete it for good instead of moving it to the trash")
    .option("-y, --yes", "do not ask (needed when there is no terminal to ask on)")
    .addHelpText(
      "after",
      `
On a terminal confl asks first; in scripts (or with --no-input) --yes is required. A trashed page can be
restored from the space's trash in the browser; its child pages move up to its parent.

Examples:
  $ confl page delete 65545 --yes
  $ confl page delete "DOC:FAQ" --purge --yes --json`,
    )
    .action(async (ref, opts, cmd) => {
      await run(
        { page: ref, purge: opts.purge === true, yes: opts.yes === true },
        getContext(cmd as unknown as Command),
      );
    });
}
