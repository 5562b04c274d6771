/** The `export` command: a page tree or a space as Markdown files; the work is loaded only when it runs. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { parsePositiveInteger, parseWholeNumber } from "../list-flags.js";

export const DEFAULT_EXPORT_CONCURRENCY = 6;

export function registerExport(program: Command, getContext: ContextFactory): void {
  program
    .command("export")
    .description("Export a page tree or a whole space as Markdown files with their attachments")
    .argument("[page]", "the top page of the tree (id, page URL, or SPACEKEY:Title)")
    .option("-s, --space <key>", "export the whole space instead of one page tree")
    .requiredOption("-o, --out <dir>", "the folder to export into (created if missing)")
    .option(
      "--depth <n>",
      "levels below the top page(s) (0: the top pages only; default: all)",
      parseWholeNumber,
    )
    .option("--no-attachments", "leave attachments out")
    .option("--referenced-only", "only the attachments a page's body refers to (images, file links)")
    .option(
      "--exclude <title-glob...>",
      "leave out pages whose title matches (* and ?), with everything below them",
    )
    .option(
      "--concurrency <n>",
      `requests in flight at once (default ${DEFAULT_EXPORT_CONCURRENCY})`,
      parsePositiveInteger,
    )
    .option("--dry-run", "print what would be written, downloaded and removed; write nothing")
    .addHelpText(
      "after",
      `
Each page becomes <Title>.md with front matter (id, title, labels, parent, version, source); a page with
children or attachments also gets a folder <Title>/ beside it holding them. Links between exported
pages become relative links. Names are safe on Linux, macOS and Windows; clashes get " (2)".

Run it again into the same folder and only what changed is fetched: the state file
.confl-export.json records the version of every page on disk. An interrupted export (Ctrl-C, a lost
connection, a kill) resumes where it stopped. Pages and attachments that are gone from Confluence
are removed from the folder.

Examples:
  $ confl export --space ENG --out ./eng-docs
  $ confl export 65538 --out ./release --depth 1
  $ confl export --space DOC --out ./docs --referenced-only --exclude "FAQ*" --json
  $ confl export --space DOC --out ./docs --dry-run`,
    )
    .action(async (page, opts, cmd) => {
      if (opts.referencedOnly && opts.attachments === false)
        throw new UsageError("--no-attachments and --referenced-only contradict each other: choose one");
      const { run } = await import("./export.js");
      await run(
        {
          page,
          space: opts.space,
          out: opts.out,
          depth: opts.depth,
          attachments: opts.attachments === false ? "none" : opts.referencedOnly ? "referenced" : "all",
          exclude: opts.exclude ?? [],
          concurrency: opts.concurrency ?? DEFAULT_EXPORT_CONCURRENCY,
          dryRun: opts.dryRun === true,
        },
        getContext(cmd as unknown as Command),
      );
    });
}
