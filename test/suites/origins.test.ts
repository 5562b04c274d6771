/**
 * Issue 14, "Origins": property-based (fast-check, seeded, a fixed number of runs) request paths, next
 * links and redirect targets, drawn from an alphabet rich in `/ \ . % : @ ? # tab newline space` and
 * host-like fragments (the other origin's host:port, IPv4 shorthands, `localhost`, schemes). Two recording
 * servers (the profile's site and an "evil" second origin) say what actually went over the wire:
 * - every request carrying a credential (the strategy's Authorization and SSO header, or a `-H` header)
 *   goes to the profile's credential scope, or to the one fixed second origin a client declares, under
 *   its declared prefix, never elsewhere;
 * - a first request or a next link that resolves outside the scope is refused before a byte is sent;
 * - a redirect may leave the scope, but then carries no credential and no `-H` header, and a redirect back
 *   does not restore them;
 * - an https profile never follows a redirect (or a next link, or a path) to plain http.
 * Loopback only; every loop is bounded (numRuns, page caps, redirect limits).
 */

import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { UnsafeRequestError } from "../../src/http/errors.js";
import { fakeAuth, json, startHttpsServer, startServer, type TestServer } from "../http/helpers.js";
import { createPki, type Pki } from "../http/pki.js";

const TOKEN = "fake-origins-suite-token-7c41";
const SSO = "fake-origins-suite-sso-2b99";
/** What a user passes with -H: every one may be a credential. */
const USER_HEADERS = {
  "x-api-key": "fake-origins-suite-h-key-5d10",
  cookie: "JSESSIONID=fake-origins-jsess-0042",
};
const CREDENTIAL_HEADERS = ["authorization", "x-sso-session", "x-api-key", "cookie"];
/** A marker the evil origin puts on its redirects back to the site; no generated string contains it. */
const BACK = "zz-back-from-evil";
const RUNS = Number(process.env.CONFL_SUITE_RUNS ?? 250);
const SEED = 14_2026;

let site: TestServer;
let evil: TestServer;
let tlsSite: TestServer;
let pki: Pki;

/** The site: `hop-next?next=…` (body `_links.next`), `hop-link?next=…` (Link header), `hop-redirect?to=…`. */
function siteHandler(originOf: () => string) {
  return (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://x");
    const param = (name: string) => url.searchParams.get(name) ?? "";
    if (url.pathname.endsWith("/hop-next")) {
      json(res, 200, { results: [1], _links: { next: param("next") } });
      return;
    }
    if (url.pathname.endsWith("/hop-link")) {
      // a header carries no CR/LF/NUL and (in node) nothing beyond Latin-1: what a server can send
      const next = param("next").replace(/[^\t\x20-\x7e]/g, "");
      res.writeHead(200, { "content-type": "application/json", link: `<${next}>; rel="next"` });
      res.end(JSON.stringify({ results: [1] }));
      return;
    }
    if (url.pathname.endsWith("/hop-redirect")) {
      res.writeHead(Number(param("status") || 302), { location: param("to") });
      res.end();
      return;
    }
    json(res, 200, { results: [], at: originOf(), _links: {} });
  };
}

beforeAll(async () => {
  pki = createPki();
  evil = await startServer((req, res) => {
    // half of what reaches the evil origin is bounced back to the site's API: no credential may return
    if ((req.url ?? "").includes("1")) {
      res.writeHead(302, { location: `${site.origin}/confluence/rest/api/${BACK}` });
      res.end();
      return;
    }
    json(res, 200, { stolen: true });
  });
  site = await startServer(siteHandler(() => "site"));
  tlsSite = await startHttpsServer(
    { cert: pki.server.cert, key: pki.server.key },
    siteHandler(() => "tls"),
  );
}, 60_000);
afterAll(async () => {
  await evil?.close();
  await site?.close();
  await tlsSite?.close();
});
beforeEach(() => {
  evil.log.length = 0;
  site.log.length = 0;
  tlsSite.log.length = 0;
});

