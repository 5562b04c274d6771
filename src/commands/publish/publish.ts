/**
 * `confl publish <dir|file> --space KEY [--parent <page>]`: a folder of Markdown files becomes a page
 * tree. `X.md` is a page; the files in the folder `X/` beside it are its children (a folder without a
 * file of its own adds no page). The title is the front matter's, else a leading `# H1`, else the file
 * name. A file is matched to a page by the id in its front matter, else by title (titles are unique in a
 * space); it is created, updated, or skipped when Confluence already has exactly this content. Local
 * images and files a page links to become its attachments, uploaded only when their bytes changed (a
 * SHA-256 in the attachment's comment says which bytes it has). Every problem (two files with one title,
 * a relative link to a file that is not there, a missing image) is found before anything is written.
 * So is a version conflict: a file whose front matter carries `version` (an export writes the version
 * it read) updates its page only while the page is still at that version, the check `page update`
 * makes. Confluence itself only refuses a PUT whose version is not current + 1 (409; confluence-api.md
 * §0 fact 4, §1.5), which cannot tell an edit made since the export from none.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { listAttachments, uploadAttachment } from "../../confluence/attachments.js";
import { addLabels } from "../../confluence/labels.js";
import { parsePageRef, resolvePageRef } from "../../confluence/page-ref.js";
import { createPage, putPage } from "../../confluence/page-write.js";
import {
  fetchPageBodies,
  listSpacePages,
  type SpacePage,
  spacePageLabels,
} from "../../confluence/space-content.js";
import type { Attachment } from "../../confluence/types.js";
import type { Context } from "../../context.js";
import { ConflError, ExitCode, UsageError } from "../../errors.js";
import type { FrontMatter, PageRef } from "../../markdown/types.js";
import { printJson } from "../../output/json.js";
import { closeAll, mediaTypeFor, openLocalFiles } from "../attachment/files.js";
import { firstHeading, siteBase } from "../page/markdown-body.js";
import { writableClient } from "../write-guard.js";

export interface PublishOptions {
  source: string;
  space: string;
  parent?: string | undefined;
  dryRun: boolean;
  writeIds: boolean;
}

export type Action = "create" | "update" | "skip";

export interface PublishedPage {
  path: string;
  title: string;
  id: string | null;
  action: Action;
  /** attachments uploaded (or, with --dry-run, to upload) */
  uploads: string[];
  /** labels added */
  labels: string[];
}

export interface PublishSummary {
  spaceKey: string;
  dryRun: boolean;
  pages: PublishedPage[];
  created: number;
  updated: number;
  skipped: number;
  uploaded: number;
}

interface LocalPage {
  /** absolute path */
  file: string;
  /** relative to the source, `/`-separated */
  path: string;
  text: string;
  frontMatter: FrontMatter;
  /** the Markdown without front matter (and without the H1 that gave the title) */
  body: string;
  title: string;
  parent: LocalPage | null;
  storage: string;
  /** local files it refers to: attachment name → absolute path */
  files: Map<string, string>;
  match: SpacePage | null;
}

const HASH_NOTE = /confl:sha256=([0-9a-f]{64})/;

