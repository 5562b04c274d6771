/**
 * Copying a page, or (recursive) its whole subtree, with attachments and labels — done by confl itself
 * on every deployment rather than by Confluence's copy endpoints:
 * - Cloud v1 has `POST /content/{id}/copy` and `POST /content/{id}/pagehierarchy/copy` (spec-v1), but
 *   they are v1 *content* routes, the family the gateway answers with 410 (confluence-api.md §1.13), and
 *   the hierarchy copy is an asynchronous long task to poll; v2 has no copy at all (spec-v2).
 * - Data Center 10 documents neither (spec-dc 10.0.3).
 * So: pages are created through the same v2 (Cloud) / v1 (DC) calls as `page create`, parents before
 * children, siblings in order, up to `client.concurrency` families at a time; attachments stream from the download (Cloud: v1
 * `…/child/attachment/{id}/download`, a 302 to the media host; DC: the `_links.download` servlet path)
 * into the v1 multipart upload without being held in memory; labels go through v1 `POST …/label`.
 * Every target title is checked free before the first page is created.
 */
import { randomUUID } from "node:crypto";
import { ConflError, ExitCode, UsageError } from "../errors.js";
import {
  type ConfluenceClient,
  collect,
  idString,
  isObject,
  listItems,
  mapConcurrent,
  orNotFound,
  stringOrNull,
} from "./client.js";
import { createPage, pageSummary, TitleExistsError } from "./page-write.js";
import { getPage, listPages } from "./pages.js";
import { pageTree } from "./tree.js";
import type { PageWithBody, TreeNode } from "./types.js";

export interface CopyOptions {
  sourceId: string;
  parentId: string;
  /** the copy's title (default: "Copy of <title>" in the same space, the same title in another) */
  title?: string | undefined;
  /** the whole subtree, not just the page */
  recursive?: boolean | undefined;
  /** one line per page copied, for progress on stderr */
  progress?: ((line: string) => void) | undefined;
}

export interface CopiedPage {
  sourceId: string;
  id: string;
  title: string;
  parentId: string;
  attachments: number;
  labels: number;
  webUrl: string | null;
}

export interface CopyResult {
  sourceId: string;
  spaceKey: string;
  /** the copy of the source page first, then its descendants, parents before children */
  pages: CopiedPage[];
}

interface Planned {
  node: TreeNode;
  title: string;
  /** the source parent, whose copy becomes this one's parent; null for the root */
  sourceParentId: string | null;
}

