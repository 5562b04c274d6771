/**
 * `confl attachment upload <page> <file...>`: each file becomes a new attachment, or a new version of the
 * page's attachment with the same name. Files are streamed from disk; none is read whole into memory.
 */
import type { Command } from "@commander-js/extra-typings";
import type { Attachment } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { parsePositiveInteger } from "../list-flags.js";

export const DEFAULT_CONCURRENCY = 4;

export interface UploadOptions {
  page: string;
  files: string[];
  comment?: string | undefined;
  minorEdit?: boolean;
  concurrency?: number;
}

export interface Uploaded extends Attachment {
  /** true when this upload added a version to an attachment that already existed */
  newVersion: boolean;
  /** the local file it came from */
  path: string;
}

export async function run(options: UploadOptions, ctx: Context): Promise<Uploaded[]> {
  const [
    { listAttachments, uploadAttachment },
    { mapConcurrent },
    { resolvePageRef },
    { formatBytes },
    { printJson },
    { closeAll, openLocalFiles },
  ] = await Promise.all([
    import("../../confluence/attachments.js"),
    import("../../confluence/client.js"),
    import("../../confluence/page-ref.js"),
    import("../../io/progress.js"),
    import("../../output/json.js"),
    import("./files.js"),
  ]);
  const files = await openLocalFiles(options.files);
  try {
    const client = await ctx.client();
    const pageId = await resolvePageRef(client, options.page);
    const existing = new Map((await listAttachments(client, pageId)).map((a) => [a.title, a.id]));
    const { createProgressBoard } = await import("../../io/progress.js");
    const board = createProgressBoard(ctx.io, "Uploading");
    const results = await mapConcurrent(files, options.concurrency ?? DEFAULT_CONCURRENCY, async (file) => {
      const task = board.task(file.filename, file.size);
      try {
        const existingId = existing.get(file.filename);
        const attachment = await uploadAttachment(client, pageId, file, {
          comment: options.comment,
          minorEdit: options.minorEdit,
          existingId,
          onBytes: (sent) => task.update(sent),
        });
        const uploaded: Uploaded = { ...attachment, newVersion: existingId !== undefined, path: file.path };
        board.clear();
        if (!ctx.globals.json) {
          if (ctx.io.stdoutIsTTY)
            ctx.io.out(
              `${ctx.io.colors.green("✓")} Uploaded ${file.filename} (${formatBytes(file.size)}) as ${uploaded.id}, ${uploaded.newVersion ? `version ${uploaded.version?.number ?? "?"}` : "new attachment"}`,
            );
          else ctx.io.out(`${uploaded.id}\t${uploaded.title}\t${uploaded.version?.number ?? ""}`);
        }
        return uploaded;
      } finally {
        task.end();
      }
    });
    board.clear();
    if (ctx.globals.json) printJson(ctx.io, results);
    return results;
  } finally {
    await closeAll(files);
  }
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("upload")
    .description("Attach files to a page (a file whose name is already attached becomes a new version)")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("<file...>", "files to upload")
    .option("-m, --comment <text>", "a comment stored with each uploaded file")
    .option("--minor-edit", "do not notify the page's watchers")
    .option("--concurrency <n>", `files sent at once (default ${DEFAULT_CONCURRENCY})`, parsePositiveInteger)
    .addHelpText(
      "after",
      `
Files are streamed from disk. A missing or unreadable file stops the command before anything is sent.
Piped, each line is ID, NAME and VERSION separated by tabs.

Examples:
  $ confl attachment upload 65538 report.pdf
  $ confl attachment upload "DOC:Release checklist" screenshot.png notes.txt --comment "Q3 update"
  $ confl attachment upload 65538 report.pdf --json`,
    )
    .action(async (page, files, opts, cmd) => {
      await run(
        {
          page,
          files,
          comment: opts.comment,
          minorEdit: opts.minorEdit === true,
          ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
        },
        getContext(cmd as unknown as Command),
      );
    });
}
