/** `confl auth switch <profile>`: makes another stored profile the active one. */
import type { Command } from "@commander-js/extra-typings";
import { environmentSecret } from "../../auth/resolve.js";
import type { Context, ContextFactory } from "../../context.js";

export interface SwitchOptions {
  profile: string;
}

export async function run(options: SwitchOptions, ctx: Context): Promise<void> {
  const { setActiveProfile, getProfile } = await import("../../config/store.js");
  await setActiveProfile(options.profile, ctx.env);
  const profile = await getProfile(options.profile, ctx.env);
  ctx.io.err(
    `${ctx.io.errColors.green("✓")} Active profile: ${options.profile}${profile ? ` (${profile.site})` : ""}`,
  );
  if (ctx.globals.json)
    ctx.io.out(JSON.stringify({ activeProfile: options.profile, site: profile?.site ?? null }));
  const env = environmentSecret(ctx.env);
  if (env)
    ctx.io.err(`note: ${env.variable} is set in the environment and takes precedence over stored profiles`);
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("switch")
    .description("Make another profile the active one")
    .argument("<profile>", "profile name (see confl auth status)")
    .addHelpText(
      "after",
      `
Examples:
  $ confl auth switch dc
  $ confl --profile dc api rest/api/space   # use another profile for one command only`,
    )
    .action(async (profile, _opts, cmd) => {
      await run({ profile }, getContext(cmd as unknown as Command));
    });
}
