import { describe, expect, it } from "vitest";
import { detectSite, type Probe, type ProbeResult } from "../../src/auth/detect.js";
import { diagnoseError } from "../../src/auth/diagnose.js";
import { UsageError } from "../../src/errors.js";
import { NetworkError, TlsError } from "../../src/http/errors.js";

/** A probe that answers from a table and records what was asked. */
function tableProbe(table: Record<string, Partial<ProbeResult> | Error>): Probe & { asked: string[] } {
  const asked: string[] = [];
  const probe = (async (url: string) => {
    asked.push(url);
    const entry = table[url];
    if (entry instanceof Error) throw entry;
    if (!entry)
      return {
        status: 404,
        headers: new Headers({ "content-type": "text/html" }),
        text: "<html>nope</html>",
      };
    return {
      status: entry.status ?? 200,
      headers: entry.headers ?? new Headers({ "content-type": "application/json" }),
      text: entry.text ?? "",
    };
  }) as Probe & { asked: string[] };
  probe.asked = asked;
  return probe;
}

describe("detectSite", () => {
  it("*.atlassian.net is Cloud by its name; the cloud id still comes from tenant_info", async () => {
    const probe = tableProbe({
      "https://acme.atlassian.net/_edge/tenant_info": { text: '{"cloudId":"cid-9"}' },
    });
    const d = await detectSite("acme.atlassian.net/wiki/spaces/X", { env: {}, probe });
    expect(d).toEqual({
      deployment: "cloud",
      site: "https://acme.atlassian.net",
      apiBase: "https://acme.atlassian.net/wiki/",
      cloudId: "cid-9",
      evidence: "host name",
    });
  });

  it("Cloud on a custom domain is found through tenant_info (not misdetected as DC)", async () => {
    const probe = tableProbe({ "https://wiki.acme.com/_edge/tenant_info": { text: '{"cloudId":"cid-7"}' } });
    const d = await detectSite("https://wiki.acme.com/wiki/spaces/DOC/overview", { env: {}, probe });
    expect(d).toMatchObject({
      deployment: "cloud",
      site: "https://wiki.acme.com",
      apiBase: "https://wiki.acme.com/wiki/",
      cloudId: "cid-7",
    });
  });

  it("DC: the given context path first; a 401 from server-information still proves DC", async () => {
    const probe = tableProbe({
      "https://dc.example/confluence/rest/api/server-information": {
        status: 401,
        text: '{"statusCode":401}',
        headers: new Headers({
          "content-type": "application/json",
          "x-seraph-loginreason": "AUTHENTICATED_FAILED",
        }),
      },
    });
    const d = await detectSite("https://dc.example/confluence/display/DOC/Home", { env: {}, probe });
    expect(d).toMatchObject({
      deployment: "dc",
      site: "https://dc.example/confluence",
      apiBase: "https://dc.example/confluence/",
    });
    expect(probe.asked[0]).toBe("https://dc.example/_edge/tenant_info");
  });

  it("DC at a common context path when the user gave only the host (via /status)", async () => {
    const probe = tableProbe({ "https://dc.example/wiki/status": { text: '{"state":"RUNNING"}' } });
    const d = await detectSite("https://dc.example", { env: {}, probe });
    expect(d).toMatchObject({
      deployment: "dc",
      site: "https://dc.example/wiki",
      evidence: "status (RUNNING)",
    });
  });

  it("an HTML 200 (an SSO page) is not taken as proof of DC", async () => {
    const html = {
      status: 200,
      headers: new Headers({ "content-type": "text/html" }),
      text: "<html>login</html>",
    };
    const probe = tableProbe({
      "https://dc.example/rest/api/server-information": html,
      "https://dc.example/status": html,
    });
    await expect(detectSite("https://dc.example", { env: {}, probe })).rejects.toThrow(UsageError);
  });

  it("--deployment overrides probing", async () => {
    const probe = tableProbe({});
    const d = await detectSite("https://dc.example/confluence", { env: {}, probe, deployment: "dc" });
    expect(d).toMatchObject({
      deployment: "dc",
      apiBase: "https://dc.example/confluence/",
      evidence: "--deployment dc",
    });
    expect(probe.asked).toEqual([]);
    const c = await detectSite("https://wiki.acme.com", {
      env: {},
      probe,
      deployment: "cloud",
      cloudId: "given",
    });
    expect(c).toMatchObject({
      deployment: "cloud",
      cloudId: "given",
      apiBase: "https://wiki.acme.com/wiki/",
    });
    expect(probe.asked).toEqual([]);
  });

  it("a host that cannot be reached rethrows the network error (diagnosed by the caller)", async () => {
    const refused = new NetworkError("connection refused", {
      url: "https://dc.example/",
      method: "GET",
      networkCode: "ECONNREFUSED",
    });
    const probe = tableProbe({
      "https://dc.example/_edge/tenant_info": refused,
      "https://dc.example/rest/api/server-information": refused,
    });
    const error = await detectSite("https://dc.example", { env: {}, probe }).catch((e) => e);
    expect(error).toBe(refused);
    expect(probe.asked).toHaveLength(2);
  });
});

describe("diagnoseError on transport failures", () => {
  const d = {
    kind: "pat" as const,
    deployment: "dc" as const,
    site: "https://dc.example",
    apiBase: "https://dc.example/",
    onGateway: false,
    phase: "identity" as const,
  };
  it.each([
    [new TlsError("x", { url: "https://dc.example/", problem: "unknown_ca" }), {}, "auth.tls", /--ca-file/],
    [
      new TlsError("x", { url: "https://dc.example/", problem: "expired" }),
      {},
      "auth.tls",
      /check the site URL/,
    ],
    [
      new NetworkError("x", { url: "https://dc.example/", method: "GET", networkCode: "ENOTFOUND" }),
      {},
      "auth.dns",
      /typos/,
    ],
    [
      new NetworkError("x", { url: "https://dc.example/", method: "GET", networkCode: "ECONNREFUSED" }),
      {},
      "auth.connection_refused",
      /port/,
    ],
    [
      new NetworkError("x", { url: "https://dc.example/", method: "GET", networkCode: "ECONNREFUSED" }),
      { HTTPS_PROXY: "http://proxy:3128" },
      "auth.proxy",
      /HTTPS_PROXY/,
    ],
    [Object.assign(new Error("fetch failed"), { cause: { code: "EAI_AGAIN" } }), {}, "auth.dns", /network/],
  ])("%s", (error, env, code, hint) => {
    const diagnosed = diagnoseError(error, d, env as NodeJS.ProcessEnv);
    expect(diagnosed.code).toBe(code);
    expect(diagnosed.hint).toMatch(hint);
    // the network never judged the credential: a failure (exit 1), as on every command (README)
    expect(diagnosed.exitCode).toBe(1);
  });
});
