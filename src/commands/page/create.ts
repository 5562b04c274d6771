/** `confl page create --space KEY --title T [--parent <page>] [--body-file F|-]`: a new page. */
import { type Command, Option } from "@commander-js/extra-typings";
import { parsePageRef, resolvePageRef } from "../../confluence/page-ref.js";
import { createPage, pageSummary, TitleExistsError } from "../../confluence/page-write.js";
import { listPages } from "../../confluence/pages.js";
import type { PageWithBody } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { printFields } from "../../output/fields.js";
import { printJson } from "../../output/json.js";
import { refuseIfReadOnly, writableClient } from "../write-guard.js";
import { readStorageBody } from "./body-input.js";

export interface CreateOptions {
  space?: string | undefined;
  title: string;
  parent?: string | undefined;
  /** a file, or "-" for stdin; no body gives an empty page */
  bodyFile?: string | undefined;
  format?: "storage";
}

export async function run(options: CreateOptions, ctx: Context): Promise<PageWithBody> {
  refuseIfReadOnly(ctx, "page create");
  const title = options.title.trim();
  if (title === "") throw new UsageError("the title is empty", { hint: 'give one with --title "…"' });
  if (options.space === undefined && options.parent === undefined) {
    throw new UsageError("say where the page goes: --space KEY, --parent <page>, or both", {
      hint: 'confl page create --space DOC --title "Notes"',
    });
  }
  const parentRef = options.parent === undefined ? undefined : parsePageRef(options.parent);
  const storage = options.bodyFile === undefined ? "" : await readStorageBody(options.bodyFile, ctx);

  const client = await writableClient(ctx, "page create");
  let spaceKey = options.space;
  let parentId: string | undefined;
  if (parentRef) {
    const parent = await pageSummary(client, await resolvePageRef(client, parentRef));
    parentId = parent.id;
    if (spaceKey !== undefined && parent.spaceKey !== null && parent.spaceKey !== spaceKey) {
      throw new UsageError(`the parent page ${parent.id} is in space ${parent.spaceKey}, not ${spaceKey}`, {
        hint: "a page is created in its parent's space: drop --space or choose a parent in that space",
      });
    }
    spaceKey ??= parent.spaceKey ?? undefined;
    if (spaceKey === undefined) throw new UsageError(`cannot tell which space page ${parent.id} is in`);
  }
  // Titles are unique per space: say so before writing (Confluence's own 400 covers a race).
  for await (const existing of listPages(client, { spaceKey: spaceKey!, title, limit: 1 })) {
    throw new TitleExistsError(title, `space ${spaceKey}`, existing.id);
  }
  const page = await createPage(client, { spaceKey: spaceKey!, title, parentId, storage });
  if (ctx.globals.json) printJson(ctx.io, page);
  else printWritten(ctx, page, "Created");
  return page;
}

/** The human summary after a write: id, title, space, version and where to see it. */
export function printWritten(ctx: Context, page: PageWithBody, verb: string): void {
  if (ctx.io.stdoutIsTTY) ctx.io.err(`${verb} page ${page.id}.`);
  printFields(ctx.io, [
    ["ID", page.id],
    ["Title", page.title],
    ["Space", page.spaceKey ?? page.spaceId ?? ""],
    ["Parent", page.parentId ?? ""],
    ["Version", page.version ? String(page.version.number) : ""],
    ["URL", page.webUrl ?? ""],
  ]);
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("create")
    .description("Create a page")
    .option("-s, --space <key>", "the space (default: the parent's)")
    .requiredOption("-t, --title <title>", "the page title (unique within the space)")
    .option("-p, --parent <page>", "create it under this page (default: the space's home page)")
    .option("-b, --body-file <file>", "the body in storage format, from a file or - for standard input")
    .addOption(
      new Option("--format <format>", "the body's format")
        .choices(["storage"] as const)
        .default("storage" as const),
    )
    .addHelpText(
      "after",
      `
The body must be well-formed storage XML (XHTML with ac:/ri: elements); it is checked before anything
is sent. Without --body-file the page is empty.

Examples:
  $ confl page create --space DOC --title "Meeting notes"
  $ echo '<p>Hello</p>' | confl page create --space DOC --title "Hello" --body-file -
  $ confl page create --parent "DOC:Release checklist" --title "Release 1.2" --json`,
    )
    .action(async (opts, cmd) => {
      await run(
        {
          space: opts.space,
          title: opts.title,
          parent: opts.parent,
          bodyFile: opts.bodyFile,
          format: opts.format,
        },
        getContext(cmd as unknown as Command),
      );
    });
}
