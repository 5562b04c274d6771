/**
 * `confl auth refresh`: force an OAuth token refresh for the active (or --profile) profile, under the
 * same cross-process lock as automatic refreshes, and persist the rotated tokens. Client-credentials
 * profiles fetch a new token. Prints when the new token expires, never the token.
 */
import type { Command } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import { AuthError, UsageError } from "../../errors.js";

export type RefreshOptions = Record<string, never>;

export interface RefreshResult {
  profile: string;
  kind: "oauth" | "client-credentials";
  expiresAt?: string;
  scopes?: string[];
}

export async function run(_options: RefreshOptions, ctx: Context): Promise<RefreshResult> {
  const [{ openProfileStore, parseStoredSecret }, { secretEntryOf }, { loadConfig, selectProfile }] =
    await Promise.all([
      import("../../auth/session.js"),
      import("../../config/secret-entry.js"),
      import("../../config/store.js"),
    ]);
  const config = await loadConfig(ctx.env);
  const profile = selectProfile(config, ctx.globals.profile, ctx.env);
  if (!profile) {
    throw new UsageError("no profile to refresh", {
      hint: "Log in first with --type oauth and your app's --client-id (see 'confl auth login --help')",
    });
  }
  if (profile.kind !== "oauth" && profile.kind !== "client-credentials") {
    throw new UsageError(
      `profile "${profile.name}" uses ${profile.kind}, which has no OAuth token to refresh`,
      {
        hint: "Only --type oauth and --type client-credentials profiles refresh.",
      },
    );
  }
  const store = await openProfileStore(profile, ctx);
  const raw = store ? await store.get(secretEntryOf(profile)) : undefined;
  const secret = raw === undefined ? undefined : parseStoredSecret(raw, profile.name);
  if (!store || !secret || (secret.kind !== "oauth" && secret.kind !== "client-credentials")) {
    throw new AuthError(`no OAuth tokens are stored for profile "${profile.name}"`, {
      code: "auth.no_secret",
      hint: `Run \`confl auth login --profile ${profile.name}\` again.`,
    });
  }
  const { createOAuthStrategy } = await import("../../auth/oauth/index.js");
  const strategy = createOAuthStrategy({ profile, secret, store, ctx });
  const next = await strategy.refresh({ force: true });
  const result: RefreshResult = {
    profile: profile.name,
    kind: next.kind,
    ...(next.expiresAt !== undefined ? { expiresAt: new Date(next.expiresAt).toISOString() } : {}),
    ...(next.scopes ? { scopes: next.scopes } : {}),
  };
  if (ctx.globals.json) {
    ctx.io.out(JSON.stringify(result));
  } else {
    const until = result.expiresAt ? `; the new access token expires at ${result.expiresAt}` : "";
    ctx.io.err(`${ctx.io.errColors.green("✓")} Refreshed the OAuth token of profile ${profile.name}${until}`);
  }
  return result;
}

export function registerRefresh(authCommand: Command, getContext: ContextFactory): void {
  authCommand
    .command("refresh")
    .description("Refresh the OAuth access token now (rotates the refresh token)")
    .addHelpText(
      "after",
      `
Tokens refresh by themselves about a minute before they expire and after a 401; this forces one.

Examples:
  $ confl auth refresh
  $ confl auth refresh --profile work --json`,
    )
    .action(async (_opts, cmd) => {
      await run({}, getContext(cmd as unknown as Command));
    });
}
