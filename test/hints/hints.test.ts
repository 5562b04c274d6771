/**
 * Every error that carries a hint, built with realistic inputs, names only commands that run
 * (test/hints/check.ts): the diagnoses of a verification answer or failure (src/auth/diagnose.ts, the
 * main producer), for every kind, deployment and kind of profile (default, named, from the environment),
 * the HTTP errors and the strategies' missing-identity errors. The end-to-end side (every line the built
 * CLI prints in the suite's error paths) is recorded by the spawn helpers through test/hints/collect.ts.
 */
import { describe, expect, it } from "vitest";
import {
  anonymousAnswer,
  type DiagnoseContext,
  diagnoseError,
  diagnoseResponse,
  loginCommand,
  patOnCloud,
  scopedTokenOnSite,
} from "../../src/auth/diagnose.js";
import { createStrategy } from "../../src/auth/kinds/index.js";
import type { CredentialKind } from "../../src/auth/types.js";
import type { Profile } from "../../src/config/types.js";
import type { ConflError } from "../../src/errors.js";
import { httpErrorFromResponse, NetworkError, TimeoutError, TlsError } from "../../src/http/errors.js";
import { checkCommand, commandsIn } from "./check.js";

const SITE = "https://ada-corp.atlassian.net";
const DC = "https://confluence.ada-corp.internal/confluence";
const GATEWAY = "https://api.atlassian.com/ex/confluence/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/wiki/";

interface Case {
  name: string;
  d: DiagnoseContext;
}

function contexts(): Case[] {
  const out: Case[] = [];
  const base: Array<Omit<DiagnoseContext, "phase" | "profileName">> = [
    {
      kind: "api-token",
      deployment: "cloud",
      site: SITE,
      apiBase: `${SITE}/wiki/`,
      onGateway: false,
      email: "ada@ada-corp.com",
    },
    {
      kind: "scoped-token",
      deployment: "cloud",
      site: SITE,
      apiBase: GATEWAY,
      onGateway: true,
      email: "ada@ada-corp.com",
    },
    { kind: "pat", deployment: "dc", site: DC, apiBase: `${DC}/`, onGateway: false },
    { kind: "password", deployment: "dc", site: DC, apiBase: `${DC}/`, onGateway: false, username: "ada" },
    { kind: "cookie", deployment: "dc", site: DC, apiBase: `${DC}/`, onGateway: false },
    { kind: "oauth", deployment: "cloud", site: SITE, apiBase: GATEWAY, onGateway: true },
    { kind: "none", deployment: "dc", site: DC, apiBase: `${DC}/`, onGateway: false },
  ];
  for (const b of base) {
    for (const profileName of ["default", "work", "(environment)"]) {
      if (profileName === "(environment)" && (b.kind === "oauth" || b.kind === "none")) continue;
      for (const phase of ["identity", "content"] as const) {
        out.push({
          name: `${b.kind} on ${b.onGateway ? "gateway" : b.deployment}, profile ${profileName}, ${phase}`,
          d: { ...b, profileName, phase },
        });
      }
    }
  }
  return out;
}

function response(
  status: number,
  body: string,
  headers: Record<string, string> = {},
  path = "rest/api/user/current",
) {
  return { status, headers: new Headers(headers), bodyText: body, url: `${SITE}/wiki/${path}` };
}

