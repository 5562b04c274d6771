/**
 * space and page commands, the built CLI against the simulator on each deployment confl supports:
 * a Cloud site with a classic token, the API gateway with a scoped token (where v1 content routes are
 * 410 Gone), and Data Center under the context path /confluence. The same seed answers everywhere, so
 * every deployment must give the same confl output; the request log shows which API each one used.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { basic, call } from "../sim-tests/helpers.js";
import { cloudEnv, dcEnv, gatewayEnv, isolatedEnv, useSimulator } from "../support/context.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

function isolated(): NodeJS.ProcessEnv {
  return isolatedEnv({}, "confl-cmds-");
}

interface Deployment {
  name: string;
  env(): Promise<NodeJS.ProcessEnv>;
  /** the server that must have answered every authenticated request */
  server: "site" | "gateway" | "dc";
  /** what the page's browser URL must be */
  pageUrl(): string;
}

const deployments: Deployment[] = [
  {
    name: "Cloud site, classic API token",
    server: "site",
    async env() {
      return { ...isolated(), ...cloudEnv(sim) };
    },
    pageUrl: () => `${sim.origins.site}/wiki/spaces/DOC/pages/65538/Release+checklist`,
  },
  {
    name: "API gateway, scoped token",
    server: "gateway",
    async env() {
      const env = await gatewayEnv(sim, isolated());
      sim.clearLog();
      return env;
    },
    // `_links.base` is the site even through the gateway (confluence-api.md §1.10)
    pageUrl: () => `${sim.origins.site}/wiki/spaces/DOC/pages/65538/Release+checklist`,
  },
  {
    name: "Data Center under /confluence, PAT",
    server: "dc",
    async env() {
      return { ...isolated(), ...dcEnv(sim) };
    },
    pageUrl: () => `${sim.origins.dc}/pages/viewpage.action?pageId=65538`,
  },
];

function authenticated() {
  return sim.log.filter((e) => e.headers.authorization || e.headers.cookie);
}

