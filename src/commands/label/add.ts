/** `confl label add <page> <label...>`: adds global labels. */
import type { Command } from "@commander-js/extra-typings";
import type { Label } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { changePageLabels } from "./change.js";

export async function run(options: { page: string; labels: string[] }, ctx: Context): Promise<Label[]> {
  const { addLabels } = await import("../../confluence/labels.js");
  return changePageLabels(options, ctx, addLabels);
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("add")
    .description("Add labels to a page")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("<labels...>", "label names")
    .addHelpText(
      "after",
      `
Prints the page's labels afterwards (--json: the same objects as label list).

Examples:
  $ confl label add 65538 reviewed
  $ confl label add "DOC:Release checklist" q3 release-notes --json`,
    )
    .action(async (page, labels, _opts, cmd) => {
      await run({ page, labels }, getContext(cmd as unknown as Command));
    });
}
