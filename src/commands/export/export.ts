/**
 * `confl export <page> | --space KEY --out DIR`: pages as Markdown files with front matter, attachments
 * beside them, links between exported pages as relative links. Incremental and resumable: the state
 * file in DIR records what is on disk, so a second run fetches only pages whose version changed and an
 * interrupted run picks up where it stopped. Requests: the space's pages in one listing (with bodies
 * on a first run, versions only afterwards, then the changed bodies in batches), labels and attachments
 * listed by the space, one download per attachment (src/confluence/space-content.ts).
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openAttachmentDownload } from "../../confluence/attachments.js";
import type { ConfluenceClient } from "../../confluence/client.js";
import { parsePageRef, resolvePageRef } from "../../confluence/page-ref.js";
import {
  fetchPageBodies,
  listSpacePages,
  pageLabelsByIds,
  type SpacePage,
  spaceAttachments,
} from "../../confluence/space-content.js";
import { spaceKeyForId } from "../../confluence/spaces.js";
import type { Attachment } from "../../confluence/types.js";
import type { Context } from "../../context.js";
import { ConflError, UsageError } from "../../errors.js";
import { syncDirectory, writeBytesAtomically, writeFileAtomically } from "../../io/safe-file.js";
import { printJson } from "../../output/json.js";
import { redactSecrets } from "../../redact.js";
import { siteBase } from "../page/markdown-body.js";
import { type LayoutPage, planLayout, STAGING_DIR } from "./layout.js";
import { createExportProgress, type ExportProgress } from "./progress.js";
import { type RenderJob, type RenderResult, renderPage } from "./render.js";
import { type ExportState, loadState, STATE_FILE, type StatePage, stateWriter } from "./state.js";

export type AttachmentMode = "all" | "none" | "referenced";

export interface ExportOptions {
  page?: string | undefined;
  space?: string | undefined;
  out: string;
  /** levels below the top page(s); undefined = all */
  depth?: number | undefined;
  attachments: AttachmentMode;
  /** title globs: a matching page and everything below it are left out */
  exclude: string[];
  concurrency: number;
  dryRun: boolean;
}

export interface ExportSummary {
  out: string;
  spaceKey: string;
  root: string | null;
  dryRun: boolean;
  pages: { total: number; written: number; unchanged: number; removed: number };
  attachments: { total: number; downloaded: number; unchanged: number; removed: number };
  /** credentials found in page bodies and replaced by *** */
  redacted: number;
  requests: number;
  durationMs: number;
  /** with --dry-run: what a run would do */
  plan?: { write: string[]; download: string[]; remove: string[] };
}

interface Target {
  page: SpacePage;
  path: string;
  labels: string[];
  attachments: Attachment[];
}

