/** `confl auth logout`: removes the profile's secret from its store and the profile from config.json. */
import type { Command } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";

export type LogoutOptions = Record<string, never>;

export interface LogoutResult {
  profile: string;
  secretRemoved: boolean;
  /** when the active profile was removed: the one now active (null: none left) */
  activeProfile?: string | null;
}

export async function run(_options: LogoutOptions, ctx: Context): Promise<LogoutResult> {
  const [{ loadConfig, removeProfile, unknownProfileError }, { environmentSecret }, { openProfileStore }] =
    await Promise.all([
      import("../../config/store.js"),
      import("../../auth/resolve.js"),
      import("../../auth/stored-secret.js"),
    ]);
  const { secretEntryOf } = await import("../../config/secret-entry.js");
  const config = await loadConfig(ctx.env);
  const name = ctx.globals.profile ?? config.activeProfile;
  if (!name)
    throw new UsageError("not logged in: there is no profile to log out of", { hint: "confl auth status" });
  const profile = config.profiles[name];
  if (!profile || !Object.hasOwn(config.profiles, name)) throw unknownProfileError(name, config, ctx.env);
  // The profile goes first, then its secret: a logout killed in between leaves an unused secret in the
  // store, never a profile whose secret is gone.
  let activated: { profile: string | undefined } | undefined;
  await removeProfile(name, ctx.env, (next) => {
    activated = { profile: next?.name };
  });
  let secretRemoved = false;
  const store = await openProfileStore(profile, ctx);
  if (store) secretRemoved = await store.delete(secretEntryOf(profile));
  if (profile.jira && profile.jira.secretStore !== "none") {
    // Jira Data Center's own secret (login --product jira) goes with the profile
    const { jiraSecretEntryOf } = await import("../../jira/session.js");
    const jiraStore = await openProfileStore({ ...profile, secretStore: profile.jira.secretStore }, ctx);
    await jiraStore?.delete(jiraSecretEntryOf(profile, profile.jira));
  }
  ctx.io.err(
    `${ctx.io.errColors.green("✓")} Logged out of ${profile.site} (profile ${name})${secretRemoved ? `; removed its secret from the ${profile.secretStore} store` : ""}`,
  );
  if (activated) {
    const next = activated.profile ? config.profiles[activated.profile] : undefined;
    ctx.io.err(
      next
        ? `Active profile is now ${next.name} (${next.site}); change it with: confl auth switch`
        : "No profile is left; log in with: confl auth login",
    );
  }
  const env = environmentSecret(ctx.env);
  if (env) ctx.io.err(`note: ${env.variable} is still set in the environment and will keep being used`);
  const result = {
    profile: name,
    secretRemoved,
    ...(activated ? { activeProfile: activated.profile ?? null } : {}),
  };
  if (ctx.globals.json) ctx.io.out(JSON.stringify(result));
  return result;
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("logout")
    .description("Remove the active profile (or --profile NAME) and its stored secret")
    .addHelpText(
      "after",
      `
Examples:
  $ confl auth logout
  $ confl --profile dc auth logout`,
    )
    .action(async (_opts, cmd) => {
      await run({}, getContext(cmd as unknown as Command));
    });
}