export async function run(options: PublishOptions, ctx: Context): Promise<PublishSummary> {
  const source = resolve(options.source);
  const info = await stat(source).catch(() => {
    throw new UsageError(`cannot read ${options.source}: no such file or folder`, { code: "usage.file" });
  });
  const root = info.isDirectory() ? source : dirname(source);
  const files = info.isDirectory() ? await markdownFiles(source) : [source];
  if (files.length === 0) throw new UsageError(`no Markdown files (*.md) in ${options.source}`);

  const converter = await import("../../markdown/index.js");
  const problems: string[] = [];
  const pages: LocalPage[] = [];
  for (const file of files) {
    const text = await readFile(file, "utf8");
    let parsed: { frontMatter: FrontMatter | undefined; body: string };
    try {
      parsed = converter.parseFrontMatter(text);
    } catch (error) {
      problems.push(`${rel(root, file)}: ${(error as Error).message}`);
      continue;
    }
    const frontMatter = parsed.frontMatter ?? {};
    let body = parsed.body;
    let title = typeof frontMatter.title === "string" ? frontMatter.title.trim() : "";
    if (title === "") {
      const h1 = firstHeading(body);
      if (h1) {
        title = h1.title;
        body = body.slice(0, h1.start) + body.slice(h1.end);
      } else title = basename(file).replace(/\.md$/i, "");
    }
    pages.push({
      file,
      path: rel(root, file),
      text,
      frontMatter,
      body,
      title,
      parent: null,
      storage: "",
      files: new Map(),
      match: null,
    });
  }
  // the folder `X/` beside `X.md` holds X's children; a folder without its own file is transparent
  const byFile = new Map(pages.map((p) => [p.file, p]));
  for (const page of pages) {
    let dir = dirname(page.file);
    while (dir.startsWith(root) && dir !== root) {
      const owner = byFile.get(`${dir}.md`);
      if (owner) {
        page.parent = owner;
        break;
      }
      dir = dirname(dir);
    }
  }
  // titles are unique in a space: two files with one title cannot both be published
  const byTitle = new Map<string, LocalPage>();
  for (const page of pages) {
    const other = byTitle.get(page.title.toLowerCase());
    if (other)
      problems.push(
        `${other.path} and ${page.path} both have the title "${page.title}"${other.parent === page.parent ? " under one parent" : ""}`,
      );
    else byTitle.set(page.title.toLowerCase(), page);
  }

  // convert, resolving links between the files and collecting the local files each page needs
  const base = siteBase(await ctx.client());
  for (const page of pages) {
    const dir = dirname(page.file);
    const localTarget = (href: string) => {
      const hash = href.indexOf("#");
      const path = safeDecode(hash === -1 ? href : href.slice(0, hash));
      return {
        absolute: resolve(dir, path),
        fragment: hash === -1 ? undefined : safeDecode(href.slice(hash + 1)),
      };
    };
    const isLocal = (href: string) => !/^[a-zA-Z][a-zA-Z0-9+.-]*:|^\/|^#/.test(href) && href !== "";
    try {
      const { storage } = converter.markdownToStorage(page.body, {
        ...(base ? { baseUrl: base } : {}),
        spaceKey: options.space,
        resolvePageLink: (href): PageRef | undefined => {
          if (!isLocal(href)) return undefined;
          const { absolute, fragment } = localTarget(href);
          if (!/\.md$/i.test(absolute)) return undefined;
          const target = byFile.get(absolute);
          if (!target) {
            problems.push(`${page.path}: the link to ${href} points to no Markdown file being published`);
            return undefined;
          }
          return { title: target.title, ...(fragment ? { anchor: fragment } : {}) };
        },
        resolveAttachment: (href) => {
          if (!isLocal(href)) return undefined;
          const { absolute } = localTarget(href);
          const name = basename(absolute);
          const known = page.files.get(name);
          if (known !== undefined && known !== absolute)
            problems.push(
              `${page.path}: ${rel(root, known)} and ${rel(root, absolute)} would both be attached as ${name}`,
            );
          page.files.set(name, absolute);
          return name;
        },
      });
      page.storage = storage;
    } catch (error) {
      if (error instanceof converter.InvalidStorageError) problems.push(`${page.path}: ${error.message}`);
      else throw error;
    }
  }
  for (const page of pages)
    for (const [, absolute] of page.files) {
      const ok = await stat(absolute).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!ok) problems.push(`${page.path}: ${rel(dirname(page.file), absolute)} is missing`);
    }
  if (problems.length > 0) throw invalid(problems);

  // what Confluence has: one listing of the space, bodies of the matched pages in batches
  const client = options.dryRun ? await ctx.client() : await writableClient(ctx, "publish");
  const listed = await listSpacePages(client, options.space, { bodies: false });
  const byId = new Map(listed.map((p) => [p.id, p]));
  const listedByTitle = new Map(listed.map((p) => [p.title.toLowerCase(), p]));
  const parentId =
    options.parent === undefined ? null : await resolvePageRef(client, parsePageRef(options.parent));
  if (parentId !== null && !byId.has(parentId))
    throw new UsageError(`--parent ${options.parent} is not a page of space ${options.space}`);
  for (const page of pages) {
    const id = page.frontMatter.id;
    if (id !== undefined) {
      const found = byId.get(id);
      if (!found)
        problems.push(
          `${page.path}: its front matter names page ${id}, which space ${options.space} does not have`,
        );
      page.match = found ?? null;
    } else page.match = listedByTitle.get(page.title.toLowerCase()) ?? null;
    if (page.match && page.match.title.toLowerCase() !== page.title.toLowerCase()) {
      const clash = listedByTitle.get(page.title.toLowerCase());
      if (clash && clash.id !== page.match.id)
        problems.push(
          `${page.path}: another page of the space (${clash.id}) already has the title "${page.title}"`,
        );
    }
  }
  if (problems.length > 0) throw invalid(problems);
  const matched = pages.filter((p) => p.match).map((p) => p.match!.id);
  const bodies = matched.length
    ? await fetchPageBodies(client, options.space, matched)
    : new Map<string, SpacePage>();
  const wantsLabels = pages.some((p) => (p.frontMatter.labels?.length ?? 0) > 0 && p.match);
  const cloudLabels =
    wantsLabels && client.contentApi === "v2" ? await spacePageLabels(client, options.space) : undefined;

  // The plan, page by page (parents before children), before anything is written: a page whose file
  // carries the version it was taken at (an export writes it) and that Confluence has moved past is a
  // conflict, listed with every other one, and then nothing is published at all (no half-published tree).
  const depthOf = (p: LocalPage): number => (p.parent ? depthOf(p.parent) + 1 : 0);
  const ordered = [...pages].sort((a, b) => depthOf(a) - depthOf(b) || a.path.localeCompare(b.path));
  const planned: Planned[] = [];
  const plannedIds = new Map<LocalPage, string>();
  const conflicts: Conflict[] = [];
  for (const page of ordered) {
    const current = page.match ? (bodies.get(page.match.id) ?? null) : null;
    if (page.match && !current)
      throw new ConflError(`page ${page.match.id} could not be read`, { code: "not_found" });
    // a parent still to be created stands in by a name of its own: a page under it moves
    const wantParent = page.parent ? (plannedIds.get(page.parent) ?? null) : parentId;
    const moved = current !== null && wantParent !== null && current.parentId !== wantParent;
    let action: Action = "create";
    if (current) {
      const same =
        current.title === page.title &&
        !moved &&
        (current.storage === page.storage ||
          converter.storageToMarkdown(current.storage ?? "").markdown ===
            converter.storageToMarkdown(page.storage).markdown);
      action = same ? "skip" : "update";
    }
    // Only an update can lose someone's edit; a page already equal to the file is left as it is.
    const base = page.frontMatter.version;
    const now = current?.version?.number ?? 0;
    if (current && action === "update" && base !== undefined && base !== now)
      conflicts.push({ path: page.path, id: current.id, base, now });
    const haveLabels = current ? (current.labels ?? cloudLabels?.get(current.id) ?? []) : [];
    const newLabels = (page.frontMatter.labels ?? []).filter((l) => !haveLabels.includes(l));
    const existing: Attachment[] =
      current && page.files.size > 0 ? await listAttachments(client, current.id) : [];
    const uploads: Upload[] = [];
    for (const [name, path] of page.files) {
      const hash = createHash("sha256")
        .update(await readFile(path))
        .digest("hex");
      const have = existing.find((a) => a.title === name);
      if (have && HASH_NOTE.exec(have.comment ?? "")?.[1] === hash) continue;
      uploads.push({ name, path, hash, existing: have });
    }
    plannedIds.set(page, current?.id ?? `(new: ${page.title})`);
    planned.push({ page, current, action, moved, newLabels, uploads });
  }
  if (conflicts.length > 0) throw conflict(conflicts);

  const summary: PublishSummary = {
    spaceKey: options.space,
    dryRun: options.dryRun,
    pages: [],
    created: 0,
    updated: 0,
    skipped: 0,
    uploaded: 0,
  };
  const ids = new Map<LocalPage, string>();
  for (const { page, current, action, moved, newLabels, uploads } of planned) {
    const result: PublishedPage = {
      path: page.path,
      title: page.title,
      id: current?.id ?? null,
      action,
      uploads: uploads.map((u) => u.name),
      labels: newLabels,
    };
    summary.pages.push(result);
    if (action === "create") summary.created++;
    else if (action === "update") summary.updated++;
    else summary.skipped++;
    summary.uploaded += uploads.length;
    if (options.dryRun) continue;

    const wantParent = page.parent ? (ids.get(page.parent) ?? null) : parentId;
    let id: string;
    let version: number | null = null;
    if (action === "create") {
      const created = await createPage(client, {
        spaceKey: options.space,
        title: page.title,
        parentId: wantParent ?? undefined,
        storage: page.storage,
      });
      id = created.id;
      version = created.version?.number ?? 1;
    } else if (action === "update") {
      const written = await putPage(client, {
        page: { ...current!, body: { storage: current!.storage ?? "" } },
        title: page.title,
        storage: page.storage,
        version: (current!.version?.number ?? 0) + 1,
        parentId: moved ? (wantParent ?? undefined) : undefined,
        message: "confl publish",
      });
      id = written.id;
      version = written.version?.number ?? null;
    } else id = current!.id;
    result.id = id;
    ids.set(page, id);
    if (newLabels.length > 0) await addLabels(client, id, newLabels);
    if (uploads.length > 0) {
      const opened = await openLocalFiles(uploads.map((u) => u.path));
      try {
        for (const [i, upload] of uploads.entries()) {
          const file = opened[i]!;
          await uploadAttachment(
            client,
            id,
            {
              filename: upload.name,
              contentType: mediaTypeFor(upload.name),
              handle: file.handle,
              size: file.size,
            },
            { comment: `confl:sha256=${upload.hash}`, existingId: upload.existing?.id, minorEdit: true },
          );
        }
      } finally {
        await closeAll(opened);
      }
    }
    if (
      options.writeIds &&
      (page.frontMatter.id !== id || (version !== null && page.frontMatter.version !== undefined))
    ) {
      const frontMatter: FrontMatter = {
        ...page.frontMatter,
        id,
        ...(page.frontMatter.version !== undefined && version !== null ? { version } : {}),
      };
      const { body } = converter.parseFrontMatter(page.text);
      await writeFile(page.file, converter.serializeFrontMatter(frontMatter) + body.replace(/^\n+/, ""));
    }
    if (!ctx.globals.json)
      ctx.io.out(
        `${verb(action)} ${page.path} → page ${id}${uploads.length ? ` (+${uploads.length} attachments)` : ""}`,
      );
  }

  if (ctx.globals.json) printJson(ctx.io, summary);
  else if (options.dryRun) {
    for (const page of summary.pages) {
      ctx.io.out(
        `${page.action.padEnd(6)} ${page.path}${page.id ? ` (page ${page.id})` : ""} "${page.title}"`,
      );
      for (const name of page.uploads) ctx.io.out(`upload ${name} → "${page.title}"`);
    }
    ctx.io.err(
      `dry run: would create ${summary.created}, update ${summary.updated}, skip ${summary.skipped} pages and upload ${summary.uploaded} attachments; nothing was written`,
    );
  } else
    ctx.io.err(
      `published to ${options.space}: ${summary.created} created, ${summary.updated} updated, ${summary.skipped} unchanged, ${summary.uploaded} attachments uploaded`,
    );
  return summary;
}

