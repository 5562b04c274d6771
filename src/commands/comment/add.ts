/** `confl comment add <page> --body-file F|-`: adds a footer comment. */
import type { Command } from "@commander-js/extra-typings";
import type { Comment } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";

export interface AddOptions {
  page: string;
  /** a path, or "-" for standard input */
  bodyFile: string;
}

/** Comments are at most this big here; Confluence refuses content bodies over 5 MB (§1.4). */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Storage format as given when it starts with markup; otherwise plain text, one paragraph per block
 * separated by a blank line, with its `&`, `<` and `>` escaped.
 */
export function commentStorage(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith("<")) return trimmed;
  return trimmed
    .split(/\r?\n\s*\r?\n/)
    .map((block) => `<p>${escapeXml(block.trim()).replace(/\r?\n/g, "<br />")}</p>`)
    .join("");
}

async function readBody(ctx: Context, source: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  if (source === "-") {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.io.stdin) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new UsageError("the comment on standard input is larger than 5 MB");
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  }
  let text: string;
  try {
    text = await readFile(source, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "is a directory"
            : String(code);
    throw new UsageError(`cannot read ${source}: ${why}`, { code: "usage.file" });
  }
  // the same limit as on standard input: refused here, not after a 5 MB upload
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES)
    throw new UsageError(`the comment in ${source} is larger than 5 MB`, { code: "usage.file" });
  return text;
}

export async function run(options: AddOptions, ctx: Context): Promise<Comment> {
  const [{ addComment }, { resolvePageRef }, { printJson }] = await Promise.all([
    import("../../confluence/comments.js"),
    import("../../confluence/page-ref.js"),
    import("../../output/json.js"),
  ]);
  const text = await readBody(ctx, options.bodyFile);
  if (text.trim() === "")
    throw new UsageError("the comment is empty", {
      hint: "write the comment in the file (or pipe it with --body-file -)",
    });
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const comment = await addComment(client, pageId, commentStorage(text));
  if (ctx.globals.json) printJson(ctx.io, comment);
  else if (ctx.io.stdoutIsTTY)
    ctx.io.out(
      `${ctx.io.colors.green("✓")} Added comment ${comment.id} to page ${pageId}${comment.webUrl ? `\n${comment.webUrl}` : ""}`,
    );
  else ctx.io.out(comment.id);
  return comment;
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("add")
    .description("Add a comment to a page")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .requiredOption("-F, --body-file <file>", 'the comment: a file, or "-" for standard input')
    .addHelpText(
      "after",
      `
The file holds Confluence storage format (XHTML such as <p>Looks good</p>); plain text is also
accepted and becomes paragraphs (a blank line starts a new one). "-" reads standard input:
echo "Looks good" | confl comment add 65538 --body-file -

Examples:
  $ confl comment add 65538 --body-file review.txt
  $ confl comment add "DOC:Release checklist" --body-file comment.xhtml --json`,
    )
    .action(async (page, opts, cmd) => {
      await run({ page, bodyFile: opts.bodyFile }, getContext(cmd as unknown as Command));
    });
}