/** Fragments that, glued together, spell paths, URLs and hosts in every way the WHATWG parser reads them. */
function fragments(): string[] {
  const E = `127.0.0.1:${evil.port}`;
  const S = `127.0.0.1:${site.port}`;
  return [
    "/",
    "//",
    "\\",
    "\\\\",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    "%2f",
    "%5c",
    "%5C",
    "%40",
    "%3a",
    "%00",
    ":",
    "@",
    "?",
    "#",
    ";",
    "\t",
    "\n",
    "\r",
    " ",
    "\u0001",
    "\u001f",
    "\uff0e",
    "\u3002",
    "\uff0f",
    "~",
    E,
    S,
    `:${evil.port}`,
    `:${site.port}`,
    "127.0.0.1",
    "127.1",
    "0x7f.0.0.1",
    "2130706433",
    "0177.0.0.1",
    "\uff11\uff12\uff17.0.0.1",
    "localhost",
    "LOCALHOST",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "evil.example",
    "http:",
    "https:",
    "HTTP:",
    "hT\ttp:",
    "file:",
    "javascript:",
    "data:",
    "ftp:",
    `http://${E}`,
    `//${E}`,
    `\\\\${E}`,
    `/\\${E}`,
    `http://${S}@${E}`,
    `https://${S}`,
    `http://${S}`,
    "wiki",
    "confluence",
    "rest",
    "api",
    "v2",
    "ex",
    "jira",
    "cloud-id-1",
    "cloud-id-2",
    "user",
    "x",
    "1",
  ];
}

const pathArb = () => {
  const f = fragments();
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(fc.constantFrom(...f), { minLength: 1, maxLength: 10 }).map((a) => a.join("")),
    },
    // free text over the same alphabet, one character at a time
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.constantFrom(..."/\\.%:@?#\t\n 0123456789abcdefx:[]~;".split("")),
        maxLength: 24,
      }),
    },
  );
};

interface Deployment {
  name: string;
  apiBase: () => string;
  /** where this profile's credential may go */
  scope: () => string;
}

const DEPLOYMENTS: Deployment[] = [
  { name: "Cloud site", apiBase: () => `${site.origin}/wiki/`, scope: () => `${site.origin}/` },
  {
    name: "gateway",
    apiBase: () => `${site.origin}/ex/confluence/cloud-id-1/wiki/`,
    scope: () => `${site.origin}/ex/confluence/cloud-id-1/`,
  },
  {
    name: "DC /confluence",
    apiBase: () => `${site.origin}/confluence/`,
    scope: () => `${site.origin}/confluence/`,
  },
];

function client(apiBase: string, extra: { scope?: string[]; caFile?: string } = {}) {
  return createHttpClient({
    apiBase,
    auth: fakeAuth("alice@example.com", TOKEN, { customHeader: SSO }),
    maxRetries: 0,
    timeoutMs: 5_000,
    ...(extra.scope ? { scope: extra.scope } : {}),
    ...(extra.caFile ? { tls: { caFile: extra.caFile } } : {}),
  });
}

const carriesCredential = (headers: Record<string, string>) =>
  CREDENTIAL_HEADERS.some((h) => headers[h] !== undefined) ||
  JSON.stringify(headers).includes(TOKEN) ||
  JSON.stringify(headers).includes("fake-origins");

/** Every credential-bearing request any server received lies under one of `allowed` (URL prefixes). */
function expectCredentialsOnlyUnder(allowed: string[], label: string): void {
  const servers: Array<[string, TestServer]> = [
    ["site", site],
    ["evil", evil],
    ["tls", tlsSite],
  ];
  for (const [name, server] of servers) {
    for (const entry of server.log) {
      if (!carriesCredential(entry.headers)) continue;
      const url = `${server.origin}${entry.path}`;
      expect(
        allowed.some((prefix) => url.startsWith(prefix)),
        `${label}: ${name} got a credential on ${entry.path}`,
      ).toBe(true);
    }
  }
}

/** Where WHATWG URL (and so fetch) resolves `input` against `base`, or undefined when it cannot. */
function resolves(input: string, base: string): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}