const RESPONSES = [
  response(401, "", { "x-seraph-loginreason": "AUTHENTICATION_DENIED" }),
  response(401, "Basic authentication with passwords is deprecated. For more information, see: …"),
  response(403, '{"error":"Failed to parse Connect Session Auth Token"}'),
  response(403, '{"message":"Basic Authentication has been disabled on this instance."}'),
  response(401, '{"code":401,"message":"Unauthorized; scope does not match"}', {
    "x-failure-category": "FAILURE_CLIENT_SCOPE_CHECK",
  }),
  response(401, '{"code":401,"message":"Unauthorized; scope does not match"}', {}, "api/v2/spaces"),
  response(
    401,
    "<html><body>This request requires HTTP authentication because it lacks valid authentication credentials for that resource.</body></html>",
    { "content-type": "text/html" },
  ),
  response(200, "<!doctype html><html><title>Log in</title></html>", { "content-type": "text/html" }),
  response(302, "", { location: "https://sso.ada-corp.internal/login" }),
  response(403, "Current user not permitted to use Confluence"),
  response(401, '{"message":"Client must be authenticated to access this resource."}'),
  response(401, "<html>login</html>", { "content-type": "text/html" }),
  response(403, '{"message":"Forbidden"}'),
  response(404, '{"message":"Not found"}'),
  response(410, '{"message":"Gone"}'),
  response(500, '{"message":"boom"}'),
  response(418, '{"message":"teapot"}'),
];

function thrown(): unknown[] {
  const url = `${SITE}/wiki/rest/api/user/current`;
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" });
  return [
    new NetworkError(`GET ${url}: connection refused`, { url, method: "GET", networkCode: "ECONNREFUSED" }),
    new NetworkError(`GET ${url}: host not found`, { url, method: "GET", networkCode: "ENOTFOUND" }),
    new TlsError("unknown CA", { url, problem: "unknown_ca", networkCode: "SELF_SIGNED_CERT_IN_CHAIN" }),
    new TlsError("expired", { url, problem: "expired", networkCode: "CERT_HAS_EXPIRED" }),
    new TlsError("altname", { url, problem: "hostname_mismatch" }),
    new TimeoutError("timed out", { url, timeoutMs: 30_000 }),
    new TypeError("fetch failed", { cause: refused }),
    Object.assign(new Error("write EPROTO wrong version number"), { code: "ERR_SSL_WRONG_VERSION_NUMBER" }),
    new Error("socket hang up"),
  ];
}

/** Every command line in an error's message and hint, with what is wrong with each. */
function problemsOf(error: ConflError, profile?: string): Array<{ command: string; problems: string[] }> {
  return commandsIn(`${error.message}\n${error.hint ?? ""}`).map((found) => ({
    command: found.text,
    problems: checkCommand(found, { profile }),
  }));
}

const named = (d: DiagnoseContext) => (d.profileName === "work" ? "work" : undefined);
let checked = 0;

describe("diagnoses (src/auth/diagnose.ts)", () => {
  it.each(contexts())("%s: every answer's hint runs", ({ d }) => {
    const errors: ConflError[] = [];
    for (const res of RESPONSES) {
      const e = diagnoseResponse(res, d);
      if (e) errors.push(e);
    }
    for (const error of thrown()) errors.push(diagnoseError(error, d, {}));
    errors.push(
      diagnoseError(new NetworkError("proxy", { url: SITE, method: "GET", networkCode: "ECONNREFUSED" }), d, {
        HTTPS_PROXY: "http://proxy.ada-corp.internal:3128",
      }),
    );
    errors.push(anonymousAnswer(d, true), anonymousAnswer(d, false), scopedTokenOnSite(d), patOnCloud(d));
    errors.push(patOnCloud({ ...d, secretSource: "CONFLUENCE_PERSONAL_TOKEN" }));
    const broken = errors.flatMap((e) =>
      problemsOf(e, named(d))
        .filter((p) => p.problems.length > 0)
        .map((p) => ({ code: e.code, hint: e.hint, ...p })),
    );
    checked += errors.length;
    expect(broken).toEqual([]);
  });

  it("a login hint names the site, the identity and the profile it knew", () => {
    const d: DiagnoseContext = { ...contexts()[0]!.d, profileName: "work" };
    expect(loginCommand(d)).toBe(
      `confl auth login --profile work --site ${SITE} --type api-token --email ada@ada-corp.com --with-token`,
    );
    const hint = diagnoseResponse(RESPONSES[10]!, d)?.hint ?? "";
    expect(hint).toContain(`\`${loginCommand(d)}\``);
    // from the environment: a stored login would not win over the variables, so the variable is named
    const env = diagnoseResponse(RESPONSES[10]!, { ...d, profileName: "(environment)" })?.hint ?? "";
    expect(env).toContain("CONFLUENCE_API_TOKEN");
    expect(env).not.toContain("confl auth login");
  });

  it("checked a realistic number of errors", () => {
    expect(checked).toBeGreaterThan(500);
  });
});

