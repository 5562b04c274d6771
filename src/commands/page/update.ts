/**
 * `confl page update <page> [--title T] [--body-file F|-] [--message M] [--minor] [--base-version N] [--force]`.
 * Optimistic concurrency: the write carries the version the edit was based on + 1; if someone else
 * wrote in between, it stops and names both versions instead of overwriting their edit.
 */
import { type Command, Option } from "@commander-js/extra-typings";
import type { PageWithBody } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { parsePositiveInteger } from "../list-flags.js";
import { refuseIfReadOnly, writableClient } from "../write-guard.js";
import { printWritten } from "./create.js";

export interface UpdateOptions {
  /** required unless a Markdown body's front matter has the page's id */
  page?: string | undefined;
  title?: string | undefined;
  bodyFile?: string | undefined;
  message?: string | undefined;
  minor?: boolean | undefined;
  /** the version the edit started from (default: the version read now) */
  baseVersion?: number | undefined;
  force?: boolean | undefined;
  format?: "storage" | "markdown" | undefined;
}

export type UpdateResult = PageWithBody & { baseVersion: number; previousVersion: number };

export async function run(options: UpdateOptions, ctx: Context): Promise<UpdateResult> {
  refuseIfReadOnly(ctx, "page update");
  const [{ parsePageRef, resolvePageRef }, { safeUpdate }, { printJson }, { readStorageBody }] =
    await Promise.all([
      import("../../confluence/page-ref.js"),
      import("../../confluence/page-write.js"),
      import("../../output/json.js"),
      import("./body-input.js"),
    ]);
  if (options.title === undefined && options.bodyFile === undefined) {
    throw new UsageError("nothing to update: give --title, --body-file, or both");
  }
  const markdown = options.format === "markdown";
  if (markdown && options.bodyFile === undefined)
    throw new UsageError("--format markdown needs the body: --body-file F.md (or - for standard input)");
  let storage: string | undefined;
  let fm: {
    id?: string | undefined;
    title?: string | undefined;
    version?: number | undefined;
    labels: string[];
  } = {
    labels: [],
  };
  if (options.bodyFile !== undefined && markdown) {
    const { readMarkdownBody } = await import("./markdown-body.js");
    const read = await readMarkdownBody(options.bodyFile, ctx);
    storage = read.storage;
    fm = {
      id: read.frontMatter.id,
      title: read.title,
      version: read.frontMatter.version,
      labels: read.frontMatter.labels ?? [],
    };
  } else if (options.bodyFile !== undefined) storage = await readStorageBody(options.bodyFile, ctx);
  const pageInput = options.page ?? fm.id;
  if (pageInput === undefined)
    throw new UsageError("which page? give <page>, or a Markdown body whose front matter has its id");
  const ref = parsePageRef(pageInput);
  const title = (options.title ?? fm.title)?.trim();
  if (title === "") throw new UsageError("the title is empty", { hint: 'give one with --title "…"' });
  const client = await writableClient(ctx, "page update");
  if (options.minor && client.contentApi === "v2") {
    ctx.io.err("confl: note: --minor has no effect on Confluence Cloud (the v2 API has no minor-edit flag)");
  }
  const id = await resolvePageRef(client, ref);
  if (fm.id !== undefined && fm.id !== id)
    throw new UsageError(`the file's front matter is page ${fm.id}, not page ${id}`, {
      hint: "drop <page> to update the page the file came from, or fix the id in its front matter",
    });
  const result = await safeUpdate(client, {
    id,
    title,
    storage,
    message: options.message,
    minorEdit: options.minor,
    // a file exported earlier carries the version it was exported at: the edit's base
    baseVersion: options.baseVersion ?? fm.version,
    force: options.force,
  });
  if (fm.labels.length > 0) {
    const { addLabels, listLabels } = await import("../../confluence/labels.js");
    const have = new Set((await listLabels(client, id)).map((label) => label.name));
    const missing = fm.labels.filter((name) => !have.has(name));
    if (missing.length > 0) await addLabels(client, id, missing);
  }
  const out: UpdateResult = {
    ...result.page,
    baseVersion: result.baseVersion,
    previousVersion: result.previousVersion,
  };
  if (ctx.globals.json) printJson(ctx.io, out);
  else {
    await printWritten(ctx, result.page, "Updated");
    if (result.previousVersion !== result.baseVersion) {
      ctx.io.err(
        `confl: --force: version ${result.previousVersion} (not ${result.baseVersion}, which the edit was based on) was overwritten`,
      );
    }
  }
  return out;
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("update")
    .description("Change a page's title or body, without overwriting someone else's edit")
    .argument("[page]", "page id, page URL, or SPACEKEY:Title (Markdown: default the front matter's id)")
    .option("-t, --title <title>", "the new title")
    .option(
      "-b, --body-file <file>",
      "the new body (storage or Markdown), from a file or - for standard input",
    )
    .addOption(
      new Option("--format <format>", "the body's format: storage (XHTML) or markdown")
        .choices(["storage", "markdown"] as const)
        .default("storage" as const),
    )
    .option("-m, --message <text>", "the version comment")
    .option("--minor", "a minor edit: no notifications (Data Center; Cloud's v2 API has no such flag)")
    .option(
      "--base-version <n>",
      "the version your edit started from (default: the current one, read just before writing)",
      parsePositiveInteger,
    )
    .option("--force", "write even if someone else changed the page since the base version")
    .addHelpText(
      "after",
      `
confl writes version base+1. If the page moved past the base version (someone else saved in between),
nothing is written and the error names both versions; --force writes on top of the newer version.
A Markdown file from page view --format markdown or confl export carries the page's id and the version
it was taken at in its front matter: that version is the base, so an edit made since is never lost.

Examples:
  $ confl page view 65538 --format storage > page.xml
  $ confl page update 65538 --body-file page.xml --message "Fix the steps"
  $ confl page update "DOC:Release checklist" --title "Release checklist (2026)"
  $ confl page update 65538 --body-file page.xml --base-version 7 --json
  $ confl page view 65538 --format markdown > page.md
  $ confl page update --format markdown --body-file page.md --message "Edited in Markdown"`,
    )
    .action(async (ref, opts, cmd) => {
      await run(
        {
          page: ref,
          title: opts.title,
          bodyFile: opts.bodyFile,
          message: opts.message,
          minor: opts.minor === true,
          baseVersion: opts.baseVersion,
          force: opts.force === true,
          format: opts.format,
        },
        getContext(cmd as unknown as Command),
      );
    });
}
