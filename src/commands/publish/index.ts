/** The `publish` command: a folder of Markdown files as a page tree; the work is loaded only when it runs. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";

export function registerPublish(program: Command, getContext: ContextFactory): void {
  program
    .command("publish")
    .description(
      "Publish a folder of Markdown files (or one file) as a page tree, changing only what changed",
    )
    .argument("<source>", "a folder of .md files, or one .md file")
    .requiredOption("-s, --space <key>", "the space to publish into")
    .option("-p, --parent <page>", "put the top pages under this page (default: the top of the space)")
    .option("--dry-run", "print the plan (create, update, skip, upload) and write nothing")
    .option("--write-ids", "write each page's id (and version, where the file has one) into its front matter")
    .addHelpText(
      "after",
      `
X.md is a page and the .md files in the folder X/ beside it are its children. The title comes from
the front matter, else a leading "# Title" line, else the file name. A file is matched to a page by
the id in its front matter, else by its title. Pages whose content is already the same are skipped,
so a second run changes nothing. Local images and linked files become attachments, uploaded only
when their bytes changed. Links between the files become page links. Two files with one title, a
link to a missing .md file or a missing image stop it before anything is written. A file whose
front matter has a version (confl export writes it) updates its page only if the page is still at
that version; pages someone changed since are listed (exit 1) and nothing is written. --write-ids
keeps the versions in the files current, so the next run is not refused by its own updates.

Examples:
  $ confl publish ./docs --space DOC --parent "DOC:Documentation Home" --dry-run
  $ confl publish ./docs --space DOC --write-ids
  $ confl publish notes.md --space ENG --json`,
    )
    .action(async (source, opts, cmd) => {
      const { run } = await import("./publish.js");
      await run(
        {
          source,
          space: opts.space,
          parent: opts.parent,
          dryRun: opts.dryRun === true,
          writeIds: opts.writeIds === true,
        },
        getContext(cmd as unknown as Command),
      );
    });
}
