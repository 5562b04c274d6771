/**
 * page copy on the three deployments: one page or a whole tree, with attachments (byte for byte,
 * streamed from the download into the upload) and labels. Title clashes and copies into the copied
 * tree are refused before the first page is created.
 */
import { describe, expect, it } from "vitest";
import { releaseNotesText, tinyPng } from "../../sim/fixtures.js";
import { basic, call, type Json } from "../sim-tests/helpers.js";
import { useEnv, useSimulator } from "../support/context.js";
import { type Deployment, deployments, expectApiChoice, writes } from "./deployments.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

/** What the simulator now holds for a page: its attachments' bytes and its labels (read directly). */
async function contents(
  d: Deployment,
  id: string,
): Promise<{ files: Record<string, string>; labels: string[] }> {
  const files: Record<string, string> = {};
  if (d.server === "dc") {
    const auth = { authorization: `Bearer ${sim.credentials.dc.pat}` };
    const list: Json = (
      await call(`${sim.origins.dc}/rest/api/content/${id}/child/attachment`, { headers: auth })
    ).json;
    for (const attachment of list.results) {
      const response = await fetch(`${sim.origins.dc}${attachment._links.download}`, { headers: auth });
      files[attachment.title] = Buffer.from(await response.arrayBuffer()).toString("base64");
    }
    const labels: Json = (await call(`${sim.origins.dc}/rest/api/content/${id}/label`, { headers: auth }))
      .json;
    return { files, labels: labels.results.map((l: Json) => l.name).sort() };
  }
  const auth = { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken) };
  const wiki = `${sim.origins.site}/wiki`;
  const list: Json = (await call(`${wiki}/api/v2/pages/${id}/attachments`, { headers: auth })).json;
  for (const attachment of list.results) {
    // the v1 download answers 302 to the media host (§1.7); fetch follows it without the credential
    const url = `${wiki}/rest/api/content/${id}/child/attachment/${attachment.id}/download`;
    const response = await fetch(url, { headers: auth });
    files[attachment.title] = Buffer.from(await response.arrayBuffer()).toString("base64");
  }
  const labels: Json = (await call(`${wiki}/api/v2/pages/${id}/labels`, { headers: auth })).json;
  return { files, labels: labels.results.map((l: Json) => l.name).sort() };
}

for (const d of deployments) {
  describe(d.name, () => {
    const { env, json } = useEnv(sim, () => d.env(sim));

    it("one page in the same space: 'Copy of …', same body, attachments byte for byte, labels", async () => {
      const result = await json(["page", "copy", "65538", "--parent", "65537"]);
      expect(result).toMatchObject({ sourceId: "65538", spaceKey: "DOC" });
      expect(result.pages).toHaveLength(1);
      const copy = result.pages[0];
      expect(copy).toMatchObject({
        sourceId: "65538",
        title: "Copy of Release checklist",
        parentId: "65537",
        attachments: 2,
        labels: 2,
      });
      expectApiChoice(sim, d);
      const original = await json(["page", "view", "65538"]);
      const copied = await json(["page", "view", copy.id]);
      expect(copied.body.storage).toBe(original.body.storage);
      expect(copied.parentId).toBe("65537");
      const { files, labels } = await contents(d, copy.id);
      expect(files).toEqual({
        "diagram.png": tinyPng.toString("base64"),
        "release-notes.txt": Buffer.from(releaseNotesText).toString("base64"),
      });
      expect(labels).toEqual(["checklist", "release"]);
      // uploads carried the XSRF header in its hyphenated form (§0.7)
      const uploads = sim.log.filter((e) => e.method === "POST" && /child\/attachment/.test(e.path));
      expect(uploads.map((e) => e.headers["x-atlassian-token"])).toEqual(["no-check", "no-check"]);
      // streamed: sent chunked as the download arrives, never with a length known up front
      expect(uploads.map((e) => e.headers["transfer-encoding"])).toEqual(["chunked", "chunked"]);
    });

    it("--recursive copies the whole tree, parents before children, in another space with the same titles", async () => {
      const result = await json(["page", "copy", "65539", "--parent", "65600", "--recursive"]);
      expect(result.spaceKey).toBe("ENG");
      expect(result.pages).toHaveLength(12);
      expect(result.pages[0]).toMatchObject({ sourceId: "65539", title: "Guides", parentId: "65600" });
      const rootCopy = result.pages[0].id;
      for (const page of result.pages.slice(1)) expect(page.parentId).toBe(rootCopy);
      const tree = await json(["page", "tree", rootCopy]);
      const original = await json(["page", "tree", "65539"]);
      // siblings keep their order (created one after another; concurrency is across families)
      expect(tree.children.map((c: Json) => c.title)).toEqual(original.children.map((c: Json) => c.title));
    });

    it("--title names the top copy", async () => {
      const result = await json([
        "page",
        "copy",
        "DOC:Release checklist",
        "--parent",
        "65537",
        "--title",
        "Checklist template",
      ]);
      expect(result.pages[0].title).toBe("Checklist template");
    });

    it.each([
      ["under itself", ["65539", "--parent", "65539"], 2, /page 65539 cannot be copied under itself/],
      [
        "into its own tree",
        ["65539", "--parent", "65540", "--recursive"],
        2,
        /page 65540 is inside the tree being copied/,
      ],
      [
        "onto a title in use",
        ["65538", "--parent", "65537", "--title", "Getting started"],
        1,
        /a page titled "Getting started" already exists in space DOC \(page 65537\)/,
      ],
      [
        "with a descendant's title in use",
        ["65539", "--parent", "65551", "--recursive", "--title", "Guides 2"],
        1,
        /a page titled "Copy of .*" already exists in space DOC/,
      ],
    ])("refused %s before anything is written (exit %i)", async (name, args, code, message) => {
      if (name === "with a descendant's title in use") {
        // one child's copy title is taken already
        const child = (await json(["page", "children", "65539", "--limit", "1"]))[0];
        const made = await confl(
          ["page", "create", "--space", "DOC", "--title", `Copy of ${child.title}`],
          env(),
        );
        expect(made.code, made.stderr).toBe(0);
        sim.clearLog();
      }
      const run = await confl(["page", "copy", ...args], env());
      expect(run.code, run.stderr).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(writes(sim)).toEqual([]);
    });
  });
}
