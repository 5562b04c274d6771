/**
 * A large space for the export benchmark and tests (`settings.bulkSpace`): `pages` pages in a tree
 * (ten children per parent), each body linking to its parent and one sibling, every fifth page with a
 * label, and `attachments` small files spread over the first pages (at most two per page). Seeded on
 * start and on every reset, in milliseconds.
 */
import type { AttachmentRecord, PageRecord } from "./fixtures.js";
import type { ContentStore } from "./store.js";

export interface BulkSpaceSpec {
  key: string;
  pages: number;
  attachments: number;
}

const epoch = Date.parse("2026-10-07T08:00:00.000Z");

export function seedBulkSpace(store: ContentStore, spec: BulkSpaceSpec): void {
  const spaceId = "99001";
  const author = store.pages[0]?.authorId ?? "557058:bulk";
  const stamp = (n: number) => new Date(epoch + n * 1000).toISOString();
  const version = (n: number) => ({
    number: 1,
    createdAt: stamp(n),
    message: "",
    minorEdit: false,
    authorId: author,
  });
  const firstId = 500000;
  store.spaces.push({
    id: spaceId,
    key: spec.key,
    name: `Bulk ${spec.key}`,
    type: "global",
    status: "current",
    authorId: author,
    createdAt: stamp(0),
    homepageId: String(firstId),
    description: "A large generated space",
  });
  if (!store.labels.some((label) => label.name === "bulk"))
    store.labels.push({ id: "262999", name: "bulk", prefix: "global" });
  const titles: string[] = [];
  for (let i = 0; i < spec.pages; i++) {
    const id = String(firstId + i);
    const parentIndex = i === 0 ? -1 : Math.floor((i - 1) / 10);
    const title = i === 0 ? `${spec.key} Home` : `Topic ${String(i).padStart(4, "0")}`;
    titles.push(title);
    const parentTitle = parentIndex >= 0 ? titles[parentIndex]! : undefined;
    const sibling = i > 1 ? titles[i - 1]! : undefined;
    const link = (t: string) => `<ac:link><ri:page ri:content-title="${t}" /></ac:link>`;
    const hasFiles = i < Math.ceil(spec.attachments / 2);
    const page: PageRecord = {
      id,
      spaceId,
      title,
      parentId: parentIndex >= 0 ? String(firstId + parentIndex) : null,
      status: "current",
      position: parentIndex >= 0 ? (i - 1) % 10 : 0,
      authorId: author,
      createdAt: stamp(i),
      version: version(i),
      body: [
        `<h2>${title}</h2><p>Generated page ${i} of ${spec.pages}.</p>`,
        parentTitle ? `<p>Up: ${link(parentTitle)}</p>` : "",
        sibling ? `<p>See also ${link(sibling)}.</p>` : "",
        hasFiles ? `<p><ac:image><ri:attachment ri:filename="figure-${i}.png" /></ac:image></p>` : "",
        "<ul><li>one</li><li>two</li></ul>",
      ].join(""),
      labels: i % 5 === 0 ? ["bulk"] : [],
    };
    store.pages.push(page);
  }
  for (let n = 0; n < spec.attachments && spec.pages > 0; n++) {
    const pageIndex = Math.floor(n / 2) % spec.pages;
    const png = n % 2 === 0;
    const bytes = Buffer.from(`${png ? "PNG" : "TXT"} ${n} `.repeat(64), "utf8");
    const attachment: AttachmentRecord = {
      id: `att${700000 + n}`,
      pageId: String(firstId + pageIndex),
      title: png ? `figure-${pageIndex}.png` : `notes-${pageIndex}.txt`,
      mediaType: png ? "image/png" : "text/plain",
      fileId: `bulk-${spec.key}-${n}`,
      bytes,
      comment: "",
      status: "current",
      createdAt: stamp(n),
      version: version(n),
    };
    store.attachments.push(attachment);
    store.rememberMedia(attachment);
  }
}
