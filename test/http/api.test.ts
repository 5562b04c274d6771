import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ApiDeps, type ApiOptions, type Product, run } from "../../src/commands/api/request.js";
import { type Context, createContext } from "../../src/context.js";
import { ExitCode, UsageError } from "../../src/errors.js";
import { createHttpClient } from "../../src/http/client.js";
import type { HttpClientOptions } from "../../src/http/types.js";
import { createIOStreams } from "../../src/io/streams.js";
import { useSimulator } from "../support/context.js";
import { basicAuth, bearerAuth, fakeClock } from "./helpers.js";

const sim = useSimulator();
/** Jira through the gateway takes Jira scopes, which a Confluence scoped token lacks: an OAuth grant with them. */
const JIRA_GRANT = "fake-oauth-jira-grant-0001";

beforeAll(async () => {
  sim.tokens.grant({
    token: JIRA_GRANT,
    kind: "oauth",
    user: sim.users.cloud,
    scopes: ["read:jira-user"],
    expiresAt: Date.now() + 3_600_000,
  });
});
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

type Target = "site" | "gateway" | "dc";

function makeCtx(options: { tty?: boolean; stdin?: string } = {}) {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  if (options.tty) stdout.isTTY = true;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  stdin.end(options.stdin ?? "");
  const io = createIOStreams({ stdout, stderr, stdin, env: {} });
  const ctx: Context = createContext({
    io,
    env: {},
    globals: { json: false, debug: false, color: false, input: false },
    debug: () => {},
  });
  return {
    ctx,
    out: () => Buffer.concat(out).toString("utf8"),
    err: () => Buffer.concat(err).toString("utf8"),
  };
}

function deps(
  target: Target,
  seen: Array<{ product: Product; overrides: Partial<HttpClientOptions> }> = [],
): ApiDeps {
  return {
    async client(product, overrides) {
      seen.push({ product, overrides });
      const { cloud, dc } = sim.credentials;
      const base: Record<Target, Record<Product, string>> = {
        site: { confluence: `${sim.origins.site}/wiki/`, jira: `${sim.origins.site}/` },
        gateway: {
          confluence: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
          jira: `${sim.origins.gateway}/ex/jira/${sim.cloudId}/`,
        },
        dc: { confluence: `${sim.origins.dc}/`, jira: "" },
      };
      if (target === "dc" && product === "jira")
        throw new UsageError("Jira calls are only supported for Atlassian Cloud profiles");
      const auth =
        target === "dc"
          ? bearerAuth(dc.pat)
          : target === "gateway" && product === "jira"
            ? bearerAuth(JIRA_GRANT)
            : basicAuth(cloud.email, target === "site" ? cloud.apiToken : cloud.scopedToken);
      return createHttpClient({ apiBase: base[target][product], auth, env: {}, ...overrides });
    },
  };
}

async function api(target: Target, options: ApiOptions, io: { tty?: boolean; stdin?: string } = {}) {
  const c = makeCtx(io);
  const seen: Array<{ product: Product; overrides: Partial<HttpClientOptions> }> = [];
  let error: unknown;
  try {
    await run(options, c.ctx, deps(target, seen));
  } catch (e) {
    error = e;
  }
  return { out: c.out(), err: c.err(), error: error as (Error & { exitCode?: number }) | undefined, seen };
}

const targets: Target[] = ["site", "gateway", "dc"];
const prefix: Record<Target, () => string> = {
  site: () => "/wiki/",
  gateway: () => `/ex/confluence/${sim.cloudId}/wiki/`,
  dc: () => "/confluence/",
};

