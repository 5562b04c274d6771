/**
 * confl publish, the built CLI against the simulator on a Cloud site, through the gateway and on Data
 * Center: a folder becomes a page tree; a second run writes nothing (no POST/PUT in the simulator's log);
 * --dry-run writes nothing; problems are listed before any write; an export published back is a no-op.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { useSimulator } from "../support/context.js";
import { anotherWriter, deployments, expectApiChoice, writes } from "./deployments.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

/** The Markdown files under `root` → { path, id and version from the front matter }. */
function exported(root: string) {
  const out: Array<{ path: string; id: string; version: number }> = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".md")) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8");
    out.push({
      path: relative(root, path),
      id: /^id: "?(\d+)"?$/m.exec(text)![1]!,
      version: Number(/^version: (\d+)$/m.exec(text)![1]),
    });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function files(root: string, entries: Record<string, string | Buffer>): string {
  for (const [path, content] of Object.entries(entries)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

for (const d of deployments) {
  describe(d.name, () => {
    let env: NodeJS.ProcessEnv & { HOME?: string };
    beforeEach(async () => {
      env = await d.env(sim);
      sim.clearLog();
    });

    const docs = () =>
      files(join(env.HOME!, "docs"), {
        "Guide.md":
          "---\nlabels: [guide-md]\n---\n# User guide\n\nStart with [installing](Guide/Install.md).\n\n![Logo](img/logo.png)\n",
        "Guide/Install.md": "Run the installer. Back to the [guide](../Guide.md#top).\n",
        "img/logo.png": png,
        "Changelog.md": "---\ntitle: Release log\n---\n\n- 1.0: first\n",
      });
    const publish = (args: string[]) =>
      confl(["publish", ...args, "--space", "ENG", "--parent", "ENG:Engineering Home"], env);

    it("publishes a folder as a page tree; a second run writes nothing; an edit is one update", async () => {
      const root = docs();
      const run = await publish([root, "--json"]);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ created: 3, updated: 0, skipped: 0, uploaded: 1 });
      const page = (title: string) =>
        sim.store.pages.find((p) => p.title === title && p.status === "current")!;
      const guide = page("User guide");
      const install = page("Install");
      expect(guide.parentId).toBe("65600");
      expect(install.parentId).toBe(guide.id);
      expect(page("Release log").parentId).toBe("65600");
      expect(guide.labels).toContain("guide-md");
      expect(guide.body).toContain('<ri:page ri:content-title="Install"/>');
      expect(guide.body).toContain('<ri:attachment ri:filename="logo.png"/>');
      expect(install.body).toContain('ri:content-title="User guide"');
      const logo = sim.store.attachmentsOf(guide.id).find((a) => a.title === "logo.png")!;
      expect(logo.bytes).toEqual(png);
      expectApiChoice(sim, d);

      sim.clearLog();
      const again = await publish([root, "--json"]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, updated: 0, skipped: 3, uploaded: 0 });
      expect(writes(sim)).toEqual([]);

      writeFileSync(join(root, "Guide/Install.md"), "Run the new installer.\n");
      sim.clearLog();
      const edited = await publish([root, "--json"]);
      expect(edited.code, edited.stderr).toBe(0);
      expect(JSON.parse(edited.stdout)).toMatchObject({ created: 0, updated: 1, skipped: 2, uploaded: 0 });
      expect(writes(sim).map((w) => w.method)).toEqual(["PUT"]);
      expect(page("Install").body).toBe("<p>Run the new installer.</p>");
    });

    it("--dry-run prints the plan and writes nothing; --write-ids records ids so the next run matches by id", async () => {
      const root = docs();
      const dry = await publish([root, "--dry-run"]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('create Guide.md "User guide"');
      expect(dry.stdout).toContain('upload logo.png → "User guide"');
      expect(writes(sim)).toEqual([]);

      expect((await publish([root, "--write-ids"])).code).toBe(0);
      const guide = readFileSync(join(root, "Guide.md"), "utf8");
      const id = sim.store.pages.find((p) => p.title === "User guide")!.id;
      expect(guide).toMatch(new RegExp(`^---\\nid: "${id}"\\n`));
      // renamed in the file: still the same page (matched by id), now with the new title
      writeFileSync(join(root, "Guide.md"), guide.replace("labels:", "title: Handbook\nlabels:"));
      sim.clearLog();
      const renamed = await publish([root, "--json"]);
      expect(renamed.code, renamed.stderr).toBe(0);
      expect(sim.store.page(id)!.title).toBe("Handbook");
      expect(writes(sim).filter((w) => w.method === "POST" && !w.path.includes("label"))).toEqual([]);
    });

    it("two files with one title, a broken link and a missing image: all listed, nothing written", async () => {
      const root = files(join(env.HOME!, "bad"), {
        "A.md": "# Same\n\nSee [missing](Nope.md).\n",
        "B.md": "---\ntitle: Same\n---\n![x](pics/gone.png)\n",
      });
      const run = await publish([root]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('A.md and B.md both have the title "Same" under one parent');
      expect(run.stderr).toContain("A.md: the link to Nope.md points to no Markdown file being published");
      expect(run.stderr).toContain("B.md: pics/gone.png is missing");
      expect(writes(sim)).toEqual([]);
    });

    it("a file's front matter version guards the update: a page edited since is refused before any write", async () => {
      const out = join(env.HOME!, "eng");
      expect((await confl(["export", "--space", "ENG", "--out", out], env)).code).toBe(0);
      const [first, second] = exported(out) as [
        ReturnType<typeof exported>[0],
        ReturnType<typeof exported>[0],
      ];
      // both files edited here; the first page also edited in Confluence meanwhile
      for (const f of [first, second])
        writeFileSync(join(out, f.path), `${readFileSync(join(out, f.path), "utf8")}\nEdited in the file.\n`);
      const now = await anotherWriter(sim, d, first.id, "<p>Edited in Confluence.</p>");
      expect(now).toBe(first.version + 1);

      sim.clearLog();
      const refused = await confl(["publish", out, "--space", "ENG"], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `${first.path}: page ${first.id} is at version ${now}, the file was taken at version ${first.version}`,
      );
      expect(refused.stderr).not.toContain(second.path);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      // planned before any write: the other page, which had no conflict, was not written either
      expect(writes(sim)).toEqual([]);
      expect(sim.store.page(first.id)!.body).toBe("<p>Edited in Confluence.</p>");

      // the edit brought into the file (its version set to the page's): both are published
      const text = readFileSync(join(out, first.path), "utf8");
      writeFileSync(join(out, first.path), text.replace(/^version: \d+$/m, `version: ${now}`));
      const run = await confl(["publish", out, "--space", "ENG", "--write-ids", "--json"], env);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ created: 0, updated: 2 });
      // --write-ids recorded the versions it wrote: the next run is a no-op, with no conflict
      const after = exported(out);
      expect(after.find((f) => f.id === first.id)!.version).toBe(sim.store.page(first.id)!.version.number);
      sim.clearLog();
      const again = await confl(["publish", out, "--space", "ENG", "--json"], env);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, updated: 0 });
      expect(writes(sim)).toEqual([]);
    });

    it("an exported space published back changes nothing", async () => {
      const out = join(env.HOME!, "eng");
      expect((await confl(["export", "--space", "ENG", "--out", out], env)).code).toBe(0);
      sim.clearLog();
      const run = await confl(["publish", out, "--space", "ENG", "--json"], env);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ created: 0, updated: 0, skipped: 3 });
      expect(writes(sim)).toEqual([]);
    });
  });
}
