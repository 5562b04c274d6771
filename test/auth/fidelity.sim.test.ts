/**
 * Issue 10 "Protocol fidelity" items 2–5 and the user failures, against the simulator. Each test name holds
 * the command a user typed (or its environment), so a failure reads like the bug report it came from.
 */
import { writeFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { diagnoseResponse } from "../../src/auth/diagnose.js";
import { parseCredentialKind } from "../../src/auth/kinds/index.js";
import { resolveClient } from "../../src/auth/session.js";
import { run as login } from "../../src/commands/auth/login.js";
import { AuthError, type ConflError, UsageError } from "../../src/errors.js";
import { cloudLoginOptions, inProcessContext, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";

const sim = useSimulator();
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

const fails = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as ConflError,
  );

const withCredential = () => sim.log.filter((e) => e.headers.authorization || e.headers.cookie);

describe("item 2: OAuth and client credentials detect the deployment", () => {
  it("confl auth login --type oauth --site <dc>/confluence --with-token: a DC token stays on DC", async () => {
    const token = "fake-dc-oauth-access-0002";
    sim.tokens.grant({
      token,
      kind: "dc-oauth",
      user: sim.users.dc,
      scopes: ["WRITE"],
      expiresAt: Date.now() + 3_600_000,
    });
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: `${token}\n` });
    const result = await login(
      { site: `${sim.origins.dc}/display/DOC/Home`, type: "oauth", withToken: true, insecureStorage: true },
      t.ctx,
    );
    expect(result.profile).toMatchObject({ deployment: "dc", kind: "oauth", site: sim.origins.dc });
    expect(result.identity?.username).toBe(sim.users.dc.username);
    // nothing went to Atlassian's hosts
    expect(sim.log.filter((e) => e.server === "auth" || e.server === "gateway")).toEqual([]);
  });

  it("confl auth login --type client-credentials --site <dc> --client-id … --client-secret-stdin: DC's own token endpoint", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: `${sim.credentials.oauth.clientSecret}\n` });
    const result = await login(
      {
        site: sim.origins.dc,
        type: "client-credentials",
        clientId: sim.credentials.oauth.clientId,
        clientSecretStdin: true,
        insecureStorage: true,
      },
      t.ctx,
    );
    expect(result.profile).toMatchObject({ deployment: "dc", kind: "client-credentials" });
    expect(sim.log.some((e) => e.server === "dc" && e.path.endsWith("/rest/oauth2/latest/token"))).toBe(true);
    expect(sim.log.filter((e) => e.server === "auth")).toEqual([]);
  });
});

