import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { confl, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";

const _CLI = join(import.meta.dirname, "..", "..", "dist", "confl.mjs");

const sim = useSimulator();

/** The built CLI (test/support/context.ts), prompts allowed as the user would have them. */
function cli(args: string[], env: NodeJS.ProcessEnv, stdin = "") {
  return confl(args, { CONFL_NO_INPUT: undefined, ...env }, { stdin, timeoutMs: 20_000 });
}

describe("user failures, as typed", () => {
  it("confl auth login --site <cloud> --type pat --with-token < pat.txt", async () => {
    const run = await cli(
      ["auth", "login", "--site", sim.origins.site, "--type", "pat", "--with-token"],
      simEnv(sim),
      "fake-dc-pat-on-cloud-0001\n",
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("PATs are Data Center only: use api-token with --email");
    expect(run.stderr).not.toContain("fake-dc-pat-on-cloud-0001");
  });

  it("confl auth login --site <dc> --type api-token --email … --with-token < token.txt", async () => {
    const run = await cli(
      [
        "auth",
        "login",
        "--site",
        sim.origins.dc,
        "--type",
        "api-token",
        "--email",
        "grace@example.com",
        "--with-token",
      ],
      simEnv(sim),
      `${sim.credentials.dc.pat}\n`,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("API tokens are Cloud only: use a PAT");
  });

  it("confl auth login --site https://<host>:<plain-http port>/confluence --type pat --with-token", async () => {
    const run = await cli(
      [
        "auth",
        "login",
        "--site",
        sim.origins.dc.replace(/^http:/, "https:"),
        "--type",
        "pat",
        "--with-token",
      ],
      simEnv(sim),
      `${sim.credentials.dc.pat}\n`,
    );
    // no credential was judged: a failure (exit 1), like every network error (README, exit codes)
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the server did not answer TLS on this port");
    expect(run.stderr).not.toMatch(/does not trust|untrusted/i);
  });

  it("confl auth login --type bearer …", async () => {
    const run = await cli(
      ["auth", "login", "--site", sim.origins.dc, "--type", "bearer", "--with-token"],
      simEnv(sim),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown credential type "bearer": did you mean pat?');
  });

  it("confl auth login --site <cloud> --token fake-secret-in-argv-0002", async () => {
    const run = await cli(
      ["auth", "login", "--site", sim.origins.site, "--token", "fake-secret-in-argv-0002"],
      simEnv(sim),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("did you mean --with-token");
    expect(run.stderr).not.toContain("fake-secret-in-argv-0002");
  });

  it("CONFLUENCE_URL=<site> CONFLUENCE_EMAIL=… CONFLUENCE_API_TOKEN=<scoped> confl api rest/api/user/current", async () => {
    const run = await cli(
      ["api", "rest/api/user/current"],
      simEnv(sim, {
        CONFLUENCE_URL: sim.origins.site,
        CONFLUENCE_EMAIL: sim.credentials.cloud.email,
        CONFLUENCE_API_TOKEN: sim.credentials.cloud.scopedToken,
      }),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).accountId).toBe(sim.users.cloud.accountId);
    expect(run.stderr.match(/through the Atlassian API gateway/g)).toHaveLength(1);
  });

  it("CONFLUENCE_PERSONAL_TOKEN=… confl --profile work api rest/api/user/current (a leftover variable over a working profile)", async () => {
    const env = simEnv(sim);
    const loggedIn = await cli(
      [
        "--profile",
        "work",
        "auth",
        "login",
        "--site",
        sim.origins.dc,
        "--type",
        "pat",
        "--with-token",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      env,
      `${sim.credentials.dc.pat}\n`,
    );
    expect(loggedIn.code, loggedIn.stderr).toBe(0);
    const run = await cli(["--profile", "work", "api", "rest/api/user/current"], {
      ...env,
      CONFLUENCE_PERSONAL_TOKEN: "fake-leftover-pat-0002",
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('CONFLUENCE_PERSONAL_TOKEN overrides profile "work": unset it');
  });
});
