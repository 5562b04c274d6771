/**
 * Jira with the same Cloud credential (issue 13), through the built CLI against the simulator: `confl auth status
 * --product jira` and `--all-products` on the site and through the gateway (`/ex/jira/{cloudId}/`), with the
 * clear errors (a scoped Confluence token lacks Jira's scopes; a wrong token), and `confl api --product jira`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { confl } from "../commands/helpers.js";
import { useSimulator } from "../support/context.js";

const sim = useSimulator();

function env(token: string, url = sim.origins.site): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "confl-jira-"));
  return {
    CONFL_CONFIG_DIR: join(dir, "config"),
    HOME: dir,
    NETRC: join(dir, "netrc"),
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFLUENCE_URL: url,
    CONFLUENCE_EMAIL: sim.credentials.cloud.email,
    CONFLUENCE_API_TOKEN: token,
  };
}

interface Status {
  profiles: Array<{
    verified?: boolean;
    identity?: { accountId?: string };
    error?: { code: string; message: string; hint?: string };
    jira?: {
      verified: boolean;
      apiBase?: string;
      identity?: { accountId?: string; displayName?: string };
      error?: { code: string; message: string; hint?: string };
    };
  }>;
}

async function status(e: NodeJS.ProcessEnv, args: string[]) {
  const run = await confl(["--json", "auth", "status", ...args], e);
  return { ...run, json: JSON.parse(run.stdout) as Status };
}

const gateway = () => `${sim.origins.gateway}/ex/confluence/${sim.cloudId}`;

describe("auth status --product jira on Cloud", () => {
  it("a classic token on the site: Jira's myself on the same site answers with the same account", async () => {
    const { code, json, stderr } = await status(env(sim.credentials.cloud.apiToken), ["--product", "jira"]);
    expect(code, stderr).toBe(0);
    const jira = json.profiles[0]?.jira;
    expect(jira?.verified).toBe(true);
    expect(jira?.apiBase).toBe(`${sim.origins.site}/`);
    expect(jira?.identity?.accountId).toBe(sim.users.cloud.accountId);
    expect(sim.log.some((e) => e.server === "site" && e.path === "/rest/api/3/myself")).toBe(true);
    // only Jira was asked
    expect(sim.log.some((e) => e.path.includes("/wiki/rest/api/user/current"))).toBe(false);
  });

  it("--all-products checks both, and the human output has a jira row", async () => {
    const e = env(sim.credentials.cloud.apiToken);
    const { code, json } = await status(e, ["--all-products"]);
    expect(code).toBe(0);
    expect(json.profiles[0]?.verified).toBe(true);
    expect(json.profiles[0]?.identity?.accountId).toBe(sim.users.cloud.accountId);
    expect(json.profiles[0]?.jira?.verified).toBe(true);
    const human = await confl(["auth", "status", "--all-products"], e);
    expect(human.stdout).toMatch(/jira: {6}✓ Ada Lovelace at http:\/\/127\.0\.0\.1:\d+\//);
  });

  it("a scoped Confluence token through the gateway: Jira's scopes are named, exit 4", async () => {
    const { code, json, stderr } = await status(env(sim.credentials.cloud.scopedToken, gateway()), [
      "--product",
      "jira",
    ]);
    expect(code).toBe(4);
    const jira = json.profiles[0]?.jira;
    expect(jira?.verified).toBe(false);
    expect(jira?.apiBase).toBe(`${sim.origins.gateway}/ex/jira/${sim.cloudId}/`);
    expect(jira?.error?.code).toBe("auth.scope_mismatch");
    expect(jira?.error?.message).toContain("read:jira-user");
    expect(jira?.error?.hint).toMatch(/scoped API token serves one product/);
    expect(JSON.parse(stderr).error.message).toMatch(/does not work: the credential lacks Jira's scopes/);
  });

  it("--all-products with that token: Confluence works, Jira does not, exit 4", async () => {
    const { code, json } = await status(env(sim.credentials.cloud.scopedToken, gateway()), [
      "--all-products",
    ]);
    expect(code).toBe(4);
    expect(json.profiles[0]?.identity?.accountId).toBe(sim.users.cloud.accountId);
    expect(json.profiles[0]?.jira?.error?.code).toBe("auth.scope_mismatch");
  });

  it("a wrong token: Jira's refusal is a clear 'wrong, expired or revoked', exit 4", async () => {
    const { code, json } = await status(env("fake-wrong-cloud-token-0002"), ["--product", "jira"]);
    expect(code).toBe(4);
    expect(json.profiles[0]?.jira?.error?.code).toBe("auth.token_rejected");
    expect(json.profiles[0]?.jira?.error?.message).toMatch(/refused the credential for Jira \(401\)/);
  });

  it("Jira serves a failed Basic login anonymously with AUTHENTICATED_FAILED: not counted as logged in", async () => {
    sim.fault({
      pathPattern: /\/rest\/api\/3\/myself/,
      fault: {
        type: "status",
        status: 200,
        body: "{}",
        contentType: "application/json;charset=UTF-8",
      },
    });
    const { code, json } = await status(env(sim.credentials.cloud.apiToken), ["--product", "jira"]);
    expect(code).toBe(4);
    expect(json.profiles[0]?.jira?.error?.code).toBe("auth.anonymous");
  });
});

describe("confl api --product jira on Cloud", () => {
  it("searches Jira on the site with the Confluence credential", async () => {
    const run = await confl(
      [
        "api",
        "-X",
        "GET",
        "--product",
        "jira",
        "rest/api/3/search/jql",
        "-f",
        "jql=project = DOC",
        "-f",
        "maxResults=1",
      ],
      env(sim.credentials.cloud.apiToken),
    );
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as { issues: Array<{ key: string }> };
    expect(body.issues.map((i) => i.key)).toEqual(["DOC-1"]);
  });

  it("serverInfo says Cloud", async () => {
    const run = await confl(
      ["api", "--product", "jira", "rest/api/2/serverInfo"],
      env(sim.credentials.cloud.apiToken),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).deploymentType).toBe("Cloud");
  });
});