/** Cloud must not touch the removed v1 content/space routes; DC must only use v1 under its context path. */
function expectApiChoice(d: Deployment): void {
  const requests = authenticated();
  expect(requests.length).toBeGreaterThan(0);
  for (const entry of requests) expect(entry.server, `${entry.method} ${entry.path}`).toBe(d.server);
  if (d.server === "dc") {
    for (const entry of requests) expect(entry.path).toMatch(/^\/confluence\/rest\/api\//);
  } else {
    for (const entry of requests) {
      expect(entry.path, entry.path).not.toMatch(/\/wiki\/rest\/api\/(content|space)(\/|\?|$)/);
      expect(entry.path).toMatch(/\/wiki\/api\/v2\//);
    }
  }
}

for (const d of deployments) {
  describe(d.name, () => {
    let env: NodeJS.ProcessEnv;
    beforeEach(async () => {
      env = await d.env();
      sim.clearLog();
    });

    it("space list: every space, sorted by key; --type personal; --limit", async () => {
      const all = await confl(["space", "list", "--json"], env);
      expect(all.code, all.stderr).toBe(0);
      const spaces = JSON.parse(all.stdout);
      expect(spaces.map((s: { key: string }) => s.key)).toEqual(["~ada", "DOC", "ENG"]);
      expect(spaces[1]).toEqual({
        id: "98305",
        key: "DOC",
        name: "Documentation",
        type: "global",
        status: "current",
        homepageId: "65536",
        description: null,
        webUrl: d.server === "dc" ? `${sim.origins.dc}/display/DOC` : `${sim.origins.site}/wiki/spaces/DOC`,
      });
      const personal = await confl(["space", "list", "--type", "personal"], env);
      expect(personal.stdout).toBe("~ada\tAda Lovelace\tpersonal\tcurrent\t98307\n");
      const two = await confl(["space", "list", "--limit", "2"], env);
      expect(two.stdout.trim().split("\n")).toHaveLength(2);
      expectApiChoice(d);
    });

    it("space view: description and homepage; unknown key → exit 1 with the permission hint", async () => {
      const view = await confl(["space", "view", "DOC"], env);
      expect(view.code, view.stderr).toBe(0);
      expect(view.stdout).toContain("key:\tDOC\n");
      expect(view.stdout).toContain("homepage:\t65536\n");
      expect(view.stdout).toContain("description:\tProduct documentation\n");
      const missing = await confl(["space", "view", "NOPE"], env);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toBe("");
      expect(missing.stderr).toBe(
        "confl: space NOPE not found\nhint: Confluence also answers 404 when you have no permission to see it; check the spelling and that this account can open it in the browser\n",
      );
      expectApiChoice(d);
    });

    it("page view: the same page by id, URL, short link and KEY:Title; text, storage and JSON", async () => {
      const json = JSON.parse((await confl(["page", "view", "65538", "--json"], env)).stdout);
      expect(json).toMatchObject({
        id: "65538",
        title: "Release checklist",
        status: "current",
        spaceId: "98305",
        spaceKey: "DOC",
        parentId: "65536",
        version: { number: 7, createdAt: "2026-10-06T12:22:00.000Z", message: "", minorEdit: false },
        webUrl: d.pageUrl(),
      });
      expect(json.version.authorId).toBeTruthy();
      expect(json.body.storage).toContain('<ac:structured-macro ac:name="code"');
      for (const ref of [
        `${sim.origins.site}/wiki/spaces/DOC/pages/65538/Release+checklist`,
        `${sim.origins.dc}/pages/viewpage.action?pageId=65538`,
        `${sim.origins.site}/wiki/x/AgAB`,
        `${sim.origins.dc}/display/DOC/Release+checklist`,
        "DOC:Release checklist",
      ]) {
        const r = await confl(["page", "view", ref, "--format", "json"], env);
        expect(r.code, `${ref}: ${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout).id).toBe("65538");
      }
      const storage = await confl(["page", "view", "65538", "--format", "storage"], env);
      expect(storage.stdout).toBe(`${json.body.storage}\n`);
      const text = await confl(["page", "view", "65538"], env);
      expect(text.stdout).toContain("[x] Update the changelog\n[ ] Announce the release");
      expect(text.stdout).not.toContain("<ac:");
      expectApiChoice(d);
    });

    it("page view --version N shows that version of the page (not confl's version)", async () => {
      const r = await confl(["page", "view", "65538", "--version", "3", "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      const page = JSON.parse(r.stdout);
      expect(page.version.number).toBe(3);
      expect(page.body.storage).toBe("<p>Release checklist, draft 3.</p>");
      const first = JSON.parse(
        (await confl(["page", "view", "65538", "--version", "1", "--json"], env)).stdout,
      );
      expect(first.title).toBe("Release steps");
      const missing = await confl(["page", "view", "65538", "--version", "99"], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^confl: version 99 of page 65538 not found\nhint: .*no permission/);
    });

    it("page view: unknown page → exit 1 with the hint; a bad reference → exit 2 before any request", async () => {
      const missing = await confl(["page", "view", "999999"], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(
        /^confl: page 999999 not found\nhint: Confluence also answers 404 when you have no permission/,
      );
      const title = await confl(["page", "view", "DOC:No such page"], env);
      expect(title.code).toBe(1);
      expect(title.stderr).toMatch(/^confl: page "No such page" in space DOC not found\n/);
      sim.clearLog();
      const bad = await confl(["page", "view", "https://example.com/wiki/spaces/DOC/overview"], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^confl: not a page reference: .*\nhint: give a page id/);
      expect(authenticated()).toEqual([]);
      const json = await confl(["page", "view", "999999", "--json"], env);
      expect(json.stdout).toBe("");
      expect(JSON.parse(json.stderr).error).toMatchObject({ code: "not_found", exitCode: 1 });
    });

    it("page view --web opens the page's browser URL", async () => {
      const dir = mkdtempSync(join(tmpdir(), "confl-browser-"));
      const opened = join(dir, "opened");
      const recorder = join(dir, "record.mjs");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(
        recorder,
        `import{writeFileSync}from"node:fs";writeFileSync(${JSON.stringify(opened)},process.argv[2]);`,
      );
      const r = await confl(["page", "view", "DOC:Release checklist", "--web"], {
        ...env,
        CONFL_BROWSER: `${process.execPath} ${recorder}`,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("");
      expect(readFileSync(opened, "utf8")).toBe(d.pageUrl());
    });

    it("page list: a space's pages, --title, --limit and --all", async () => {
      const all = await confl(["page", "list", "--space", "DOC", "--all", "--json"], env);
      expect(all.code, all.stderr).toBe(0);
      const pages = JSON.parse(all.stdout);
      expect(pages).toHaveLength(63);
      expect(new Set(pages.map((p: { spaceKey: string }) => p.spaceKey))).toEqual(new Set(["DOC"]));
      expect(pages.find((p: { id: string }) => p.id === "65540")).toMatchObject({
        title: "Guides 01",
        parentId: "65539",
        version: { number: 1 },
      });
      const limited = await confl(["page", "list", "--space", "DOC"], env);
      expect(limited.stdout.trim().split("\n")).toHaveLength(30);
      const titled = await confl(["page", "list", "--space", "DOC", "--title", "Getting started"], env);
      expect(titled.stdout).toBe("65537\tGetting started\t2\t2026-10-06\t65536\n");
      const missing = await confl(["page", "list", "--space", "NOPE"], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^confl: space NOPE not found\n/);
      const both = await confl(["page", "list", "--space", "DOC", "--all", "--limit", "3"], env);
      expect(both.code).toBe(2);
      expectApiChoice(d);
    });

    it("page children: direct children in tree order; --limit", async () => {
      const r = await confl(["page", "children", "65536", "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      const children = JSON.parse(r.stdout);
      expect(children.map((c: { title: string }) => c.title)).toEqual([
        "Getting started",
        "Release checklist",
        "Guides",
        "Reference",
        "Tutorials",
        "Operations",
        "FAQ",
      ]);
      expect(children[0]).toMatchObject({ id: "65537", type: "page", parentId: "65536", status: "current" });
      const two = await confl(["page", "children", "DOC:Guides", "--limit", "2"], env);
      expect(two.stdout).toBe("65540\tGuides 01\tpage\tcurrent\n65541\tGuides 02\tpage\tcurrent\n");
      const missing = await confl(["page", "children", "424242"], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^confl: page 424242 not found\n/);
      expectApiChoice(d);
    });

    it("page tree: a page's whole tree, a space's tree, --depth", async () => {
      const space = await confl(["page", "tree", "--space", "DOC", "--json"], env);
      expect(space.code, space.stderr).toBe(0);
      const roots = JSON.parse(space.stdout);
      expect(roots.map((r: { id: string }) => r.id)).toEqual(["65536"]);
      const count = (n: { children: unknown[] }): number =>
        1 + n.children.reduce((sum: number, c) => sum + count(c as { children: unknown[] }), 0);
      expect(count(roots[0])).toBe(63);
      expect(roots[0].children[2]).toMatchObject({
        id: "65539",
        title: "Guides",
        depth: 1,
        parentId: "65536",
      });
      expect(roots[0].children[2].children).toHaveLength(11);
      expect(roots[0].children[2].children[10]).toMatchObject({ title: "Guides 11", depth: 2, children: [] });

      const shallow = await confl(["page", "tree", "65536", "--depth", "1"], env);
      expect(shallow.stdout.split("\n")[0]).toBe("0\t65536\t\tDocumentation Home");
      expect(shallow.stdout.trim().split("\n")).toHaveLength(8);
      const section = await confl(["page", "tree", "DOC:Guides"], env);
      expect(section.stdout.trim().split("\n")).toHaveLength(12);
      expect(section.stdout).toContain("1\t65550\t65539\tGuides 11\n");
      const neither = await confl(["page", "tree"], env);
      expect(neither.code).toBe(2);
      expectApiChoice(d);
    });
  });
}

describe("the gateway really refuses v1 content routes (so confl must not use them)", () => {
  it("v1 content and space answer 410 Gone through the gateway with the same scoped token", async () => {
    const auth = basic(sim.credentials.cloud.email, sim.credentials.cloud.scopedToken);
    const root = `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki`;
    for (const path of ["/rest/api/content/65538", "/rest/api/space", "/rest/api/content/65536/child/page"]) {
      const answer = await call(`${root}${path}`, { headers: { authorization: auth } });
      expect(answer.status, path).toBe(410);
    }
    const v2 = await call(`${root}/api/v2/pages/65538`, { headers: { authorization: auth } });
    expect(v2.status).toBe(200);
  });
});

describe("a deep tree on Cloud: descendants reach 10 levels per call, confl asks again below that", () => {
  it("a 13-level chain comes back whole, and --depth 11 stops at 11", async () => {
    // a chain of 13 pages under 65602 (ENG), created through v2
    const env = {
      ...isolated(),
      CONFLUENCE_URL: sim.origins.site,
      CONFLUENCE_EMAIL: sim.credentials.cloud.email,
      CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
    };
    let parent = "65602";
    for (let level = 1; level <= 13; level++) {
      const created = await call(`${sim.origins.site}/wiki/api/v2/pages`, {
        method: "POST",
        headers: {
          authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken),
          "content-type": "application/json",
        },
        body: JSON.stringify({
          spaceId: "98306",
          parentId: parent,
          title: `Level ${level}`,
          body: { representation: "storage", value: "<p>deep</p>" },
        }),
      });
      expect(created.status).toBe(200);
      parent = (created.json as { id: string }).id;
    }
    sim.clearLog();
    const whole = await confl(["page", "tree", "65602"], env);
    expect(whole.code, whole.stderr).toBe(0);
    const lines = whole.stdout.trim().split("\n");
    expect(lines).toHaveLength(14);
    expect(lines[13]).toMatch(/^13\t\d+\t\d+\tLevel 13$/);
    const depths = () =>
      sim.log
        .filter((e) => e.path.includes("/descendants"))
        .map((e) => new URL(e.path, "http://x").searchParams.get("depth"));
    // the first call stops at level 10; the one page on level 10 is asked again for the rest
    expect(depths()).toEqual(["10", "10"]);
    sim.clearLog();
    const bounded = await confl(["page", "tree", "65602", "--depth", "11"], env);
    expect(bounded.stdout.trim().split("\n")).toHaveLength(12);
    expect(depths()).toEqual(["10", "1"]);
  });
});
