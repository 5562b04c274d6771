/** `confl property delete <page> <key> [--yes]`. */
import type { Command } from "@commander-js/extra-typings";
import type { ContentProperty } from "../../confluence/properties.js";
import type { Context, ContextFactory } from "../../context.js";
import { confirmDelete, refuseIfReadOnly, writableClient } from "../write-guard.js";

export async function run(
  options: { page: string; key: string; yes?: boolean | undefined },
  ctx: Context,
): Promise<ContentProperty> {
  refuseIfReadOnly(ctx, "property delete");
  const [{ parsePageRef, resolvePageRef }, { deleteProperty, getProperty }, { printJson }] =
    await Promise.all([
      import("../../confluence/page-ref.js"),
      import("../../confluence/properties.js"),
      import("../../output/json.js"),
    ]);
  const ref = parsePageRef(options.page);
  const client = await writableClient(ctx, "property delete");
  const id = await resolvePageRef(client, ref);
  await getProperty(client, id, options.key);
  await confirmDelete(ctx, `Delete property "${options.key}" of page ${id}?`, options.yes);
  const deleted = await deleteProperty(client, id, options.key);
  if (ctx.globals.json) printJson(ctx.io, deleted);
  else ctx.io.out(`Deleted property "${deleted.key}" of page ${id}.`);
  return deleted;
}

export function register(property: Command, getContext: ContextFactory): void {
  property
    .command("delete")
    .description("Delete a content property")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("<key>", "the property key")
    .option("-y, --yes", "do not ask (needed when there is no terminal to ask on)")
    .addHelpText(
      "after",
      `
On a terminal confl asks first; in scripts (or with --no-input) --yes is required.

Examples:
  $ confl property delete 65538 release-meta --yes
  $ confl property delete "DOC:Release checklist" release-meta --yes --json`,
    )
    .action(async (ref, key, opts, cmd) => {
      await run({ page: ref, key, yes: opts.yes === true }, getContext(cmd as unknown as Command));
    });
}
