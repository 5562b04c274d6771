/**
 * Page bodies as Markdown for `page view|create|update --format markdown`: the converter (loaded only
 * when asked for) with the page's identity in front matter, and the way back with the front matter's
 * title, parent, labels and version taken as defaults for the flags.
 */
import { readFile } from "node:fs/promises";
import type { ConfluenceClient } from "../../confluence/client.js";
import type { PageWithBody } from "../../confluence/types.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { FrontMatter } from "../../markdown/types.js";

/** The site's browsable base (`https://acme.atlassian.net/wiki`, DC incl. context path), if known. */
export function siteBase(client: ConfluenceClient): string | undefined {
  const url = client.webUrl("/");
  return url === null ? undefined : url.replace(/\/+$/, "");
}

/** The page as Markdown with front matter: id, title, labels, parent, version, source. */
export async function pageToMarkdown(
  client: ConfluenceClient,
  page: PageWithBody,
  labels: string[],
): Promise<string> {
  const { storageToMarkdown } = await import("../../markdown/index.js");
  const base = siteBase(client);
  const frontMatter: FrontMatter = {
    id: page.id,
    title: page.title,
    ...(labels.length > 0 ? { labels } : {}),
    ...(page.parentId ? { parent: page.parentId } : {}),
    ...(page.version ? { version: page.version.number } : {}),
    ...(page.webUrl ? { source: page.webUrl } : {}),
  };
  const { markdown } = storageToMarkdown(page.body.storage, {
    frontMatter,
    ...(base ? { baseUrl: base } : {}),
    ...(page.spaceKey ? { spaceKey: page.spaceKey } : {}),
  });
  return markdown;
}

export interface MarkdownBody {
  storage: string;
  frontMatter: FrontMatter;
  /** the front matter's title, else the first `# H1` (then removed from the body) */
  title: string | undefined;
}

/** Reads a Markdown file (or stdin) and converts it to storage; bad input is exit 2 before any request. */
export async function readMarkdownBody(
  source: string,
  ctx: Pick<Context, "io">,
  options: { baseUrl?: string | undefined; spaceKey?: string | undefined } = {},
): Promise<MarkdownBody> {
  const label = source === "-" ? "standard input" : source;
  let text: string;
  try {
    const bytes = source === "-" ? await readAll(ctx.io.stdin) : await readFile(source);
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === undefined
            ? "not UTF-8 text"
            : code;
    throw new UsageError(`cannot read the body file ${label}: ${why}`, { code: "usage.body_file" });
  }
  const converter = await import("../../markdown/index.js");
  try {
    const { frontMatter, body } = converter.parseFrontMatter(text);
    const fm = frontMatter ?? {};
    let markdown = body;
    let title = typeof fm.title === "string" && fm.title.trim() !== "" ? fm.title.trim() : undefined;
    if (title === undefined) {
      const h1 = firstHeading(body);
      if (h1) {
        title = h1.title;
        markdown = body.slice(0, h1.start) + body.slice(h1.end);
      }
    }
    const { storage } = converter.markdownToStorage(markdown, {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.spaceKey ? { spaceKey: options.spaceKey } : {}),
    });
    return { storage, frontMatter: fm, title };
  } catch (error) {
    if (error instanceof converter.FrontMatterError || error instanceof converter.InvalidStorageError)
      throw new UsageError(`${label}: ${error.message}`, { code: "usage.markdown" });
    throw error;
  }
}

/** The first ATX `# Title` line outside code fences, with its span (line break included). */
export function firstHeading(markdown: string): { title: string; start: number; end: number } | undefined {
  let fence: string | undefined;
  let offset = 0;
  for (const line of markdown.split("\n")) {
    const start = offset;
    offset += line.length + 1;
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (fence === undefined) fence = marker[0]!;
      else if (marker.startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const match = /^ {0,3}#[ \t]+(.+?)[ \t]*#*[ \t]*\r?$/.exec(line);
    if (match) return { title: match[1]!.trim(), start, end: Math.min(offset, markdown.length) };
    if (line.trim() !== "") return undefined;
  }
  return undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
