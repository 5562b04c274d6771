import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { UnsafeRequestError } from "../../src/http/errors.js";
import { isolatedEnv, confl as runConfl, useSimulator } from "../support/context.js";
import { fakeAuth, json, startServer, type TestServer } from "./helpers.js";

const TOKEN = "fake-origin-guard-token-0001";
const SSO = "fake-origin-guard-sso-0002";

let evil: TestServer;
let site: TestServer;

beforeAll(async () => {
  evil = await startServer((_req, res) => json(res, 200, { stolen: true }));
  site = await startServer((req, res) => {
    const path = req.url ?? "";
    if (path.includes("/hop-next")) {
      // a page whose next link is whatever the test put in the query
      const next = new URL(path, "http://x").searchParams.get("next") ?? "";
      return json(res, 200, { results: [{ id: 1 }], _links: { next } });
    }
    if (path.includes("/hop-redirect")) {
      const to = new URL(path, "http://x").searchParams.get("to") ?? "";
      res.writeHead(302, { location: to });
      res.end();
      return;
    }
    json(res, 200, { results: [], _links: {} });
  });
});
afterAll(async () => {
  await evil?.close();
  await site?.close();
});
beforeEach(() => {
  evil.log.length = 0;
  site.log.length = 0;
});

/** Hostile spellings of "another host"; `E` is the evil host:port, `S` the site's host:port. */
function hostileSpellings(E: string, S: string, evilPort: number): string[] {
  return [
    `http://${E}/steal`,
    `HTTP://${E}/steal`,
    `//${E}/steal`,
    `\\\\${E}/steal`,
    `\\/${E}/steal`,
    `/\\${E}/steal`,
    `/\\\\${E}/steal`,
    `/wiki///${E}/x`,
    `/wiki//${E}/x`,
    `/confluence///${E}/x`,
    `/confluence//${E}/x`,
    ` //${E}/x`,
    `  \\\\${E}/x`,
    `\t//${E}/x`,
    `/\t/${E}/x`,
    `\n//${E}/x`,
    `/\n/${E}/x`,
    `\u0001//${E}/x`,
    `\u001f\\\\${E}/x`,
    `ht\ttp://${E}/x`,
    `h\nttp://${E}/x`,
    `http:\\\\${E}/x`,
    `http:/\\${E}/x`,
    `http://${S}@${E}/x`,
    `http://${E}#@${S}/`,
    `http://${E}\\@${S}/`,
    `http://${E}?@${S}/`,
    `http://127.1:${evilPort}/x`,
    `http://0x7f.0.0.1:${evilPort}/x`,
    `http://2130706433:${evilPort}/x`,
    `http://0177.0.0.1:${evilPort}/x`,
    `http://127.0.0.1.:${evilPort}/x`,
    `http://\uff11\uff12\uff17.0.0.1:${evilPort}/x`,
    `http://localhost:${evilPort}/x`,
    `http://LOCALHOST:${evilPort}/x`,
    `http://[::ffff:127.0.0.1]:${evilPort}/x`,
    `https://${E}/x`,
    `http://${E}/x `,
    `//${E}\\x`,
    `\\\\\\${E}/x`,
    `http://${E}:${evilPort}x`,
    `http://user:pass@${S}/wiki/rest/api/user/current`,
    `http://${S}:80@${E}/x`,
    `javascript:alert(1)`,
    `file:///etc/passwd`,
    `data:text/plain,x`,
    `ftp://${E}/x`,
  ];
}

/** Paths that stay on the site but climb out of the API root (DC context path, the gateway's cloud id). */
const CLIMBS = [
  "../jira/rest/api/2/myself",
  "rest/../../jira/rest/api/2/myself",
  "rest/api/%2e%2e/%2e%2e/%2e%2e/jira/x",
  "rest/api/.%2E/.%2e/%2E./jira/x",
  "rest/api/..;/..;/..;/jira/x",
  "rest/api/..%2f..%2f..%2fjira/x",
  "rest/api/..%5c..%5c..%5cjira/x",
  "rest\\..\\..\\jira/x",
  "/..",
  "..",
  "./../x",
];

interface Deployment {
  name: string;
  apiBase: string;
  /** where the credential may go */
  scopePath: string;
}

