/**
 * Where each exported page and attachment goes. A page is `<Title>.md` in its parent's folder; a page
 * with children or attachments also has a folder `<Title>/` beside its file holding them. Names are
 * made safe for Linux, macOS and Windows (safeFileName) and unique within a folder ignoring case (macOS
 * and Windows folders are case-insensitive): a clash gets ` (2)`, ` (3)`, … before the extension.
 * Whoever held a name in the previous run keeps it, so names are stable across runs; new claims are
 * served in id order, so a clean export and a resumed one name everything alike.
 */
import { safeFileName } from "../../io/safe-file.js";

export interface LayoutPage {
  id: string;
  title: string;
  /** the parent within the export, or null for a top-level page */
  parentId: string | null;
}

export interface LayoutAttachment {
  id: string;
  pageId: string;
  title: string;
}

export interface Previous {
  /** page id → its file path as last planned (relative, `/`-separated) */
  pages: Map<string, string>;
  /** attachment id → its path as last planned */
  attachments: Map<string, string>;
}

export interface Layout {
  /** page id → `A/B/Title.md` (relative to the export folder, `/`-separated) */
  pages: Map<string, string>;
  /** attachment id → `A/B/Title/file.png` */
  attachments: Map<string, string>;
}

/** Where downloads wait while the plan is made (export.ts); removed at the end of a run. */
export const STAGING_DIR = ".confl-export.staging";

/** Names the state files and the staging folder take in the top folder; no page may take them. */
export const RESERVED_TOP_NAMES = [".confl-export.json", ".confl-export.log", STAGING_DIR];

const byId = (a: { id: string }, b: { id: string }) =>
  a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function withSuffix(name: string, n: number, keepExtension: boolean): string {
  if (n === 1) return name;
  const dot = keepExtension ? name.lastIndexOf(".") : -1;
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The folder a page's children and attachments go in: its file path without `.md`. */
export function folderOf(pagePath: string): string {
  return pagePath.replace(/\.md$/, "");
}

export function planLayout(pages: LayoutPage[], attachments: LayoutAttachment[], previous: Previous): Layout {
  const layout: Layout = { pages: new Map(), attachments: new Map() };
  const children = new Map<string | null, LayoutPage[]>();
  for (const page of pages) {
    const list = children.get(page.parentId) ?? [];
    list.push(page);
    children.set(page.parentId, list);
  }
  const attachmentsOf = new Map<string, LayoutAttachment[]>();
  for (const attachment of attachments) {
    const list = attachmentsOf.get(attachment.pageId) ?? [];
    list.push(attachment);
    attachmentsOf.set(attachment.pageId, list);
  }

  /** Fills one folder: the pages in it, then the attachments of the page that owns it. */
  const fill = (dir: string, ownerId: string | null) => {
    const taken = new Set<string>(dir === "" ? RESERVED_TOP_NAMES.map((n) => n.toLowerCase()) : []);
    const prefix = dir === "" ? "" : `${dir}/`;
    const inDir = [...(children.get(ownerId) ?? [])].sort(byId);
    const files = [...(ownerId === null ? [] : (attachmentsOf.get(ownerId) ?? []))].sort(byId);
    const stems = new Map<string, string>();
    const names = new Map<string, string>();
    // a page claims `stem.md` and the folder `stem`
    const stemFree = (stem: string) =>
      !taken.has(stem.toLowerCase()) && !taken.has(`${stem}.md`.toLowerCase());
    const claimStem = (page: LayoutPage, stem: string) => {
      stems.set(page.id, stem);
      taken.add(stem.toLowerCase());
      taken.add(`${stem}.md`.toLowerCase());
    };
    // previous holders first, when their old name is still theirs to keep
    for (const page of inDir) {
      const before = previous.pages.get(page.id);
      if (before === undefined || dirOf(before) !== dir) continue;
      const stem = baseOf(before).replace(/\.md$/, "");
      const fresh = safeFileName(page.title, page.id);
      if ((stem === fresh || stem.startsWith(`${fresh} (`)) && stemFree(stem)) claimStem(page, stem);
    }
    for (const file of files) {
      const before = previous.attachments.get(file.id);
      if (before === undefined || dirOf(before) !== dir) continue;
      const name = baseOf(before);
      const fresh = safeFileName(file.title, file.id);
      const stemOfFresh = fresh.replace(/(\.[^.]*)?$/, "");
      if ((name === fresh || name.startsWith(`${stemOfFresh} (`)) && !taken.has(name.toLowerCase())) {
        names.set(file.id, name);
        taken.add(name.toLowerCase());
      }
    }
    for (const page of inDir) {
      if (stems.has(page.id)) continue;
      // room for ".md" and a " (n)" suffix within 255 bytes
      const base = safeFileName(page.title, page.id).slice(0, 200);
      let n = 1;
      while (!stemFree(withSuffix(base, n, false))) n++;
      claimStem(page, withSuffix(base, n, false));
    }
    for (const file of files) {
      if (names.has(file.id)) continue;
      const base = safeFileName(file.title, file.id);
      let n = 1;
      while (taken.has(withSuffix(base, n, true).toLowerCase())) n++;
      const name = withSuffix(base, n, true);
      names.set(file.id, name);
      taken.add(name.toLowerCase());
    }
    for (const [id, name] of names) layout.attachments.set(id, `${prefix}${name}`);
    for (const page of inDir) {
      const stem = stems.get(page.id)!;
      layout.pages.set(page.id, `${prefix}${stem}.md`);
      fill(`${prefix}${stem}`, page.id);
    }
  };
  fill("", null);
  return layout;
}

/** The relative link from the file at `from` to `to` (both export-relative), each segment URL-encoded. */
export function relativeLink(from: string, to: string): string {
  const fromDir = dirOf(from).split("/").filter(Boolean);
  const target = to.split("/");
  let common = 0;
  while (common < fromDir.length && common < target.length - 1 && fromDir[common] === target[common])
    common++;
  const up = fromDir.slice(common).map(() => "..");
  return [...up, ...target.slice(common)]
    .map((segment) => (segment === ".." ? segment : encodeSegment(segment)))
    .join("/");
}

/** Percent-encodes what Markdown link destinations cannot hold bare (spaces, parentheses, …). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
