/**
 * `confl attachment download <page> [<name|id>...] [--out DIR]`: streams each attachment into a temporary
 * file in DIR, flushes it and renames it into place, so a failure or Ctrl-C never leaves a half-written
 * file under the real name. File names come from the server and are made safe (src/io/safe-file.ts).
 */
import type { Command } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import { ConflError, UsageError } from "../../errors.js";
import { parsePositiveInteger } from "../list-flags.js";
import { DEFAULT_CONCURRENCY } from "./upload.js";

export interface DownloadOptions {
  page: string;
  /** attachment names or ids; empty = all */
  attachments: string[];
  out: string;
  clobber?: boolean;
  concurrency?: number;
}

export interface Downloaded {
  id: string;
  title: string;
  /** where it was saved */
  path: string;
  bytes: number;
}

export async function run(options: DownloadOptions, ctx: Context): Promise<Downloaded[]> {
  const [
    { listAttachments, openAttachmentDownload, selectAttachments },
    { mapConcurrent },
    { resolvePageRef },
    { formatBytes },
    { pathInside, safeFileName, writeFileAtomically },
    { printJson },
    { mkdir, stat },
  ] = await Promise.all([
    import("../../confluence/attachments.js"),
    import("../../confluence/client.js"),
    import("../../confluence/page-ref.js"),
    import("../../io/progress.js"),
    import("../../io/safe-file.js"),
    import("../../output/json.js"),
    import("node:fs/promises"),
  ]);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const all = await listAttachments(client, pageId);
  const chosen = options.attachments.length > 0 ? selectAttachments(all, options.attachments, pageId) : all;
  const unique = [...new Map(chosen.map((a) => [a.id, a])).values()];
  await mkdir(options.out, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot create ${options.out}: ${error.code ?? error.message}`, {
      code: "usage.file",
    });
  });
  if (!(await stat(options.out)).isDirectory())
    throw new UsageError(`${options.out} is not a directory`, { code: "usage.file" });
  const targets = unique.map((attachment) => {
    const name = safeFileName(attachment.title, attachment.id || "attachment");
    return { attachment, name, path: pathInside(options.out, name) };
  });
  const seen = new Map<string, string>();
  for (const target of targets) {
    const other = seen.get(target.name.toLowerCase());
    if (other !== undefined)
      throw new UsageError(
        `"${other}" and "${target.attachment.title}" would both be saved as ${target.name}`,
        {
          code: "usage.file",
          hint: "download them one at a time into different directories",
        },
      );
    seen.set(target.name.toLowerCase(), target.attachment.title);
  }
  if (!options.clobber) {
    for (const target of targets) {
      if (
        await stat(target.path).then(
          () => true,
          () => false,
        )
      )
        throw new UsageError(`${target.path} already exists`, {
          code: "usage.file_exists",
          hint: "pass --clobber to overwrite it, or choose another --out directory",
        });
    }
  }
  if (targets.length === 0 && !ctx.globals.json && ctx.io.stdoutIsTTY)
    ctx.io.err(`Page ${pageId} has no attachments.`);
  const { createProgressBoard } = await import("../../io/progress.js");
  const board = createProgressBoard(ctx.io, "Downloading");
  const results = await mapConcurrent(targets, options.concurrency ?? DEFAULT_CONCURRENCY, async (target) => {
    const download = await openAttachmentDownload(client, target.attachment);
    const task = board.task(target.name, download.length ?? target.attachment.fileSize);
    try {
      const bytes = await writeFileAtomically(target.path, download.body, {
        noClobber: !options.clobber,
        expectedBytes: download.length,
        onBytes: (received) => {
          download.kick();
          task.update(received);
        },
      });
      board.clear();
      if (!ctx.globals.json) {
        if (ctx.io.stdoutIsTTY)
          ctx.io.out(
            `${ctx.io.colors.green("✓")} Saved ${target.attachment.title} (${formatBytes(bytes)}) to ${target.path}`,
          );
        else ctx.io.out(target.path);
      }
      return { id: target.attachment.id, title: target.attachment.title, path: target.path, bytes };
    } catch (error) {
      const explained = download.explain(error);
      if (explained instanceof ConflError) throw explained;
      throw new ConflError(
        `downloading ${target.attachment.title} failed: ${error instanceof Error ? error.message : String(error)}`,
        { code: "download.failed", hint: "nothing was saved under that name; try again", cause: error },
      );
    } finally {
      download.body.destroy();
      download.done();
      task.end();
    }
  });
  board.clear();
  if (ctx.globals.json) printJson(ctx.io, results);
  return results;
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("download")
    .description("Download a page's attachments (all, or the ones named)")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("[attachments...]", "attachment file names or ids (default: all)")
    .option("-o, --out <dir>", "directory to save into (created if missing)", ".")
    .option("--clobber", "overwrite files that already exist")
    .option(
      "--concurrency <n>",
      `files fetched at once (default ${DEFAULT_CONCURRENCY})`,
      parsePositiveInteger,
    )
    .addHelpText(
      "after",
      `
Each file is written to a temporary file first and renamed when complete. Names from the server are
made safe: no directories, no control characters, no Windows device names. Piped, each saved path
is printed on its own line.

Examples:
  $ confl attachment download 65538
  $ confl attachment download 65538 diagram.png --out ./assets
  $ confl attachment download "DOC:Release checklist" att131074 --clobber --json`,
    )
    .action(async (page, attachments, opts, cmd) => {
      await run(
        {
          page,
          attachments,
          out: opts.out,
          clobber: opts.clobber === true,
          ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
        },
        getContext(cmd as unknown as Command),
      );
    });
}
