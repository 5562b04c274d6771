/**
 * `confl convert`: the Markdown ↔ storage converter on its own, no server: a FILE or stdin in, stdout
 * out, for pipelines, editors and CI checks. The converter (unified, htmlparser2) is imported only
 * here, when the command runs, so `confl --help` and `--version` never load it.
 */
import { readFile } from "node:fs/promises";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { ConversionReport, FrontMatter } from "../../markdown/types.js";
import { printJson } from "../../output/json.js";

export type Format = "storage" | "markdown";

export interface ConvertOptions {
  from: Format;
  to: Format;
  /** a path, or "-" / undefined for stdin */
  file?: string | undefined;
  quiet?: boolean;
}

export interface ConvertResult {
  output: string;
  frontMatter?: FrontMatter | undefined;
  report: ConversionReport;
}

export interface ConvertDeps {
  readFile?(path: string): Promise<Uint8Array>;
}

export async function run(
  options: ConvertOptions,
  ctx: Context,
  deps: ConvertDeps = {},
): Promise<ConvertResult> {
  if (options.from === options.to)
    throw new UsageError(`--from and --to are both ${options.from}: nothing to convert`, {
      hint: "use --from storage --to markdown, or --from markdown --to storage",
    });
  const input = await readInput(options.file, ctx, deps);
  const converter = await import("../../markdown/index.js");
  let result: ConvertResult;
  try {
    if (options.from === "storage") {
      const { markdown, report } = converter.storageToMarkdown(input);
      result = { output: markdown, report };
    } else {
      const { storage, frontMatter, report } = converter.markdownToStorage(input);
      result = { output: storage, frontMatter, report };
    }
  } catch (error) {
    if (error instanceof converter.InvalidStorageError || error instanceof converter.FrontMatterError)
      throw new UsageError(error.message, { code: "convert.invalid_input" });
    throw error;
  }
  if (ctx.globals.json) {
    printJson(ctx.io, {
      output: result.output,
      ...(options.to === "storage" ? { frontMatter: result.frontMatter ?? null } : {}),
      report: result.report,
    });
  } else {
    ctx.io.stdout.write(
      result.output.endsWith("\n") || result.output === "" ? result.output : `${result.output}\n`,
    );
    const summary = summarize(result.report);
    if (summary && !options.quiet) ctx.io.err(`note: ${summary}`);
  }
  return result;
}

async function readInput(file: string | undefined, ctx: Context, deps: ConvertDeps): Promise<string> {
  if (file === undefined || file === "-") {
    if (file === undefined && ctx.io.stdin.isTTY)
      throw new UsageError("no input: give a FILE, or pipe the document into stdin", {
        hint: "confl convert --from storage --to markdown page.xml",
      });
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.io.stdin)
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return decode(Buffer.concat(chunks), "stdin");
  }
  const read = deps.readFile ?? ((path: string) => readFile(path));
  try {
    return decode(await read(file), file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? String(error));
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
}

function decode(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UsageError(`${name} is not UTF-8 text`);
  }
}

/** One line: what was kept verbatim and what was skipped, by kind, most frequent first. */
export function summarize(report: ConversionReport): string | undefined {
  const parts: string[] = [];
  const tally = (items: string[]) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, n]) => `${n} ${name}`)
      .join(", ");
  };
  if (report.verbatim.length)
    parts.push(`kept ${report.verbatim.length} verbatim (${tally(report.verbatim.map((v) => v.element))})`);
  if (report.skipped.length)
    parts.push(`skipped ${report.skipped.length} (${tally(report.skipped.map((s) => s.reason))})`);
  return parts.length ? parts.join("; ") : undefined;
}