export async function copyPages(client: ConfluenceClient, options: CopyOptions): Promise<CopyResult> {
  const [source, parent] = await Promise.all([
    pageSummary(client, options.sourceId),
    pageSummary(client, options.parentId),
  ]);
  const tree = options.recursive
    ? await pageTree(client, source.id)
    : {
        id: source.id,
        title: source.title,
        status: "current",
        type: "page",
        parentId: null,
        depth: 0,
        children: [],
      };
  const inTree = new Set<string>();
  const walk = (node: TreeNode) => {
    inTree.add(node.id);
    for (const child of node.children) walk(child);
  };
  walk(tree);
  if (inTree.has(parent.id)) {
    throw new UsageError(
      parent.id === source.id
        ? `page ${source.id} cannot be copied under itself`
        : `page ${parent.id} is inside the tree being copied: copy it somewhere outside page ${source.id}`,
      { code: "usage.copy_cycle" },
    );
  }
  const spaceKey = parent.spaceKey;
  if (!spaceKey) throw new ConflError(`cannot tell which space page ${parent.id} is in`);
  const sameSpace = parent.spaceId === source.spaceId;
  const titleFor = (title: string) => (sameSpace ? `Copy of ${title}` : title);

  // The plan, parents before children; only pages (v2 trees may hold folders and whiteboards).
  const levels: Planned[][] = [];
  const plan = (node: TreeNode, sourceParentId: string | null, depth: number) => {
    if (node.type !== "page") return;
    levels[depth] ??= [];
    levels[depth].push({
      node,
      title: depth === 0 ? (options.title ?? titleFor(node.title)) : titleFor(node.title),
      sourceParentId,
    });
    for (const child of node.children) plan(child, node.id, depth + 1);
  };
  plan(tree, null, 0);
  const all = levels.flat();

  // Titles are unique per space: refuse before anything is written.
  const seen = new Map<string, string>();
  for (const item of all) {
    const other = seen.get(item.title);
    if (other)
      throw new TitleExistsError(item.title, `the copy (pages ${other} and ${item.node.id} would share it)`);
    seen.set(item.title, item.node.id);
  }
  const taken = await mapConcurrent(all, client.concurrency, async (item) => {
    for await (const existing of listPages(client, { spaceKey, title: item.title, limit: 1 }))
      return { item, existing };
    return null;
  });
  const clash = taken.find((t) => t !== null);
  if (clash) throw new TitleExistsError(clash.item.title, `space ${spaceKey}`, clash.existing.id);

  const copies = new Map<string, string>();
  const done: CopiedPage[] = [];
  try {
    for (const level of levels) {
      // Siblings one after another, so the copies keep their order (Confluence appends a new child at
      // the end); different parents' children in parallel.
      const families = new Map<string | null, Planned[]>();
      for (const item of level)
        families.set(item.sourceParentId, [...(families.get(item.sourceParentId) ?? []), item]);
      await mapConcurrent([...families.values()], client.concurrency, async (family) => {
        for (const item of family) {
          const parentId = item.sourceParentId === null ? parent.id : copies.get(item.sourceParentId)!;
          const page = await copyOne(client, item.node.id, { spaceKey, parentId, title: item.title });
          copies.set(item.node.id, page.id);
          done.push(page);
          options.progress?.(`copied page ${item.node.id} → ${page.id} "${page.title}"`);
        }
      });
    }
  } catch (error) {
    if (done.length === 0) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConflError(`the copy stopped after ${done.length} of ${all.length} pages: ${reason}`, {
      code: "copy.partial",
      exitCode: ExitCode.FAILURE,
      hint: `the ${done.length} pages copied so far start at page ${done[0]?.id} under page ${parent.id} (list them: confl page tree ${done[0]?.id}); delete them or finish the copy by hand`,
      details: { copied: done.map((p) => ({ sourceId: p.sourceId, id: p.id })) },
      cause: error,
    });
  }
  // Report in plan order, whatever order the workers finished in.
  const order = new Map(all.map((item, index) => [item.node.id, index]));
  done.sort((a, b) => order.get(a.sourceId)! - order.get(b.sourceId)!);
  return { sourceId: source.id, spaceKey, pages: done };
}

async function copyOne(
  client: ConfluenceClient,
  sourceId: string,
  target: { spaceKey: string; parentId: string; title: string },
): Promise<CopiedPage> {
  const source: PageWithBody = await getPage(client, sourceId);
  const page = await createPage(client, { ...target, storage: source.body.storage });
  const attachments = await copyAttachments(client, sourceId, page.id);
  const labels = await copyLabels(client, sourceId, page.id);
  return {
    sourceId,
    id: page.id,
    title: page.title,
    parentId: target.parentId,
    attachments,
    labels,
    webUrl: page.webUrl,
  };
}

interface AttachmentInfo {
  id: string;
  title: string;
  mediaType: string;
  comment: string;
  /** DC: the download servlet path from `_links.download` */
  download: string | null;
}

