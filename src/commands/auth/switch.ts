/** `confl auth switch [profile]`: makes another stored profile the active one (picked on a terminal when not named). */
import type { Command } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import { InterruptedError, UsageError } from "../../errors.js";

export interface SwitchOptions {
  /** undefined: pick one on a terminal */
  profile?: string | undefined;
}

export interface SwitchDeps {
  /** the picker (default: @clack/prompts select on stderr) */
  choose?: (
    message: string,
    choices: Array<{ value: string; label: string; hint?: string }>,
    initial: string | undefined,
  ) => Promise<string>;
}

/** Which profile: the argument, else a pick among the stored ones on a terminal. */
async function chooseProfile(ctx: Context, deps: SwitchDeps): Promise<string> {
  const { loadConfig } = await import("../../config/store.js");
  const config = await loadConfig(ctx.env);
  const names = Object.keys(config.profiles).sort();
  if (names.length === 0)
    throw new UsageError("there is no profile to switch to", { hint: "log in first: confl auth login" });
  if (!ctx.io.canPrompt) {
    throw new UsageError("which profile? give its name (there is no terminal to choose on)", {
      code: "usage.no_profile_argument",
      hint: `profiles: ${names.join(", ")}; e.g. confl auth switch ${names[0]}`,
    });
  }
  const choices = names.map((name) => {
    const p = config.profiles[name]!;
    return {
      value: name,
      label: `${name}${name === config.activeProfile ? " (active)" : ""}`,
      hint: `${p.site} · ${p.kind}`,
    };
  });
  const choose =
    deps.choose ??
    (async (message, options, initial) => {
      const { select, isCancel } = await import("@clack/prompts");
      const value = await select<string>({
        message,
        options,
        ...(initial ? { initialValue: initial } : {}),
        input: ctx.io.stdin,
        output: ctx.io.stderr,
      });
      if (isCancel(value)) throw new InterruptedError("cancelled");
      return value;
    });
  return choose("Which profile?", choices, config.activeProfile);
}

export async function run(options: SwitchOptions, ctx: Context, deps: SwitchDeps = {}): Promise<void> {
  const { setActiveProfile, getProfile } = await import("../../config/store.js");
  const name = options.profile ?? (await chooseProfile(ctx, deps));
  await setActiveProfile(name, ctx.env);
  const profile = await getProfile(name, ctx.env);
  ctx.io.err(`${ctx.io.errColors.green("✓")} Active profile: ${name}${profile ? ` (${profile.site})` : ""}`);
  if (ctx.globals.json) ctx.io.out(JSON.stringify({ activeProfile: name, site: profile?.site ?? null }));
  const { environmentSecret } = await import("../../auth/resolve.js");
  const env = environmentSecret(ctx.env);
  if (env)
    ctx.io.err(`note: ${env.variable} is set in the environment and takes precedence over stored profiles`);
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("switch")
    .description("Make another profile the active one")
    .argument("[profile]", "profile name (see confl auth status); on a terminal, leave it out to pick one")
    .addHelpText(
      "after",
      `
Examples:
  $ confl auth switch dc
  $ confl auth switch                       # pick one (on a terminal)
  $ confl --profile dc api rest/api/space   # use another profile for one command only`,
    )
    .action(async (profile, _opts, cmd) => {
      await run({ profile }, getContext(cmd as unknown as Command));
    });
}
