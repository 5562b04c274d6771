/**
 * search, attachment, comment, label and open: the built CLI against the simulator on a Cloud site with a
 * classic token, through the API gateway with a scoped token, and on Data Center under /confluence with a
 * PAT. The request log shows which API each deployment used and what was sent where.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { releaseNotesText, tinyPng } from "../../sim/fixtures.js";
import { startSimulator } from "../../sim/index.js";
import { cloudEnv, dcEnv, gatewayEnv, isolatedEnv, useSimulator } from "../support/context.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

function isolated(): NodeJS.ProcessEnv & { dir: string } {
  const env = isolatedEnv({}, "confl-files-");
  return { ...env, dir: env.HOME };
}

interface Deployment {
  name: string;
  env(): Promise<NodeJS.ProcessEnv & { dir: string }>;
  server: "site" | "gateway" | "dc";
  /** the API root's path prefix in the request log */
  prefix(): string;
}

const deployments: Deployment[] = [
  {
    name: "Cloud site, classic API token",
    server: "site",
    async env() {
      return { ...isolated(), ...cloudEnv(sim) };
    },
    prefix: () => "/wiki",
  },
  {
    name: "API gateway, scoped token",
    server: "gateway",
    async env() {
      return gatewayEnv(sim, isolated());
    },
    prefix: () => `/ex/confluence/${sim.cloudId}/wiki`,
  },
  {
    name: "Data Center under /confluence, PAT",
    server: "dc",
    async env() {
      return { ...isolated(), ...dcEnv(sim) };
    },
    prefix: () => "/confluence",
  },
];

const sha = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

function searchCqls(): string[] {
  return sim.log
    .filter((e) => /\/rest\/api\/search\?/.test(e.path))
    .map((e) => new URL(e.path, "http://x").searchParams.get("cql") ?? "");
}

