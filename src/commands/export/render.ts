/**
 * One page's storage → the Markdown file export writes: front matter, links between exported pages as
 * relative links, the page's attachments as paths beside it. A plain function of plain data, so it runs
 * the same on the main thread and in the render worker (render-worker.ts).
 */
import type {
  FrontMatter,
  PageRef,
  StorageToMarkdownOptions,
  StorageToMarkdownResult,
} from "../../markdown/types.js";
import { relativeLink } from "./layout.js";

export interface RenderJob {
  storage: string;
  frontMatter: FrontMatter;
  baseUrl: string | null;
  spaceKey: string;
  /** where the page's file goes (export-relative) */
  path: string;
  /** the page's attachments: file name → [attachment id, export-relative path] */
  attachments: Array<[string, string, string]>;
}

export interface RenderResult {
  markdown: string;
  /** title of each page linked to → the path written for it (null: not exported, a URL) */
  links: Record<string, string | null>;
  /** ids of the attachments the body refers to */
  referenced: string[];
}

type Convert = (storage: string, options: StorageToMarkdownOptions) => StorageToMarkdownResult;

export function renderPage(
  convert: Convert,
  job: RenderJob,
  pathOfTitle: (title: string) => string | null,
): RenderResult {
  const links: Record<string, string | null> = {};
  const referenced = new Set<string>();
  const own = new Map(job.attachments.map(([name, id, path]) => [name, { id, path }]));
  const { markdown } = convert(job.storage, {
    frontMatter: job.frontMatter,
    ...(job.baseUrl ? { baseUrl: job.baseUrl } : {}),
    spaceKey: job.spaceKey,
    pageLinks: (ref: PageRef) => {
      if (ref.spaceKey !== undefined && ref.spaceKey !== job.spaceKey) return undefined;
      const path = pathOfTitle(ref.title);
      links[ref.title] = path;
      if (path === null) return undefined;
      const anchor = ref.anchor ? `#${encodeURIComponent(ref.anchor)}` : "";
      return relativeLink(job.path, path) + anchor;
    },
    attachmentPath: (filename: string) => {
      const attachment = own.get(filename);
      if (!attachment) return encodeURIComponent(filename);
      referenced.add(attachment.id);
      return relativeLink(job.path, attachment.path);
    },
  });
  return {
    markdown: markdown.endsWith("\n") ? markdown : `${markdown}\n`,
    links,
    referenced: [...referenced],
  };
}
