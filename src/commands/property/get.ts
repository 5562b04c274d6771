/** `confl property get <page> <key>`: one property's value (its whole record with --json). */
import type { Command } from "@commander-js/extra-typings";
import type { ContentProperty } from "../../confluence/properties.js";
import type { Context, ContextFactory } from "../../context.js";

export async function run(options: { page: string; key: string }, ctx: Context): Promise<ContentProperty> {
  const [{ parsePageRef, resolvePageRef }, { getProperty }, { printJson }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../confluence/properties.js"),
    import("../../output/json.js"),
  ]);
  const ref = parsePageRef(options.page);
  const client = await ctx.client();
  const id = await resolvePageRef(client, ref);
  const property = await getProperty(client, id, options.key);
  if (ctx.globals.json) printJson(ctx.io, property);
  else ctx.io.out(JSON.stringify(property.value, null, ctx.io.stdoutIsTTY ? 2 : undefined));
  return property;
}

export function register(property: Command, getContext: ContextFactory): void {
  property
    .command("get")
    .description("Print a content property's value as JSON")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("<key>", "the property key")
    .addHelpText(
      "after",
      `
Prints the value alone (one line when piped); --json prints the whole property with its version.

Examples:
  $ confl property get 65538 release-meta
  $ confl property get "DOC:Release checklist" release-meta --json`,
    )
    .action(async (ref, key, _opts, cmd) => {
      await run({ page: ref, key }, getContext(cmd as unknown as Command));
    });
}