describe("confl api on site, gateway and DC", () => {
  it.each(targets)("%s: GET rest/api/user/current prints the raw JSON when piped", async (target) => {
    const r = await api(target, { endpoint: "rest/api/user/current" });
    expect(r.error).toBeUndefined();
    const body = JSON.parse(r.out);
    expect(body.displayName).toBeTruthy();
    expect(r.out).not.toContain("\n  ");
    expect(sim.log.at(-1)?.path).toBe(`${prefix[target]()}rest/api/user/current`);
  });

  it.each(targets)("%s: a pasted leading-slash path with the product prefix works", async (target) => {
    const pasted = target === "dc" ? "/confluence/rest/api/user/current" : "/wiki/rest/api/user/current";
    const r = await api(target, { endpoint: pasted });
    expect(r.error).toBeUndefined();
    expect(sim.log.at(-1)?.path).toBe(`${prefix[target]()}rest/api/user/current`);
  });

  it("pretty-prints JSON on a TTY", async () => {
    const r = await api("site", { endpoint: "rest/api/user/current" }, { tty: true });
    expect(r.out).toMatch(/^\{\n {2}"/);
  });

  it.each(targets)("%s: -f/-F on GET go into the query string, typed values as text", async (target) => {
    const r = await api(target, {
      endpoint: "rest/api/search",
      method: "GET",
      rawFields: ["cql=type=page"],
      fields: ["limit=2", "includeArchivedSpaces=false"],
    });
    expect(r.error).toBeUndefined();
    const path = sim.log.at(-1)!.path;
    const q = new URL(path, "http://x").searchParams;
    expect(q.get("cql")).toBe("type=page");
    expect(q.get("limit")).toBe("2");
    expect(q.get("includeArchivedSpaces")).toBe("false");
    expect(sim.log.at(-1)?.method).toBe("GET");
  });

  it.each(["site", "gateway"] as const)(
    "%s: fields on POST make a typed JSON body (v2 page create), -H is sent",
    async (target) => {
      const dir = mkdtempSync(join(tmpdir(), "confl-api-"));
      writeFileSync(join(dir, "body.html"), "<p>from a file</p>");
      const r = await api(target, {
        endpoint: "api/v2/pages",
        rawFields: [
          "spaceId=98305",
          "title=Created by confl api",
          "status=current",
          "body[representation]=storage",
        ],
        fields: [`body[value]=@${join(dir, "body.html")}`],
        headers: ["X-Test-Header: yes"],
      });
      expect(r.error).toBeUndefined();
      const entry = sim.log.at(-1)!;
      expect(entry.method).toBe("POST");
      expect(entry.headers["x-test-header"]).toBe("yes");
      expect(entry.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(entry.body)).toEqual({
        spaceId: "98305",
        title: "Created by confl api",
        status: "current",
        body: { representation: "storage", value: "<p>from a file</p>" },
      });
      expect(JSON.parse(r.out).title).toBe("Created by confl api");
    },
  );

  it("-F types: numbers, booleans, null, arrays with key[]", async () => {
    const r = await api("dc", {
      endpoint: "rest/api/content/1/label",
      method: "POST",
      fields: ["n=5", "f=1.5", "t=true", "z=null", "tags[]=a", "tags[]=b"],
    });
    expect(r.error?.name ?? "ok").toBeTruthy();
    expect(JSON.parse(sim.log.at(-1)!.body)).toEqual({ n: 5, f: 1.5, t: true, z: null, tags: ["a", "b"] });
  });

  it("--input - sends stdin as the body; -F key=@- reads stdin too", async () => {
    const body = JSON.stringify({
      type: "page",
      title: "From stdin",
      space: { key: "DOC" },
      body: { storage: { value: "<p>x</p>", representation: "storage" } },
    });
    const r = await api("dc", { endpoint: "rest/api/content", input: "-" }, { stdin: body });
    expect(r.error).toBeUndefined();
    expect(sim.log.at(-1)?.method).toBe("POST");
    expect(sim.log.at(-1)?.body).toBe(body);
    await api(
      "site",
      { endpoint: "rest/api/search", method: "GET", fields: ["cql=@-"] },
      { stdin: "type=page" },
    );
    expect(new URL(sim.log.at(-1)!.path, "http://x").searchParams.get("cql")).toBe("type=page");
  });

  it("--input <file> with -X PUT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-api-"));
    const file = join(dir, "in.json");
    writeFileSync(file, '{"hello":"world"}');
    await api("dc", { endpoint: "rest/api/content/1", method: "PUT", input: file });
    expect(sim.log.at(-1)?.method).toBe("PUT");
    expect(sim.log.at(-1)?.body).toBe('{"hello":"world"}');
  });

  it.each(targets)("%s: -i prints the status line and headers; --silent prints no body", async (target) => {
    const r = await api(target, { endpoint: "rest/api/user/current", include: true });
    expect(r.out).toMatch(/^HTTP\/1\.1 200 OK\n/);
    expect(r.out).toMatch(/\ncontent-type: application\/json/);
    expect(r.out).toMatch(/\n\n\{/);
    const s = await api(target, { endpoint: "rest/api/user/current", silent: true });
    expect(s.out).toBe("");
    const both = await api(target, { endpoint: "rest/api/user/current", silent: true, include: true });
    expect(both.out).toMatch(/^HTTP\/1\.1 200 OK\n[\s\S]*\n\n$/);
    expect(sim.log).toHaveLength(3);
  });

  it.each(["site", "gateway"] as const)("%s: --input - posts stdin to v2 as the raw body", async (target) => {
    const body = JSON.stringify({
      spaceId: "98305",
      status: "current",
      title: `From stdin on ${target}`,
      body: { representation: "storage", value: "<p>x</p>" },
    });
    const r = await api(target, { endpoint: "api/v2/pages", input: "-" }, { stdin: body });
    expect(r.error).toBeUndefined();
    const entry = sim.log.at(-1)!;
    expect(entry.method).toBe("POST");
    expect(entry.path).toBe(`${prefix[target]()}api/v2/pages`);
    expect(entry.body).toBe(body);
    expect(JSON.parse(r.out).title).toBe(`From stdin on ${target}`);
  });

  it.each([
    ["site", "api/v2/spaces/98305/pages"],
    ["gateway", "api/v2/spaces/98305/pages"],
    ["site", "rest/api/content"],
    ["dc", "rest/api/content"],
  ] as const)("%s: --paginate %s merges every page's results into one array", async (target, endpoint) => {
    const isV1 = endpoint.startsWith("rest/");
    const r = await api(target, {
      endpoint,
      paginate: true,
      rawFields: isV1 ? ["spaceKey=DOC"] : [],
      fields: ["limit=25"],
    });
    expect(r.error).toBeUndefined();
    const items = JSON.parse(r.out) as Array<{ id: string }>;
    expect(Array.isArray(items)).toBe(true);
    expect(items.length).toBeGreaterThan(50);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(sim.log.length).toBeGreaterThanOrEqual(3);
    expect(sim.log.every((e) => e.path.startsWith(prefix[target]()))).toBe(true);
  });

  it.each(["site", "gateway"] as const)(
    "%s: --product jira reaches Jira's root with the same credential",
    async (target) => {
      const r = await api(target, { endpoint: "rest/api/3/myself", product: "jira" });
      expect(r.error).toBeUndefined();
      expect(r.seen[0]?.product).toBe("jira");
      expect(JSON.parse(r.out).accountId).toBeTruthy();
      const expected = target === "site" ? "/rest/api/3/myself" : `/ex/jira/${sim.cloudId}/rest/api/3/myself`;
      expect(sim.log.at(-1)?.path).toBe(expected);
    },
  );

  it("--product jira on DC is a usage error", async () => {
    const r = await api("dc", { endpoint: "rest/api/2/myself", product: "jira" });
    expect(r.error?.exitCode).toBe(ExitCode.USAGE);
  });

  it("--rate-limit, --max-retries, --timeout, --ca-file and --insecure reach the client", async () => {
    const r = await api("site", {
      endpoint: "rest/api/user/current",
      rateLimit: 5,
      maxRetries: 1,
      timeout: 7.5,
      caFile: "/nonexistent/ca.pem",
    });
    expect(r.seen[0]?.overrides).toMatchObject({
      rateLimit: 5,
      maxRetries: 1,
      timeoutMs: 7500,
      tlsOverrides: { caFile: "/nonexistent/ca.pem" },
    });
    // the CA file is really used: it cannot be read, so the request fails before reaching the server
    expect(r.error?.message).toMatch(/cannot read CA file/);
    const insecure = await api("site", { endpoint: "rest/api/user/current", insecure: true });
    expect(insecure.seen[0]?.overrides.tlsOverrides).toEqual({ insecure: true });
  });

  it("--rate-limit paces a --paginate walk (injected clock)", async () => {
    const clock = fakeClock();
    const c = makeCtx();
    const viaSite = deps("site");
    await run(
      { endpoint: "api/v2/spaces/98305/pages", paginate: true, fields: ["limit=25"], rateLimit: 2 },
      c.ctx,
      {
        client: (product, overrides) =>
          viaSite.client(product, { ...overrides, sleep: clock.sleep, now: clock.now }),
      },
    );
    expect(sim.log).toHaveLength(3);
    expect(clock.sleeps).toEqual([500, 500]);
    expect(JSON.parse(c.out())).toHaveLength(63);
  });

  it("--timeout cuts a slow answer: a TimeoutError carrying the timeout", async () => {
    sim.fault({ server: "site", count: 1, fault: { type: "delay", ms: 1500 } });
    const r = await api("site", { endpoint: "rest/api/user/current", timeout: 0.1, maxRetries: 0 });
    expect(r.error?.name).toBe("TimeoutError");
    expect((r.error as unknown as { timeoutMs: number }).timeoutMs).toBe(100);
    expect(r.error?.message).toMatch(/no response within/);
  });

  it("a 429 asking for a wait beyond the cap: -i shows the 429, the error says until when", async () => {
    sim.rateLimit({ server: "site", count: 1, retryAfter: "99999" });
    const r = await api("site", { endpoint: "rest/api/user/current", include: true });
    expect(sim.log).toHaveLength(1);
    expect(r.out).toMatch(/^HTTP\/1\.1 429 Too Many Requests\n/);
    expect(r.out).toMatch(/\nretry-after: 99999\n/);
    expect(r.error?.name).toBe("RateLimitError");
    expect(r.error?.message).toMatch(/asks to wait 28 h \(until \d{4}-\d\d-\d\dT/);
    expect((r.error as unknown as { hint: string }).hint).toMatch(/^retry in 28 h/);
  });

  it("--max-retries 0 stops after one 429", async () => {
    sim.rateLimit({ count: 5, retryAfter: "1" });
    const r = await api("site", { endpoint: "rest/api/user/current", maxRetries: 0 });
    expect(r.error?.name).toBe("RateLimitError");
    expect(sim.log).toHaveLength(1);
  });

  it("a same-origin full URL is accepted; another origin is refused before any request", async () => {
    const ok = await api("site", { endpoint: `${sim.origins.site}/wiki/rest/api/user/current` });
    expect(ok.error).toBeUndefined();
    sim.clearLog();
    const bad = await api("site", {
      endpoint: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/rest/api/user/current`,
    });
    expect(bad.error).toBeInstanceOf(UsageError);
    expect(bad.error?.exitCode).toBe(ExitCode.USAGE);
    expect(bad.error?.message).toMatch(/refusing to send a request to .* it is not this profile's site/);
    expect(sim.log).toHaveLength(0);
  });

  it("exit codes: 404 → 1 with the body printed, 401/403 → 4", async () => {
    const nf = await api("site", { endpoint: "api/v2/pages/999999999" });
    expect(nf.error?.name).toBe("NotFoundError");
    expect(nf.error?.exitCode).toBe(1);
    expect(nf.out).toContain("errors");
    const c = makeCtx();
    const error = await run({ endpoint: "rest/api/user/current" }, c.ctx, {
      client: async () =>
        createHttpClient({
          apiBase: `${sim.origins.site}/wiki/`,
          auth: basicAuth(sim.credentials.cloud.email, "fake-wrong-token-0009"),
          env: {},
        }),
    }).catch((e) => e);
    expect([401, 403]).toContain(error.status);
    expect(error.exitCode).toBe(ExitCode.AUTH);
  });

  it("bad flags are usage errors", async () => {
    for (const options of [
      { endpoint: "x", rateLimit: 0 },
      { endpoint: "x", maxRetries: -1 },
      { endpoint: "x", timeout: 0 },
      { endpoint: "x", headers: ["no-colon"] },
      { endpoint: "x", rawFields: ["novalue"] },
      { endpoint: "x", method: "POST", paginate: true },
      { endpoint: "x", method: "GET", fields: ["a[b]=1"] },
    ] satisfies ApiOptions[]) {
      const r = await api("site", options);
      expect(r.error, JSON.stringify(options)).toBeInstanceOf(UsageError);
    }
    expect(sim.log).toHaveLength(0);
  });
});
