import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthStrategy } from "../../src/auth/types.js";
import { createHttpClient } from "../../src/http/client.js";
import { clearRegisteredSecrets } from "../../src/redact.js";
import { fakeClock, json, startProxy, startServer, type TestProxy, type TestServer } from "./helpers.js";

// Obvious fakes, each distinct so a leak names itself.
const CANARY = {
  token: "fake-canary-api-token-0101",
  cookie: "fake-canary-session-0102",
  custom: "fake-canary-sso-header-0103",
  queryToken: "fake-canary-query-token-0104",
  bodyPassword: "fake-canary-body-password-0105",
  proxyPassword: "fake-canary-proxy-password-0106",
  refreshed: "fake-canary-refreshed-0107",
  mediaJwt: "fake-canary-media-jwt-0108",
};

function canaryAuth(): AuthStrategy {
  let token = CANARY.token;
  return {
    kind: "cookie",
    describe: () => "canary",
    apply: async (r) => {
      r.headers.set("authorization", `Basic ${Buffer.from(`alice@example.com:${token}`).toString("base64")}`);
      r.headers.set("cookie", `JSESSIONID=${CANARY.cookie}`);
      r.headers.set("x-sso-session", CANARY.custom);
    },
    onUnauthorized: async () => {
      token = CANARY.refreshed;
      return true;
    },
    headerNames: ["authorization", "cookie", "x-sso-session"],
    secrets: () => [token, CANARY.cookie, CANARY.custom],
  };
}

let site: TestServer;
let media: TestServer;
let proxy: TestProxy;
let deadPort: number;

beforeAll(async () => {
  media = await startServer((_r, res) => json(res, 200, { binary: true }));
  let rateLimited = 0;
  site = await startServer((req, res) => {
    const url = req.url ?? "";
    if (url.startsWith("/wiki/download")) {
      res.writeHead(302, { location: `${media.origin}/file/1/binary?token=${CANARY.mediaJwt}` });
      res.end();
    } else if (url.startsWith("/wiki/ratelimited") && rateLimited++ === 0)
      json(res, 429, { message: "slow down" }, { "retry-after": "2" });
    else if (url.startsWith("/wiki/unavailable")) json(res, 503, { message: "down" });
    else if (url.startsWith("/wiki/slow")) {
      // never answers: a timeout
    } else if (url.startsWith("/wiki/stall")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"partial":');
    } else if (url.startsWith("/wiki/quota"))
      json(res, 429, { message: "Rate limit exceeded." }, { "retry-after": "99999" });
    else if (url.startsWith("/wiki/unauthorized")) json(res, 401, { code: 401, message: "Unauthorized" });
    else if (url.startsWith("/wiki/forbidden"))
      json(res, 403, { statusCode: 403, message: `echo ${req.headers.authorization} ${req.headers.cookie}` });
    else if (url.startsWith("/wiki/html")) {
      res.writeHead(200, {
        "content-type": "text/html",
        "set-cookie": `JSESSIONID=${CANARY.cookie}; Path=/`,
      });
      res.end("<html><head><title>Log in</title></head></html>");
    } else if (url.startsWith("/wiki/api/v2/list")) {
      const second = url.includes("cursor=");
      json(res, 200, { results: [1], _links: second ? {} : { next: `/wiki/api/v2/list?cursor=abc` } });
    } else json(res, 200, { ok: true }, { "set-cookie": `JSESSIONID=${CANARY.cookie}; Path=/; HttpOnly` });
  });
  proxy = await startProxy();
  const dead = await startServer(() => {});
  deadPort = dead.port;
  await dead.close();
});

afterAll(async () => {
  await site.close();
  await media.close();
  await proxy.close();
});

async function everyRequestKind(lines: string[], notices: string[], errors: string[]) {
  const clock = fakeClock();
  const make = (extra: Record<string, unknown> = {}) =>
    createHttpClient({
      apiBase: `${site.url}wiki/`,
      auth: canaryAuth(),
      debug: (l) => lines.push(l),
      notice: (l) => notices.push(l),
      sleep: clock.sleep,
      now: clock.now,
      env: {},
      ...extra,
    });
  const c = make();
  const record = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      const e = error as Error & { hint?: string; bodySnippet?: string; url?: string };
      errors.push([e.message, e.hint, e.bodySnippet, e.url, e.stack].join("\n"));
    }
  };
  await record(c.request({ path: "rest/api/user/current", query: { token: CANARY.queryToken } }));
  await record(
    c.request({ method: "POST", path: "rest/api/x", json: { password: CANARY.bodyPassword, title: "t" } }),
  );
  await record(c.request({ method: "PUT", path: "rest/api/x", body: `password=${CANARY.bodyPassword}&a=1` }));
  await record(c.request({ path: "ratelimited" }));
  await record(c.request({ path: "unavailable" }));
  await record(c.request({ method: "POST", path: "unavailable", json: {} }));
  await record(c.request({ path: "unauthorized" }));
  await record(c.request({ path: "forbidden" }));
  await record(c.request({ path: "html" }));
  await record(c.request({ path: "download/attachments/1/a.png", responseType: "bytes" }));
  for await (const _ of c.paginate({ path: "api/v2/list" })) {
    // drain
  }
  const proxied = make({
    env: { HTTP_PROXY: `http://proxyuser:${CANARY.proxyPassword}@127.0.0.1:${proxy.port}` },
  });
  await record(proxied.request({ path: "rest/api/user/current" }));
  const refused = make({ apiBase: `http://127.0.0.1:${deadPort}/wiki/`, maxRetries: 1 });
  await record(refused.request({ path: `rest/api/user/current?access_token=${CANARY.queryToken}` }));
  const offsite = make({ apiBase: "http://confluence.example.test/wiki/" });
  await record(offsite.request({ path: "rest/api/user/current" }));
}

