/**
 * `confl auth token`: prints the active credential's secret for scripts. The only command allowed to
 * write a secret to stdout; it refuses when stdout is a terminal unless asked, so it does not end up
 * in a screen recording by accident.
 */
import type { Command } from "@commander-js/extra-typings";
import { resolveSession } from "../../auth/session.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../index.js";

export type TokenOptions = Record<string, never>;

export async function run(_options: TokenOptions, ctx: Context): Promise<string> {
  const session = await resolveSession(ctx);
  const secret = session.resolved.secret;
  let value: string | undefined;
  if (session.profile.kind === "oauth" || session.profile.kind === "client-credentials") {
    // Let the strategy refresh first, then print what it would send.
    const headers = new Headers();
    await session.strategy.apply({ url: new URL(session.profile.apiBase), method: "GET", headers });
    value = headers.get("authorization")?.replace(/^Bearer\s+/i, "");
  } else if (secret) {
    switch (secret.kind) {
      case "api-token":
      case "scoped-token":
      case "pat":
        value = secret.token;
        break;
      case "password":
        value = secret.password;
        break;
      case "cookie":
        value = secret.cookie;
        break;
      default:
        value = undefined;
    }
  }
  if (!value) {
    throw new UsageError(`profile "${session.profile.name}" has no secret (kind ${session.profile.kind})`, {
      code: "usage.no_secret",
    });
  }
  // The one deliberate unredacted write: printing the secret is this command's purpose.
  ctx.io.printSecret(value);
  return value;
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("token")
    .description("Print the active profile's secret (for scripts: TOKEN=$(confl auth token))")
    .addHelpText(
      "after",
      `
The secret goes to standard output only; keep it out of logs and shell history.

Examples:
  $ TOKEN=$(confl auth token)
  $ confl --profile dc auth token | other-tool --token-stdin`,
    )
    .action(async (_opts, cmd) => {
      await run({}, getContext(cmd as unknown as Command));
    });
}
