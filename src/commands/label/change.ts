/** What `label add` and `label remove` share: checking the names, and printing the page's labels afterwards. */
import type { ConfluenceClient } from "../../confluence/client.js";
import type { Label } from "../../confluence/types.js";
import type { Context } from "../../context.js";
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

/**
 * Checks the names, resolves the page, applies `change` and prints the labels it returns: --json the
 * objects, on a terminal one line, piped the table.
 */
export async function changePageLabels(
  options: { page: string; labels: string[] },
  ctx: Context,
  change: (client: ConfluenceClient, pageId: string, names: string[]) => Promise<Label[]>,
): Promise<Label[]> {
  const [{ resolvePageRef }, { printJson }, { printTable }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../output/json.js"),
    import("../../output/table.js"),
  ]);
  const names = checkLabelNames(options.labels);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const labels = await change(client, pageId, names);
  if (ctx.globals.json) printJson(ctx.io, labels);
  else if (ctx.io.stdoutIsTTY)
    ctx.io.out(
      `${ctx.io.colors.green("✓")} Page ${pageId} now has ${labels.map((l) => l.name).join(", ") || "no labels"}`,
    );
  else printTable(ctx.io, labelColumns, labels);
  return labels;
}
