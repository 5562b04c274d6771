import { beforeAll, describe, expect, it } from "vitest";
import { useSimulator } from "../support/context.js";
import { basic, call, type Json } from "./helpers.js";

const sim = useSimulator();
let pat: Record<string, string>;

beforeAll(async () => {
  pat = { authorization: `Bearer ${sim.credentials.dc.pat}` };
});

const me = () => `${sim.origins.dc}/rest/api/user/current`;

describe("DC: layout", () => {
  it("lives under the context path; /status is public; outside it is 404 HTML", async () => {
    expect(sim.origins.dc).toBe(`${sim.origins.dcOrigin}/confluence`);
    const status = await call(`${sim.origins.dc}/status`);
    expect(status.status).toBe(200);
    expect(status.json).toEqual({ state: "RUNNING" });
    const outside = await call(`${sim.origins.dcOrigin}/rest/api/user/current`, { headers: pat });
    expect(outside.status).toBe(404);
    expect(outside.headers.get("content-type")).toContain("text/html");
  });

  it("honours an empty context path", async () => {
    sim.settings.dcContextPath = "";
    expect(sim.origins.dc).toBe(sim.origins.dcOrigin);
    const answer = await call(`${sim.origins.dcOrigin}/rest/api/user/current`, { headers: pat });
    expect(answer.status).toBe(200);
    expect((await call(`${sim.origins.dcOrigin}/status`)).json).toEqual({ state: "RUNNING" });
  });

  it("answers Cloud probes with a 404 HTML page, credential or not", async () => {
    for (const path of [
      "/_edge/tenant_info",
      "/wiki/api/v2/spaces",
      "/confluence/wiki/rest/api/user/current",
    ]) {
      const answer = await call(`${sim.origins.dcOrigin}${path}`, { headers: pat });
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get("content-type"), path).toContain("text/html");
    }
    sim.settings.dcContextPath = "";
    const rootProbe = await call(`${sim.origins.dcOrigin}/_edge/tenant_info`);
    expect(rootProbe.status).toBe(404);
  });

  it("a private DC answers an unauthenticated REST call with 401; an anonymous-access DC serves it as anonymous", async () => {
    const refused = await call(me());
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-seraph-loginreason")).toBeNull();
    sim.settings.dcAnonymousAccess = true;
    const anonymous = await call(me());
    expect(anonymous.status).toBe(200);
    expect((anonymous.json as Json).type).toBe("anonymous");
    const content = (await call(`${sim.origins.dc}/rest/api/content?spaceKey=DOC`)).json as Json;
    expect(content.results).toEqual([]);
  });

  it("server-information is 401 unauthenticated and 200 with a credential", async () => {
    expect((await call(`${sim.origins.dc}/rest/api/server-information`)).status).toBe(401);
    const info = await call(`${sim.origins.dc}/rest/api/server-information`, { headers: pat });
    expect(info.status).toBe(200);
    expect((info.json as Json).baseUrl).toBe(sim.origins.dc);
  });
});

