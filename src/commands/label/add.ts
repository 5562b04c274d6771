/** `confl label add <page> <label...>`: adds global labels. */
import type { Command } from "@commander-js/extra-typings";
import type { Label } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { labelColumns } from "./list.js";

/**
 * Characters Confluence does not allow in a label (its "add label" dialog: no spaces and none of
 * `! # & ( ) * , . : ; < > ? @ [ ] ^`); refused here so a typo does not cost a request.
 */
const FORBIDDEN = /[\s!#&()*,.:;<>?@[\]^]/u;

export function checkLabelNames(names: string[]): string[] {
  return names.map((raw) => {
    const name = raw.trim();
    if (name === "") throw new UsageError("a label name is empty");
    const bad = FORBIDDEN.exec(name);
    if (bad)
      throw new UsageError(
        `label "${name}" contains ${/\s/.test(bad[0]) ? "a space" : `"${bad[0]}"`}, which Confluence does not allow`,
        { hint: "labels are single words; use - or _ to join words (release-notes)" },
      );
    return name;
  });
}

export async function run(options: { page: string; labels: string[] }, ctx: Context): Promise<Label[]> {
  const [{ addLabels }, { resolvePageRef }, { printJson }, { printTable }] = await Promise.all([
    import("../../confluence/labels.js"),
    import("../../confluence/page-ref.js"),
    import("../../output/json.js"),
    import("../../output/table.js"),
  ]);
  const names = checkLabelNames(options.labels);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const labels = await addLabels(client, pageId, names);
  if (ctx.globals.json) printJson(ctx.io, labels);
  else if (ctx.io.stdoutIsTTY)
    ctx.io.out(
      `${ctx.io.colors.green("✓")} Page ${pageId} now has ${labels.map((l) => l.name).join(", ") || "no labels"}`,
    );
  else printTable(ctx.io, labelColumns, labels);
  return labels;
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
