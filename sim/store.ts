/**
 * The simulator's in-memory Confluence: one instance per simulator, seeded from fixtures.ts, shared by the
 * Cloud site, the gateway and Data Center (which see the same pages through different API flavours).
 */
import { randomUUID } from "node:crypto";
import {
  type AttachmentRecord,
  type CommentRecord,
  createSeed,
  type LabelRecord,
  type PageRecord,
  type SpaceRecord,
} from "./fixtures.js";

export interface MediaFile {
  fileId: string;
  title: string;
  mediaType: string;
  bytes: Buffer;
  spooled?: { path: string; size: number } | undefined;
}

export class ContentStore {
  spaces: SpaceRecord[] = [];
  pages: PageRecord[] = [];
  attachments: AttachmentRecord[] = [];
  comments: CommentRecord[] = [];
  labels: LabelRecord[] = [];
  /** every binary ever uploaded, by media fileId (each attachment version gets its own fileId) */
  media = new Map<string, MediaFile>();
  private nextNumber = 300000;

  constructor() {
    this.load();
  }

  load(): void {
    const seed = createSeed();
    this.spaces = seed.spaces;
    this.pages = seed.pages;
    this.attachments = seed.attachments;
    this.comments = seed.comments;
    this.labels = seed.labels;
    this.media.clear();
    for (const attachment of this.attachments) this.rememberMedia(attachment);
    this.nextNumber = 300000;
  }

  newId(): string {
    return String(this.nextNumber++);
  }

  now(): string {
    return new Date().toISOString();
  }

  rememberMedia(attachment: AttachmentRecord): void {
    this.media.set(attachment.fileId, {
      fileId: attachment.fileId,
      title: attachment.title,
      mediaType: attachment.mediaType,
      bytes: attachment.bytes,
      spooled: attachment.spooled,
    });
  }

  newFileId(): string {
    return randomUUID();
  }

  spaceById(id: string): SpaceRecord | undefined {
    return this.spaces.find((space) => space.id === id);
  }

  spaceByKey(key: string): SpaceRecord | undefined {
    return this.spaces.find((space) => space.key === key);
  }

  page(id: string): PageRecord | undefined {
    return this.pages.find((page) => page.id === id);
  }

  livePage(id: string): PageRecord | undefined {
    const page = this.page(id);
    return page && page.status !== "trashed" ? page : undefined;
  }

  pagesInSpace(spaceId: string): PageRecord[] {
    return this.pages.filter((page) => page.spaceId === spaceId && page.status !== "trashed");
  }

  children(pageId: string): PageRecord[] {
    return this.pages
      .filter((page) => page.parentId === pageId && page.status !== "trashed")
      .sort((a, b) => a.position - b.position);
  }

  /** root first, like v2 /ancestors and v1 expand=ancestors */
  ancestors(page: PageRecord): PageRecord[] {
    const chain: PageRecord[] = [];
    let parentId = page.parentId;
    for (let guard = 0; parentId !== null && guard < 100; guard++) {
      const parent = this.page(parentId);
      if (!parent) break;
      chain.unshift(parent);
      parentId = parent.parentId;
    }
    return chain;
  }

  /** Removes a page for good (a purge from the trash); its children move up to its parent, as Confluence does. */
  purge(id: string): void {
    const page = this.page(id);
    if (!page) return;
    for (const child of this.pages.filter((p) => p.parentId === id)) child.parentId = page.parentId;
    this.pages = this.pages.filter((p) => p.id !== id);
    this.attachments = this.attachments.filter((a) => a.pageId !== id);
  }

  titleTaken(spaceId: string, title: string, exceptId?: string): boolean {
    return this.pages.some(
      (page) =>
        page.spaceId === spaceId && page.title === title && page.status !== "trashed" && page.id !== exceptId,
    );
  }

  attachmentsOf(pageId: string): AttachmentRecord[] {
    return this.attachments.filter((attachment) => attachment.pageId === pageId);
  }