function verb(action: Action): string {
  return action === "create" ? "Created" : action === "update" ? "Updated" : "Unchanged";
}

interface Upload {
  name: string;
  path: string;
  hash: string;
  existing: Attachment | undefined;
}

interface Planned {
  page: LocalPage;
  current: SpacePage | null;
  action: Action;
  moved: boolean;
  newLabels: string[];
  uploads: Upload[];
}

interface Conflict {
  path: string;
  id: string;
  /** the version the file was taken at */
  base: number;
  /** the page's version now */
  now: number;
}

/** Pages Confluence moved past the version their files were taken at: nothing is published. */
function conflict(conflicts: Conflict[]): ConflError {
  const lines = conflicts.map(
    (c) => `${c.path}: page ${c.id} is at version ${c.now}, the file was taken at version ${c.base}`,
  );
  const [first] = conflicts as [Conflict];
  const one = conflicts.length === 1;
  return new ConflError(
    `nothing was published: ${one ? "1 page" : `${conflicts.length} pages`} changed in Confluence since ${one ? "its file was" : "their files were"} taken:\n  ${lines.join("\n  ")}`,
    {
      code: "conflict.version",
      exitCode: ExitCode.FAILURE,
      hint: `see what changed with 'confl page diff ${first.id} --from ${first.base} --to ${first.now}', bring it into the file and set its version to ${first.now}`,
      details: {
        pages: conflicts.map((c) => ({ path: c.path, id: c.id, baseVersion: c.base, currentVersion: c.now })),
      },
    },
  );
}

function invalid(problems: string[]): ConflError {
  return new ConflError(
    `nothing was published: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n  ${problems.join("\n  ")}`,
    { code: "publish.invalid", exitCode: ExitCode.USAGE, hint: "fix the files and run it again" },
  );
}

function rel(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every `*.md` under `dir`, skipping dot files and folders (.git, the export state), sorted. */
async function markdownFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string) => {
    const entries = await readdir(at, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".")) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && /\.md$/i.test(entry.name)) out.push(path);
    }
  };
  await walk(dir);
  return out;
}
