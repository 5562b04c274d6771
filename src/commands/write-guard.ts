/**
 * The early half of read-only mode: a write command calls these before it prompts, reads a body file
 * or sends anything, so the refusal is one clear line. The HTTP client refuses writes on its own as
 * well (createHttpClient, READ_METHODS); this only makes the message come first.
 */
import type { ConfluenceClient } from "../confluence/client.js";
import type { Context } from "../context.js";
import { ConflError, ExitCode, ReadOnlyError, UsageError } from "../errors.js";

/** Refuses when --read-only or CONFL_READ_ONLY is in force (no profile needed to know). */
export function refuseIfReadOnly(ctx: Pick<Context, "globals">, what: string): void {
  if (ctx.globals.readOnly) throw new ReadOnlyError(what, ctx.globals.readOnly);
}

/** The client for a write, refused when the flag, the variable or the profile's readOnly says so. */
export async function writableClient(ctx: Context, what: string): Promise<ConfluenceClient> {
  refuseIfReadOnly(ctx, what);
  const client = await ctx.client();
  if (client.readOnly) throw new ReadOnlyError(what, client.readOnly.reason);
  return client;
}

/**
 * Deletes ask on a terminal; without one (a script, --no-input) they need --yes. A "no" is exit 1 with
 * nothing deleted.
 */
export async function confirmDelete(ctx: Context, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!ctx.io.canPrompt) {
    throw new UsageError(`${question.replace(/\?$/, "")}: confirm with --yes (confl cannot ask here)`, {
      code: "usage.confirm",
      hint: "deleting needs --yes when there is no terminal to ask on, or with --no-input",
    });
  }
  if (!(await ctx.prompter().confirm(question, false))) {
    throw new ConflError("not confirmed: nothing was deleted", {
      code: "cancelled",
      exitCode: ExitCode.FAILURE,
    });
  }
}
