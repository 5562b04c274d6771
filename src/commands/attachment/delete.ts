/** `confl attachment delete <page> <name|id> [--yes]`: asks on a terminal; scripts must pass --yes. */
import type { Command } from "@commander-js/extra-typings";
import type { Attachment } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { ConflError, UsageError } from "../../errors.js";

export interface DeleteOptions {
  page: string;
  attachment: string;
  yes?: boolean;
}

/** A delete goes ahead with --yes, or when a person at a terminal says yes; never silently in a script. */
export async function confirmDelete(ctx: Context, what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!ctx.io.canPrompt)
    throw new UsageError(`not deleting ${what} without confirmation`, {
      code: "usage.confirm",
      hint: "pass --yes to delete without being asked",
    });
  if (!(await ctx.prompter().confirm(`Delete ${what}?`, false)))
    throw new ConflError(`${what} was not deleted`, { code: "cancelled" });
}

export async function run(options: DeleteOptions, ctx: Context): Promise<Attachment> {
  const [{ deleteAttachment, listAttachments, selectAttachments }, { resolvePageRef }, { printJson }] =
    await Promise.all([
      import("../../confluence/attachments.js"),
      import("../../confluence/page-ref.js"),
      import("../../output/json.js"),
    ]);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, options.page);
  const [attachment] = selectAttachments(await listAttachments(client, pageId), [options.attachment], pageId);
  const what = `attachment ${attachment!.title} (${attachment!.id}) from page ${pageId}`;
  await confirmDelete(ctx, what, options.yes);
  await deleteAttachment(client, attachment!);
  if (ctx.globals.json) printJson(ctx.io, { ...attachment, deleted: true });
  else if (ctx.io.stdoutIsTTY) ctx.io.out(`${ctx.io.colors.green("✓")} Deleted ${what}`);
  else ctx.io.out(attachment!.id);
  return attachment!;
}

export function register(noun: Command, getContext: ContextFactory): void {
  noun
    .command("delete")
    .description("Delete an attachment from a page (it goes to the trash)")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("<attachment>", "the attachment's file name or id")
    .option("-y, --yes", "delete without asking (required when not at a terminal)")
    .addHelpText(
      "after",
      `
Examples:
  $ confl attachment delete 65538 diagram.png --yes
  $ confl attachment delete "DOC:Release checklist" att131074 --yes --json`,
    )
    .action(async (page, attachment, opts, cmd) => {
      await run({ page, attachment, yes: opts.yes === true }, getContext(cmd as unknown as Command));
    });
}
