import { beforeAll, describe, expect, it } from "vitest";
import { showcaseStorage, tinyPng } from "../../sim/fixtures.js";
import { useSimulator } from "../support/context.js";
import { basic, call, type Json } from "./helpers.js";

const sim = useSimulator();
let auth: Record<string, string>;
let wiki: string;

beforeAll(async () => {
  auth = { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken) };
  wiki = `${sim.origins.site}/wiki`;
});

const json = (body: unknown) => ({
  headers: { ...auth, "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("v2 pagination", () => {
  it("pages DOC's 63 pages as 25 + 25 + 13 with origin-relative next links and a Link header", async () => {
    const seen: string[] = [];
    let url: string | undefined = `${wiki}/api/v2/spaces/98305/pages`;
    const sizes: number[] = [];
    for (let guard = 0; url && guard < 10; guard++) {
      const answer = await call(url, { headers: auth });
      const body = answer.json as Json;
      sizes.push(body.results.length);
      seen.push(...body.results.map((page: Json) => page.id));
      expect(body._links.base).toBe(`${sim.origins.site}/wiki`);
      if (body._links.next) {
        expect(body._links.next).toMatch(/^\/wiki\/api\/v2\/spaces\/98305\/pages\?.*cursor=/);
        expect(answer.headers.get("link")).toContain('rel="next"');
        // base + next would double /wiki: the trap
        expect(`${body._links.base}${body._links.next}`).toContain("/wiki/wiki/");
      } else expect(answer.headers.get("link")).toBeNull();
      url = body._links.next ? `${sim.origins.site}${body._links.next}` : undefined;
    }
    expect(sizes).toEqual([25, 25, 13]);
    expect(new Set(seen).size).toBe(63);
  });

  it("keeps other query parameters in next and caps limit at 250", async () => {
    const answer = (
      await call(`${wiki}/api/v2/pages?space-id=98305&limit=10&body-format=storage`, { headers: auth })
    ).json as Json;
    const next = new URL(answer._links.next, sim.origins.site);
    expect(next.searchParams.get("space-id")).toBe("98305");
    expect(next.searchParams.get("body-format")).toBe("storage");
    expect(next.searchParams.get("limit")).toBe("10");
    const all = (await call(`${wiki}/api/v2/pages?limit=1000`, { headers: auth })).json as Json;
    expect(all.results.length).toBeLessThanOrEqual(250);
    const bad = await call(`${wiki}/api/v2/pages?cursor=not-a-cursor`, { headers: auth });
    expect(bad.status).toBe(400);
    expect((bad.json as Json).errors[0].status).toBe(400);
  });

  it("attachments default to 50 per page, other lists to 25", async () => {
    const spaces = (await call(`${wiki}/api/v2/spaces`, { headers: auth })).json as Json;
    expect(spaces.results.map((s: Json) => s.key)).toEqual(["DOC", "ENG", "~ada"]);
    const attachments = (await call(`${wiki}/api/v2/pages/65538/attachments`, { headers: auth }))
      .json as Json;
    expect(attachments.results).toHaveLength(2);
  });
});

describe("v2 pages", () => {
  it("returns a body only when body-format is given, in the asked format", async () => {
    const bare = (await call(`${wiki}/api/v2/pages/65538`, { headers: auth })).json as Json;
    expect(bare.body).toEqual({});
    const storage = (await call(`${wiki}/api/v2/pages/65538?body-format=storage`, { headers: auth }))
      .json as Json;
    expect(storage.body.storage.value).toBe(showcaseStorage);
    expect(storage.body.storage.value).toContain("]]]]><![CDATA[>");
    expect(storage.body.storage.value).toContain('<ac:structured-macro ac:name="info"');
    expect(storage.body.storage.value).toContain('<ri:attachment ri:filename="diagram.png" />');
    expect(storage.body.storage.value).toContain("&nbsp;");
    expect(storage.body.storage.value).toContain("npm run build | tee build.log");
    const adf = (await call(`${wiki}/api/v2/pages/65538?body-format=atlas_doc_format`, { headers: auth }))
      .json as Json;
    expect(typeof adf.body.atlas_doc_format.value).toBe("string");
    expect(JSON.parse(adf.body.atlas_doc_format.value).type).toBe("doc");
    const view = (await call(`${wiki}/api/v2/pages/65538?body-format=view`, { headers: auth })).json as Json;
    expect(view.body.view.value).toContain('const end = "]]&gt;";');
    expect(storage._links.base).toBe(`${sim.origins.site}/wiki`);
    expect(storage.version.number).toBe(7);
    const invalid = await call(`${wiki}/api/v2/pages?body-format=view`, { headers: auth });
    expect(invalid.status).toBe(400);
  });

  it("filters by title and status", async () => {
    const found = (
      await call(`${wiki}/api/v2/pages?title=${encodeURIComponent("Release checklist")}`, { headers: auth })
    ).json as Json;
    expect(found.results.map((p: Json) => p.id)).toEqual(["65538"]);
  });

  it("v2 page create takes spaceId as a string (spec: type string): a number is a 400 in the v2 envelope", async () => {
    // what `confl api api/v2/pages -F spaceId=98305` sends (-F types numbers): the README example uses -f
    const asNumber = await call(`${wiki}/api/v2/pages`, {
      method: "POST",
      ...json({ spaceId: 98305, title: "Typed", body: { representation: "storage", value: "<p>hi</p>" } }),
    });
    expect(asNumber.status).toBe(400);
    const error = (asNumber.json as Json).errors[0];
    expect(error).toMatchObject({ status: 400, code: "INVALID_REQUEST_PARAMETER" });
    expect(error.title).toContain("spaceId");
    const pages = (await call(`${wiki}/api/v2/spaces/98305/pages?title=Typed`, { headers: auth }))
      .json as Json;
    expect(pages.results).toEqual([]);
  });

  it("creates with 200, refuses a duplicate title with 400, and a body over 5 MB with 413", async () => {
    const created = await call(`${wiki}/api/v2/pages`, {
      method: "POST",
      ...json({
        spaceId: "98305",
        title: "New page",
        body: { representation: "storage", value: "<p>hi</p>" },
      }),
    });
    expect(created.status).toBe(200);
    const page = created.json as Json;
    expect(page.parentId).toBe("65536");
    expect(page.version.number).toBe(1);
    const duplicate = await call(`${wiki}/api/v2/pages`, {
      method: "POST",
      ...json({ spaceId: "98305", title: "New page", body: { representation: "storage", value: "" } }),
    });
    expect(duplicate.status).toBe(400);
    expect((duplicate.json as Json).errors[0].title).toContain("A page with this title already exists");
    const huge = await call(`${wiki}/api/v2/pages`, {
      method: "POST",
      ...json({
        spaceId: "98305",
        title: "Huge",
        body: { representation: "storage", value: "x".repeat(5 * 1024 * 1024) },
      }),
    });
    expect(huge.status).toBe(413);
    const children = (await call(`${wiki}/api/v2/pages/65536/direct-children?limit=250`, { headers: auth }))
      .json as Json;
    expect(children.results.map((c: Json) => c.title)).toContain("New page");
  });

  it("updates only with version current+1; anything else gets the exact v2 409", async () => {
    const update = (number: number) =>
      call(`${wiki}/api/v2/pages/65537`, {
        method: "PUT",
        ...json({
          id: "65537",
          status: "current",
          title: "Getting started",
          body: { representation: "storage", value: `<p>v${number}</p>` },
          version: { number, message: "edit" },
        }),
      });
    for (const stale of [1, 2, 4]) {
      const conflict = await update(stale);
      expect(conflict.status).toBe(409);
      expect(conflict.json).toEqual({
        errors: [
          {
            status: 409,
            code: "CONFLICT",
            title: `Version must be incremented when updating a page. Current Version: [2]. Provided version: [${stale}]`,
            detail: null,
          },
        ],
      });
    }
    const ok = await update(3);
    expect(ok.status).toBe(200);
    expect((ok.json as Json).version).toMatchObject({ number: 3, message: "edit" });
    const missing = await call(`${wiki}/api/v2/pages/65537`, { method: "PUT", ...json({ id: "65537" }) });
    expect(missing.status).toBe(400);
  });

  it("deletes with 204 and the page disappears", async () => {
    expect((await call(`${wiki}/api/v2/pages/65602`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await call(`${wiki}/api/v2/pages/65602`, { headers: auth })).status).toBe(404);
    expect((await call(`${wiki}/api/v2/pages/65602?status=trashed`, { headers: auth })).status).toBe(200);
  });

  it("serves the tree: direct-children, ancestors (root first)", async () => {
    const ancestors = (await call(`${wiki}/api/v2/pages/65540/ancestors`, { headers: auth })).json as Json;
    expect(ancestors.results.map((a: Json) => a.id)).toEqual(["65536", "65539"]);
    const children = (await call(`${wiki}/api/v2/pages/65539/direct-children`, { headers: auth }))
      .json as Json;
    expect(children.results).toHaveLength(11);
    expect(children.results[0]).toMatchObject({ type: "page", title: "Guides 01" });
  });

  it("labels, footer comments (201 + location) and attachments", async () => {
    const labels = (await call(`${wiki}/api/v2/pages/65538/labels`, { headers: auth })).json as Json;
    expect(labels.results.map((l: Json) => l.name)).toEqual(["release", "checklist"]);
    const comment = await call(`${wiki}/api/v2/footer-comments`, {
      method: "POST",
      ...json({ pageId: "65538", body: { representation: "storage", value: "<p>Ship it.</p>" } }),
    });
    expect(comment.status).toBe(201);
    expect(comment.headers.get("location")).toMatch(/\/wiki\/api\/v2\/footer-comments\/\d+$/);
    const comments = (
      await call(`${wiki}/api/v2/pages/65538/footer-comments?body-format=storage`, { headers: auth })
    ).json as Json;
    expect(comments.results.map((c: Json) => c.body.storage.value)).toContain("<p>Ship it.</p>");
    const attachment = (await call(`${wiki}/api/v2/attachments/att131073`, { headers: auth })).json as Json;
    expect(attachment).toMatchObject({
      title: "diagram.png",
      mediaType: "image/png",
      fileSize: tinyPng.length,
    });
    expect((await call(`${wiki}/api/v2/attachments/131073`, { headers: auth })).status).toBe(200);
  });
});

describe("v1 on the site", () => {
  it("search: cql required (exact 400), capped limit 50, cursor next relative to base", async () => {
    const missing = await call(`${wiki}/rest/api/search`, { headers: auth });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      statusCode: 400,
      data: { authorized: true, valid: true, errors: [], successful: true },
      message:
        "com.atlassian.confluence.api.service.exceptions.api.BadRequestException: cql query parameter is required",
    });
    const first = (await call(`${wiki}/rest/api/search?cql=type%3Dpage&limit=500`, { headers: auth }))
      .json as Json;
    expect(first.limit).toBe(50);
    expect(first.results).toHaveLength(50);
    expect(first._links.base).toBe(`${sim.origins.site}/wiki`);
    expect(first._links.context).toBe("/wiki");
    expect(first._links.next).toMatch(/^\/rest\/api\/search\?.*cursor=/);
    const second = (await call(`${first._links.base}${first._links.next}`, { headers: auth })).json as Json;
    expect(second.results.length).toBe(first.totalSize - 50);
    expect(second._links.next).toBeUndefined();
    expect(second._links.prev).toBeDefined();
  });

  it("supports the CQL subset", async () => {
    const titles = async (cql: string) =>
      (
        (await call(`${wiki}/rest/api/content/search?cql=${encodeURIComponent(cql)}`, { headers: auth }))
          .json as Json
      ).results.map((c: Json) => c.title);
    expect(await titles('space="ENG" AND title~"call"')).toEqual(["On-call runbook"]);
    expect(await titles("label=release")).toEqual(["Release checklist"]);
    expect(await titles('text~"green build"')).toEqual(["Release checklist"]);
    expect(await titles("type=page AND space=~ada")).toEqual(["Ada's notes"]);
    expect(await titles('space in ("ENG", "~ada") AND type in (page, blogpost) ORDER BY title DESC')).toEqual(
      ["On-call runbook", "Engineering Home", "Architecture", "Ada's notes"],
    );
    expect(await titles("parent=65600 order by title")).toEqual(["Architecture", "On-call runbook"]);
    expect((await titles("ancestor=65539")).length).toBe(11);
    expect(await titles('id=65538 AND title!="Other"')).toEqual(["Release checklist"]);
    expect(await titles('(space="ENG" OR space="~ada") AND NOT title~"call" ORDER BY title')).toEqual([
      "Ada's notes",
      "Architecture",
      "Engineering Home",
    ]);
    // a quoted value is one literal: AND/OR and quotes inside it are not syntax
    expect(await titles('title = "Release checklist\\" OR type = \\"page"')).toEqual([]);
    // text ~ is Lucene: all terms by default, unescaped OR widens, \ escapes
    expect(await titles('text ~ "checklist runbook"')).toEqual([]);
    expect(await titles('text ~ "checklist OR runbook"')).toEqual(["Release checklist", "On-call runbook"]);
    expect(await titles('text ~ "checklist \\\\OR runbook"')).toEqual([]);
    for (const cql of [
      "creator in (x)",
      "title ~",
      "space in ()",
      'space="DOC" XOR space="ENG"',
      'title = "unterminated',
      'text ~ "a (b"',
    ]) {
      const bad = await call(`${wiki}/rest/api/search?cql=${encodeURIComponent(cql)}`, { headers: auth });
      expect(bad.status, cql).toBe(400);
      expect((bad.json as Json).message, cql).toContain("Could not parse cql");
    }
  });

  it("negative limit → 400 'limit cannot be less than zero'", async () => {
    const answer = await call(`${wiki}/rest/api/content?limit=-5`, { headers: auth });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      statusCode: 400,
      message: "java.lang.IllegalArgumentException: limit cannot be less than zero",
    });
  });

  it("v1 content list: next relative to base, start/limit", async () => {
    const first = (await call(`${wiki}/rest/api/content?spaceKey=DOC&limit=30`, { headers: auth }))
      .json as Json;
    expect(first).toMatchObject({ start: 0, limit: 30, size: 30 });
    expect(first._links.next).toMatch(/^\/rest\/api\/content\?.*start=30/);
    const second = (await call(`${first._links.base}${first._links.next}`, { headers: auth })).json as Json;
    expect(second.start).toBe(30);
  });

  it("v1 PUT content: stale version gets the v1 409 message", async () => {
    const answer = await call(`${wiki}/rest/api/content/65538`, {
      method: "PUT",
      ...json({ type: "page", title: "Release checklist", version: { number: 7 } }),
    });
    expect(answer.status).toBe(409);
    expect((answer.json as Json).message).toBe(
      "Version must be incremented on update. Current version is: 7",
    );
    expect((answer.json as Json).statusCode).toBe(409);
  });

  it("systemInfo carries the cloudId; user/anonymous the anonymous shape", async () => {
    expect(
      ((await call(`${wiki}/rest/api/settings/systemInfo`, { headers: auth })).json as Json).cloudId,
    ).toBe(sim.cloudId);
    expect(((await call(`${wiki}/rest/api/user/anonymous`, { headers: auth })).json as Json).type).toBe(
      "anonymous",
    );
  });

  it("labels: add an object or an array, remove by path and by ?name=", async () => {
    const url = `${wiki}/rest/api/content/65537/label`;
    await call(url, { method: "POST", ...json({ prefix: "global", name: "alpha" }) });
    const added = await call(url, {
      method: "POST",
      ...json([
        { prefix: "global", name: "beta" },
        { prefix: "global", name: "gamma" },
      ]),
    });
    expect(added.status).toBe(200);
    expect((added.json as Json).results.map((l: Json) => l.name)).toEqual([
      "guide",
      "alpha",
      "beta",
      "gamma",
    ]);
    expect((await call(`${url}/beta`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await call(`${url}/a%2Fb`, { method: "DELETE", headers: auth })).status).toBe(400);
    expect((await call(`${url}/never-added`, { method: "DELETE", headers: auth })).status).toBe(404);
    expect((await call(`${url}?name=gamma`, { method: "DELETE", headers: auth })).status).toBe(204);
    const v2 = (await call(`${wiki}/api/v2/pages/65537/labels`, { headers: auth })).json as Json;
    expect(v2.results.map((l: Json) => l.name)).toEqual(["guide", "alpha"]);
  });
});

