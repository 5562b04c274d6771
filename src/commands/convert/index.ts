/** The `convert` command: Markdown ↔ storage format, offline. */
import { type Command, Option } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";

export function registerConvert(program: Command, getContext: ContextFactory): void {
  program
    .command("convert")
    .description("Convert between Confluence storage format and Markdown, offline (stdin to stdout)")
    .argument("[file]", "the document to convert; - or nothing reads stdin")
    .addOption(
      new Option("--from <format>", "what the input is")
        .choices(["storage", "markdown"] as const)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--to <format>", "what to write")
        .choices(["markdown", "storage"] as const)
        .makeOptionMandatory(),
    )
    .option("-q, --quiet", "do not print the one-line report of what was kept verbatim or skipped")
    .addHelpText(
      "after",
      `
What Markdown cannot express (unknown macros, merged table cells, layouts, mentions, status lozenges)
is kept as storage XML in \`\`\`confluence-storage blocks and <!--confl:… --> comments, and comes back
unchanged; the report line on stderr counts it. --json prints {output, report} instead.

Examples:
  $ confl convert --from storage --to markdown page.xml
  $ confl convert --from markdown --to storage notes.md > page.xml
  $ confl convert --from storage --to markdown - < page.xml
  $ confl convert --from markdown --to storage notes.md --json
  $ confl page view 65538 --format storage | confl convert --from storage --to markdown`,
    )
    .action(async (file, opts, cmd) => {
      const { run } = await import("./convert.js");
      await run(
        { from: opts.from, to: opts.to, file, quiet: opts.quiet === true },
        getContext(cmd as unknown as Command),
      );
    });
}
