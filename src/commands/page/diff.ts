/** `confl page diff <page> [--from N] [--to M] [--format storage|text]`: what changed between two versions. */
import { type Command, Option } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { parsePositiveInteger } from "../list-flags.js";

export interface DiffOptions {
  page: string;
  /** default: the version before `to` */
  from?: number | undefined;
  /** default: the current version */
  to?: number | undefined;
  format: "storage" | "text";
}

export interface DiffResult {
  pageId: string;
  from: number;
  to: number;
  format: "storage" | "text";
  /** the unified diff; "" when the two versions are the same */
  diff: string;
}

export async function run(options: DiffOptions, ctx: Context): Promise<DiffResult> {
  const [{ parsePageRef, resolvePageRef }, { getPage }, { storageToText }, { printJson }] = await Promise.all(
    [
      import("../../confluence/page-ref.js"),
      import("../../confluence/pages.js"),
      import("../../confluence/storage-text.js"),
      import("../../output/json.js"),
    ],
  );
  const ref = parsePageRef(options.page);
  const client = await ctx.client();
  const id = await resolvePageRef(client, ref);
  const current = await getPage(client, id);
  const latest = current.version?.number ?? 1;
  const to = options.to ?? latest;
  const from = options.from ?? to - 1;
  if (from < 1)
    throw new UsageError(`page ${id} has only version ${to}: there is nothing before it to compare`);
  for (const n of [to, from]) {
    if (n > latest) throw new UsageError(`page ${id} has no version ${n}: its current version is ${latest}`);
  }
  const [a, b] = await Promise.all(
    [from, to].map((n) => (n === latest ? Promise.resolve(current) : getPage(client, id, { version: n }))),
  );
  const render = (storage: string) => (options.format === "text" ? storageToText(storage) : storage);
  // Storage is often one long line: break it between tags so a change shows as the element it is in.
  const lines = (storage: string) =>
    options.format === "text" ? `${render(storage)}\n` : `${render(storage).replace(/>(?=<)/g, ">\n")}\n`;
  const { unifiedDiff } = await import("../../output/unified-diff.js");
  const diff = unifiedDiff(lines(a!.body.storage), lines(b!.body.storage), {
    from: `page ${id} version ${from} (${options.format})`,
    to: `page ${id} version ${to} (${options.format})`,
  });
  const result: DiffResult = { pageId: id, from, to, format: options.format, diff };
  if (ctx.globals.json) printJson(ctx.io, result);
  else if (diff === "") {
    if (ctx.io.stdoutIsTTY)
      ctx.io.err(`Versions ${from} and ${to} of page ${id} have the same ${options.format}.`);
  } else {
    const { colors } = ctx.io;
    for (const line of diff.trimEnd().split("\n")) {
      if (line.startsWith("@@")) ctx.io.out(colors.cyan(line));
      else if (line.startsWith("+") && !line.startsWith("+++")) ctx.io.out(colors.green(line));
      else if (line.startsWith("-") && !line.startsWith("---")) ctx.io.out(colors.red(line));
      else ctx.io.out(line);
    }
  }
  return result;
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("diff")
    .description("Show what changed between two versions of a page, as a unified diff")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .option("--from <n>", "the older version (default: the one before --to)", parsePositiveInteger)
    .option("--to <n>", "the newer version (default: the current one)", parsePositiveInteger)
    .addOption(
      new Option("-f, --format <format>", "compare the storage XML or the readable text")
        .choices(["storage", "text"] as const)
        .default("storage" as const),
    )
    .addHelpText(
      "after",
      `
Storage is compared one element per line (a line break is put between adjacent tags).

Examples:
  $ confl page diff 65538
  $ confl page diff "DOC:Release checklist" --from 1 --to 7 --format text
  $ confl page diff 65538 --from 5 --to 6 --json`,
    )
    .action(async (ref, opts, cmd) => {
      await run(
        { page: ref, from: opts.from, to: opts.to, format: opts.format },
        getContext(cmd as unknown as Command),
      );
    });
}