for (const d of deployments) {
  describe(d.name, () => {
    let env: NodeJS.ProcessEnv & { dir: string };
    beforeEach(async () => {
      env = await d.env();
      sim.clearLog();
    });

    /** every authenticated request went to this deployment's server under its API root */
    function expectServer(): void {
      const authed = sim.log.filter((e) => e.headers.authorization);
      expect(authed.length).toBeGreaterThan(0);
      for (const e of authed) {
        expect(e.server, `${e.method} ${e.path}`).toBe(d.server);
        expect(e.path.startsWith(d.prefix()), e.path).toBe(true);
        if (d.server !== "dc")
          expect(e.path, e.path).not.toMatch(/\/wiki\/rest\/api\/(content|space)(\/\d+)?(\?|$)/);
      }
    }

    it("search --text: finds the page, JSON fields, built CQL is one literal", async () => {
      const r = await confl(
        ["search", "--text", "green build", "--space", "DOC", "--type", "page", "--json"],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({
        id: "65538",
        type: "page",
        title: "Release checklist",
        spaceKey: "DOC",
      });
      expect(Object.keys(results[0]).sort()).toEqual(
        ["excerpt", "id", "lastModified", "spaceKey", "title", "type", "webUrl"].sort(),
      );
      expect(results[0].webUrl).toContain("65538");
      expect(searchCqls()).toEqual(['text ~ "green build" AND space = "DOC" AND type = page']);
      const piped = await confl(["search", "--label", "release"], env);
      expect(piped.stdout).toMatch(/^65538\tpage\tRelease checklist\tDOC\t\d{4}-\d\d-\d\d\n$/);
      expectServer();
    });

    it("search --text: hostile words stay one literal and never widen the query", async () => {
      const hostile = [
        'checklist" OR type = "page',
        "checklist OR runbook",
        "checklist || runbook",
        "checklist\\",
        '\\" OR text ~ "runbook',
        "checklist) OR (type = page",
        "runbook*",
        "runbook~",
        "checklist\nOR runbook",
        "NOT checklist",
        'x" OR space = "DOC',
      ];
      for (const words of hostile) {
        const r = await confl(["search", "--text", words, "--json"], env);
        expect(r.code, `${JSON.stringify(words)}: ${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout), JSON.stringify(words)).toEqual([]);
      }
      for (const [flag, value] of [
        ["--space", 'DOC" OR space = "ENG'],
        ["--label", 'release" OR label = "guide'],
        ["--space", "DOC\\"],
      ] as const) {
        const r = await confl(["search", flag, value, "--json"], env);
        expect(r.code, `${value}: ${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout), value).toEqual([]);
      }
      // the literal itself is still found when it is there
      sim.store.pages.find((p) => p.id === "65545")!.body =
        '<p>He said "ship it" \\o/ (v2.0) *now* a||b OR c:d</p>';
      const literal = await confl(
        ["search", "--text", 'said "ship it" \\o/ (v2.0) *now* a||b OR c:d', "--json"],
        env,
      );
      expect(literal.code, literal.stderr).toBe(0);
      expect(JSON.parse(literal.stdout).map((p: { id: string }) => p.id)).toEqual(["65545"]);
    });

    it("search: raw CQL, --limit across capped pages, --all; CQL and flags together → exit 2", async () => {
      const sixty = await confl(["search", "space = DOC", "--limit", "60", "--json"], env);
      expect(sixty.code, sixty.stderr).toBe(0);
      expect(JSON.parse(sixty.stdout)).toHaveLength(60);
      const limits = sim.log
        .filter((e) => /\/rest\/api\/search\?/.test(e.path))
        .map((e) => Number(new URL(e.path, "http://x").searchParams.get("limit")));
      const cap = d.server === "dc" ? 100 : 50;
      for (const limit of limits) expect(limit).toBeLessThanOrEqual(cap);
      expect(limits.length).toBe(d.server === "dc" ? 1 : 2);
      const all = await confl(["search", "space = DOC", "--all", "--json"], env);
      expect(JSON.parse(all.stdout)).toHaveLength(63);
      const both = await confl(["search", "space = DOC", "--text", "x"], env);
      expect(both.code).toBe(2);
      const none = await confl(["search"], env);
      expect(none.code).toBe(2);
      const bad = await confl(["search", "space = DOC OR OR"], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("Could not parse cql");
    });

    it("attachment list: fields; unknown page → exit 1 with the permission hint", async () => {
      const r = await confl(["attachment", "list", "65538", "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      const list = JSON.parse(r.stdout);
      expect(list.map((a: { id: string }) => a.id)).toEqual(["att131073", "att131074"]);
      expect(list[0]).toMatchObject({
        id: "att131073",
        title: "diagram.png",
        pageId: "65538",
        mediaType: "image/png",
        fileSize: tinyPng.length,
        comment: "Release flow",
        version: { number: 1 },
      });
      expect(Object.keys(list[0]).sort()).toEqual(
        [
          "comment",
          "downloadPath",
          "fileSize",
          "id",
          "mediaType",
          "pageId",
          "title",
          "version",
          "webUrl",
        ].sort(),
      );
      const piped = await confl(["attachment", "list", "DOC:Release checklist"], env);
      expect(piped.stdout.split("\n")[0]).toMatch(/^att131073\tdiagram\.png\t70 B\timage\/png\t1\t/);
      const missing = await confl(["attachment", "list", "999999"], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^confl: page 999999 not found\nhint: .*no permission/);
      expectServer();
    });

    it("attachment upload: streamed multipart with Content-Length and no-check; new file, then a new version", async () => {
      const file = join(env.dir, "report.txt");
      writeFileSync(file, "first\n");
      const first = await confl(["attachment", "upload", "65538", file, "--comment", "Q3 ✓", "--json"], env);
      expect(first.code, first.stderr).toBe(0);
      const [created] = JSON.parse(first.stdout);
      expect(created).toMatchObject({
        title: "report.txt",
        newVersion: false,
        comment: "Q3 ✓",
        version: { number: 1 },
      });
      const post = sim.log.find((e) => e.method === "POST" && /child\/attachment(\?|$)/.test(e.path))!;
      expect(post.headers["x-atlassian-token"]).toBe("no-check");
      expect(post.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
      expect(Number(post.headers["content-length"])).toBe(Buffer.byteLength(post.body));
      expect(post.headers["transfer-encoding"]).toBeUndefined();
      writeFileSync(file, "second version\n");
      sim.clearLog();
      const second = await confl(["attachment", "upload", "65538", file], env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toBe(`${created.id}\treport.txt\t2\n`);
      expect(
        sim.log.some((e) => e.method === "POST" && e.path.includes(`/child/attachment/${created.id}/data`)),
      ).toBe(true);
      const stored = sim.store.attachments.find((a) => a.id === created.id)!;
      expect(stored.bytes.toString()).toBe("second version\n");
      expectServer();
    });

    it("attachment upload: a missing or unreadable file → one line, exit 2, nothing sent", async () => {
      const ok = join(env.dir, "ok.txt");
      writeFileSync(ok, "ok");
      sim.clearLog();
      const missing = await confl(["attachment", "upload", "65538", ok, join(env.dir, "nope.txt")], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(`confl: cannot read ${join(env.dir, "nope.txt")}: no such file\n`);
      const dir = await confl(["attachment", "upload", "65538", env.dir], env);
      expect(dir.code).toBe(2);
      expect(dir.stderr).toContain("is a directory");
      expect(sim.log.filter((e) => e.server !== "auth")).toEqual([]);
    });

    it("attachment download: all files byte for byte, into --out; Cloud's media host gets no credential", async () => {
      const out = join(env.dir, "assets");
      const r = await confl(["attachment", "download", "65538", "--out", out], env);
      expect(r.code, r.stderr).toBe(0);
      // one line per file as each completes (concurrently: in any order)
      expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual([
        join(out, "diagram.png"),
        join(out, "release-notes.txt"),
      ]);
      expect(sha(readFileSync(join(out, "diagram.png")))).toBe(sha(tinyPng));
      expect(readFileSync(join(out, "release-notes.txt"), "utf8")).toBe(releaseNotesText);
      expect(readdirSync(out).sort()).toEqual(["diagram.png", "release-notes.txt"]);
      const media = sim.log.filter((e) => e.server === "media");
      if (d.server === "dc") expect(media).toEqual([]);
      else {
        expect(media).toHaveLength(2);
        for (const e of media) {
          expect(e.headers.authorization).toBeUndefined();
          expect(e.headers["x-atlassian-token"]).toBeUndefined();
          expect(e.status).toBe(200);
        }
      }
      // exists → exit 2 unless --clobber; one by name, one by id
      const again = await confl(["attachment", "download", "65538", "diagram.png", "--out", out], env);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("already exists");
      const clobber = await confl(
        ["attachment", "download", "65538", "diagram.png", "att131074", "--out", out, "--clobber", "--json"],
        env,
      );
      expect(clobber.code, clobber.stderr).toBe(0);
      expect(JSON.parse(clobber.stdout)).toEqual([
        { id: "att131073", title: "diagram.png", path: join(out, "diagram.png"), bytes: tinyPng.length },
        {
          id: "att131074",
          title: "release-notes.txt",
          path: join(out, "release-notes.txt"),
          bytes: Buffer.byteLength(releaseNotesText),
        },
      ]);
      const unknown = await confl(["attachment", "download", "65538", "nope.bin", "--out", out], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/attachment "nope.bin" on page 65538 not found/);
    });

    it("attachment download: hostile server-side names stay inside --out", async () => {
      const hostile = [
        "../../evil.txt",
        "/etc/passwd",
        "CON.txt",
        "a\u0000b\nc",
        "..",
        "sub/dir\\x.png",
        " . ",
      ];
      const expected = [
        ".._.._evil.txt",
        "_etc_passwd",
        "_CON.txt",
        "a_b_c",
        "att94",
        "sub_dir_x.png",
        "att96",
      ];
      // DC serves bytes from /download/attachments/{page}/{title}: a title with a '..' segment makes that
      // URL climb, which the client's URL guard refuses (exit 2) before sending; Cloud downloads by id.
      const climbs = (title: string) => title.split(/[/\\]/).includes("..");
      const keep = hostile.map((title) => d.server !== "dc" || !climbs(title));
      const base = sim.store.attachments[0]!;
      sim.store.attachments = hostile
        .map((title, i) => ({ ...base, id: `att9${i}`, title }))
        .filter((_, i) => keep[i]);
      const out = join(env.dir, "safe");
      const r = await confl(["attachment", "download", "65538", "--out", out, "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      const saved = JSON.parse(r.stdout).map((f: { path: string }) => f.path.slice(out.length + 1));
      expect(saved).toEqual(expected.filter((_, i) => keep[i]));
      expect(readdirSync(out).sort()).toEqual([...saved].sort());
      expect(existsSync(join(env.dir, "evil.txt"))).toBe(false);
      if (d.server === "dc") {
        sim.store.attachments = [{ ...base, id: "att99", title: "../../evil.txt" }];
        const refused = await confl(["attachment", "download", "65538", "--out", join(env.dir, "dc")], env);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain("climbs up");
        expect(readdirSync(join(env.dir, "dc"))).toEqual([]);
        expect(existsSync(join(env.dir, "evil.txt"))).toBe(false);
      }
    });

    it("attachment download: a cut-off transfer leaves no file and no temporary", async () => {
      const out = join(env.dir, "cut");
      sim.fault({
        server: d.server === "dc" ? "dc" : "media",
        pathPattern: d.server === "dc" ? /download\/attachments/ : /binary/,
        fault: { type: "reset" },
        count: Number.POSITIVE_INFINITY,
      });
      const r = await confl(["attachment", "download", "65538", "release-notes.txt", "--out", out], env);
      expect(r.code).not.toBe(0);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });

    it("attachment delete: refuses without --yes when it cannot ask; deletes with --yes", async () => {
      const refused = await confl(["attachment", "delete", "65538", "diagram.png"], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^confl: not deleting attachment diagram\.png \(att131073\) .*\nhint: pass --yes/,
      );
      expect(sim.store.attachments.some((a) => a.id === "att131073")).toBe(true);
      const done = await confl(["attachment", "delete", "65538", "att131073", "--yes", "--json"], env);
      expect(done.code, done.stderr).toBe(0);
      expect(JSON.parse(done.stdout)).toMatchObject({ id: "att131073", deleted: true });
      expect(sim.store.attachments.some((a) => a.id === "att131073")).toBe(false);
      const deleteCall = sim.log.find((e) => e.method === "DELETE")!;
      expect(deleteCall.path).toBe(
        d.server === "dc"
          ? "/confluence/rest/api/content/65538/child/attachment/att131073"
          : `${d.prefix()}/api/v2/attachments/131073`,
      );
      expectServer();
    });

    it("comment list and add (from a file and from stdin)", async () => {
      const list = await confl(["comment", "list", "65538", "--json"], env);
      expect(list.code, list.stderr).toBe(0);
      const comments = JSON.parse(list.stdout);
      expect(comments.map((c: { body: string }) => c.body)).toEqual([
        "<p>Looks good to me.</p>",
        "<p>Please add the rollback step.</p>",
      ]);
      expect(Object.keys(comments[0]).sort()).toEqual(["body", "id", "pageId", "version", "webUrl"]);
      const piped = await confl(["comment", "list", "65538"], env);
      expect(piped.stdout.split("\n")[0]).toMatch(/^196609\t2026-\d\d-\d\d\t\S+\tLooks good to me\.$/);
      const added = await confl(
        ["comment", "add", "65538", "--body-file", "-", "--json"],
        env,
        "Ship it <now> & then\n",
      );
      expect(added.code, added.stderr).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({
        pageId: "65538",
        body: "<p>Ship it &lt;now&gt; &amp; then</p>",
      });
      const file = join(env.dir, "c.xhtml");
      writeFileSync(file, "<p><strong>LGTM</strong></p>");
      const fromFile = await confl(["comment", "add", "65538", "-F", file], env);
      expect(fromFile.code, fromFile.stderr).toBe(0);
      expect(sim.store.commentsOf("65538").map((c) => c.body)).toContain("<p><strong>LGTM</strong></p>");
      const missing = await confl(["comment", "add", "65538", "-F", join(env.dir, "none")], env);
      expect(missing.code).toBe(2);
      const unknown = await confl(["comment", "list", "999999"], env);
      expect(unknown.code).toBe(1);
      expectServer();
    });

    it("label list, add and remove", async () => {
      const list = await confl(["label", "list", "65538", "--json"], env);
      expect(JSON.parse(list.stdout)).toEqual([
        { id: "262146", name: "release", prefix: "global" },
        { id: "262147", name: "checklist", prefix: "global" },
      ]);
      const add = await confl(["label", "add", "65538", "q3", "release-notes", "--json"], env);
      expect(add.code, add.stderr).toBe(0);
      expect(JSON.parse(add.stdout).map((l: { name: string }) => l.name)).toEqual([
        "release",
        "checklist",
        "q3",
        "release-notes",
      ]);
      const remove = await confl(["label", "remove", "65538", "checklist", "absent"], env);
      expect(remove.code, remove.stderr).toBe(0);
      expect(remove.stderr).toBe('confl: page 65538 has no label "absent"; nothing to remove\n');
      expect(remove.stdout.split("\n").map((l) => l.split("\t")[0])).toEqual([
        "release",
        "q3",
        "release-notes",
        "",
      ]);
      expect(sim.store.pages.find((p) => p.id === "65538")!.labels).toEqual([
        "release",
        "q3",
        "release-notes",
      ]);
      const bad = await confl(["label", "add", "65538", "two words"], env);
      expect(bad.code).toBe(2);
      expectServer();
    });

    it("open: home, a space, a page, through CONFL_BROWSER; --no-browser only prints", async () => {
      const record = join(env.dir, "opened.txt");
      const browser = join(env.dir, "browser.mjs");
      writeFileSync(
        browser,
        `import { appendFileSync } from "node:fs"; appendFileSync(${JSON.stringify(record)}, process.argv[2] + "\\n");`,
      );
      const benv = { ...env, CONFL_BROWSER: `${process.execPath} ${browser}` };
      const web = d.server === "dc" ? sim.origins.dc : `${sim.origins.site}/wiki`;
      const expected = [
        `${web}/`,
        d.server === "dc" ? `${sim.origins.dc}/display/DOC` : `${web}/spaces/DOC`,
        d.server === "dc"
          ? `${sim.origins.dc}/pages/viewpage.action?pageId=65538`
          : `${web}/spaces/DOC/pages/65538/Release+checklist`,
      ];
      for (const [i, args] of [[], ["DOC"], ["65538"]].entries()) {
        const r = await confl(["open", ...args], benv);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`${expected[i]}\n`);
      }
      expect(readFileSync(record, "utf8")).toBe(`${expected.join("\n")}\n`);
      rmSync(record);
      const print = await confl(["open", "DOC:Release checklist", "--no-browser"], benv);
      expect(print.stdout).toBe(`${expected[2]}\n`);
      expect(existsSync(record)).toBe(false);
      const missing = await confl(["open", "NOPE"], benv);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/space NOPE not found/);
    });
  });
}

describe("large files through a spooling simulator", () => {
  it("a 24 MiB upload and download round-trip byte for byte; the simulator keeps the bytes on disk", async () => {
    const spool = mkdtempSync(join(tmpdir(), "confl-spool-"));
    const big = await startSimulator({ settings: { uploadSpoolDir: spool } });
    try {
      const env = {
        ...isolated(),
        CONFLUENCE_URL: big.origins.site,
        CONFLUENCE_EMAIL: big.credentials.cloud.email,
        CONFLUENCE_API_TOKEN: big.credentials.cloud.apiToken,
      };
      const bytes = Buffer.alloc(24 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
      const file = join(env.dir, "big.bin");
      writeFileSync(file, bytes);
      const up = await confl(["attachment", "upload", "65538", file, "--json"], env);
      expect(up.code, up.stderr).toBe(0);
      expect(JSON.parse(up.stdout)[0].fileSize).toBe(bytes.length);
      const stored = big.store.attachments.find((a) => a.title === "big.bin")!;
      expect(stored.bytes.length).toBe(0);
      expect(stored.spooled?.size).toBe(bytes.length);
      const out = join(env.dir, "out");
      const down = await confl(["attachment", "download", "65538", "big.bin", "--out", out], env);
      expect(down.code, down.stderr).toBe(0);
      expect(sha(readFileSync(join(out, "big.bin")))).toBe(sha(bytes));
    } finally {
      await big.stop();
      rmSync(spool, { recursive: true, force: true });
    }
  }, 60_000);
});