function expectNoCanary(text: string) {
  for (const [name, value] of Object.entries(CANARY)) {
    expect(text.includes(value), `${name} leaked`).toBe(false);
    expect(
      text.includes(Buffer.from(value).toString("base64").replace(/=+$/, "")),
      `${name} leaked (base64)`,
    ).toBe(false);
  }
  expect(text).not.toContain(Buffer.from(`alice@example.com:${CANARY.token}`).toString("base64"));
}

describe("--debug output never contains a secret", () => {
  it("every request kind: retries, redirects, errors, refresh, pagination, proxy, network failures", async () => {
    const lines: string[] = [];
    const notices: string[] = [];
    const errors: string[] = [];
    await everyRequestKind(lines, notices, errors);
    const all = [...lines, ...notices, ...errors].join("\n");
    // the log is really there and really detailed
    expect(
      lines.some((l) =>
        /^→ GET http:\/\/127\.0\.0\.1:\d+\/wiki\/rest\/api\/user\/current\?token=\*\*\*$/.test(l),
      ),
    ).toBe(true);
    expect(lines).toContain("  authorization: Basic ***");
    expect(lines).toContain("  cookie: JSESSIONID=***");
    expect(lines).toContain("  x-sso-session: ***");
    expect(lines.some((l) => l.startsWith("retry: rate limited by"))).toBe(true);
    expect(lines.some((l) => l.includes("(outside the profile's site: credentials dropped)"))).toBe(true);
    expect(lines.some((l) => l.startsWith("auth: 401 received"))).toBe(true);
    expect(lines.some((l) => l.startsWith("  body: ") && l.includes('"password":"***"'))).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expectNoCanary(all);
  });

  it("more kinds: header and body timeouts, streamed and multipart uploads, a wait beyond the cap", async () => {
    const lines: string[] = [];
    const notices: string[] = [];
    const errors: string[] = [];
    const clock = fakeClock();
    const c = createHttpClient({
      apiBase: `${site.url}wiki/`,
      auth: canaryAuth(),
      debug: (l) => lines.push(l),
      notice: (l) => notices.push(l),
      sleep: clock.sleep,
      now: clock.now,
      env: {},
      timeoutMs: 100,
      maxRetries: 1,
    });
    const record = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (error) {
        const e = error as Error & { hint?: string; url?: string };
        errors.push([e.name, e.message, e.hint, e.url, e.stack].join("\n"));
      }
    };
    await record(c.request({ path: "slow", query: { access_token: CANARY.queryToken } }));
    await record(c.request({ method: "POST", path: "slow", json: { password: CANARY.bodyPassword } }));
    await record(c.request({ path: "stall", query: { token: CANARY.queryToken } }));
    await record(c.request({ path: "quota", query: { token: CANARY.queryToken } }));
    const form = new FormData();
    form.append("password", CANARY.bodyPassword);
    form.append("file", new Blob([`secret=${CANARY.bodyPassword}`]), "a.txt");
    await record(c.request({ method: "POST", path: "rest/api/content/1/child/attachment", body: form }));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`password=${CANARY.bodyPassword}`));
        controller.close();
      },
    });
    await record(c.request({ method: "PUT", path: "upload", body: stream }));
    const all = [...lines, ...notices, ...errors].join("\n");
    // the kinds really happened
    expect(errors.filter((e) => e.startsWith("TimeoutError"))).toHaveLength(3);
    expect(errors.some((e) => e.startsWith("RateLimitError") && /until/.test(e))).toBe(true);
    expect(lines).toContain("  body: <multipart form data>");
    expect(lines).toContain("  body: <stream>");
    expect(lines.some((l) => l.startsWith("✗ GET") && /\?access_token=\*\*\*/.test(l))).toBe(true);
    expectNoCanary(all);
  });

  it("still holds when nothing was registered (masking by header name and by key)", async () => {
    const lines: string[] = [];
    const notices: string[] = [];
    const errors: string[] = [];
    const auth = canaryAuth();
    auth.secrets = () => [];
    clearRegisteredSecrets();
    const c = createHttpClient({ apiBase: `${site.url}wiki/`, auth, debug: (l) => lines.push(l), env: {} });
    await c.request({ path: "rest/api/user/current", query: { access_token: CANARY.queryToken } });
    await c.request({ method: "POST", path: "x", json: { password: CANARY.bodyPassword } });
    expectNoCanary([...lines, ...notices, ...errors].join("\n"));
  });
});
