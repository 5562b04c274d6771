/** `confl property list <page>`: every content property of a page. */
import type { Command } from "@commander-js/extra-typings";
import type { ContentProperty } from "../../confluence/properties.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";
import { listPageItems } from "../list-run.js";

const columns: Column<ContentProperty>[] = [
  { header: "Key", value: (p) => p.key, style: (t, c) => c.bold(t) },
  { header: "Version", value: (p) => String(p.version.number) },
  { header: "Value", value: (p) => JSON.stringify(p.value), flex: true },
];

export async function run(
  options: { page: string; limit: number | undefined },
  ctx: Context,
): Promise<ContentProperty[]> {
  const [{ collect }, { parsePageRef }, { listProperties }] = await Promise.all([
    import("../../confluence/client.js"),
    import("../../confluence/page-ref.js"),
    import("../../confluence/properties.js"),
  ]);
  return listPageItems(
    ctx,
    parsePageRef(options.page),
    (client, id) => collect(listProperties(client, id, { limit: options.limit })),
    columns,
    (id) => `Page ${id} has no content properties.`,
  );
}

export function register(property: Command, getContext: ContextFactory): void {
  withListFlags(
    property
      .command("list")
      .description("List a page's content properties")
      .argument("<page>", "page id, page URL, or SPACEKEY:Title"),
  )
    .addHelpText(
      "after",
      `
Piped, each line is KEY, VERSION and the VALUE as compact JSON, separated by tabs.

Examples:
  $ confl property list 65538
  $ confl property list "DOC:Release checklist" --json`,
    )
    .action(async (ref, opts, cmd) => {
      await run({ page: ref, limit: listLimit(opts) }, getContext(cmd as unknown as Command));
    });
}