describe("origins: generated first-request paths (createHttpClient)", () => {
  for (const d of DEPLOYMENTS) {
    it(`${d.name}: nothing leaves the credential scope; whatever resolves elsewhere is refused unsent`, async () => {
      const c = client(d.apiBase());
      let refused = 0;
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(pathArb(), async (path) => {
          site.log.length = 0;
          evil.log.length = 0;
          const outcome = await c.request({ path, headers: USER_HEADERS, throwOnError: false }).then(
            (r) => r.url,
            (e: unknown) => e as Error,
          );
          const label = `${d.name} ${JSON.stringify(path)}`;
          // nothing at all reaches another origin on a first request (no redirect involved)
          expect(evil.log, label).toHaveLength(0);
          for (const entry of site.log)
            expect(`${site.origin}${entry.path}`.startsWith(d.scope()), `${label}: sent ${entry.path}`).toBe(
              true,
            );
          if (typeof outcome === "string") {
            sent++;
            expect(outcome.startsWith(d.scope()), label).toBe(true);
          } else {
            refused++;
            expect(outcome, `${label}: ${outcome.message}`).toBeInstanceOf(UnsafeRequestError);
            // refused before a byte was sent
            expect(site.log, label).toHaveLength(0);
          }
          const naive = resolves(path, d.apiBase());
          if (naive && naive.origin !== site.origin)
            expect(typeof outcome, `${label} -> ${naive.href}`).not.toBe("string");
        }),
        { numRuns: RUNS, seed: SEED },
      );
      // the generator is not degenerate: both outcomes happen
      expect(refused).toBeGreaterThan(RUNS / 10);
      expect(sent).toBeGreaterThan(RUNS / 10);
    }, 60_000);
  }
});

describe("origins: generated next links (client.pages, body _links.next and Link header)", () => {
  for (const d of DEPLOYMENTS) {
    it(`${d.name}: a next link outside the scope is refused; nothing carries a credential elsewhere`, async () => {
      const c = client(d.apiBase());
      let followed = 0;
      await fc.assert(
        fc.asyncProperty(pathArb(), fc.constantFrom("hop-next", "hop-link"), async (next, hop) => {
          site.log.length = 0;
          evil.log.length = 0;
          const label = `${d.name} ${hop} ${JSON.stringify(next)}`;
          let pages = 0;
          try {
            for await (const _page of c.pages({
              path: `rest/api/${hop}`,
              query: { next },
              headers: USER_HEADERS,
            })) {
              if (++pages >= 3) break; // a next link that loops back to hop-* would go on for ever
            }
          } catch (error) {
            expect(error, label).toBeInstanceOf(Error);
          }
          if (site.log.length > 1) followed++;
          expect(evil.log, label).toHaveLength(0);
          for (const entry of site.log)
            expect(`${site.origin}${entry.path}`.startsWith(d.scope()), `${label}: sent ${entry.path}`).toBe(
              true,
            );
        }),
        { numRuns: RUNS, seed: SEED + 1 },
      );
      expect(followed).toBeGreaterThan(0);
    }, 60_000);
  }
});

describe("origins: generated redirect targets (Location)", () => {
  const headerSafe = (s: string) => s.replace(/[\r\n\u0000]/g, "").replace(/[^\t\x20-\x7e]/g, "");
  for (const d of DEPLOYMENTS) {
    it(`${d.name}: a redirect out of the scope drops the credential and every -H header, and a redirect back does not restore them`, async () => {
      const c = client(d.apiBase());
      let left = 0;
      await fc.assert(
        fc.asyncProperty(
          pathArb().map(headerSafe),
          fc.constantFrom(301, 302, 303, 307, 308),
          async (to, status) => {
            site.log.length = 0;
            evil.log.length = 0;
            const label = `${d.name} ${status} ${JSON.stringify(to)}`;
            await c
              .request({
                path: "rest/api/hop-redirect",
                query: { to, status: String(status) },
                headers: USER_HEADERS,
                throwOnError: false,
              })
              .catch(() => {});
            if (evil.log.length > 0) left++;
            expectCredentialsOnlyUnder([d.scope()], label);
            // a hop back from the evil origin arrives bare
            for (const entry of site.log)
              if (entry.path.includes(BACK)) expect(carriesCredential(entry.headers), label).toBe(false);
          },
        ),
        { numRuns: RUNS, seed: SEED + 2 },
      );
      expect(left).toBeGreaterThan(0);
    }, 60_000);
  }
});

