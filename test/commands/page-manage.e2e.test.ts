/**
 * page delete, move, versions and diff on the three deployments (Cloud site, gateway, DC under
 * /confluence). Deletes need --yes without a terminal; a move under the page's own descendant is
 * refused before anything is written.
 */
import { describe, expect, it } from "vitest";
import { useEnv, useSimulator } from "../support/context.js";
import { anotherWriter, deployments, expectApiChoice, writes } from "./deployments.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

for (const d of deployments) {
  describe(d.name, () => {
    const { env, json } = useEnv(sim, () => d.env(sim));

    it("page delete --yes trashes; --purge removes for good; the page is gone either way", async () => {
      expect(await json(["page", "delete", "65545", "--yes"])).toEqual({
        id: "65545",
        title: expect.any(String),
        status: "trashed",
      });
      expect((await confl(["page", "view", "65545"], env())).code).toBe(1);
      expect(await json(["page", "delete", "65546", "--purge", "--yes"])).toMatchObject({
        id: "65546",
        status: "purged",
      });
      const deletes = sim.log
        .filter((e) => e.method === "DELETE")
        .map((e) => e.path.replace(/^.*\/(pages|content)\//, ""));
      expect(deletes).toEqual(
        d.server === "dc"
          ? ["65545", "65546", "65546?status=trashed"]
          : ["65545", "65546", "65546?purge=true"],
      );
      expectApiChoice(sim, d);
    });

    it("page delete without --yes and no terminal: refused, exit 2, nothing deleted", async () => {
      const run = await confl(["page", "delete", "65545"], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^confl: Move page 65545 ".*" to the trash: confirm with --yes \(confl cannot ask here\)\n/,
      );
      expect(writes(sim)).toEqual([]);
    });

    it("page move: under another parent in the space; children come along", async () => {
      const moved = await json(["page", "move", "65539", "--parent", "65551"]);
      expect(moved).toMatchObject({ id: "65539", parentId: "65551" });
      const tree = await json(["page", "tree", "65551", "--depth", "1"]);
      expect(tree.children.map((c: { id: string }) => c.id)).toContain("65539");
      const guides = await json(["page", "children", "65539", "--limit", "1"]);
      expect(guides).toHaveLength(1);
      expect((await json(["page", "view", "65539"])).parentId).toBe("65551");
      expectApiChoice(sim, d);
    });

    it.each([
      ["under itself", "65539", /page 65539 cannot be moved under itself/],
      [
        "under its own child",
        "65540",
        /page 65540 ".*" is below page 65539: a page cannot move under its own descendant/,
      ],
    ])("page move %s: exit 2, nothing written", async (_name, parent, message) => {
      const run = await confl(["page", "move", "65539", "--parent", parent], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(writes(sim)).toEqual([]);
    });

    it("page move to another space: exit 2, nothing written", async () => {
      const run = await confl(["page", "move", "65539", "--parent", "65600"], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/confl moves pages within a space/);
      expect(writes(sim)).toEqual([]);
    });

    it("page versions: newest first with number, author, date, message; --limit", async () => {
      await anotherWriter(sim, d, "65538", "<p>v8</p>");
      const versions = await json(["page", "versions", "65538", "--limit", "3"]);
      expect(versions.map((v: { number: number }) => v.number)).toEqual([8, 7, 6]);
      expect(versions[0]).toMatchObject({ pageId: "65538", message: "someone else", minorEdit: false });
      expect(versions[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(versions[0].authorId).toEqual(expect.any(String));
      const all = await json(["page", "versions", "65538", "--all"]);
      expect(all.map((v: { number: number }) => v.number)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
      const piped = await confl(["page", "versions", "65538", "--limit", "1"], env());
      expect(piped.stdout).toMatch(/^8\t[^\t]+\t\d{4}-\d\d-\d\d \d\d:\d\d\t\tsomeone else\n$/);
    });

    it("page diff: the current version against the one before, as a unified diff", async () => {
      const run = await confl(["page", "diff", "65538", "--from", "5", "--to", "6"], env());
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(
        [
          "--- page 65538 version 5 (storage)",
          "+++ page 65538 version 6 (storage)",
          "@@ -1 +1 @@",
          "-<p>Release checklist, draft 5.</p>",
          "+<p>Release checklist, draft 6.</p>",
          "",
        ].join("\n"),
      );
      await anotherWriter(sim, d, "65538", "<p>Release checklist, draft 6.</p>");
      const latest = await json(["page", "diff", "65538", "--format", "text"]);
      expect(latest).toMatchObject({ pageId: "65538", from: 7, to: 8, format: "text" });
      expect(latest.diff).toMatch(
        /^--- page 65538 version 7 \(text\)\n\+\+\+ page 65538 version 8 \(text\)\n@@ -1,\d+ \+1 @@\n-Release checklist\n/,
      );
      expect(latest.diff).toContain("\n+Release checklist, draft 6.\n");
      const same = await json(["page", "diff", "65538", "--from", "6", "--to", "8"]);
      expect(same.diff).toBe("");
    });

    it("page diff with a version the page does not have: exit 2", async () => {
      const run = await confl(["page", "diff", "65538", "--to", "99"], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/page 65538 has no version 99: its current version is 7/);
    });
  });
}