async function listAttachments(client: ConfluenceClient, pageId: string): Promise<AttachmentInfo[]> {
  const v2 = client.contentApi === "v2";
  const raw = await orNotFound(`page ${pageId}`, () =>
    collect(
      listItems<unknown>(client, {
        path: v2
          ? `api/v2/pages/${encodeURIComponent(pageId)}/attachments`
          : `rest/api/content/${encodeURIComponent(pageId)}/child/attachment`,
        maxPageSize: v2 ? 250 : 100,
      }),
    ),
  );
  return raw.map((item) => {
    const a = isObject(item) ? item : {};
    const metadata = isObject(a.metadata) ? a.metadata : {};
    const links = isObject(a._links) ? a._links : {};
    return {
      id: idString(a.id) ?? "",
      title: stringOrNull(a.title) ?? "attachment",
      mediaType: stringOrNull(a.mediaType) ?? stringOrNull(metadata.mediaType) ?? "application/octet-stream",
      comment: stringOrNull(a.comment) ?? stringOrNull(metadata.comment) ?? "",
      download: stringOrNull(links.download),
    };
  });
}

async function copyAttachments(client: ConfluenceClient, fromId: string, toId: string): Promise<number> {
  const attachments = await listAttachments(client, fromId);
  for (const attachment of attachments) {
    const path =
      client.contentApi === "v2" || !attachment.download
        ? `rest/api/content/${encodeURIComponent(fromId)}/child/attachment/${encodeURIComponent(attachment.id)}/download`
        : attachment.download.replace(/^\/+/, "");
    const download = await client.http.request<ReadableStream<Uint8Array> | null>({
      path,
      responseType: "stream",
    });
    const boundary = `confl-${randomUUID()}`;
    await client.http.request({
      method: "POST",
      path: `rest/api/content/${encodeURIComponent(toId)}/child/attachment`,
      headers: {
        // §0.7: hyphenated; `nocheck` is deprecated and refused by some DC versions
        "x-atlassian-token": "no-check",
        "content-type": `multipart/form-data; boundary=${boundary}`,
      },
      body: multipart(boundary, attachment, download.data),
    });
  }
  return attachments.length;
}

/** A multipart/form-data body (RFC 7578) whose file part streams straight from the download. */
function multipart(
  boundary: string,
  attachment: AttachmentInfo,
  file: ReadableStream<Uint8Array> | null,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  // RFC 7578 §4.2 / the HTML form encoding: quotes and line breaks in a name are percent-encoded
  const quoted = (name: string) => name.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const field = (name: string, value: string, type = "") =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n${type}\r\n${value}\r\n`;
  async function* parts(): AsyncGenerator<Uint8Array> {
    yield encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(attachment.title)}"\r\n` +
        `Content-Type: ${attachment.mediaType}\r\n\r\n`,
    );
    if (file) for await (const chunk of file as unknown as AsyncIterable<Uint8Array>) yield chunk;
    yield encoder.encode(
      `\r\n${field("minorEdit", "true")}` +
        (attachment.comment
          ? field("comment", attachment.comment, "Content-Type: text/plain; charset=utf-8\r\n")
          : "") +
        `--${boundary}--\r\n`,
    );
  }
  const iterator = parts();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
}

async function copyLabels(client: ConfluenceClient, fromId: string, toId: string): Promise<number> {
  const v2 = client.contentApi === "v2";
  const raw = await collect(
    listItems<unknown>(client, {
      path: v2
        ? `api/v2/pages/${encodeURIComponent(fromId)}/labels`
        : `rest/api/content/${encodeURIComponent(fromId)}/label`,
      maxPageSize: v2 ? 250 : 200,
    }),
  );
  const labels = raw
    .map((item) =>
      isObject(item)
        ? { prefix: stringOrNull(item.prefix) ?? "global", name: stringOrNull(item.name) }
        : null,
    )
    .filter((label): label is { prefix: string; name: string } => label?.name != null);
  if (labels.length === 0) return 0;
  // spec-v1 addLabelsToContent: an array of LabelCreate {prefix, name}
  await client.http.request({
    method: "POST",
    path: `rest/api/content/${encodeURIComponent(toId)}/label`,
    json: labels,
  });
  return labels.length;
}