  attachment(id: string): AttachmentRecord | undefined {
    const normalised = id.startsWith("att") ? id : `att${id}`;
    return this.attachments.find((attachment) => attachment.id === normalised);
  }

  labelsOf(page: PageRecord): LabelRecord[] {
    return page.labels.map((name) => this.labelNamed(name));
  }

  labelNamed(name: string): LabelRecord {
    let label = this.labels.find((candidate) => candidate.name === name);
    if (!label) {
      label = { id: this.newId(), name, prefix: "global" };
      this.labels.push(label);
    }
    return label;
  }

  commentsOf(pageId: string): CommentRecord[] {
    return this.comments.filter((comment) => comment.pageId === pageId);
  }
}

/**
 * Atlassian's tiny link for a page id: the id's 8 little-endian bytes in standard base64, "=" dropped,
 * "/"→"-", "+"→"_", trailing "A"s stripped (Atlassian KB "How to programmatically generate the tiny link
 * of a Confluence page", confkb 956713432; com.atlassian.confluence.pages.TinyUrl). 65537 → "AQAB", the
 * `tinyui` of confluence-api.md §1.3's example.
 */
export function tinyLink(id: string): string {
  let n = BigInt(id);
  const bytes = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return bytes
    .toString("base64")
    .replace(/=+$/, "")
    .replace(/\//g, "-")
    .replace(/\+/g, "_")
    .replace(/A+$/, "");
}

/** A page as it was at `version` (its history keeps every earlier version), or undefined. */
export function pageAtVersion(page: PageRecord, version: number): PageRecord | undefined {
  if (version === page.version.number) return page;
  const old = page.history?.find((entry) => entry.version.number === version);
  return old ? { ...page, title: old.title, body: old.body, version: old.version } : undefined;
}

/** Before an update: keep the version being replaced. */
export function rememberVersion(page: PageRecord): void {
  page.history = [...(page.history ?? []), { title: page.title, body: page.body, version: page.version }];
}

/** Crude storage → view rendering: enough for `body-format=view` to differ from storage and read like HTML. */
export function storageToView(storage: string): string {
  return storage
    .replace(/<ac:plain-text-body><!\[CDATA\[([\s\S]*?)\]\]><\/ac:plain-text-body>/g, (_m, code: string) => {
      const text = code.replace(/\]\]\]\]><!\[CDATA\[>/g, "]]>");
      return `<pre>${escapeText(text)}</pre>`;
    })
    .replace(
      /<ac:plain-text-link-body><!\[CDATA\[([\s\S]*?)\]\]><\/ac:plain-text-link-body>/g,
      (_m, text: string) => escapeText(text),
    )
    .replace(/<ac:image[^>]*><ri:attachment ri:filename="([^"]*)"\s*\/><\/ac:image>/g, '<img alt="$1" />')
    .replace(/<ac:task-list>/g, '<ul class="inline-task-list">')
    .replace(/<\/ac:task-list>/g, "</ul>")
    .replace(/<ac:task-id>[^<]*<\/ac:task-id>/g, "")
    .replace(/<ac:task-status>([^<]*)<\/ac:task-status>/g, '<span data-status="$1"></span>')
    .replace(/<ac:task>/g, "<li>")
    .replace(/<\/ac:task>/g, "</li>")
    .replace(/<ac:parameter[^>]*>[\s\S]*?<\/ac:parameter>/g, "")
    .replace(/<\/?(ac|ri):[^>]*>/g, "");
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function storageToText(storage: string): string {
  return storageToView(storage)
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** atlas_doc_format: the value is a JSON document serialised as a string (spec-v2 BodyType.value). */
export function storageToAdf(storage: string): string {
  const text = storageToText(storage);
  return JSON.stringify({
    type: "doc",
    version: 1,
    content: [{ type: "paragraph", content: text ? [{ type: "text", text }] : [] }],
  });
}