describe("DC: credentials", () => {
  it("accepts a PAT as Bearer, with X-AUSERNAME", async () => {
    const answer = await call(me(), { headers: pat });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ type: "known", username: "grace", userKey: sim.users.dc.userKey });
    expect(answer.headers.get("x-ausername")).toBe("grace");
  });

  it("treats a PAT sent as a Basic password as a failed login", async () => {
    const answer = await call(me(), {
      headers: { authorization: basic(sim.credentials.dc.username, sim.credentials.dc.pat) },
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("x-seraph-loginreason")).toBe("AUTHENTICATED_FAILED");
  });

  it("with Basic disabled, answers Basic with 403 'Basic Authentication has been disabled on this instance.' and still takes a PAT (alfred-confluence #24)", async () => {
    sim.settings.dcBasicAuthDisabled = true;
    const refused = await call(me(), {
      headers: { authorization: basic(sim.credentials.dc.username, sim.credentials.dc.password) },
    });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ message: "Basic Authentication has been disabled on this instance." });
    expect((await call(me(), { headers: pat })).status).toBe(200);
  });

  it("accepts Basic username:password", async () => {
    const answer = await call(me(), {
      headers: { authorization: basic(sim.credentials.dc.username, sim.credentials.dc.password) },
    });
    expect(answer.status).toBe(200);
    expect((answer.json as Json).username).toBe("grace");
  });

  it("accepts the JSESSIONID cookie, alone or together with a PAT", async () => {
    const cookie = `JSESSIONID=${sim.credentials.dc.sessionCookie}`;
    expect((await call(me(), { headers: { cookie } })).status).toBe(200);
    expect((await call(me(), { headers: { cookie, ...pat } })).status).toBe(200);
    expect((await call(me(), { headers: { cookie: "JSESSIONID=fake-stale-session" } })).status).toBe(401);
  });

  it("answers wrong credentials with 401 AUTHENTICATED_FAILED, or anonymous 200 when anonymous access is on", async () => {
    const wrong = { authorization: basic(sim.credentials.dc.username, "fake-wrong-password") };
    const refused = await call(me(), { headers: wrong });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-seraph-loginreason")).toBe("AUTHENTICATED_FAILED");
    expect(refused.json).toMatchObject({
      statusCode: 401,
      data: expect.any(Object),
      message: expect.any(String),
    });
    sim.reset();
    sim.settings.dcAnonymousAccess = true;
    const anonymous = await call(me(), { headers: wrong });
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("x-seraph-loginreason")).toBe("AUTHENTICATED_FAILED");
    expect((anonymous.json as Json).type).toBe("anonymous");
    expect(anonymous.headers.get("x-ausername")).toBe("anonymous");
    const bearer = await call(me(), { headers: { authorization: "Bearer fake-wrong-pat" } });
    expect(bearer.status).toBe(200);
    expect((bearer.json as Json).type).toBe("anonymous");
  });

  it("locks Basic out with a CAPTCHA after captchaAfterFailures failures, even with the right password, until reset()", async () => {
    sim.settings.captchaAfterFailures = 2;
    const wrong = { authorization: basic(sim.credentials.dc.username, "fake-wrong-password") };
    const right = { authorization: basic(sim.credentials.dc.username, sim.credentials.dc.password) };
    expect((await call(me(), { headers: wrong })).status).toBe(401);
    expect((await call(me(), { headers: wrong })).status).toBe(401);
    const locked = await call(me(), { headers: right });
    expect(locked.status).toBe(401);
    expect(locked.headers.get("x-seraph-loginreason")).toBe("AUTHENTICATION_DENIED");
    expect(locked.headers.get("content-type")).toContain("text/html");
    expect(locked.headers.get("www-authenticate")).toMatch(/^OAuth realm="/);
    // a PAT is not a login attempt and still works
    expect((await call(me(), { headers: pat })).status).toBe(200);
    sim.reset();
    expect((await call(me(), { headers: right })).status).toBe(200);
  });

  it("accepts dc-oauth Bearer grants, scope-checked, and 401s expired ones", async () => {
    sim.tokens.grant({
      token: "fake-dc-oauth-read-0001",
      kind: "dc-oauth",
      user: sim.users.dc,
      scopes: ["READ"],
      expiresAt: Date.now() + 60_000,
    });
    const headers = { authorization: "Bearer fake-dc-oauth-read-0001", "content-type": "application/json" };
    expect((await call(me(), { headers })).status).toBe(200);
    const write = await call(`${sim.origins.dc}/rest/api/content/65538/label`, {
      method: "POST",
      headers,
      body: JSON.stringify({ prefix: "global", name: "x" }),
    });
    expect(write.status).toBe(403);
    sim.expireToken("fake-dc-oauth-read-0001");
    expect((await call(me(), { headers })).status).toBe(401);
  });

  it("refuses X-Atlassian-Token: nocheck when dcRejectNocheck is set", async () => {
    const form = new FormData();
    form.append("file", new Blob([Buffer.from("hello")]), "hello.txt");
    form.append("minorEdit", "true");
    const send = (token: string) =>
      call(`${sim.origins.dc}/rest/api/content/65601/child/attachment`, {
        method: "POST",
        headers: { ...pat, "x-atlassian-token": token },
        body: form,
      });
    expect((await send("nocheck")).status).toBe(200);
    sim.reset();
    sim.settings.dcRejectNocheck = true;
    expect((await send("nocheck")).status).toBe(403);
    expect((await send("no-check")).status).toBe(200);
  });
});

