/**
 * `confl auth token`: prints the active credential's secret for scripts. The only command allowed to
 * write a secret to stdout. When stdout is a terminal (a screen someone may be sharing or recording)
 * it asks first, and without a person to ask (--no-input, stdin not a terminal) it refuses unless
 * --yes is given. Piped or captured (`TOKEN=$(confl auth token)`) it prints without asking.
 */
import type { Command } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import { ConflError, UsageError } from "../../errors.js";
import { type Confirm, clackConfirm } from "./prompts.js";

export interface TokenOptions {
  /** Print even when stdout is a terminal, without asking. */
  yes?: boolean;
}

export interface TokenDeps {
  /** The question asked when stdout is a terminal; the real one is a clack prompt on stderr. */
  confirm?: Confirm;
}

export interface TokenJson {
  profile: string;
  kind: string;
  token: string;
}

export async function run(options: TokenOptions, ctx: Context, deps: TokenDeps = {}): Promise<string> {
  const [{ isOAuthKind, primarySecretValue }, { resolveSession }] = await Promise.all([
    import("../../auth/kinds/index.js"),
    import("../../auth/session.js"),
  ]);
  const session = await resolveSession(ctx);
  const secret = session.resolved.secret;
  let value: string | undefined;
  if (isOAuthKind(session.profile.kind)) {
    // Let the strategy refresh first, then print what it would send.
    const { HttpHeaders } = await import("../../http/headers.js");
    const headers = new HttpHeaders();
    await session.strategy.apply({ url: new URL(session.profile.apiBase), method: "GET", headers });
    value = headers.get("authorization")?.replace(/^Bearer\s+/i, "");
  } else if (secret) {
    value = primarySecretValue(secret);
  }
  if (!value) {
    throw new UsageError(`profile "${session.profile.name}" has no secret (kind ${session.profile.kind})`, {
      code: "usage.no_secret",
    });
  }
  const name = session.profile.name;
  if (ctx.io.stdoutIsTTY && !options.yes) {
    if (!ctx.io.canPrompt) {
      throw new UsageError("not printing the secret: standard output is a terminal", {
        hint: "Capture it (TOKEN=$(confl auth token)) or pipe it; pass --yes to print it on the terminal anyway.",
        code: "usage.token_on_terminal",
      });
    }
    const confirm = deps.confirm ?? clackConfirm(ctx);
    if (
      !(await confirm(
        `Print the secret of profile "${name}" on this terminal, where anyone watching can see it?`,
      ))
    ) {
      throw new ConflError("the secret was not printed", {
        hint: "Capture it instead: TOKEN=$(confl auth token)",
        code: "auth.token_not_printed",
      });
    }
  }
  if (ctx.globals.json) {
    const json: TokenJson = { profile: name, kind: session.profile.kind, token: value };
    // The one deliberate unredacted write: printing the secret is this command's purpose.
    ctx.io.printSecret(JSON.stringify(json));
  } else {
    ctx.io.printSecret(value);
  }
  return value;
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("token")
    .description("Print the active profile's secret (for scripts: TOKEN=$(confl auth token))")
    .option("-y, --yes", "print even when standard output is a terminal, without asking")
    .addHelpText(
      "after",
      `
The secret goes to standard output only; keep it out of logs and shell history. Piped or captured,
it is printed as is. On a terminal confl asks first, and refuses (exit 2) when it cannot ask
(--no-input, or standard input is not a terminal) unless --yes is given.

With --json the output is one object, {"profile": "...", "kind": "...", "token": "..."}; kind says
how to send it (api-token: Basic auth with the profile's email; pat and oauth: a Bearer token).

Examples:
  $ TOKEN=$(confl auth token)
  $ curl -sf -H "Authorization: Bearer $(confl --profile dc auth token)" https://wiki.corp.example/confluence/rest/api/space
  $ confl --json auth token | jq -r .token`,
    )
    .action(async (opts, cmd) => {
      await run({ yes: opts.yes === true }, getContext(cmd as unknown as Command));
    });
}
