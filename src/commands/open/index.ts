/**
 * `confl open [<page>|<space>]`: the web UI in the browser — the site's home, a page (id, URL, short link,
 * SPACEKEY:Title) or a space (its key, or a space URL). The URL is printed too, so it can be used where no
 * browser opens (`--no-browser` prints it only).
 */
import type { Command } from "@commander-js/extra-typings";
import type { ConfluenceClient } from "../../confluence/client.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { openInBrowser } from "../open-in-browser.js";

export interface OpenOptions {
  target?: string | undefined;
  browser: boolean;
}

export type OpenTarget = { kind: "home" } | { kind: "space"; key: string } | { kind: "page"; ref: string };

/** What the argument names: digits, page URLs and KEY:Title are pages; a bare key or a space URL is a space. */
export async function openTarget(input: string | undefined): Promise<OpenTarget> {
  if (input === undefined || input.trim() === "") return { kind: "home" };
  const { parsePageRef } = await import("../../confluence/page-ref.js");
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`not a valid URL: ${text}`);
    }
    const space = /\/(?:spaces|display)\/([^/?#]+)\/?$/.exec(url.pathname);
    if (space && !url.searchParams.has("pageId"))
      return { kind: "space", key: decodeURIComponent(space[1]!) };
    parsePageRef(text);
    return { kind: "page", ref: text };
  }
  if (/^~?[A-Za-z][A-Za-z0-9_-]*$/.test(text) || /^~[A-Za-z0-9:_-]+$/.test(text))
    return { kind: "space", key: text };
  parsePageRef(text);
  return { kind: "page", ref: text };
}

async function homeUrl(client: ConfluenceClient): Promise<string | null> {
  let url = client.webUrl("/");
  if (url === null && client.contentApi === "v2") {
    // a gateway-only profile learns the site from any v2 answer's `_links.base` (§1.10)
    const response = await client.http.request<{ _links?: { base?: unknown } }>({
      path: "api/v2/spaces",
      query: { limit: 1 },
    });
    client.learnBase(response.data?._links?.base);
    url = client.webUrl("/");
  }
  return url;
}

export async function run(options: OpenOptions, ctx: Context): Promise<string> {
  const [{ resolvePageRef }, { getPage }, { getSpace }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../confluence/pages.js"),
    import("../../confluence/spaces.js"),
  ]);
  const target = await openTarget(options.target);
  const client = await ctx.client();
  let url: string | null;
  if (target.kind === "home") url = await homeUrl(client);
  else if (target.kind === "space") url = (await getSpace(client, target.key)).webUrl;
  else url = (await getPage(client, await resolvePageRef(client, target.ref))).webUrl;
  if (!url) {
    await openInBrowser(ctx, null);
    return "";
  }
  if (ctx.globals.json) ctx.io.out(JSON.stringify({ url }));
  else ctx.io.out(url);
  if (options.browser) await openInBrowser(ctx, url);
  return url;
}

export function registerOpen(program: Command, getContext: ContextFactory): void {
  program
    .command("open")
    .description("Open Confluence, a space or a page in the browser")
    .argument(
      "[page-or-space]",
      "page id, page URL, SPACEKEY:Title, a space key, or nothing for the home page",
    )
    .option("-n, --no-browser", "print the URL only")
    .addHelpText(
      "after",
      `
The URL is printed on standard output as well (--json: {"url": …}).

Examples:
  $ confl open
  $ confl open DOC
  $ confl open 65538
  $ confl open "DOC:Release checklist" --no-browser`,
    )
    .action(async (target, opts, cmd) => {
      await run({ target, browser: opts.browser }, getContext(cmd as unknown as Command));
    });
}