describe("DC: content", () => {
  it("pages v1 lists with start/limit, base <origin><context>, next relative to base, limit capped at 100", async () => {
    const first = await call(`${sim.origins.dc}/rest/api/content?spaceKey=DOC&limit=500`, { headers: pat });
    const body = first.json as Json;
    expect(body.limit).toBe(100);
    expect(body.size).toBe(63);
    expect(body._links.base).toBe(sim.origins.dc);
    expect(body._links.context).toBe("/confluence");
    expect(body._links.next).toBeUndefined();
    const small = (await call(`${sim.origins.dc}/rest/api/content?spaceKey=DOC&limit=25`, { headers: pat }))
      .json as Json;
    expect(small._links.next).toMatch(/^\/rest\/api\/content\?/);
    const next = (await call(`${sim.origins.dc}${small._links.next}`, { headers: pat })).json as Json;
    expect(next.start).toBe(25);
    expect(next.results[0].id).not.toBe(small.results[0].id);
  });

  it("rejects a negative limit with the v1 400", async () => {
    const answer = await call(`${sim.origins.dc}/rest/api/content?limit=-1`, { headers: pat });
    expect(answer.status).toBe(400);
    expect((answer.json as Json).message).toContain("limit cannot be less than zero");
  });

  it("creates, updates with version+1 (409 otherwise) and deletes a page", async () => {
    const headers = { ...pat, "content-type": "application/json" };
    const created = await call(`${sim.origins.dc}/rest/api/content`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        type: "page",
        title: "DC page",
        space: { key: "ENG" },
        ancestors: [{ id: "65600" }],
        body: { storage: { value: "<p>one</p>", representation: "storage" } },
      }),
    });
    expect(created.status).toBe(200);
    const id = (created.json as Json).id as string;
    const stale = await call(`${sim.origins.dc}/rest/api/content/${id}`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ type: "page", title: "DC page", version: { number: 1 } }),
    });
    expect(stale.status).toBe(409);
    expect((stale.json as Json).message).toBe("Version must be incremented on update. Current version is: 1");
    const updated = await call(`${sim.origins.dc}/rest/api/content/${id}`, {
      method: "PUT",
      headers,
      body: JSON.stringify({
        type: "page",
        title: "DC page",
        version: { number: 2 },
        body: { storage: { value: "<p>two</p>", representation: "storage" } },
      }),
    });
    expect(updated.status).toBe(200);
    const read = (
      await call(`${sim.origins.dc}/rest/api/content/${id}?expand=body.storage,ancestors`, { headers: pat })
    ).json as Json;
    expect(read.body.storage.value).toBe("<p>two</p>");
    expect(read.version.number).toBe(2);
    expect(read.ancestors.map((a: Json) => a.id)).toEqual(["65600"]);
    const duplicate = await call(`${sim.origins.dc}/rest/api/content`, {
      method: "POST",
      headers,
      body: JSON.stringify({ type: "page", title: "DC page", space: { key: "ENG" } }),
    });
    expect(duplicate.status).toBe(400);
    expect(
      (await call(`${sim.origins.dc}/rest/api/content/${id}`, { method: "DELETE", headers: pat })).status,
    ).toBe(204);
    expect((await call(`${sim.origins.dc}/rest/api/content/${id}`, { headers: pat })).status).toBe(404);
  });

  it("attachments: POST creates (400 on duplicate unless allowDuplicated), PUT is 405, download servlet works", async () => {
    const form = (name: string) => {
      const data = new FormData();
      data.append("file", new Blob([Buffer.from(`bytes of ${name}`)], { type: "text/plain" }), name);
      data.append("minorEdit", "true");
      return data;
    };
    const url = `${sim.origins.dc}/rest/api/content/65601/child/attachment`;
    const headers = { ...pat, "x-atlassian-token": "no-check" };
    expect((await call(url, { method: "POST", headers, body: form("a.txt") })).status).toBe(200);
    expect((await call(url, { method: "POST", headers, body: form("a.txt") })).status).toBe(400);
    expect(
      (await call(`${url}?allowDuplicated=true`, { method: "POST", headers, body: form("a.txt") })).status,
    ).toBe(200);
    expect((await call(url, { method: "PUT", headers, body: form("b.txt") })).status).toBe(405);
    const download = await fetch(`${sim.origins.dc}/download/attachments/65601/a.txt`, { headers: pat });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe("bytes of a.txt");
    const anonymous = await call(`${sim.origins.dc}/download/attachments/65601/a.txt`);
    expect(anonymous.status).toBe(401);
  });

  it("labels: GET, POST (object or array), DELETE by path and by ?name=", async () => {
    const url = `${sim.origins.dc}/rest/api/content/65601/label`;
    const headers = { ...pat, "content-type": "application/json" };
    await call(url, { method: "POST", headers, body: JSON.stringify({ prefix: "global", name: "one" }) });
    await call(url, {
      method: "POST",
      headers,
      body: JSON.stringify([
        { prefix: "global", name: "two" },
        { prefix: "global", name: "three" },
      ]),
    });
    const names = () =>
      call(url, { headers: pat }).then((answer) =>
        (answer.json as Json).results.map((label: Json) => label.name),
      );
    expect(await names()).toEqual(["architecture", "one", "two", "three"]);
    expect((await call(`${url}/two`, { method: "DELETE", headers: pat })).status).toBe(204);
    expect((await call(`${url}?name=three`, { method: "DELETE", headers: pat })).status).toBe(204);
    expect(await names()).toEqual(["architecture", "one"]);
  });

  it("search and content/search with a CQL subset", async () => {
    const search = (
      await call(`${sim.origins.dc}/rest/api/search?cql=${encodeURIComponent('space="ENG" AND type=page')}`, {
        headers: pat,
      })
    ).json as Json;
    expect(search.results.map((r: Json) => r.content.title)).toEqual([
      "Engineering Home",
      "Architecture",
      "On-call runbook",
    ]);
    const missing = await call(`${sim.origins.dc}/rest/api/content/search`, { headers: pat });
    expect(missing.status).toBe(400);
  });
});
