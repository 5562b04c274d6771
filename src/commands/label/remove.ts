/** `confl label remove <page> <label...>`: removes labels; one the page does not have is reported, not fatal. */
import type { Command } from "@commander-js/extra-typings";
import type { Label } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { changePageLabels } from "./change.js";

export async function run(options: { page: string; labels: string[] }, ctx: Context): Promise<Label[]> {
  const { listLabels, removeLabel } = await import("../../confluence/labels.js");
  return changePageLabels(options, ctx, async (client, pageId, names) => {
    const before = await listLabels(client, pageId);
    const present = new Set(before.map((l) => l.name));
    for (const name of names) {
      if (!present.has(name)) {
        ctx.io.err(`confl: page ${pageId} has no label "${name}"; nothing to remove`);
        continue;
      }
      await removeLabel(client, pageId, name);
      present.delete(name);
    }
    return before.filter((l) => present.has(l.name));
  });
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("remove")
    .description("Remove labels from a page")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("<labels...>", "label names")
    .addHelpText(
      "after",
      `
Prints the page's labels afterwards (--json: the same objects as label list).

Examples:
  $ confl label remove 65538 checklist
  $ confl label remove "DOC:Release checklist" release --json`,
    )
    .action(async (page, labels, _opts, cmd) => {
      await run({ page, labels }, getContext(cmd as unknown as Command));
    });
}
