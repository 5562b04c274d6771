/** `confl page copy <page> --parent <page> [--title T] [--recursive]`: a copy with its attachments and labels. */
import type { Command } from "@commander-js/extra-typings";
import type { CopyResult } from "../../confluence/copy.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { Column } from "../../output/table.js";
import { refuseIfReadOnly, writableClient } from "../write-guard.js";

export interface CopyOptions {
  page: string;
  parent: string;
  title?: string | undefined;
  recursive?: boolean | undefined;
}

const columns: Column<CopyResult["pages"][number]>[] = [
  { header: "ID", value: (p) => p.id, style: (t, c) => c.dim(t) },
  { header: "Title", value: (p) => p.title, flex: true, style: (t, c) => c.bold(t) },
  { header: "From", value: (p) => p.sourceId },
  { header: "Attachments", value: (p) => String(p.attachments) },
  { header: "Labels", value: (p) => String(p.labels) },
];

export async function run(options: CopyOptions, ctx: Context): Promise<CopyResult> {
  refuseIfReadOnly(ctx, "page copy");
  const [{ parsePageRef, resolvePageRef }, { printJson }, { printTable }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../output/json.js"),
    import("../../output/table.js"),
  ]);
  const pageRef = parsePageRef(options.page);
  const parentRef = parsePageRef(options.parent);
  const title = options.title?.trim();
  if (title === "") throw new UsageError("the title is empty", { hint: 'give one with --title "…"' });
  const client = await writableClient(ctx, "page copy");
  const [sourceId, parentId] = await Promise.all([
    resolvePageRef(client, pageRef),
    resolvePageRef(client, parentRef),
  ]);
  const { copyPages } = await import("../../confluence/copy.js");
  const result = await copyPages(client, {
    sourceId,
    parentId,
    title,
    recursive: options.recursive,
    progress: ctx.io.stderrIsTTY && !ctx.globals.json ? (line) => ctx.io.err(line) : undefined,
  });
  if (ctx.globals.json) printJson(ctx.io, result);
  else printTable(ctx.io, columns, result.pages);
  return result;
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("copy")
    .description("Copy a page (or with --recursive its whole tree) with its attachments and labels")
    .argument("<page>", "the page to copy: id, page URL, or SPACEKEY:Title")
    .requiredOption("-p, --parent <page>", "put the copy under this page (any space)")
    .option("-t, --title <title>", 'the copy\'s title (default: "Copy of <title>" in the same space)')
    .option("-r, --recursive", "copy the page's descendants too")
    .addHelpText(
      "after",
      `
Titles are unique within a space: in the same space every copied page is titled "Copy of <title>"
(the top one --title if given); in another space the titles stay. Every title is checked before the
first page is created. Attachments and labels come along; comments, restrictions and history do not.
Piped, each line is ID, TITLE, FROM (the original's id), ATTACHMENTS and LABELS separated by tabs.

Examples:
  $ confl page copy 65538 --parent 65537
  $ confl page copy "DOC:Release checklist" --parent 65600 --title "Release checklist (ENG)" --json
  $ confl page copy 65539 --parent 65551 --recursive`,
    )
    .action(async (ref, opts, cmd) => {
      await run(
        { page: ref, parent: opts.parent, title: opts.title, recursive: opts.recursive === true },
        getContext(cmd as unknown as Command),
      );
    });
}