describe("HTTP errors and strategies", () => {
  it("every HTTP status class's hint runs", () => {
    for (const status of [400, 401, 403, 404, 409, 410, 413, 429, 500, 503, 418]) {
      const e = httpErrorFromResponse({
        status,
        method: "GET",
        url: `${SITE}/wiki/rest/api/space`,
        headers: new Headers(),
        bodyText: status === 401 ? "scope does not match" : "",
      });
      expect(
        problemsOf(e).filter((p) => p.problems.length > 0),
        `${status}`,
      ).toEqual([]);
    }
  });

  it.each(["api-token", "password", "pat"] as CredentialKind[])(
    "a %s profile without its identity or secret: the hint runs",
    (kind) => {
      const profile: Profile = {
        name: "work",
        site: SITE,
        deployment: kind === "api-token" ? "cloud" : "dc",
        apiBase: `${SITE}/wiki/`,
        kind,
        secretStore: "keychain",
      };
      const secrets =
        kind === "api-token"
          ? [{ kind: "api-token" as const, token: "t".repeat(24) }, undefined]
          : kind === "password"
            ? [{ kind: "password" as const, password: "p".repeat(24) }, undefined]
            : [undefined];
      for (const secret of secrets) {
        let error: ConflError | undefined;
        try {
          createStrategy(profile, secret, {} as never);
        } catch (e) {
          error = e as ConflError;
        }
        expect(error).toBeDefined();
        expect(problemsOf(error!, "work").filter((p) => p.problems.length > 0)).toEqual([]);
      }
    },
  );
});

describe("the checker itself", () => {
  it.each([
    ["run: confl auth login --profile work --email <you@example.com> --with-token", "placeholder"],
    ["run confl auth login --profile (environment) --with-token", "placeholder"],
    ["pipe it: confl auth login ... --with-token < token.txt", "placeholder"],
    ["run confl auth login again", "does not parse"],
    ["run `confl auth login --type pat --with-token`", "--site is required"],
    ["run `confl auth login --site https://acme.atlassian.net --type pat --with-token`", "example value"],
    ["run `confl auth login --site https://x.example --type api-token --with-token`", "needs --email"],
    ["see 'confl pgae view --help'", undefined],
    ["run `confl page veiw 1`", "does not parse"],
    ["run `confl auth`", "names a group"],
  ])("%s → %s", (text, problem) => {
    const found = commandsIn(text);
    if (problem === undefined) {
      expect(found).toEqual([]);
      return;
    }
    expect(found.length).toBe(1);
    expect(checkCommand(found[0]!).join("; ")).toContain(problem);
  });

  it("accepts commands that run", () => {
    for (const text of [
      "hint: see 'confl page view --help' for usage",
      "hint: run: confl auth login   (or set CONFLUENCE_URL …)",
      "hint: run `confl auth login --profile dc --site https://ada.example/confluence --type pat --with-token`",
      "hint: printf '%s' \"$TOKEN\" | confl auth login --site https://x.example --type password --username ada --with-token",
      "hint: TOKEN=$(confl auth token)",
      "hint: log in with the site URL (confl auth login) rather than the API gateway URL",
      "confl: another confl process is holding the lock",
    ]) {
      for (const found of commandsIn(text)) expect(checkCommand(found), text).toEqual([]);
    }
  });
});
