import { beforeAll, describe, expect, it } from "vitest";
import { useSimulator } from "../support/context.js";
import { basic, call, type Json } from "./helpers.js";

const sim = useSimulator();
let root: string;
let scoped: Record<string, string>;
let scopedClassic: Record<string, string>;

beforeAll(async () => {
  root = `${sim.origins.gateway}/ex/confluence/${sim.cloudId}`;
  scoped = { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.scopedToken) };
  scopedClassic = {
    authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.scopedTokenClassic),
  };
});

function grant(
  token: string,
  scopes: string[],
  kind: "oauth" | "client-credentials" = "oauth",
  ttlMs = 60_000,
) {
  sim.tokens.grant({ token, kind, user: sim.users.cloud, scopes, expiresAt: Date.now() + ttlMs });
}

const mismatch = { code: 401, message: "Unauthorized; scope does not match" };

describe("gateway: credentials", () => {
  it("accepts a granular scoped token on v2 and keeps /wiki in the path", async () => {
    const answer = await call(`${root}/wiki/api/v2/spaces?keys=DOC`, { headers: scoped });
    expect(answer.status).toBe(200);
    expect((answer.json as Json).results[0].key).toBe("DOC");
  });

  it("refuses a classic API token with {code:401,message:'Unauthorized'}", async () => {
    const answer = await call(`${root}/wiki/api/v2/spaces`, {
      headers: { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken) },
    });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ code: 401, message: "Unauthorized" });
  });

  it("refuses no credential and an expired scoped token", async () => {
    expect((await call(`${root}/wiki/api/v2/spaces`)).status).toBe(401);
    sim.expireToken(sim.credentials.cloud.scopedToken);
    const expired = await call(`${root}/wiki/api/v2/spaces`, { headers: scoped });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ code: 401, message: "Unauthorized" });
  });

  it("accepts registry Bearer tokens (oauth and client-credentials) and refuses expired or unknown ones", async () => {
    grant("fake-oauth-access-0001", ["read:page:confluence"]);
    grant("fake-cc-access-0001", ["read:page:confluence"], "client-credentials");
    grant("fake-oauth-expired-0001", ["read:page:confluence"], "oauth", -1000);
    for (const token of ["fake-oauth-access-0001", "fake-cc-access-0001"]) {
      const ok = await call(`${root}/wiki/api/v2/pages?limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.status).toBe(200);
    }
    for (const token of ["fake-oauth-expired-0001", "fake-never-issued-0001"]) {
      const refused = await call(`${root}/wiki/api/v2/pages`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(refused.status).toBe(401);
    }
    sim.expireToken("fake-oauth-access-0001");
    const revoked = await call(`${root}/wiki/api/v2/pages`, {
      headers: { authorization: "Bearer fake-oauth-access-0001" },
    });
    expect(revoked.status).toBe(401);
  });

  it("refuses a dc-oauth grant on the gateway", async () => {
    sim.tokens.grant({
      token: "fake-dc-oauth-0001",
      kind: "dc-oauth",
      user: sim.users.dc,
      scopes: ["READ"],
      expiresAt: Date.now() + 60_000,
    });
    const answer = await call(`${root}/wiki/api/v2/pages`, {
      headers: { authorization: "Bearer fake-dc-oauth-0001" },
    });
    expect(answer.status).toBe(401);
  });

  it("refuses Basic when an admin disabled it, but still takes OAuth", async () => {
    sim.settings.cloudBasicAuthDisabled = true;
    const answer = await call(`${root}/wiki/api/v2/spaces`, { headers: scoped });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain("Basic Authentication has been disabled on this instance");
    grant("fake-oauth-access-0002", ["read:space:confluence"]);
    const bearer = await call(`${root}/wiki/api/v2/spaces`, {
      headers: { authorization: "Bearer fake-oauth-access-0002" },
    });
    expect(bearer.status).toBe(200);
  });

  it("answers 404 for an unknown cloudId", async () => {
    const answer = await call(
      `${sim.origins.gateway}/ex/confluence/00000000-0000-0000-0000-000000000000/wiki/api/v2/spaces`,
      {
        headers: scoped,
      },
    );
    expect(answer.status).toBe(404);
  });

  it("serves a path without /wiki as the same path with it (Atlassian Community 2025-06; atlassian-python-api #1546)", async () => {
    const withWiki = await call(`${root}/wiki/rest/api/user/current`, { headers: scoped });
    const without = await call(`${root}/rest/api/user/current`, { headers: scoped });
    expect(without.status).toBe(200);
    expect((without.json as Json).accountId).toBe((withWiki.json as Json).accountId);
    expect((await call(`${root}/api/v2/spaces?keys=DOC`, { headers: scoped })).status).toBe(200);
    // the per-route scope check still applies (mark #917's granular token on a v1-only scope)
    const v2 = await call(`${root}/api/v2/pages`, { headers: scopedClassic });
    expect(v2.status).toBe(401);
    expect(v2.json).toEqual(mismatch);
    expect(v2.headers.get("x-failure-category")).toBe("FAILURE_CLIENT_SCOPE_CHECK");
  });
});

describe("gateway: scope check per route", () => {
  it("a classic-scoped token reaches v1 but gets the scope mismatch on v2", async () => {
    const v1 = await call(`${root}/wiki/rest/api/user/current`, { headers: scopedClassic });
    expect(v1.status).toBe(200);
    expect((v1.json as Json).accountId).toBe(sim.users.cloud.accountId);
    const v2 = await call(`${root}/wiki/api/v2/pages`, { headers: scopedClassic });
    expect(v2.status).toBe(401);
    expect(v2.json).toEqual(mismatch);
    expect(v2.headers.get("x-failure-category")).toBe("FAILURE_CLIENT_SCOPE_CHECK");
  });

  it("a granular token reaches v1 through the 'Beta' granular set", async () => {
    const search = await call(`${root}/wiki/rest/api/search?cql=type%3Dpage&limit=1`, { headers: scoped });
    expect(search.status).toBe(200);
  });

  it("a Bearer grant needs every scope of one family", async () => {
    grant("fake-oauth-narrow-0001", ["read:page:confluence"]);
    const headers = { authorization: "Bearer fake-oauth-narrow-0001" };
    expect((await call(`${root}/wiki/api/v2/pages/65538`, { headers })).status).toBe(200);
    const spaces = await call(`${root}/wiki/api/v2/spaces`, { headers });
    expect(spaces.status).toBe(401);
    expect(spaces.json).toEqual(mismatch);
    // upload needs read:content-details AND write:attachment (granular) or write:confluence-file (classic)
    grant("fake-oauth-half-0001", ["write:attachment:confluence"]);
    const upload = await call(`${root}/wiki/rest/api/content/65538/child/attachment`, {
      method: "POST",
      headers: { authorization: "Bearer fake-oauth-half-0001", "x-atlassian-token": "no-check" },
    });
    expect(upload.status).toBe(401);
    expect(upload.json).toEqual(mismatch);
  });

  it("checks scopes before answering 410 on a removed v1 route", async () => {
    grant("fake-oauth-v2only-0001", ["read:page:confluence"]);
    const answer = await call(`${root}/wiki/rest/api/space`, {
      headers: { authorization: "Bearer fake-oauth-v2only-0001" },
    });
    expect(answer.status).toBe(401);
  });
});

describe("gateway: removed v1 routes answer 410 Gone", () => {
  const gone = {
    statusCode: 410,
    data: { authorized: true, valid: true, errors: [], successful: true },
    message:
      "com.atlassian.confluence.api.service.exceptions.pagesmodes.GoneException: This deprecated endpoint has been removed.",
  };
  for (const [method, path] of [
    ["GET", "/wiki/rest/api/space?limit=1"],
    ["GET", "/wiki/rest/api/space/DOC"],
    ["GET", "/wiki/rest/api/content?spaceKey=DOC"],
    ["GET", "/wiki/rest/api/content/65538"],
    ["PUT", "/wiki/rest/api/content/65538"],
    ["DELETE", "/wiki/rest/api/content/65538"],
    ["GET", "/wiki/rest/api/content/65536/child/page"],
  ] as const) {
    it(`${method} ${path}`, async () => {
      const answer = await call(`${root}${path}`, { method, headers: scopedClassic });
      expect(answer.status).toBe(410);
      expect(answer.json).toEqual(gone);
    });
  }

  it("while the site still serves them with deprecation headers", async () => {
    const answer = await call(`${sim.origins.site}/wiki/rest/api/space/DOC`, {
      headers: { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken) },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("deprecation")).toBeTruthy();
    expect(answer.headers.get("link")).toContain('rel="deprecation"');
    expect((answer.json as Json).key).toBe("DOC");
  });
});

describe("gateway: accessible-resources and Jira stand-in", () => {
  it("lists the site for an OAuth Bearer token", async () => {
    grant("fake-oauth-access-0003", ["read:page:confluence", "offline_access"]);
    const answer = await call(`${sim.origins.gateway}/oauth/token/accessible-resources`, {
      headers: { authorization: "Bearer fake-oauth-access-0003" },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([
      {
        id: sim.cloudId,
        name: expect.any(String),
        url: sim.origins.site,
        scopes: ["read:page:confluence", "offline_access"],
        avatarUrl: expect.any(String),
      },
    ]);
  });

  it("refuses accessible-resources without a Bearer token", async () => {
    const answer = await call(`${sim.origins.gateway}/oauth/token/accessible-resources`, { headers: scoped });
    expect(answer.status).toBe(401);
  });

  it("answers /ex/jira/{cloudId}/rest/api/3/myself", async () => {
    grant("fake-oauth-jira-0001", ["read:jira-user"]);
    const answer = await call(`${sim.origins.gateway}/ex/jira/${sim.cloudId}/rest/api/3/myself`, {
      headers: { authorization: "Bearer fake-oauth-jira-0001" },
    });
    expect(answer.status).toBe(200);
    expect((answer.json as Json).accountId).toBe(sim.users.cloud.accountId);
    expect((answer.json as Json).emailAddress).toBe(sim.users.cloud.email);
  });
});

describe("gateway: pagination trap", () => {
  it("v2 next links stay relative to the origin, without /ex/confluence/{cloudId}", async () => {
    const first = await call(`${root}/wiki/api/v2/spaces/98305/pages`, { headers: scoped });
    const body = first.json as Json;
    expect(body.results).toHaveLength(25);
    expect(body._links.next).toMatch(/^\/wiki\/api\/v2\/spaces\/98305\/pages\?/);
    expect(body._links.next).not.toContain("/ex/confluence");
    expect(body._links.base).toBe(`${sim.origins.site}/wiki`);
    expect(first.headers.get("link")).toBe(
      `<${body._links.next}>; rel="next", <${sim.origins.site}/wiki>; rel="base"`,
    );
    // following it naively against the gateway origin misses the /ex/confluence prefix
    const naive = await call(`${sim.origins.gateway}${body._links.next}`, { headers: scoped });
    expect(naive.status).toBe(404);
  });
});
