/** The converter's public types: options, the report, front matter. */

/** A page link as storage names it: `<ri:page ri:space-key="…" ri:content-title="…"/>`. */
export interface PageRef {
  title: string;
  /** absent: the page is in the same space as the page that links to it */
  spaceKey?: string | undefined;
  /** `ac:anchor` on the link: a heading or anchor macro on that page */
  anchor?: string | undefined;
}

export interface StorageToMarkdownOptions {
  /**
   * The Markdown link for a page link, typically a relative path between exported files
   * (`../Other/Page.md`). Return undefined when the target is not exported: the link then becomes the
   * page's URL (with `baseUrl`), or the converter's own `Title.md` / `/display/KEY/Title` form.
   */
  pageLinks?: (ref: PageRef) => string | undefined;
  /** Where an attachment (image or linked file) of this page is stored locally. Default: the file name. */
  attachmentPath?: (filename: string) => string;
  /** The site's base URL including the context path, e.g. `https://acme.atlassian.net/wiki`. */
  baseUrl?: string;
  /** The key of the space the page is in; page links without a space key point into it. */
  spaceKey?: string;
  /** Front matter to write at the top (export supplies it). */
  frontMatter?: FrontMatter;
}

export interface MarkdownToStorageOptions {
  /** The inverse of `pageLinks`: which page a Markdown link points to, or undefined if it is not a page. */
  resolvePageLink?: (href: string) => PageRef | undefined;
  /** The inverse of `attachmentPath`: the attachment file name for a local path, or undefined. */
  resolveAttachment?: (path: string) => string | undefined;
  baseUrl?: string;
  spaceKey?: string;
}

/** What Markdown cannot express and the converter carried through as storage XML. */
export interface VerbatimItem {
  /** the element or macro, e.g. `ac:structured-macro[name=jira]`, `table` */
  element: string;
  /** block: a ```confluence-storage fence; inline: an HTML comment in a paragraph; wrapper: start/end comments around converted content */
  form: "block" | "inline" | "wrapper";
  reason: string;
}

/** Input the converter could not use as it stood (malformed XML, dangerous links, stray HTML). */
export interface SkippedItem {
  what: string;
  reason: string;
  /** offset in the input, where known */
  offset?: number;
}

export interface ConversionReport {
  verbatim: VerbatimItem[];
  skipped: SkippedItem[];
}

export interface FrontMatter {
  id?: string;
  title?: string;
  labels?: string[];
  /** the parent page's id (or title) */
  parent?: string;
  version?: number;
  /** the page's URL on the site it was exported from */
  source?: string;
  /** keys we do not know are kept, so a round trip loses nothing */
  [key: string]: unknown;
}

export interface StorageToMarkdownResult {
  markdown: string;
  report: ConversionReport;
}

export interface MarkdownToStorageResult {
  storage: string;
  frontMatter: FrontMatter | undefined;
  report: ConversionReport;
}

/** Markdown whose storage would not be well-formed: thrown before anything is sent anywhere. */
export class InvalidStorageError extends Error {
  readonly problems: Array<{ offset: number; message: string }>;
  constructor(message: string, problems: Array<{ offset: number; message: string }>) {
    super(message);
    this.name = "InvalidStorageError";
    this.problems = problems;
  }
}