export async function run(options: ExportOptions, ctx: Context): Promise<ExportSummary> {
  const started = Date.now();
  if ((options.page === undefined) === (options.space === undefined))
    throw new UsageError(
      "export either a page tree (<page>) or a whole space (--space KEY), one of the two",
      {
        hint: "confl export --space DOC --out ./docs",
      },
    );
  const rootRef = options.page === undefined ? undefined : parsePageRef(options.page);
  const out = resolve(options.out);
  const excludes = options.exclude.map(globToRegExp);

  const base = await ctx.client();
  let requests = 0;
  const client: ConfluenceClient = {
    ...base,
    http: {
      ...base.http,
      apiBase: base.http.apiBase,
      readOnly: base.http.readOnly,
      request: (o) => {
        requests++;
        return base.http.request(o);
      },
      paginate: (o) => base.http.paginate(o),
    },
  };

  // what to export: the space, and the top page when exporting a tree
  let spaceKey = options.space;
  let rootId: string | null = null;
  if (rootRef) {
    rootId = await resolvePageRef(client, rootRef);
    spaceKey = await spaceKeyOfPage(client, rootId);
  }
  const previous = await loadState(out);
  const site = siteBase(client) ?? null;
  if (previous && (previous.spaceKey !== spaceKey || previous.root !== rootId))
    throw new UsageError(
      `${out} holds an export of ${previous.root ? `page ${previous.root}` : `space ${previous.spaceKey}`}, not of ${rootId ? `page ${rootId}` : `space ${spaceKey}`}`,
      { code: "usage.export_state", hint: "export into another folder (--out)" },
    );

  // one listing: with bodies on a first export of a whole space, versions only otherwise
  const firstRun = previous === undefined || Object.keys(previous.pages).length === 0;
  const withBodies = firstRun && rootId === null;
  // At most --concurrency requests in flight, listings included. The listings, label and body reads go
  // ahead of queued downloads: every page's file waits for them, while downloads have a queue to spare.
  const slots = semaphore(options.concurrency);
  const urgent = <T>(work: () => Promise<T>) => slots(work, true);
  const listingClient: ConfluenceClient = {
    ...client,
    http: { ...client.http, request: (o) => urgent(() => client.http.request(o)) },
  };
  let madeOut: Promise<unknown> | undefined;
  const makeOut = () =>
    (madeOut ??= mkdir(out, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot create ${out}: ${error.code ?? error.message}`, { code: "usage.file" });
    }));

  // Downloads need not wait for the page listing: where a file goes depends on the whole page tree, but
  // whether it is needed does not when every attachment of the space is exported. So each attachment
  // the state does not hold at its version is downloaded into a staging folder as soon as the attachment
  // listing names it, and moved to its place once the plan is made. Blog posts' attachments are left out.
  const staging = join(out, STAGING_DIR);
  const staged = new Map<string, Promise<string>>();
  const early =
    options.attachments === "all" &&
    !options.dryRun &&
    rootId === null &&
    options.depth === undefined &&
    excludes.length === 0;
  if (early) {
    await makeOut();
    // what a killed run left there is not trusted: it is fetched again
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging);
  }
  const stage = (attachment: Attachment, containerType: string | null) => {
    if (containerType !== null && containerType !== "page") return;
    const before = previous?.attachments[attachment.id];
    if (before?.version != null && before.version === attachment.version?.number) return;
    const file = join(staging, encodeURIComponent(attachment.id));
    const fetched = slots(() => downloadTo(client, attachment, file)).then(() => file);
    fetched.catch(() => {});
    staged.set(attachment.id, fetched);
  };
  const listing = listSpacePages(listingClient, spaceKey!, { bodies: withBodies });
  // Labels only decide what the page files say: downloads need not wait for them. Cloud's listing has
  // none, so they come by CQL for the selected pages, the batches side by side, as soon as the page
  // listing is in (not waiting for the attachment listing).
  const labelsPromise: Promise<Map<string, string[]> | null> =
    client.contentApi === "v2"
      ? listing.then((pages) => {
          const ids = selectPages(pages, rootId, options.depth, excludes).map((p) => p.id);
          return ids.length > 0 ? pageLabelsByIds(client, ids, urgent) : new Map();
        })
      : Promise.resolve(null);
  labelsPromise.catch(() => {});
  const [listed, allAttachments] = await Promise.all([
    listing,
    options.attachments === "none"
      ? Promise.resolve([])
      : spaceAttachments(listingClient, spaceKey!, early ? stage : undefined),
  ]);

  const selected = selectPages(listed, rootId, options.depth, excludes);
  if (rootId !== null && !selected.some((p) => p.id === rootId))
    throw new ConflError(`page ${rootId} is not a current page of space ${spaceKey}`, { code: "not_found" });
  const inExport = new Set(selected.map((p) => p.id));
  const attachmentsByPage = new Map<string, Attachment[]>();
  for (const attachment of allAttachments) {
    if (!inExport.has(attachment.pageId)) continue;
    const list = attachmentsByPage.get(attachment.pageId) ?? [];
    list.push(attachment);
    attachmentsByPage.set(attachment.pageId, list);
  }
  const layoutPages: LayoutPage[] = selected.map((p) => ({
    id: p.id,
    title: p.title,
    parentId: p.id === rootId || p.parentId === null || !inExport.has(p.parentId) ? null : p.parentId,
  }));
  const layout = planLayout(
    layoutPages,
    [...attachmentsByPage.values()].flat().map((a) => ({ id: a.id, pageId: a.pageId, title: a.title })),
    {
      pages: new Map(Object.entries(previous?.pages ?? {}).map(([id, p]) => [id, p.path])),
      attachments: new Map(Object.entries(previous?.attachments ?? {}).map(([id, a]) => [id, a.path])),
    },
  );
  const byTitle = new Map(selected.map((p) => [p.title, p]));
  const targets: Target[] = selected.map((page) => ({
    page,
    path: layout.pages.get(page.id)!,
    labels: page.labels ?? [],
    attachments: attachmentsByPage.get(page.id) ?? [],
  }));

  // what changed since the state was written
  const state: ExportState = {
    format: 1,
    site,
    spaceKey: spaceKey!,
    root: rootId,
    pages: {},
    attachments: {},
  };
  const linkFor = (title: string): string | null => {
    const target = byTitle.get(title);
    return target ? layout.pages.get(target.id)! : null;
  };
  const onDisk = async (path: string) =>
    stat(join(out, path)).then(
      (s) => s.isFile(),
      () => false,
    );
  const summary: ExportSummary = {
    out,
    spaceKey: spaceKey!,
    root: rootId,
    dryRun: options.dryRun,
    pages: { total: targets.length, written: 0, unchanged: targets.length, removed: 0 },
    attachments: {
      total: targets.reduce((n, t) => n + t.attachments.length, 0),
      downloaded: 0,
      unchanged: 0,
      removed: 0,
    },
    redacted: 0,
    requests: 0,
    durationMs: 0,
  };

  // attachments first: with all of them wanted, their downloads start before the labels are in
  const attachmentWork = new Map<string, Attachment[]>();
  for (const target of targets) {
    for (const attachment of target.attachments) {
      const path = layout.attachments.get(attachment.id)!;
      const before = previous?.attachments[attachment.id];
      const unchanged =
        before !== undefined &&
        before.version === attachment.version?.number &&
        before.writtenPath === path &&
        (await onDisk(path));
      state.attachments[attachment.id] = unchanged
        ? { ...before, path }
        : { pageId: attachment.pageId, path, version: null, writtenPath: before?.writtenPath ?? null };
      if (!unchanged) {
        const list = attachmentWork.get(target.page.id) ?? [];
        list.push(attachment);
        attachmentWork.set(target.page.id, list);
      }
    }
  }
  const totals = { pages: 0, attachments: 0 };
  let progress: ExportProgress | undefined;
  let writer: ReturnType<typeof stateWriter> | undefined;
  const writtenVersion = new Map<string, number>();
  const plannedPaths = new Set([...layout.pages.values(), ...layout.attachments.values()]);
  const removeOld = async (old: string | null, now: string) => {
    if (old && old !== now && !plannedPaths.has(old)) await removeFile(out, old);
  };
  // each folder is made once, not once per file in it
  const folders = new Map<string, Promise<unknown>>();
  const folder = (dir: string) => {
    let made = folders.get(dir);
    if (!made) {
      made = mkdir(join(out, dir), { recursive: true });
      folders.set(dir, made);
    }
    return made;
  };
  const download = async (attachment: Attachment) => {
    const path = layout.attachments.get(attachment.id)!;
    const early = staged.get(attachment.id);
    if (early) {
      const file = await early;
      await folder(dirOfPath(path));
      await rename(file, join(out, path));
    } else
      await slots(async () => {
        await folder(dirOfPath(path));
        await downloadTo(client, attachment, join(out, path));
      });
    {
      const record = state.attachments[attachment.id]!;
      await removeOld(record.writtenPath, path);
      record.writtenPath = path;
      record.version = attachment.version?.number ?? 0;
      await writer!.attachment(attachment.id);
      summary.attachments.downloaded++;
      progress?.attachmentDone(path);
    }
  };
  const downloadsByPage = new Map<string, Promise<unknown>>();
  if (!options.dryRun) {
    await makeOut();
    // the plan (every name) is on disk before the first file, so a resumed run names alike
    for (const target of targets) {
      const before = previous?.pages[target.page.id];
      state.pages[target.page.id] = before
        ? { ...before, path: target.path }
        : {
            path: target.path,
            title: target.page.title,
            version: null,
            writtenPath: null,
            labels: [],
            links: {},
            referenced: [],
          };
    }
    writer = stateWriter(out, state);
    await writer.snapshot();
    totals.attachments = [...attachmentWork.values()].reduce((n, l) => n + l.length, 0);
    progress = createExportProgress(ctx, totals);
    if (options.attachments === "all")
      for (const [pageId, list] of attachmentWork) {
        const all = Promise.all(list.map(download));
        all.catch(() => {});
        downloadsByPage.set(pageId, all);
      }
  }
  const labelMap = await labelsPromise;
  for (const target of targets)
    if (target.page.labels === null) target.labels = labelMap?.get(target.page.id) ?? [];

  const pageWork: Target[] = [];
  for (const target of targets) {
    const before = previous?.pages[target.page.id];
    const unchanged =
      before !== undefined &&
      before.version === target.page.version?.number &&
      before.writtenPath === target.path &&
      before.title === target.page.title &&
      sameList(before.labels, target.labels) &&
      Object.entries(before.links).every(([title, link]) => linkFor(title) === link) &&
      (await onDisk(target.path));
    state.pages[target.page.id] = unchanged
      ? { ...before, path: target.path }
      : {
          path: target.path,
          title: target.page.title,
          version: null,
          writtenPath: before?.writtenPath ?? null,
          labels: target.labels,
          links: {},
          referenced: [],
        };
    if (!unchanged) pageWork.push(target);
  }
  // pages with nothing to write but attachments to fetch still count as work
  for (const target of targets)
    if (attachmentWork.has(target.page.id) && !pageWork.includes(target)) pageWork.push(target);
  const removals = removedEntries(previous, state);
  summary.pages.removed = removals.pages.length;
  summary.attachments.removed = removals.attachments.length;

  const needsBody = pageWork.filter((t) => state.pages[t.page.id]!.version === null);
  if (options.dryRun) {
    const download = [...attachmentWork.entries()].flatMap(([pageId, list]) =>
      list
        .filter(
          (a) =>
            options.attachments !== "referenced" ||
            state.pages[pageId]?.version === null ||
            state.pages[pageId]?.referenced.includes(a.id),
        )
        .map((a) => layout.attachments.get(a.id)!),
    );
    summary.plan = {
      write: needsBody.map((t) => t.path),
      download,
      remove: [...removals.pages, ...removals.attachments].map((r) => r.path),
    };
    summary.pages.written = needsBody.length;
    summary.pages.unchanged = targets.length - needsBody.length;
    summary.attachments.downloaded = download.length;
    summary.attachments.unchanged = summary.attachments.total - download.length;
    summary.requests = requests;
    summary.durationMs = Date.now() - started;
    if (ctx.globals.json) printJson(ctx.io, summary);
    else {
      for (const path of summary.plan.write) ctx.io.out(`write    ${path}`);
      for (const path of summary.plan.download) ctx.io.out(`download ${path}`);
      for (const path of summary.plan.remove) ctx.io.out(`remove   ${path}`);
      ctx.io.err(
        `dry run: would write ${needsBody.length} of ${targets.length} pages, download ${download.length} attachments and remove ${summary.plan.remove.length} files in ${out}; nothing was written`,
      );
    }
    return summary;
  }

  await writer!.snapshot();
  totals.pages = pageWork.length;
  const bodies = new Map<string, SpacePage>();
  const missingBodies = needsBody.filter((t) => t.page.storage === null).map((t) => t.page.id);
  if (missingBodies.length > 0)
    for (const [id, page] of await fetchPageBodies(client, spaceKey!, missingBodies, urgent))
      bodies.set(id, page);

  const renderer = await createRenderer(
    needsBody.length,
    [...byTitle].map(([title, p]) => [title, layout.pages.get(p.id)!]),
  );
  const render = renderer.render;

  const finishPage = async (target: Target) => {
    const entry = state.pages[target.page.id]!;
    const rendered = entry.version === null;
    if (rendered) {
      const page = bodies.get(target.page.id) ?? target.page;
      if (page.storage === null) {
        // gone between the listing and the read: removed from the export on the next run
        progress!.pageDone(target.path, "skipped");
        return;
      }
      const {
        markdown: text,
        links,
        referenced,
      } = await render({
        storage: page.storage,
        frontMatter: {
          id: page.id,
          title: page.title,
          ...(target.labels.length > 0 ? { labels: target.labels } : {}),
          ...(page.parentId ? { parent: page.parentId } : {}),
          ...(page.version ? { version: page.version.number } : {}),
          ...(page.webUrl ? { source: page.webUrl } : {}),
        },
        baseUrl: site,
        spaceKey: spaceKey!,
        path: target.path,
        attachments: target.attachments.map((a) => [a.title, a.id, layout.attachments.get(a.id)!]),
      });
      const safe = redactSecrets(text);
      if (safe !== text) summary.redacted++;
      await folder(dirOfPath(target.path));
      await writeBytesAtomically(join(out, target.path), Buffer.from(safe, "utf8"), {
        syncDirectory: false,
      });
      await removeOld(entry.writtenPath, target.path);
      Object.assign(entry, {
        title: page.title,
        labels: target.labels,
        links,
        referenced,
      });
      entry.writtenPath = target.path;
      writtenVersion.set(page.id, page.version?.number ?? 0);
    }
    if (options.attachments === "referenced")
      await Promise.all(
        (attachmentWork.get(target.page.id) ?? [])
          .filter((a) => entry.referenced.includes(a.id))
          .map(download),
      );
    else await downloadsByPage.get(target.page.id);
    if (rendered) {
      // done only now: a kill before this line redoes the page, never skips it
      entry.version = writtenVersion.get(target.page.id) ?? 0;
      await writer!.page(target.page.id);
      summary.pages.written++;
    }
    progress!.pageDone(target.path, rendered ? "written" : "attachments");
  };
  try {
    // One conversion at a time with the event loop let through between them: hundreds of synchronous
    // conversions in one go would hold back every download response that arrives meanwhile.
    const finishing: Array<Promise<void>> = [];
    let failed = false;
    for (const target of pageWork) {
      if (failed) break;
      if (!renderer.inWorker) await new Promise<void>((go) => setImmediate(go));
      const finished = finishPage(target);
      finished.catch(() => {
        failed = true;
      });
      finishing.push(finished);
    }
    await Promise.all(finishing);
  } finally {
    progress!.stop();
    await renderer.close();
    await writer!.close();
  }

  // what is no longer in the export goes, and so do the folders it leaves empty
  for (const removal of [...removals.pages, ...removals.attachments]) {
    if (!plannedPaths.has(removal.path)) await removeFile(out, removal.path);
  }
  // a staged download the plan did not take (a page left out after all) is dropped
  await Promise.allSettled(staged.values());
  await rm(staging, { recursive: true, force: true });
  // Files are fsynced before their renames, folders once here rather than after every file. A power loss
  // before this point may lose a rename the log records as done; the next run sees the file missing
  // (the state is trusted only for files that are on disk) and writes it again.
  await Promise.all([out, ...[...folders.keys()].map((dir) => join(out, dir))].map(syncDirectory));
  // the log folded into the snapshot: the next run starts from one file
  await writer!.snapshot();
  await writer!.close();

  summary.pages.unchanged = targets.length - summary.pages.written;
  summary.attachments.unchanged = summary.attachments.total - summary.attachments.downloaded;
  summary.requests = requests;
  summary.durationMs = Date.now() - started;
  if (ctx.globals.json) printJson(ctx.io, summary);
  else {
    const seconds = (summary.durationMs / 1000).toFixed(1);
    ctx.io.err(
      `exported ${summary.pages.total} pages to ${out} (${summary.pages.written} written, ${summary.pages.unchanged} unchanged${summary.pages.removed ? `, ${summary.pages.removed} removed` : ""}), ` +
        `${summary.attachments.downloaded} attachments downloaded (${summary.attachments.unchanged} unchanged) in ${seconds} s, ${summary.requests} requests`,
    );
  }
  if (summary.redacted > 0)
    ctx.io.err(
      `warning: ${summary.redacted} page(s) contained the credential confl is using; it was written as *** in the files`,
    );
  return summary;
}

/** Below this many pages a worker's start-up costs more than the conversions it would move. */
const WORKER_PAGES = 100;

/**
 * Page rendering: in a worker thread (dist/export-render.mjs) when there are many pages and the bundle
 * has one, so the conversions do not hold back download responses on the main thread; else inline, one
 * conversion between network events.
 */
async function createRenderer(pages: number, titles: Array<[string, string]>) {
  const pathOfTitle = new Map(titles);
  const workerFile = new URL("../export-render.mjs", import.meta.url);
  if (pages < WORKER_PAGES || workerFile.protocol !== "file:" || !existsSync(fileURLToPath(workerFile))) {
    const { storageToMarkdown } = await import("../../markdown/index.js");
    return {
      inWorker: false,
      render: async (job: RenderJob) => renderPage(storageToMarkdown, job, (t) => pathOfTitle.get(t) ?? null),
      close: async () => {},
    };
  }
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(workerFile, { workerData: titles });
  const waiting = new Map<number, { done: (r: RenderResult) => void; fail: (e: Error) => void }>();
  let next = 0;
  let broken: Error | undefined;
  const failAll = (error: Error) => {
    broken = error;
    for (const { fail } of waiting.values()) fail(error);
    waiting.clear();
  };
  worker.on("message", (message: { n: number; result?: RenderResult; error?: string }) => {
    const entry = waiting.get(message.n);
    waiting.delete(message.n);
    if (message.result) entry?.done(message.result);
    else
      entry?.fail(new ConflError(`converting a page failed: ${message.error}`, { code: "export.convert" }));
  });
  worker.on("error", (error) => failAll(error));
  worker.on("exit", () => failAll(new ConflError("the page converter stopped", { code: "export.convert" })));
  return {
    inWorker: true,
    render: (job: RenderJob) =>
      new Promise<RenderResult>((done, fail) => {
        if (broken) return fail(broken);
        const n = next++;
        waiting.set(n, { done, fail });
        worker.postMessage({ n, job });
      }),
    close: async () => {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}

function dirOfPath(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Entries of the previous state that are no longer exported: their files are removed. */
function removedEntries(previous: ExportState | undefined, now: ExportState) {
  const pages: Array<{ id: string; path: string }> = [];
  const attachments: Array<{ id: string; path: string }> = [];
  if (!previous) return { pages, attachments };
  for (const [id, page] of Object.entries(previous.pages))
    if (!(id in now.pages) && page.writtenPath) pages.push({ id, path: page.writtenPath });
  for (const [id, attachment] of Object.entries(previous.attachments))
    if (!(id in now.attachments) && attachment.writtenPath)
      attachments.push({ id, path: attachment.writtenPath });
  return { pages, attachments };
}

/** Removes a file confl wrote, and the folders above it that are left empty (never the export folder). */
async function removeFile(out: string, path: string): Promise<void> {
  await rm(join(out, path), { force: true });
  let dir = dirOfPath(path);
  while (dir !== "") {
    try {
      await rmdir(join(out, dir));
    } catch {
      return;
    }
    dir = dirOfPath(dir);
  }
}

async function spaceKeyOfPage(client: ConfluenceClient, id: string): Promise<string> {
  const { getPage } = await import("../../confluence/pages.js");
  const page = await getPage(client, id);
  const key = page.spaceKey ?? (page.spaceId ? await spaceKeyForId(client, page.spaceId) : null);
  if (!key) throw new ConflError(`cannot tell which space page ${id} is in`, { code: "not_found" });
  return key;
}

/** The pages to export: the tree under `rootId` (or the whole space), down to `depth`, minus exclusions. */
export function selectPages(
  pages: SpacePage[],
  rootId: string | null,
  depth: number | undefined,
  excludes: RegExp[],
): SpacePage[] {
  const ids = new Set(pages.map((p) => p.id));
  const children = new Map<string | null, SpacePage[]>();
  for (const page of pages) {
    const parent = page.parentId !== null && ids.has(page.parentId) ? page.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(page);
    children.set(parent, list);
  }
  const roots = rootId === null ? (children.get(null) ?? []) : pages.filter((p) => p.id === rootId);
  const out: SpacePage[] = [];
  const seen = new Set<string>();
  const walk = (page: SpacePage, level: number) => {
    if (seen.has(page.id) || excludes.some((re) => re.test(page.title))) return;
    seen.add(page.id);
    out.push(page);
    if (depth !== undefined && level >= depth) return;
    for (const child of children.get(page.id) ?? []) walk(child, level + 1);
  };
  for (const root of roots) walk(root, 0);
  return out;
}

/** `*` any run of characters, `?` one character; the whole title must match, ignoring case. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${pattern}$`, "i");
}

/** At most `n` pieces of work at once, started in the order asked; `urgent` work goes before the rest. */
export function semaphore(n: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  const urgentQueue: Array<() => void> = [];
  return async <T>(work: () => Promise<T>, urgent = false): Promise<T> => {
    if (active >= n) await new Promise<void>((go) => (urgent ? urgentQueue : queue).push(go));
    else active++;
    try {
      return await work();
    } finally {
      // the slot passes straight to the next waiter, so nothing can slip in between
      const next = urgentQueue.shift() ?? queue.shift();
      if (next) next();
      else active--;
    }
  };
}

async function downloadTo(client: ConfluenceClient, attachment: Attachment, path: string): Promise<void> {
  const download = await openAttachmentDownload(client, attachment);
  try {
    await writeFileAtomically(path, download.body, {
      expectedBytes: download.length,
      onBytes: () => download.kick(),
      // each folder is synced once at the end of the run (see there)
      syncDirectory: false,
    });
  } catch (error) {
    const explained = download.explain(error);
    if (explained instanceof ConflError) throw explained;
    throw new ConflError(
      `downloading ${attachment.title} (page ${attachment.pageId}) failed: ${error instanceof Error ? error.message : String(error)}`,
      { code: "download.failed", hint: "run the export again: it resumes where it stopped", cause: error },
    );
  } finally {
    download.body.destroy();
    download.done();
  }
}

export { STATE_FILE, type StatePage };
