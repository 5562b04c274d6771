/** `confl space view <KEY>`: one space, with its description and homepage. */
import type { Command } from "@commander-js/extra-typings";
import type { Space } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { openInBrowser } from "../open-in-browser.js";

export interface ViewOptions {
  key: string;
  web?: boolean;
}

export async function run(options: ViewOptions, ctx: Context): Promise<Space> {
  const key = options.key.trim();
  if (!/^~?[A-Za-z0-9_-]+$/.test(key)) {
    throw new UsageError(`not a space key: "${options.key}"`, {
      code: "usage.space_key",
      hint: "space keys are letters and digits (DOC, ENG; personal spaces start with ~)",
    });
  }
  const [{ getSpace }, { printFields }, { printJson }] = await Promise.all([
    import("../../confluence/spaces.js"),
    import("../../output/fields.js"),
    import("../../output/json.js"),
  ]);
  const client = await ctx.client();
  const space = await getSpace(client, key);
  if (options.web) {
    await openInBrowser(ctx, space.webUrl);
    return space;
  }
  if (ctx.globals.json) {
    printJson(ctx.io, space);
    return space;
  }
  if (ctx.io.stdoutIsTTY) ctx.io.out(`${ctx.io.colors.bold(space.name)} (${space.key})`);
  printFields(ctx.io, [
    ["key", space.key],
    ["name", space.name],
    ["type", space.type],
    ["status", space.status],
    ["id", space.id],
    ["homepage", space.homepageId ?? ""],
    ["url", space.webUrl ?? ""],
  ]);
  if (space.description) {
    if (ctx.io.stdoutIsTTY) ctx.io.out(`\n${space.description}`);
    else ctx.io.out(`description:\t${space.description.replace(/[\t\r\n]+/g, " ")}`);
  }
  return space;
}

export function register(space: Command, getContext: ContextFactory): void {
  space
    .command("view")
    .description("Show a space: name, type, homepage, description, URL")
    .argument("<key>", "the space key (DOC, ~ada)")
    .option("-w, --web", "open the space in the browser")
    .addHelpText(
      "after",
      `
On a terminal the fields are aligned; piped, each line is "field:<TAB>value".

Examples:
  $ confl space view DOC
  $ confl space view ENG --json
  $ confl space view DOC --web`,
    )
    .action(async (key, opts, cmd) => {
      await run({ key, web: opts.web === true }, getContext(cmd as unknown as Command));
    });
}
