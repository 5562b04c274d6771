/** `confl property set <page> <key> --value JSON | --value-file F|-`: create it, or write its next version. */
import type { Command } from "@commander-js/extra-typings";
import type { ContentProperty } from "../../confluence/properties.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { refuseIfReadOnly, writableClient } from "../write-guard.js";

export interface SetOptions {
  page: string;
  key: string;
  value?: string | undefined;
  valueFile?: string | undefined;
}

export type SetOutput = ContentProperty & { previousVersion: number | null };

export async function run(options: SetOptions, ctx: Context): Promise<SetOutput> {
  refuseIfReadOnly(ctx, "property set");
  const [{ parsePageRef, resolvePageRef }, { setProperty }, { printJson }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../confluence/properties.js"),
    import("../../output/json.js"),
  ]);
  const ref = parsePageRef(options.page);
  if (options.key.trim() === "") throw new UsageError("the property key is empty");
  if ((options.value === undefined) === (options.valueFile === undefined)) {
    throw new UsageError("give the value with --value JSON or --value-file FILE (one of them)", {
      hint: `confl property set 65538 ${options.key} --value '{"owner":"ada"}'`,
    });
  }
  const text = options.value ?? (await readValueFile(options.valueFile!, ctx));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the value is not JSON: ${(error as Error).message}`, {
      hint: `a string needs JSON quotes: --value '"text"'`,
    });
  }
  const client = await writableClient(ctx, "property set");
  const id = await resolvePageRef(client, ref);
  const { property, previousVersion } = await setProperty(client, id, options.key, value);
  const out: SetOutput = { ...property, previousVersion };
  if (ctx.globals.json) printJson(ctx.io, out);
  else
    ctx.io.out(
      previousVersion === null
        ? `Created property "${property.key}" on page ${id} (version ${property.version.number}).`
        : `Updated property "${property.key}" on page ${id}: version ${previousVersion} → ${property.version.number}.`,
    );
  return out;
}

async function readValueFile(source: string, ctx: Context): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  try {
    if (source !== "-") return await readFile(source, "utf8");
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the value file ${source}: ${code === "ENOENT" ? "no such file" : (code ?? String(error))}`,
    );
  }
}

export function register(property: Command, getContext: ContextFactory): void {
  property
    .command("set")
    .description("Create a content property, or write a new version of it")
    .argument("<page>", "page id, page URL, or SPACEKEY:Title")
    .argument("<key>", "the property key")
    .option("--value <json>", "the value as JSON (a string needs quotes: '\"text\"')")
    .option("--value-file <file>", "read the JSON value from a file, or - for standard input")
    .addHelpText(
      "after",
      `
An existing property gets version n+1; if someone else wrote it in between, nothing is written and the
error names both versions.

Examples:
  $ confl property set 65538 release-meta --value '{"owner":"ada","due":"2026-12-24"}'
  $ confl property set "DOC:Release checklist" reviewed --value true --json`,
    )
    .action(async (ref, key, opts, cmd) => {
      await run(
        { page: ref, key, value: opts.value, valueFile: opts.valueFile },
        getContext(cmd as unknown as Command),
      );
    });
}
