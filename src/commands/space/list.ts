/** `confl space list`: the spaces this account can see. */
import { type Command, Option } from "@commander-js/extra-typings";
import type { Space } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";
import { listAll } from "../list-run.js";

export interface ListOptions {
  type?: "global" | "personal" | undefined;
  status?: "current" | "archived" | undefined;
  /** undefined = all */
  limit: number | undefined;
}

export const spaceColumns: Column<Space>[] = [
  { header: "Key", value: (s) => s.key, style: (t, c) => c.bold(t) },
  { header: "Name", value: (s) => s.name, flex: true },
  { header: "Type", value: (s) => s.type },
  { header: "Status", value: (s) => s.status },
  { header: "ID", value: (s) => s.id, style: (t, c) => c.dim(t) },
];

export async function run(options: ListOptions, ctx: Context): Promise<Space[]> {
  const { listSpaces } = await import("../../confluence/spaces.js");
  return listAll(ctx, (client) => listSpaces(client, options), spaceColumns, "No spaces found.");
}

export function register(space: Command, getContext: ContextFactory): void {
  withListFlags(
    space
      .command("list")
      .description("List spaces")
      .addOption(
        new Option("--type <type>", "only global or only personal spaces").choices([
          "global",
          "personal",
        ] as const),
      )
      .addOption(
        new Option("--status <status>", "only current or archived spaces").choices([
          "current",
          "archived",
        ] as const),
      ),
  )
    .addHelpText(
      "after",
      `
Piped, each line is KEY, NAME, TYPE, STATUS and ID separated by tabs; --json prints the fields listed in
the README.

Examples:
  $ confl space list
  $ confl space list --type personal --all
  $ confl space list --status current --limit 2 --json`,
    )
    .action(async (opts, cmd) => {
      await run(
        { type: opts.type, status: opts.status, limit: listLimit(opts) },
        getContext(cmd as unknown as Command),
      );
    });
}
