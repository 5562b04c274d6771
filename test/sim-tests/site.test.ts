import { beforeAll, describe, expect, it } from "vitest";
import { useSimulator } from "../support/context.js";
import { basic, call, type Json } from "./helpers.js";

const sim = useSimulator();
let auth: Record<string, string>;

beforeAll(async () => {
  auth = { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken) };
});

describe("Cloud site: public endpoints", () => {
  it("tenant_info answers exactly {cloudId} without a credential", async () => {
    const answer = await call(`${sim.origins.site}/_edge/tenant_info`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.text).toBe(JSON.stringify({ cloudId: sim.cloudId }));
    expect(sim.cloudId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("Cloud site: response headers", () => {
  it("stamps atl-traceid on every Cloud answer", async () => {
    const answer = await call(`${sim.origins.site}/wiki/rest/api/user/current`, { headers: auth });
    expect(answer.headers.get("atl-traceid")).toMatch(/^[0-9a-f]{32}$/);
    const refused = await call(`${sim.origins.site}/wiki/rest/api/user/current`);
    expect(refused.headers.get("atl-traceid")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("Cloud site: auth rules", () => {
  it("accepts a classic API token as Basic email:token", async () => {
    const answer = await call(`${sim.origins.site}/wiki/rest/api/user/current`, { headers: auth });
    expect(answer.status).toBe(200);
    expect((answer.json as Json).accountId).toBe(sim.users.cloud.accountId);
    expect((answer.json as Json).type).toBe("known");
  });

  it("refuses a scoped token on the site with Tomcat's 401 page, not the gateway's 'scope does not match' (Community 2025-06)", async () => {
    for (const anonymous of [false, true]) {
      sim.settings.cloudAnonymousAccess = anonymous;
      const answer = await call(`${sim.origins.site}/wiki/api/v2/spaces`, {
        headers: { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.scopedToken) },
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get("content-type")).toContain("text/html");
      expect(answer.text).toContain(
        "The request has not been applied to the target resource because it lacks valid authentication credentials for that resource.",
      );
      expect(answer.text).not.toContain("scope does not match");
      expect(answer.headers.get("x-failure-category")).toBeNull();
    }
  });

  it("answers an unreadable Basic header with Tomcat's 401 HTML and an OAuth challenge", async () => {
    for (const header of [
      "Basic !!!not-base64!!!",
      `Basic ${Buffer.from("no-colon-here").toString("base64")}`,
    ]) {
      const answer = await call(`${sim.origins.site}/wiki/rest/api/user/current`, {
        headers: { authorization: header },
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get("content-type")).toContain("text/html");
      expect(answer.text).toContain("HTTP Status 401");
      expect(answer.headers.get("www-authenticate")).toMatch(/^OAuth realm="/);
    }
  });

  it("answers a wrong token or no credential on a private site with the 403 'caller cannot access'", async () => {
    const expected = {
      statusCode: 403,
      message:
        'com.atlassian.confluence.mvc.rest.common.exception.StacklessResponseStatusException: 403 FORBIDDEN "Request rejected because caller cannot access Confluence"',
    };
    const wrong = await call(`${sim.origins.site}/wiki/rest/api/user/current`, {
      headers: { authorization: basic(sim.credentials.cloud.email, "fake-wrong-token-0000") },
    });
    const none = await call(`${sim.origins.site}/wiki/api/v2/spaces`);
    expect(wrong.status).toBe(403);
    expect(wrong.json).toEqual(expected);
    expect(none.status).toBe(403);
    expect(none.json).toEqual(expected);
  });

  it("serves a public site anonymously: user/current is anonymous, v2 content is 404", async () => {
    sim.settings.cloudAnonymousAccess = true;
    const wrong = { authorization: basic(sim.credentials.cloud.email, "fake-wrong-token-0000") };
    const me = await call(`${sim.origins.site}/wiki/rest/api/user/current`, { headers: wrong });
    expect(me.status).toBe(200);
    expect((me.json as Json).type).toBe("anonymous");
    const page = await call(`${sim.origins.site}/wiki/api/v2/pages/65538`, { headers: wrong });
    expect(page.status).toBe(404);
    expect(page.json).toEqual({
      errors: [{ status: 404, code: "NOT_FOUND", title: "Not Found", detail: null }],
    });
    const none = await call(`${sim.origins.site}/wiki/rest/api/user/current`);
    expect((none.json as Json).type).toBe("anonymous");
  });

  it("answers an expired token with 401 text/plain 'Client must be authenticated' and a challenge", async () => {
    for (const token of [sim.credentials.cloud.expiredApiToken, sim.credentials.cloud.apiToken]) {
      if (token === sim.credentials.cloud.apiToken) sim.expireToken(token);
      const answer = await call(`${sim.origins.site}/wiki/rest/api/user/current`, {
        headers: { authorization: basic(sim.credentials.cloud.email, token) },
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get("content-type")).toBe("text/plain");
      expect(answer.text).toBe("Client must be authenticated to access this resource.");
      expect(answer.headers.get("www-authenticate")).toMatch(/^OAuth realm=/);
    }
  });

  it("reset() restores an expired token", async () => {
    sim.expireToken(sim.credentials.cloud.apiToken);
    expect((await call(`${sim.origins.site}/wiki/rest/api/user/current`, { headers: auth })).status).toBe(
      401,
    );
    sim.reset();
    expect((await call(`${sim.origins.site}/wiki/rest/api/user/current`, { headers: auth })).status).toBe(
      200,
    );
  });

  it("answers the account password with the 'passwords are deprecated' 401", async () => {
    const answer = await call(`${sim.origins.site}/wiki/rest/api/user/current`, {
      headers: {
        authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.accountPassword!),
      },
    });
    expect(answer.status).toBe(401);
    expect(answer.text).toMatch(
      /^Basic authentication with passwords is deprecated\. {2}For more information/,
    );
  });

  it("refuses Basic when an admin disabled it", async () => {
    sim.settings.cloudBasicAuthDisabled = true;
    const answer = await call(`${sim.origins.site}/wiki/rest/api/user/current`, { headers: auth });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain("Basic Authentication has been disabled on this instance");
  });

  it("refuses an OAuth Bearer token on the site with 401", async () => {
    sim.tokens.grant({
      token: "fake-oauth-access-token-0001",
      kind: "oauth",
      user: sim.users.cloud,
      scopes: ["read:page:confluence"],
      expiresAt: Date.now() + 60_000,
    });
    const answer = await call(`${sim.origins.site}/wiki/api/v2/pages`, {
      headers: { authorization: "Bearer fake-oauth-access-token-0001" },
    });
    expect(answer.status).toBe(401);
  });

  it("answers a Bearer that is no Atlassian token (a PAT) with 403 'Failed to parse Connect Session Auth Token' (atlassian-python-api #1199)", async () => {
    const answer = await call(`${sim.origins.site}/wiki/rest/api/user/current`, {
      headers: { authorization: `Bearer ${sim.credentials.dc.pat}` },
    });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ error: "Failed to parse Connect Session Auth Token" });
  });

  it("refuses the download servlet to API-token Basic with an OAuth challenge (CHANGE-2735)", async () => {
    const answer = await call(`${sim.origins.site}/wiki/download/attachments/65538/diagram.png`, {
      headers: auth,
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe(`OAuth realm="${sim.origins.site}/wiki"`);
  });

  it("serves the Jira stand-in myself on the site to a classic token only", async () => {
    const ok = await call(`${sim.origins.site}/rest/api/3/myself`, { headers: auth });
    expect(ok.status).toBe(200);
    expect((ok.json as Json).accountId).toBe(sim.users.cloud.accountId);
    const bad = await call(`${sim.origins.site}/rest/api/3/myself`);
    expect(bad.status).toBe(401);
  });
});
