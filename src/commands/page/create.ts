/** `confl page create --space KEY --title T [--parent <page>] [--body-file F|-]`: a new page. */
import { type Command, Option } from "@commander-js/extra-typings";
import type { PageWithBody } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { refuseIfReadOnly, writableClient } from "../write-guard.js";

export interface CreateOptions {
  space?: string | undefined;
  /** required unless the Markdown body names one (front matter `title`, or a leading `# H1`) */
  title?: string | undefined;
  parent?: string | undefined;
  /** a file, or "-" for stdin; no body gives an empty page */
  bodyFile?: string | undefined;
  format?: "storage" | "markdown";
}

export async function run(options: CreateOptions, ctx: Context): Promise<PageWithBody> {
  refuseIfReadOnly(ctx, "page create");
  const [
    { parsePageRef, resolvePageRef },
    { createPage, pageSummary, TitleExistsError },
    { listPages },
    { printJson },
    { readStorageBody },
  ] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../confluence/page-write.js"),
    import("../../confluence/pages.js"),
    import("../../output/json.js"),
    import("./body-input.js"),
  ]);
  const markdown = options.format === "markdown";
  if (markdown && options.bodyFile === undefined)
    throw new UsageError("--format markdown needs the body: --body-file F.md (or - for standard input)");
  let body: { storage: string; title?: string | undefined; parent?: string | undefined; labels: string[] };
  if (options.bodyFile === undefined) body = { storage: "", labels: [] };
  else if (markdown) {
    const { readMarkdownBody } = await import("./markdown-body.js");
    const read = await readMarkdownBody(options.bodyFile, ctx, { spaceKey: options.space });
    body = {
      storage: read.storage,
      title: read.title,
      parent: read.frontMatter.parent,
      labels: read.frontMatter.labels ?? [],
    };
  } else body = { storage: await readStorageBody(options.bodyFile, ctx), labels: [] };
  const title = (options.title ?? body.title ?? "").trim();
  if (title === "")
    throw new UsageError(
      options.title === undefined ? "no title: give one with --title" : "the title is empty",
      {
        hint: 'give one with --title "…"',
      },
    );
  const parentInput = options.parent ?? body.parent;
  if (options.space === undefined && parentInput === undefined) {
    throw new UsageError("say where the page goes: --space KEY, --parent <page>, or both", {
      hint: 'confl page create --space DOC --title "Notes"',
    });
  }
  const parentRef = parentInput === undefined ? undefined : parsePageRef(parentInput);
  const storage = body.storage;

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
  if (body.labels.length > 0) {
    const { addLabels } = await import("../../confluence/labels.js");
    await addLabels(client, page.id, body.labels);
  }
  if (ctx.globals.json) printJson(ctx.io, page);
  else await printWritten(ctx, page, "Created");
  return page;
}

/** The human summary after a write: id, title, space, version and where to see it. */
export async function printWritten(ctx: Context, page: PageWithBody, verb: string): Promise<void> {
  const { printFields } = await import("../../output/fields.js");
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
    .option(
      "-t, --title <title>",
      "the page title (unique within the space; Markdown: default its front matter or # H1)",
    )
    .option("-p, --parent <page>", "create it under this page (default: the space's home page)")
    .option("-b, --body-file <file>", "the body (storage or Markdown), from a file or - for standard input")
    .addOption(
      new Option("--format <format>", "the body's format: storage (XHTML) or markdown")
        .choices(["storage", "markdown"] as const)
        .default("storage" as const),
    )
    .addHelpText(
      "after",
      `
The body must be well-formed storage XML (XHTML with ac:/ri: elements); it is checked before anything
is sent. Without --body-file the page is empty. With --format markdown the file's front matter gives
the title, parent and labels unless flags say otherwise (no title there: a leading "# Title" line).

Examples:
  $ confl page create --space DOC --title "Meeting notes"
  $ echo '<p>Hello</p>' | confl page create --space DOC --title "Hello" --body-file -
  $ confl page create --parent "DOC:Release checklist" --title "Release 1.2" --json
  $ printf '# Notes\\n\\nSome *Markdown*.\\n' | confl page create --space DOC --format markdown --body-file -`,
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