const deployments = (): Deployment[] => [
  { name: "Cloud site", apiBase: `${site.origin}/wiki/`, scopePath: "/" },
  {
    name: "gateway",
    apiBase: `${site.origin}/ex/confluence/cloud-id-1/wiki/`,
    scopePath: "/ex/confluence/cloud-id-1/",
  },
  { name: "DC /confluence", apiBase: `${site.origin}/confluence/`, scopePath: "/confluence/" },
];

function expectNothingLeaked(scopePath: string) {
  for (const entry of evil.log) {
    expect(entry.headers.authorization, `evil got ${entry.path}`).toBeUndefined();
    expect(entry.headers["x-sso-session"]).toBeUndefined();
    expect(JSON.stringify(entry)).not.toContain(TOKEN);
  }
  for (const entry of site.log) {
    if (entry.path.startsWith(scopePath)) continue;
    expect(entry.headers.authorization, `site got ${entry.path} outside ${scopePath}`).toBeUndefined();
    expect(entry.headers["x-sso-session"]).toBeUndefined();
  }
}

describe("request paths: resolved as fetch will, then checked (client)", () => {
  it("at least 40 hostile spellings reach no other origin, on a Cloud site, the gateway and DC", async () => {
    const spellings = hostileSpellings(`127.0.0.1:${evil.port}`, `127.0.0.1:${site.port}`, evil.port);
    expect(spellings.length).toBeGreaterThanOrEqual(40);
    for (const d of deployments()) {
      const client = createHttpClient({
        apiBase: d.apiBase,
        auth: fakeAuth("alice@example.com", TOKEN, { customHeader: SSO }),
        maxRetries: 0,
      });
      site.log.length = 0;
      for (const path of spellings) {
        const outcome = await client.request({ path, throwOnError: false }).then(
          (r) => `sent ${r.url}`,
          (e: unknown) => e,
        );
        // Every spelling that names another host must be refused before anything is sent; the few the
        // parser reads as a path on the site itself are fine, as long as they stay in scope.
        if (typeof outcome === "string") {
          expect(new URL(outcome.slice(5)).origin, `${d.name}: ${JSON.stringify(path)}`).toBe(site.origin);
        } else {
          expect(outcome, `${d.name}: ${JSON.stringify(path)}`).toBeInstanceOf(UnsafeRequestError);
        }
      }
      expect(evil.log, d.name).toHaveLength(0);
      expectNothingLeaked(d.scopePath);
    }
  });

  it("paths that climb out of the DC context path or the gateway's cloud id are refused", async () => {
    const [, gateway, dc] = deployments() as [Deployment, Deployment, Deployment];
    const gatewayClimbs = [
      "../../cloud-id-2/wiki/rest/api/user/current",
      "../../../../oauth/token/accessible-resources",
      "rest/api/../../../../cloud-id-2/wiki/x",
      "rest/api/%2e%2e/%2e%2e/%2e%2e/%2e%2e/cloud-id-2/x",
      "rest/api/..;/x",
      `${site.origin}/ex/confluence/cloud-id-2/wiki/rest/api/space`,
      `${site.origin}/ex/jira/cloud-id-1/rest/api/3/myself`,
    ];
    for (const [d, climbs] of [
      [dc, CLIMBS],
      [gateway, gatewayClimbs],
    ] as const) {
      const client = createHttpClient({ apiBase: d.apiBase, auth: fakeAuth("a@example.com", TOKEN) });
      for (const path of climbs) {
        const outcome = await client.request({ path }).then(
          (r) => r.url,
          (e: unknown) => e,
        );
        expect(outcome, `${d.name}: ${path}`).toBeInstanceOf(UnsafeRequestError);
      }
      expect(site.log, d.name).toHaveLength(0);
    }
  });

  it("a climb that stays inside the site's context path is allowed", async () => {
    const client = createHttpClient({ apiBase: `${site.origin}/confluence/`, auth: fakeAuth() });
    const r = await client.request({ path: "rest/api/../api/space" });
    expect(r.status).toBe(200);
    expect(site.log[0]?.path).toBe("/confluence/rest/api/space");
  });

  it("hostile next links never take the credential elsewhere (body _links.next and Link header)", async () => {
    const spellings = [
      ...hostileSpellings(`127.0.0.1:${evil.port}`, `127.0.0.1:${site.port}`, evil.port),
      ...CLIMBS.map((c) => `/confluence/rest/api/${c}`),
    ];
    const client = createHttpClient({
      apiBase: `${site.origin}/confluence/`,
      auth: fakeAuth("a@example.com", TOKEN, { customHeader: SSO }),
      maxRetries: 0,
    });
    for (const next of spellings) {
      const pages = client.pages({ path: "rest/api/hop-next", query: { next } });
      try {
        for await (const _page of pages) {
          // drain: at most two pages, since the next link loops back or is refused
          if (site.log.length > 50) break;
        }
      } catch (error) {
        expect(error, JSON.stringify(next)).toBeInstanceOf(Error);
      }
    }
    expect(evil.log).toHaveLength(0);
    expectNothingLeaked("/confluence/");
  });

  it("hostile redirect targets: whatever is followed carries no credential outside the profile's API", async () => {
    const spellings = [
      ...hostileSpellings(`127.0.0.1:${evil.port}`, `127.0.0.1:${site.port}`, evil.port),
      `http://127.0.0.1:${site.port}/jira/rest/api/2/myself`,
      "/jira/rest/api/2/myself",
      "../../jira/x",
    ].filter((s) => /^[\t\x20-\x7e]*$/.test(s)); // what a header value can carry
    const client = createHttpClient({
      apiBase: `${site.origin}/confluence/`,
      auth: fakeAuth("a@example.com", TOKEN, { customHeader: SSO }),
      maxRetries: 0,
    });
    for (const to of spellings) {
      await client
        .request({ path: "rest/api/hop-redirect", query: { to }, throwOnError: false })
        .catch(() => {});
    }
    expectNothingLeaked("/confluence/");
    expect(site.log.some((e) => e.path.startsWith("/jira/"))).toBe(true);
  });
});

