/**
 * confl export and page view/update --format markdown, the built CLI against the simulator on a Cloud
 * site, through the gateway and on Data Center. Requests are counted from the simulator's log against
 * the minimum the API allows; a run killed mid-way resumes without redoing finished pages and ends
 * equal to a clean export.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { seedBulkSpace } from "../../sim/bulk.js";
import type { Simulator } from "../../sim/types.js";
import { useSimulator } from "../support/context.js";
import { anotherWriter, authenticated, deployments, expectApiChoice, writes } from "./deployments.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

const bundle = join(import.meta.dirname, "../../dist/confl.mjs");

/** Every file under `dir` (but the state file) → its bytes. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name !== ".confl-export.json") out.set(relative(dir, path), readFileSync(path, "latin1"));
    }
  };
  walk(dir);
  return out;
}

/** Requests that read page bodies (the listing with bodies, batches, single reads). */
function bodyReads(log: Simulator["log"]) {
  return log.filter((e) => /body-format=storage|body\.storage/.test(decodeURIComponent(e.path)));
}

/** Attachment downloads (Cloud: the v1 download route; DC: the servlet). */
function downloads(log: Simulator["log"]) {
  return log.filter((e) => /\/download(\?|$)|\/download\/attachments\//.test(e.path) && e.server !== "media");
}

/**
 * The state as a run would load it: the snapshot, then the log's lines (one finished page or attachment
 * each), where a last line cut short by a kill does not count.
 */
function state(dir: string) {
  const snapshot = JSON.parse(readFileSync(join(dir, ".confl-export.json"), "utf8")) as {
    pages: Record<string, { version: number | null; path: string }>;
    attachments: Record<string, { version: number | null; pageId: string }>;
  };
  const log = join(dir, ".confl-export.log");
  const lines = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
  lines.forEach((line, i) => {
    let record: { page?: string; attachment?: string; entry: never };
    try {
      record = JSON.parse(line);
    } catch (error) {
      if (i === lines.length - 1) return;
      throw error;
    }
    if (record.page) snapshot.pages[record.page] = record.entry;
    if (record.attachment) snapshot.attachments[record.attachment] = record.entry;
  });
  return snapshot;
}

/** Gives `n` pages of DOC an attachment each (the resume test needs downloads to interrupt). */
function addAttachments(n: number): string[] {
  const pages = sim.store.pages.filter((p) => p.spaceId === "98305").slice(3, 3 + n);
  pages.forEach((page, i) => {
    const attachment = {
      id: `att${800000 + i}`,
      pageId: page.id,
      title: `file-${i}.txt`,
      mediaType: "text/plain",
      fileId: `resume-${i}`,
      bytes: Buffer.from(`file ${i}\n`),
      comment: "",
      status: "current" as const,
      createdAt: "2026-10-06T12:00:00.000Z",
      version: {
        number: 1,
        createdAt: "2026-10-06T12:00:00.000Z",
        message: "",
        minorEdit: false,
        authorId: page.authorId,
      },
    };
    sim.store.attachments.push(attachment);
    sim.store.rememberMedia(attachment);
  });
  return pages.map((p) => p.id);
}

for (const d of deployments) {
  describe(d.name, () => {
    let env: NodeJS.ProcessEnv & { HOME?: string };
    beforeEach(async () => {
      env = await d.env(sim);
      sim.clearLog();
    });
    const cloud = d.server !== "dc";

    it("page view --format markdown, edit, page update --format markdown: the file's version guards the write", async () => {
      const view = await confl(["page", "view", "65537", "--format", "markdown"], env);
      expect(view.code, view.stderr).toBe(0);
      expect(view.stdout).toMatch(/^---\nid: "65537"\ntitle: Getting started\nlabels:\n {2}- guide\n/);
      expect(view.stdout).toContain("version: 2\n");
      const file = join(env.HOME!, "page.md");
      writeFileSync(file, `${view.stdout}\nA new paragraph.\n`);
      const update = await confl(
        ["page", "update", "--format", "markdown", "--body-file", file, "--json"],
        env,
      );
      expect(update.code, update.stderr).toBe(0);
      expect(JSON.parse(update.stdout)).toMatchObject({
        id: "65537",
        baseVersion: 2,
        version: { number: 3 },
      });
      expect(sim.store.page("65537")!.body).toContain("<p>A new paragraph.</p>");
      // the same file again: it says version 2, the page is at 3 → refused, nothing written
      sim.clearLog();
      const stale = await confl(["page", "update", "--format", "markdown", "--body-file", file], env);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain("changed since version 2 was read");
      expect(writes(sim)).toEqual([]);
    });

    it("page create --format markdown: title from the leading # heading, labels from front matter", async () => {
      const file = join(env.HOME!, "new.md");
      writeFileSync(file, "---\nlabels: [howto]\n---\n# Markdown notes\n\nSome **bold** text.\n");
      const run = await confl(
        ["page", "create", "--space", "ENG", "--format", "markdown", "--body-file", file, "--json"],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      const page = sim.store.page(JSON.parse(run.stdout).id)!;
      expect(page.title).toBe("Markdown notes");
      expect(page.body).toBe("<p>Some <strong>bold</strong> text.</p>");
      expect(page.labels).toEqual(["howto"]);
    });

    it("exports a space: folders per parent, front matter, relative links, attachments; requests are the minimum", async () => {
      const out = join(env.HOME!, "doc");
      const run = await confl(["export", "--space", "DOC", "--out", out, "--json"], env);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({
        spaceKey: "DOC",
        pages: { total: 63, written: 63, unchanged: 0 },
        attachments: { total: 2, downloaded: 2 },
      });
      const checklist = readFileSync(join(out, "Documentation Home", "Release checklist.md"), "utf8");
      expect(checklist).toMatch(
        /^---\nid: "65538"\ntitle: Release checklist\nlabels:\n {2}- release\n {2}- checklist\nparent: "65536"\nversion: 7\nsource: http/,
      );
      expect(checklist).toContain("](Getting%20started.md)");
      expect(checklist).toContain("](Release%20checklist/diagram.png)");
      expect(readFileSync(join(out, "Documentation Home", "Release checklist", "release-notes.txt"))).toEqual(
        sim.store.attachment("att131074")!.bytes,
      );
      expect(existsSync(join(out, "Documentation Home", "Guides", "Guides 01.md"))).toBe(true);
      expectApiChoice(sim, d);
      // minimum: Cloud = space id + one listing with bodies (63 < 250) + labels by CQL (50 a page: 2)
      // + attachments by CQL (1) + 2 downloads; DC = one listing (63 < 100, labels included) + 1 + 2
      const minimum = cloud ? 1 + 1 + 2 + 1 + 2 : 1 + 1 + 2;
      const made = authenticated(sim).length;
      expect(made).toBeLessThanOrEqual(Math.floor(minimum * 1.05));
      expect(summary.requests).toBe(made);
    });

    it("a second run fetches no body; after an edit only that page is fetched and written", async () => {
      const out = join(env.HOME!, "doc");
      expect((await confl(["export", "--space", "DOC", "--out", out], env)).code).toBe(0);
      const before = tree(out);
      sim.clearLog();
      const again = await confl(["export", "--space", "DOC", "--out", out, "--json"], env);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({
        pages: { written: 0, unchanged: 63 },
        attachments: { downloaded: 0 },
      });
      expect(bodyReads(sim.log)).toEqual([]);
      expect(downloads(sim.log)).toEqual([]);
      expect(tree(out)).toEqual(before);

      await anotherWriter(sim, d, "65537", "<p>Edited elsewhere.</p>");
      sim.clearLog();
      const third = await confl(["export", "--space", "DOC", "--out", out, "--json"], env);
      expect(third.code, third.stderr).toBe(0);
      expect(JSON.parse(third.stdout)).toMatchObject({ pages: { written: 1, unchanged: 62 } });
      const reads = bodyReads(sim.log);
      expect(reads).toHaveLength(1);
      expect(decodeURIComponent(reads[0]!.path)).toMatch(/65537/);
      expect(readFileSync(join(out, "Documentation Home", "Getting started.md"), "utf8")).toContain(
        "Edited elsewhere.",
      );
    });

    /** Starts a slow export of DOC (26 attachments) into `out` and SIGKILLs it once 3 pages with files are done. */
    async function killMidway(out: string) {
      const withFiles = addAttachments(24);
      sim.settings.latencyMs = 40;
      const child = spawn(
        process.execPath,
        [bundle, "export", "--space", "DOC", "--out", out, "--concurrency", "1"],
        {
          env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", CONFL_NO_INPUT: "1", ...env },
          stdio: "ignore",
        },
      );
      const exited = new Promise((done) => child.on("exit", done));
      // wait until some, not all, pages with attachments are recorded as done, then kill
      const doneWithFiles = () => {
        try {
          const s = state(out);
          return withFiles.filter((id) => s.pages[id]?.version !== null && s.pages[id] !== undefined).length;
        } catch {
          return 0;
        }
      };
      for (let i = 0; i < 400 && doneWithFiles() < 3; i++) await new Promise((r) => setTimeout(r, 25));
      child.kill("SIGKILL");
      await exited;
      sim.settings.latencyMs = 0;
    }

    /** Resumes the export killed in `out`: only what the state does not record as done is fetched. */
    async function resumeAndCompare(out: string) {
      const finished = state(out);
      const donePages = Object.entries(finished.pages)
        .filter(([, p]) => p.version !== null)
        .map(([id]) => id);
      expect(donePages.length).toBeGreaterThan(0);
      expect(donePages.length).toBeLessThan(63);
      const doneFiles = Object.entries(finished.attachments).filter(([, a]) => a.version !== null);

      sim.clearLog();
      const resumed = await confl(["export", "--space", "DOC", "--out", out, "--json"], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      const summary = JSON.parse(resumed.stdout);
      expect(summary.pages.written).toBe(63 - donePages.length);
      expect(summary.attachments.downloaded).toBe(26 - doneFiles.length);
      // no finished page's body nor attachment was fetched again
      const read = bodyReads(sim.log)
        .map((e) => decodeURIComponent(e.path))
        .join("\n");
      for (const id of donePages) expect(read).not.toMatch(new RegExp(`\\b${id}\\b`));
      const fetched = downloads(sim.log)
        .map((e) => e.path)
        .join("\n");
      for (const [id] of doneFiles) expect(fetched).not.toContain(id);
      // the run ends with one state file: the log is folded into it
      expect(existsSync(join(out, ".confl-export.log"))).toBe(false);

      const clean = join(env.HOME!, "clean");
      expect((await confl(["export", "--space", "DOC", "--out", clean], env)).code).toBe(0);
      expect(tree(out)).toEqual(tree(clean));
    }

    it("killed mid-way, a second run resumes without redoing finished pages and equals a clean export", async () => {
      const out = join(env.HOME!, "killed");
      await killMidway(out);
      await resumeAndCompare(out);
    }, 60_000);

    it("a state log whose last line a kill cut short: that record is ignored, the rest resumes", async () => {
      const out = join(env.HOME!, "torn");
      await killMidway(out);
      const log = join(out, ".confl-export.log");
      const text = readFileSync(log, "utf8");
      const lines = text.split("\n").filter(Boolean);
      expect(lines.length).toBeGreaterThan(1);
      const before = state(out);
      // cut the last record in the middle, as a kill during its append would
      const last = lines[lines.length - 1]!;
      writeFileSync(log, text.slice(0, text.lastIndexOf(last) + Math.floor(last.length / 2)));
      const after = state(out);
      const torn = JSON.parse(last) as { page?: string; attachment?: string };
      if (torn.page) expect(after.pages[torn.page]?.version).not.toBe(before.pages[torn.page]?.version);
      else
        expect(after.attachments[torn.attachment!]?.version).not.toBe(
          before.attachments[torn.attachment!]?.version,
        );
      await resumeAndCompare(out);
    }, 60_000);

    it("a large space: downloads start while the page listing still runs; label batches run side by side", async () => {
      // 300 pages: a listing of 2 requests after the space lookup on Cloud, 3 on Data Center
      seedBulkSpace(sim.store, { key: "BULK", pages: 300, attachments: 12 });
      sim.settings.latencyMs = 100;
      const out = join(env.HOME!, "bulk");
      const run = await confl(["export", "--space", "BULK", "--out", out, "--json"], env);
      sim.settings.latencyMs = 0;
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        pages: { written: 300 },
        attachments: { downloaded: 12 },
      });
      // 300 pages are converted in the render worker: the files are what the inline path writes
      const page = readFileSync(join(out, "BULK Home", "Topic 0002", "Topic 0024", "Topic 0250.md"), "utf8");
      expect(page).toMatch(
        /^---\nid: "500250"\ntitle: Topic 0250\nlabels:\n {2}- bulk\nparent: "500024"\nversion: 1\n/,
      );
      expect(page).toContain("Up: [Topic 0024](../Topic%200024.md)");
      expect(page).toContain("See also [Topic 0249](Topic%200249.md).");
      const listing = sim.log.filter((e) =>
        cloud ? /\/api\/v2\/spaces\/\d+\/pages/.test(e.path) : /\/rest\/api\/content\?/.test(e.path),
      );
      expect(listing.length).toBe(cloud ? 2 : 3);
      const firstDownload = sim.log.indexOf(downloads(sim.log)[0]!);
      expect(firstDownload).toBeLessThan(sim.log.indexOf(listing[listing.length - 1]!));
      if (cloud) {
        // 6 label batches of 50: one cursor after another they would span 5 round trips (500 ms)
        const labels = sim.log.filter((e) => /metadata\.labels/.test(decodeURIComponent(e.path)));
        expect(labels.length).toBe(6);
        const times = labels.map((e) => e.at);
        expect(Math.max(...times) - Math.min(...times)).toBeLessThan(250);
      }
    }, 60_000);

    it("--dry-run lists what it would write and writes nothing; --exclude and --depth narrow a page tree", async () => {
      const out = join(env.HOME!, "dry");
      const dry = await confl(["export", "--space", "DOC", "--out", out, "--dry-run"], env);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain("write    Documentation Home/Release checklist.md");
      expect(dry.stdout).toContain("download Documentation Home/Release checklist/diagram.png");
      expect(existsSync(out)).toBe(false);

      const tree1 = join(env.HOME!, "tree");
      const run = await confl(
        [
          "export",
          "65536",
          "--out",
          tree1,
          "--depth",
          "1",
          "--exclude",
          "FAQ",
          "G*",
          "--no-attachments",
          "--json",
        ],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      const files = [...tree(tree1).keys()].sort();
      expect(files).toEqual(
        [
          "Documentation Home.md",
          ...["Operations", "Reference", "Release checklist", "Tutorials"].map((t) =>
            join("Documentation Home", `${t}.md`),
          ),
        ].sort(),
      );
    });
  });
}