describe("attachments: upload and download", () => {
  const form = (name: string, bytes: Buffer, type = "application/octet-stream", minorEdit = true) => {
    const data = new FormData();
    data.append("file", new Blob([new Uint8Array(bytes)], { type }), name);
    if (minorEdit) data.append("minorEdit", "true");
    return data;
  };
  const uploadUrl = () => `${wiki}/rest/api/content/65537/child/attachment`;

  it("requires X-Atlassian-Token: no-check (403 'XSRF check failed' without)", async () => {
    const answer = await call(uploadUrl(), {
      method: "POST",
      headers: auth,
      body: form("x.bin", Buffer.from("x")),
    });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("XSRF check failed");
  });

  it("requires minorEdit", async () => {
    const answer = await call(uploadUrl(), {
      method: "POST",
      headers: { ...auth, "x-atlassian-token": "no-check" },
      body: form("x.bin", Buffer.from("x"), "application/octet-stream", false),
    });
    expect(answer.status).toBe(400);
  });

  it("POST creates (400 on duplicate filename), PUT versions, /data replaces; the download 302s to media", async () => {
    const headers = { ...auth, "x-atlassian-token": "no-check" };
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const created = await call(uploadUrl(), { method: "POST", headers, body: form("blob.bin", bytes) });
    expect(created.status).toBe(200);
    const attachment = (created.json as Json).results[0];
    expect(attachment).toMatchObject({ type: "attachment", title: "blob.bin" });
    expect(attachment.id).toMatch(/^att\d+$/);
    const duplicate = await call(uploadUrl(), { method: "POST", headers, body: form("blob.bin", bytes) });
    expect(duplicate.status).toBe(400);
    const versioned = await call(uploadUrl(), {
      method: "PUT",
      headers,
      body: form("blob.bin", Buffer.from("v2")),
    });
    expect(versioned.status).toBe(200);
    expect((versioned.json as Json).results[0].version.number).toBe(2);
    const data = await call(`${uploadUrl()}/${attachment.id}/data`, {
      method: "POST",
      headers,
      body: form("blob.bin", Buffer.from("v3")),
    });
    expect(data.status).toBe(200);
    expect((data.json as Json).version.number).toBe(3);

    sim.clearLog();
    const redirect = await call(`${uploadUrl()}/${attachment.id}/download`, { headers: auth });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("location")!;
    expect(location.startsWith(`${sim.origins.media}/file/`)).toBe(true);
    const binary = await fetch(location);
    expect(binary.status).toBe(200);
    expect(Buffer.from(await binary.arrayBuffer()).toString()).toBe("v3");
    const mediaRequest = sim.log.find((entry) => entry.server === "media");
    expect(mediaRequest?.headers.authorization).toBeUndefined();
  });

  it("the seeded PNG downloads byte for byte; a tampered media token is refused", async () => {
    const redirect = await call(`${wiki}/rest/api/content/65538/child/attachment/att131073/download`, {
      headers: auth,
    });
    const location = redirect.headers.get("location")!;
    const binary = await fetch(location);
    expect(binary.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await binary.arrayBuffer()).equals(tinyPng)).toBe(true);
    const tampered = new URL(location);
    tampered.searchParams.set("token", `${tampered.searchParams.get("token")!.split(".")[0]}.forged`);
    expect((await fetch(tampered)).status).toBe(401);
  });
});
