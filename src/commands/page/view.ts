/**
 * `confl page view <page>`: a page's body (storage, readable text, Markdown or JSON) at its current or an older
 * version, or `--web` to open it. <page> is an id, a page URL, a short link or SPACEKEY:Title.
 */
import { type Command, Option } from "@commander-js/extra-typings";
import type { PageWithBody } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { parsePositiveInteger } from "../list-flags.js";
import { openInBrowser } from "../open-in-browser.js";

export type ViewFormat = "text" | "storage" | "markdown" | "json";

export interface ViewOptions {
  page: string;
  format: ViewFormat;
  /** the page's version number (not confl's) */
  version?: number | undefined;
  web?: boolean;
}

export async function run(options: ViewOptions, ctx: Context): Promise<PageWithBody> {
  const [{ parsePageRef, resolvePageRef }, { getPage }, { storageToText }, { printJson }] = await Promise.all(
    [
      import("../../confluence/page-ref.js"),
      import("../../confluence/pages.js"),
      import("../../confluence/storage-text.js"),
      import("../../output/json.js"),
    ],
  );
  const ref = parsePageRef(options.page);
  if (options.web && options.version !== undefined) {
    throw new UsageError("--web opens the current page; it cannot be combined with --version", {
      hint: "drop --version, or view that version here without --web",
    });
  }
  const client = await ctx.client();
  const id = await resolvePageRef(client, ref);
  const page = await getPage(client, id, { version: options.version });
  if (options.web) {
    await openInBrowser(ctx, page.webUrl);
    return page;
  }
  const format = ctx.globals.json ? "json" : options.format;
  if (format === "json") printJson(ctx.io, page);
  else if (format === "storage") ctx.io.out(page.body.storage);
  else if (format === "markdown") {
    const { listLabels } = await import("../../confluence/labels.js");
    const { pageToMarkdown } = await import("./markdown-body.js");
    // an older version's labels are today's: Confluence keeps no label history
    const labels = (await listLabels(client, page.id)).map((label) => label.name);
    const markdown = await pageToMarkdown(client, page, labels);
    ctx.io.stdout.write(markdown.endsWith("\n") ? markdown : `${markdown}\n`);
  } else {
    const text = storageToText(page.body.storage);
    if (ctx.io.stdoutIsTTY) {
      const { colors } = ctx.io;
      const meta = [
        page.spaceKey ?? `space ${page.spaceId ?? "?"}`,
        page.version ? `version ${page.version.number}` : undefined,
        page.version?.createdAt ? page.version.createdAt.slice(0, 10) : undefined,
      ].filter(Boolean);
      ctx.io.out(colors.bold(page.title));
      ctx.io.out(colors.dim(meta.join(" · ")));
      if (page.webUrl) ctx.io.out(colors.dim(page.webUrl));
      ctx.io.out("");
    }
    ctx.io.out(text);
  }
  return page;
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("view")
    .description("Show a page's content (readable text, storage format or JSON), or open it in the browser")
    .argument("<page>", "page id, page URL (incl. /x/ short links), or SPACEKEY:Title")
    .addOption(
      new Option(
        "-f, --format <format>",
        "text (readable), storage (XHTML as stored), markdown (with front matter) or json",
      )
        .choices(["text", "storage", "markdown", "json"] as const)
        .default("text" as const),
    )
    .option("--version <n>", "show this version of the page (default: the current one)", parsePositiveInteger)
    .option("-w, --web", "open the page in the browser")
    .addHelpText(
      "after",
      `
<page> may be copied from the browser: https://<site>/wiki/spaces/KEY/pages/ID/Title,
https://<site>/wiki/x/<tiny>, https://<dc>/pages/viewpage.action?pageId=ID or
https://<dc>/display/KEY/Title.

Examples:
  $ confl page view 65538
  $ confl page view "DOC:Release checklist" --format storage
  $ confl page view 65538 --format markdown > release-checklist.md
  $ confl page view https://acme.atlassian.net/wiki/spaces/DOC/pages/65538/Release+checklist
  $ confl page view https://acme.atlassian.net/wiki/x/AgAB --json
  $ confl page view 65538 --version 6
  $ confl page view 65538 --web`,
    )
    .action(async (ref, opts, cmd) => {
      await run(
        { page: ref, format: opts.format, version: opts.version, web: opts.web === true },
        getContext(cmd as unknown as Command),
      );
    });
}