describe("origins: https profiles never downgrade to http", () => {
  it("generated http:// targets as redirects, next links and paths: refused, the plain-http server gets nothing", async () => {
    const c = client(`${tlsSite.origin}/wiki/`, { caFile: pki.caFile });
    const hosts = () => [
      `127.0.0.1:${tlsSite.port}`,
      `127.0.0.1:${site.port}`,
      `localhost:${site.port}`,
      `127.1:${site.port}`,
    ];
    const target = fc
      .tuple(
        fc.constantFrom("http://", "HTTP://", "http:", "http:\\\\", " http://", "http:/\\"),
        fc.constantFrom(...hosts()),
        fc.array(fc.constantFrom("/", "wiki", "rest", "api", "..", "%2e", "?", "#", "x", "1"), {
          maxLength: 6,
        }),
      )
      .map(([scheme, host, rest]) => `${scheme}${host}/${rest.join("")}`);
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom("redirect", "next", "path"), async (url, how) => {
        site.log.length = 0;
        tlsSite.log.length = 0;
        const label = `${how} ${JSON.stringify(url)}`;
        let error: unknown;
        try {
          if (how === "redirect")
            await c.request({ path: "rest/api/hop-redirect", query: { to: url }, headers: USER_HEADERS });
          else if (how === "next")
            for await (const _p of c.pages({
              path: "rest/api/hop-next",
              query: { next: url },
              headers: USER_HEADERS,
            })) {
              if (tlsSite.log.length > 3) break;
            }
          else await c.request({ path: url, headers: USER_HEADERS });
        } catch (e) {
          error = e;
        }
        // the plain-http server (which also shares the https site's host) never hears from us
        expect(site.log, label).toHaveLength(0);
        if (error !== undefined) refused++;
        // a redirect or a path naming http:// is refused; a next link's origin is never used at all (only
        // its path and query, under the profile's own https root)
        if (how !== "next") expect(error, label).toBeInstanceOf(Error);
        for (const entry of tlsSite.log)
          expect(entry.path.startsWith("/wiki/") || entry.path === "/", label).toBe(true);
      }),
      { numRuns: Math.min(RUNS, 150), seed: SEED + 3 },
    );
    expect(refused).toBeGreaterThan(0);
  }, 60_000);
});

describe("origins: a declared second origin (createHttpClient's scope, as confl backup uses it)", () => {
  it("credentials reach the second origin only under its declared prefix, and the site not at all", async () => {
    const declared = `${evil.origin}/admin/v1/orgs/org-1/`;
    const c = client(declared, { scope: [declared] });
    let inside = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          pathArb(),
          pathArb().map((p) => `${declared}${p}`),
          pathArb().map((p) => `${evil.origin}/admin/v1/orgs/${p}`),
        ),
        async (path) => {
          site.log.length = 0;
          evil.log.length = 0;
          const label = JSON.stringify(path);
          await c.request({ path, headers: USER_HEADERS, throwOnError: false }).catch(() => {});
          for (const entry of evil.log) {
            const url = `${evil.origin}${entry.path}`;
            if (url.startsWith(declared)) inside++;
            if (!entry.path.includes(BACK))
              expect(url.startsWith(declared), `${label}: ${entry.path}`).toBe(true);
          }
          expect(
            site.log.filter((e) => carriesCredential(e.headers)),
            label,
          ).toHaveLength(0);
          expectCredentialsOnlyUnder([declared], label);
        },
      ),
      { numRuns: RUNS, seed: SEED + 4 },
    );
    expect(inside).toBeGreaterThan(RUNS / 10);
  }, 60_000);

  it("a site client with the second origin declared too: each credential request lands under one of the two prefixes", async () => {
    const declared = `${evil.origin}/admin/v1/`;
    const c = client(`${site.origin}/confluence/`, { scope: [`${site.origin}/confluence/`, declared] });
    await fc.assert(
      fc.asyncProperty(pathArb(), fc.constantFrom("path", "hop-next", "hop-redirect"), async (p, how) => {
        site.log.length = 0;
        evil.log.length = 0;
        const label = `${how} ${JSON.stringify(p)}`;
        try {
          if (how === "path") await c.request({ path: p, headers: USER_HEADERS, throwOnError: false });
          else if (how === "hop-next")
            for await (const _x of c.pages({
              path: "rest/api/hop-next",
              query: { next: p },
              headers: USER_HEADERS,
            })) {
              if (site.log.length + evil.log.length > 3) break;
            }
          else
            await c.request({
              path: "rest/api/hop-redirect",
              query: { to: p.replace(/[^\t\x20-\x7e]/g, "") },
              headers: USER_HEADERS,
              throwOnError: false,
            });
        } catch {
          // refused: fine, the servers' logs are the verdict
        }
        expectCredentialsOnlyUnder([`${site.origin}/confluence/`, declared], label);
      }),
      { numRuns: RUNS, seed: SEED + 5 },
    );
  }, 60_000);
});