describe("item 3: a scoped token on the site URL", () => {
  it("the site's Tomcat 401 to a scoped token is diagnosed as a scoped token, not a bad one", async () => {
    const response = await fetch(`${sim.origins.site}/wiki/rest/api/user/current`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.credentials.cloud.email}:${sim.credentials.cloud.scopedToken}`).toString("base64")}`,
      },
    });
    const error = diagnoseResponse(
      {
        status: response.status,
        headers: response.headers,
        bodyText: await response.text(),
        url: response.url,
      },
      {
        kind: "api-token",
        deployment: "cloud",
        site: sim.origins.site,
        apiBase: `${sim.origins.site}/wiki/`,
        onGateway: false,
        phase: "identity",
      },
    );
    expect(error?.code).toBe("auth.scoped_token_on_site");
  });

  it("CONFLUENCE_URL=<site> CONFLUENCE_API_TOKEN=<scoped> confl api rest/api/user/current: the gateway, said once", async () => {
    const env = simEnv(sim, {
      CONFLUENCE_URL: sim.origins.site,
      CONFLUENCE_EMAIL: sim.credentials.cloud.email,
      CONFLUENCE_API_TOKEN: sim.credentials.cloud.scopedToken,
    });
    const t = inProcessContext(env);
    const client = await resolveClient(t.ctx);
    const first = await client.request<{ accountId: string }>({ path: "rest/api/user/current" });
    expect(first.data.accountId).toBe(sim.users.cloud.accountId);
    const second = await client.request<{ results: unknown[] }>({ path: "api/v2/spaces" });
    expect(second.status).toBe(200);
    const notes = t.err().match(/through the Atlassian API gateway/g) ?? [];
    expect(notes).toHaveLength(1);
    expect(t.err()).toContain("CONFLUENCE_API_TOKEN");
    expect(t.err()).toContain(`CONFLUENCE_URL=${sim.origins.gateway}/ex/confluence/${sim.cloudId}`);
    const viaGateway = sim.log.filter((e) => e.server === "gateway" && e.headers.authorization);
    expect(viaGateway.map((e) => e.path)).toEqual([
      `/ex/confluence/${sim.cloudId}/wiki/rest/api/user/current`,
      `/ex/confluence/${sim.cloudId}/wiki/api/v2/spaces`,
    ]);
  });

  it("a scoped token in ~/.netrc for the site (CONFLUENCE_URL=<site> confl api …) takes the gateway too", async () => {
    const env = simEnv(sim, { CONFLUENCE_URL: sim.origins.site });
    writeFileSync(
      env.NETRC as string,
      `machine 127.0.0.1 login ${sim.credentials.cloud.email} password ${sim.credentials.cloud.scopedToken}\n`,
      { mode: 0o600 },
    );
    const t = inProcessContext(env);
    const client = await resolveClient(t.ctx);
    const answer = await client.request<{ accountId: string }>({ path: "rest/api/user/current" });
    expect(answer.data.accountId).toBe(sim.users.cloud.accountId);
    expect(t.err()).toMatch(/refused the token in .*netrc .*through the Atlassian API gateway/);
  });

  it("CONFLUENCE_URL=https://api.atlassian.com/ex/confluence/<cloudId> (the README's form) works and confl sends /wiki", async () => {
    const env = simEnv(sim, {
      CONFLUENCE_URL: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}`,
      CONFLUENCE_EMAIL: sim.credentials.cloud.email,
      CONFLUENCE_API_TOKEN: sim.credentials.cloud.scopedToken,
    });
    const t = inProcessContext(env);
    const client = await resolveClient(t.ctx);
    expect((await client.request({ path: "api/v2/spaces" })).status).toBe(200);
    expect(sim.log.filter((e) => e.headers.authorization).map((e) => e.path)).toEqual([
      `/ex/confluence/${sim.cloudId}/wiki/api/v2/spaces`,
    ]);
    expect(t.err()).toBe("");
  });
});

describe("item 4: a PAT (Bearer) sent to Cloud", () => {
  it("confl auth login --site <cloud> --type pat --with-token: refused once Cloud is detected, nothing sent", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: "fake-dc-pat-on-cloud-0001\n" });
    const e = await fails(login({ site: sim.origins.site, type: "pat", withToken: true }, t.ctx));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe("PATs are Data Center only: use api-token with --email");
    expect(e.hint).toMatch(/--type api-token and --email/);
    expect(withCredential()).toEqual([]);
  });

  it("the site's 403 'Failed to parse Connect Session Auth Token' is diagnosed as a PAT on Cloud", async () => {
    const response = await fetch(`${sim.origins.site}/wiki/rest/api/user/current`, {
      headers: { authorization: "Bearer fake-dc-pat-on-cloud-0001" },
    });
    const error = diagnoseResponse(
      {
        status: response.status,
        headers: response.headers,
        bodyText: await response.text(),
        url: response.url,
      },
      {
        kind: "pat",
        deployment: "cloud",
        site: sim.origins.site,
        apiBase: `${sim.origins.site}/wiki/`,
        onGateway: false,
        phase: "identity",
      },
    );
    expect(error?.code).toBe("auth.pat_on_cloud");
    expect(error?.message).toMatch(/PATs are Data Center only/);
  });

  it("CONFLUENCE_URL=<cloud> CONFLUENCE_PERSONAL_TOKEN=… confl api …: named as the cause, nothing sent", async () => {
    const env = simEnv(sim, {
      CONFLUENCE_URL: sim.origins.site,
      CONFLUENCE_PERSONAL_TOKEN: "fake-dc-pat-on-cloud-0001",
    });
    const t = inProcessContext(env);
    const e = await fails(resolveClient(t.ctx));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe("auth.pat_on_cloud");
    expect(e.message).toContain("CONFLUENCE_PERSONAL_TOKEN");
    expect(e.hint).toMatch(/unset CONFLUENCE_PERSONAL_TOKEN/);
    expect(withCredential()).toEqual([]);
  });
});

describe("item 5: DC with Basic disabled", () => {
  it("confl auth login --site <dc> --type password --username alice --with-token <PAT>: retried as a PAT, which works", async () => {
    sim.settings.dcBasicAuthDisabled = true;
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: `${sim.credentials.dc.pat}\n` });
    const e = await fails(
      login(
        { site: sim.origins.dc, type: "password", username: sim.credentials.dc.username, withToken: true },
        t.ctx,
      ),
    );
    expect(e.code).toBe("auth.pat_as_basic");
    expect(e.hint).toMatch(/--type pat --with-token/);
  });

  it("confl auth login --site <dc> --type password … with a real password: Basic is disabled, the hint is a PAT", async () => {
    sim.settings.dcBasicAuthDisabled = true;
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: `${sim.credentials.dc.password}\n` });
    const e = await fails(
      login(
        { site: sim.origins.dc, type: "password", username: sim.credentials.dc.username, withToken: true },
        t.ctx,
      ),
    );
    expect(e.code).toBe("auth.basic_disabled");
    expect(e.hint).toMatch(/personal access token/);
    expect(e.hint).toMatch(/--type pat/);
  });
});

describe("wrong kind, right diagnosis", () => {
  it("confl auth login --site <cloud> --type scoped-token --email … --with-token <classic token>: used as api-token, and said", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: `${sim.credentials.cloud.apiToken}\n` });
    const result = await login(cloudLoginOptions(sim, "scoped-token"), t.ctx);
    expect(result.profile).toMatchObject({ kind: "api-token", apiBase: `${sim.origins.site}/wiki/` });
    expect(result.rerouted).toMatch(/classic API token/);
    expect(t.err()).toMatch(/note: .*classic API token/);
    // the secret is stored as what it is
    const { ctx } = inProcessContext(env);
    const client = await resolveClient(ctx);
    expect((await client.request({ path: "api/v2/spaces" })).status).toBe(200);
  });

  it("confl --profile work api rest/api/user/current with a leftover CONFLUENCE_PERSONAL_TOKEN: 'overrides profile work: unset it'", async () => {
    const base = simEnv(sim);
    const t = inProcessContext(base, { profile: "work", stdin: `${sim.credentials.dc.pat}\n` });
    await login({ site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true }, t.ctx);
    const env = { ...base, CONFLUENCE_PERSONAL_TOKEN: "fake-leftover-pat-0001" };
    const run = inProcessContext(env, { profile: "work" });
    const client = await resolveClient(run.ctx);
    const e = await fails(client.request({ path: "rest/api/user/current" }));
    expect(e.message).toContain('CONFLUENCE_PERSONAL_TOKEN overrides profile "work"');
    expect(e.hint).toMatch(/^CONFLUENCE_PERSONAL_TOKEN overrides profile "work": unset it/);
    // without the variable, the profile works
    const clean = await resolveClient(inProcessContext(base, { profile: "work" }).ctx);
    expect((await clean.request({ path: "rest/api/user/current" })).status).toBe(200);
  });

  it("confl auth login --site https://<host>:<plain-http port> --type pat: 'the server did not answer TLS on this port'", async () => {
    const env = simEnv(sim);
    const httpsToHttp = sim.origins.dc.replace(/^http:/, "https:");
    const t = inProcessContext(env, { stdin: `${sim.credentials.dc.pat}\n` });
    const e = await fails(login({ site: httpsToHttp, type: "pat", withToken: true }, t.ctx));
    expect(e.code).toBe("auth.not_tls");
    expect(e.message).toMatch(/the server did not answer TLS on this port/);
    expect(e.message).not.toMatch(/CA|certificate/);
  });
});

describe("did you mean", () => {
  it.each([
    ["bearer", /did you mean pat\?/],
    ["basic", /did you mean api-token .* or password/],
    ["apitoken", /did you mean api-token\?/],
    ["API_TOKEN", /did you mean api-token\?/],
    ["clientcredentials", /did you mean client-credentials\?/],
  ])("confl auth login --type %s", (type, suggestion) => {
    let error: unknown;
    try {
      parseCredentialKind(type);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(suggestion);
  });

  it("confl auth login --token fake-secret-in-argv-0001: points at --with-token on stdin, never echoes the value", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env);
    const e = await fails(login({ site: sim.origins.site, token: "fake-secret-in-argv-0001" }, t.ctx));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/did you mean --with-token/);
    expect(`${e.message} ${e.hint}`).not.toContain("fake-secret-in-argv-0001");
    expect(sim.log).toEqual([]);
  });
});
