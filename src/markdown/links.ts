/**
 * Links both ways: which Markdown URL a storage link becomes, and which storage link a Markdown URL
 * means. Storage forms (Confluence Storage Format, "Links"):
 * `<ac:link><ri:page ri:space-key="K" ri:content-title="T"/>…</ac:link>`,
 * `<ac:link ac:anchor="a">…` (same page), `<ac:link><ri:attachment ri:filename="f"/>…`, `<a href>`.
 *
 * A page link that the caller does not map becomes, in order: the page's URL under `baseUrl`
 * (`/display/KEY/Title`, which Data Center and Cloud (`/wiki/display/…`) both resolve), the
 * site-relative `/display/KEY/Title` when the link names a space, or `Title.md` (a file beside this
 * one) when it does not. Each form reads back to the same `ri:page`.
 */
import type { MarkdownToStorageOptions, PageRef, StorageToMarkdownOptions } from "./types.js";

const encodeSegment = (text: string) => encodeURIComponent(text);

export function pageHref(ref: PageRef, options: StorageToMarkdownOptions): string {
  const mapped = options.pageLinks?.(ref);
  if (mapped !== undefined) return mapped;
  const anchor = ref.anchor ? `#${encodeURIComponent(ref.anchor)}` : "";
  const key = ref.spaceKey ?? options.spaceKey;
  if (options.baseUrl && key)
    return `${trimSlash(options.baseUrl)}/display/${encodeSegment(key)}/${encodeSegment(ref.title)}${anchor}`;
  if (ref.spaceKey) return `/display/${encodeSegment(ref.spaceKey)}/${encodeSegment(ref.title)}${anchor}`;
  return `${encodeSegment(ref.title)}.md${anchor}`;
}

export function attachmentHref(filename: string, options: StorageToMarkdownOptions): string {
  return options.attachmentPath ? options.attachmentPath(filename) : encodeSegment(filename);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export type LinkTarget =
  | { kind: "page"; ref: PageRef }
  | { kind: "anchor"; anchor: string }
  | { kind: "attachment"; filename: string }
  | { kind: "url"; url: string }
  | { kind: "dangerous"; url: string };

/**
 * Schemes that run code when followed. Browsers ignore ASCII whitespace and control characters inside
 * a scheme ("java\tscript:"), so those are removed before looking.
 */
export function isDangerousUrl(url: string): boolean {
  const squeezed = url.replace(/[\u0000-\u0020\u007f]/g, "").toLowerCase();
  return /^(javascript|vbscript|livescript|data):/.test(squeezed);
}

const HAS_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** What a Markdown link or image URL points at (see the module comment for the forms). */
export function classifyHref(href: string, options: MarkdownToStorageOptions, image = false): LinkTarget {
  if (isDangerousUrl(href)) return { kind: "dangerous", url: href };
  const resolved = options.resolvePageLink?.(href);
  if (resolved) return { kind: "page", ref: resolved };
  if (!image && href.startsWith("#") && href.length > 1)
    return { kind: "anchor", anchor: decodeSafely(href.slice(1)) };
  let path = href;
  const base = options.baseUrl ? trimSlash(options.baseUrl) : undefined;
  if (base && href.startsWith(`${base}/`)) path = href.slice(base.length);
  if (path.startsWith("/") && !path.startsWith("//")) {
    const match = /^\/display\/([^/?#]+)\/([^/?#]+)\/?(?:#(.*))?$/.exec(path);
    if (match && !image) {
      const spaceKey = decodeSafely(match[1]!);
      const ref: PageRef = { title: decodeSafely(match[2]!.replace(/\+/g, " ")) };
      if (spaceKey !== options.spaceKey) ref.spaceKey = spaceKey;
      if (match[3]) ref.anchor = decodeSafely(match[3]);
      return { kind: "page", ref };
    }
    return { kind: "url", url: href };
  }
  if (HAS_SCHEME.test(href) || href.startsWith("//")) return { kind: "url", url: href };
  // a relative path: a page (Title.md) or an attachment (anything else)
  const hash = href.indexOf("#");
  const file = hash === -1 ? href : href.slice(0, hash);
  const fragment = hash === -1 ? undefined : decodeSafely(href.slice(hash + 1));
  const attachment = options.resolveAttachment?.(file);
  if (attachment !== undefined) return { kind: "attachment", filename: attachment };
  const name = decodeSafely(file.slice(file.lastIndexOf("/") + 1));
  if (!name) return { kind: "url", url: href };
  if (!image && /\.md$/i.test(name)) {
    const ref: PageRef = { title: name.slice(0, -3) };
    if (fragment) ref.anchor = fragment;
    return { kind: "page", ref };
  }
  return { kind: "attachment", filename: name };
}