describe("confl api with hostile paths (built bundle, credential from the environment)", () => {
  const sim = useSimulator();

  /** The built CLI with a private config directory (test/support/context.ts). */
  function confl(args: string[], env: Record<string, string>) {
    return runConfl(args, isolatedEnv(env, "confl-origin-"));
  }

  it("every hostile spelling on DC (context path) and the Cloud site: exit 2 or a request on the site, never the other host", async () => {
    const dcHost = new URL(sim.origins.dc).host;
    const siteHost = new URL(sim.origins.site).host;
    const cases: Array<{ env: Record<string, string>; host: string; scope: string }> = [
      {
        env: { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat },
        host: dcHost,
        scope: new URL(sim.origins.dc).pathname.replace(/\/?$/, "/"),
      },
      {
        env: {
          CONFLUENCE_URL: sim.origins.site,
          CONFLUENCE_EMAIL: sim.credentials.cloud.email,
          CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
        },
        host: siteHost,
        scope: "/",
      },
    ];
    for (const c of cases) {
      const spellings = hostileSpellings(`127.0.0.1:${evil.port}`, c.host, evil.port).filter(
        (s) => !s.includes("\u0000"),
      );
      // four at a time: each is a whole confl process
      const queue = [...spellings];
      const worker = async () => {
        for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
          const r = await confl(["api", path], c.env);
          const label = `${c.host} ${JSON.stringify(path)}: ${r.stderr}`;
          expect([0, 1, 2, 4], label).toContain(r.code);
          expect(r.stderr, label).not.toMatch(/at .*\.mjs:\d+/);
          if (r.code === 2) expect(r.stderr, label).toMatch(/^confl: /);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      expect(evil.log, c.host).toHaveLength(0);
    }
    for (const entry of sim.log) {
      expect(JSON.stringify(entry.headers)).not.toContain("evil");
    }
  }, 120_000);

  it("climbing out of the DC context path exits 2 and sends nothing outside it", async () => {
    const env = { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat };
    const contextPath = new URL(sim.origins.dc).pathname.replace(/\/?$/, "/");
    for (const path of CLIMBS) {
      const r = await confl(["api", path], env);
      expect(r.code, `${path}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^confl: refusing to send a request to /m);
    }
    const outside = sim.log.filter((e) => e.server === "dc" && !e.path.startsWith(contextPath));
    for (const e of outside) expect(e.headers.authorization).toBeUndefined();
  }, 60_000);
});
