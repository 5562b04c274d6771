/**
 * page create and page update, the built CLI against the simulator on a Cloud site (classic token),
 * through the gateway (scoped token; v1 content routes are 410 there) and on Data Center under
 * /confluence. Bad input stops before anything is sent; a second writer is never overwritten.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { useSimulator } from "../support/context.js";
import { anotherWriter, type Deployment, deployments, expectApiChoice, writes } from "./deployments.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

for (const d of deployments) {
  describe(d.name, () => {
    let env: NodeJS.ProcessEnv & { HOME?: string };
    let file: (name: string, text: string) => string;
    beforeEach(async () => {
      env = await d.env(sim);
      file = (name, text) => {
        const path = join(env.HOME!, name);
        writeFileSync(path, text);
        return path;
      };
      sim.clearLog();
    });

    const view = async (ref: string) => {
      const run = await confl(["page", "view", ref, "--json"], env);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    };

    it("page create: under a parent, body from a file; --json is the new page", async () => {
      const body = file(
        "body.xml",
        '<p>Hello&nbsp;<ac:link><ri:page ri:content-title="Getting started" /></ac:link></p>',
      );
      const run = await confl(
        [
          "page",
          "create",
          "--space",
          "DOC",
          "--title",
          "Release 1.2",
          "--parent",
          "65538",
          "--body-file",
          body,
          "--json",
        ],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      const page = JSON.parse(run.stdout);
      expect(page).toMatchObject({
        title: "Release 1.2",
        spaceKey: "DOC",
        parentId: "65538",
        status: "current",
      });
      expect(page.version.number).toBe(1);
      expect(page.body.storage).toContain("<ri:page");
      expectApiChoice(sim, d);
      const read = await view(page.id);
      expect(read.body.storage).toBe(
        '<p>Hello&nbsp;<ac:link><ri:page ri:content-title="Getting started" /></ac:link></p>',
      );
    });

    it("page create: the space comes from --parent; the body from stdin; piped output is label<TAB>value", async () => {
      const run = await confl(
        ["page", "create", "--parent", "DOC:Release checklist", "--title", "From stdin", "--body-file", "-"],
        env,
        "<p>piped</p>",
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /^ID:\t\d+\nTitle:\tFrom stdin\nSpace:\tDOC\nParent:\t65538\nVersion:\t1\nURL:\thttp/,
      );
    });

    it.each([
      [
        "malformed XML",
        ["--body-file", "BAD"],
        2,
        /not well-formed storage XML: line 2, column 10: <\/p> closes <b> \(opened at line 2, column 3\)/,
      ],
      [
        "a missing file",
        ["--body-file", "/nonexistent/body.xml"],
        2,
        /cannot read the body file \/nonexistent\/body.xml: no such file/,
      ],
      ["an empty title", ["--title", "  "], 2, /the title is empty/],
      [
        "a title that exists in the space",
        ["--title", "Getting started"],
        1,
        /a page titled "Getting started" already exists in space DOC \(page 65537\)/,
      ],
      ["a parent that does not exist", ["--parent", "99999"], 1, /page 99999 not found/],
      [
        "a parent in another space",
        ["--parent", "65538", "--space", "ENG"],
        2,
        /the parent page 65538 is in space DOC, not ENG/,
      ],
    ])("page create with %s: one line, exit %i, nothing written", async (_name, extra, code, message) => {
      const args = ["page", "create", "--space", "DOC", "--title", "New page", ...extra].map((a) =>
        a === "BAD" ? file("bad.xml", "<p>\n  <b>bold</p>") : a,
      );
      // later flags win for --title/--space in commander; keep only the last of each
      const run = await confl(dedupe(args), env);
      expect(run.code, run.stderr).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.split("\n")[0]).toMatch(/^confl: /);
      expect(run.stdout).toBe("");
      expect(writes(sim)).toEqual([]);
    });

    it("page update: new title and body with a message; version +1; --json names base and previous", async () => {
      const before = await view("65538");
      const body = file("new.xml", "<p>Rewritten.</p>");
      const run = await confl(
        [
          "page",
          "update",
          "65538",
          "--title",
          "Release checklist v2",
          "--body-file",
          body,
          "-m",
          "Rewrite",
          "--json",
        ],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out).toMatchObject({
        id: "65538",
        title: "Release checklist v2",
        baseVersion: before.version.number,
      });
      expect(out.previousVersion).toBe(before.version.number);
      expect(out.version.number).toBe(before.version.number + 1);
      expect(out.version.message).toBe("Rewrite");
      const after = await view("65538");
      expect(after.body.storage).toBe("<p>Rewritten.</p>");
      expectApiChoice(sim, d);
      // the old version is still there
      const old = await confl(
        ["page", "view", "65538", "--version", String(before.version.number), "--format", "storage"],
        env,
      );
      expect(old.stdout).toBe(`${before.body.storage}\n`);
    });

    it("page update: only the title keeps the body; only the body keeps the title", async () => {
      const before = await view("65537");
      expect((await confl(["page", "update", "65537", "--title", "Start here"], env)).code).toBe(0);
      let after = await view("65537");
      expect(after.title).toBe("Start here");
      expect(after.body.storage).toBe(before.body.storage);
      expect(
        (await confl(["page", "update", "65537", "--body-file", file("b.xml", "<p>b</p>")], env)).code,
      ).toBe(0);
      after = await view("65537");
      expect(after.title).toBe("Start here");
      expect(after.body.storage).toBe("<p>b</p>");
    });

    it("page update: another writer saves between confl's read and its write → stops, names both versions, writes nothing", async () => {
      const before = await view("65538");
      const base = before.version.number;
      let theirs = 0;
      // The moment confl sends its PUT, someone else's save lands first.
      sim.fault({
        method: "PUT",
        pathPattern: /\/(pages|content)\/65538(\?|$)/,
        fault: {
          type: "before",
          run: async () => {
            theirs = await anotherWriter(sim, d, "65538", "<p>Their edit.</p>");
          },
        },
      });
      const run = await confl(
        ["page", "update", "65538", "--body-file", file("mine.xml", "<p>My edit.</p>"), "--json"],
        env,
      );
      expect(theirs).toBe(base + 1);
      expect(run.code, run.stderr).toBe(1);
      const error = JSON.parse(run.stderr).error;
      expect(error).toMatchObject({
        code: "conflict.version",
        details: { pageId: "65538", baseVersion: base, currentVersion: base + 1 },
      });
      expect(error.message).toContain(
        `page 65538 changed since version ${base} was read: it is now at version ${base + 1}`,
      );
      expect(error.hint).toContain(`confl page diff 65538 --from ${base} --to ${base + 1}`);
      // their edit stands; confl's PUT was refused with 409 and not repeated
      const after = await view("65538");
      expect(after.body.storage).toBe("<p>Their edit.</p>");
      expect(after.version.number).toBe(base + 1);
      const puts = sim.log.filter((e) => e.method === "PUT" && /65538/.test(e.path));
      expect(puts.map((e) => [e.status, e.body.includes("My edit")])).toEqual([
        [409, true],
        [200, false],
      ]);
    });

    it("page update --force after a second writer: writes on top of their version and says so", async () => {
      const base = (await view("65538")).version.number;
      sim.fault({
        method: "PUT",
        pathPattern: /\/(pages|content)\/65538(\?|$)/,
        fault: {
          type: "before",
          run: async () => void (await anotherWriter(sim, d, "65538", "<p>Theirs.</p>")),
        },
      });
      const run = await confl(
        ["page", "update", "65538", "--body-file", file("m.xml", "<p>Mine.</p>"), "--force", "--json"],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out).toMatchObject({ baseVersion: base, previousVersion: base + 1 });
      expect(out.version.number).toBe(base + 2);
      expect((await view("65538")).body.storage).toBe("<p>Mine.</p>");
    });

    it("page update --base-version older than the page: refused before any write", async () => {
      const current = (await view("65538")).version.number;
      sim.clearLog();
      const run = await confl(
        ["page", "update", "65538", "--title", "X", "--base-version", String(current - 2)],
        env,
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `changed since version ${current - 2} was read: it is now at version ${current}`,
      );
      expect(writes(sim)).toEqual([]);
    });

    it.each([
      ["malformed XML", ["--body-file", "BAD"], 2, /line 1, column 9: "&" must start an entity/],
      ["nothing to change", [], 2, /nothing to update/],
      ["an empty title", ["--title", ""], 2, /the title is empty/],
      [
        "a title another page has",
        ["--title", "Getting started"],
        1,
        /a page titled "Getting started" already exists in space DOC/,
      ],
      ["an unknown page", ["--title", "x", "PAGE=99999"], 1, /page 99999 not found/],
    ])("page update with %s: one line, exit %i, nothing written", async (_name, extra, code, message) => {
      const page = extra.find((a) => a.startsWith("PAGE="))?.slice(5) ?? "65538";
      const args = extra
        .filter((a) => !a.startsWith("PAGE="))
        .map((a) => (a === "BAD" ? file("bad.xml", "<p>fish & chips</p>") : a));
      const run = await confl(["page", "update", page, ...args], env);
      expect(run.code, run.stderr).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(writes(sim).filter((e) => e.status < 400 || e.status === 0)).toEqual([]);
    });
  });
}

/** Keeps the last occurrence of each repeated flag (--title, --space) with its value. */
function dedupe(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if ((arg === "--title" || arg === "--space") && args.slice(i + 2).includes(arg)) {
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

export type { Deployment };
