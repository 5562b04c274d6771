/**
 * `confl backup policy view` and `confl backup run [--wait]` against the simulator's backup-management API
 * (sim/backup.ts, on the gateway origin as api.atlassian.com): Basic email:API token, X-Atl-Account-Id
 * from the verified identity, the fixed second origin (nothing else on api.atlassian.com gets the credential),
 * OAuth and Data Center profiles refused, clear messages for a missing org id, an unknown policy and an
 * organisation without Atlassian Backup and Restore.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useSimulator } from "../support/context.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

function cloudEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    CONFL_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), "confl-backup-")), "config"),
    CONFLUENCE_URL: sim.origins.site,
    CONFLUENCE_EMAIL: sim.credentials.cloud.email,
    CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    ...extra,
  };
}

const backupRequests = () =>
  sim.log.filter((e) => e.server === "gateway" && e.path.includes("/backup-management/"));

describe("confl backup (Cloud, API token from the environment)", () => {
  it("confl backup policy view <id> --org-id <org>: the policy, with X-Atl-Account-Id of the verified user", async () => {
    const r = await confl(
      ["backup", "policy", "view", sim.backup.policyId, "--org-id", sim.backup.orgId],
      cloudEnv(),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^policy:\tpolicy-confluence-0001$/m);
    expect(r.stdout).toMatch(/^last backup:\tnone yet$/m);
    const [request] = backupRequests();
    expect(request?.path).toBe(
      `/public/backup-management/v2/orgs/${sim.backup.orgId}/policies/${sim.backup.policyId}?backupDetails=true&storageDetails=true`,
    );
    expect(request?.headers["x-atl-account-id"]).toBe(sim.users.cloud.accountId);
    expect(request?.headers.authorization).toMatch(/^Basic /);
  });

  it("CONFL_ORG_ID=<org> confl backup run <id> --wait --json: activates once, waits for completion", async () => {
    const r = await confl(
      ["backup", "run", sim.backup.policyId, "--wait", "--poll-interval", "0.01", "--json"],
      cloudEnv({ CONFL_ORG_ID: sim.backup.orgId }),
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.backups[0].backupId).toBe("backup-1");
    expect(out.policy.details.backupDetails.totalAvailableBackups).toBe(1);
    const activations = backupRequests().filter((e) => e.method === "PUT");
    expect(activations).toHaveLength(1);
    expect(activations[0]?.path).toMatch(/\/policies\/policy-confluence-0001\/activate$/);
    // polled until done (the simulator completes after two reads)
    expect(backupRequests().filter((e) => e.method === "GET").length).toBe(2);
  });

  it("confl backup run <id> without --wait: one line on stderr, the backup's fields on stdout", async () => {
    const r = await confl(["backup", "run", sim.backup.policyId, "--org-id", sim.backup.orgId], cloudEnv());
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("started backup backup-1 of policy policy-confluence-0001: CREATED\n");
    expect(r.stdout).toMatch(/^backup:\tbackup-1$/m);
  });

  it("an activation that fails with a 5xx is not replayed (a second would start a second backup)", async () => {
    sim.fault({
      server: "gateway",
      pathPattern: /activate/,
      count: 1,
      fault: { type: "status", status: 503 },
    });
    const r = await confl(["backup", "run", sim.backup.policyId, "--org-id", sim.backup.orgId], cloudEnv());
    expect(r.code).toBe(1);
    expect(backupRequests().filter((e) => e.method === "PUT")).toHaveLength(1);
  });

  it("no org id: exit 2 naming --org-id and CONFL_ORG_ID, before any request", async () => {
    const r = await confl(["backup", "policy", "view", sim.backup.policyId], cloudEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^confl: backup management needs the organisation id: --org-id or CONFL_ORG_ID\nhint: /,
    );
    expect(sim.log).toHaveLength(0);
  });

  it("an unknown policy: exit 1 with what to check; an org without Backup and Restore: exit 4", async () => {
    const unknown = await confl(
      ["backup", "policy", "view", "no-such-policy", "--org-id", sim.backup.orgId],
      cloudEnv(),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^confl: backup policy no-such-policy: not found in organisation .*\nhint: .*Backup and Restore/,
    );
    sim.settings.backupAndRestore = false;
    const off = await confl(
      ["backup", "policy", "view", sim.backup.policyId, "--org-id", sim.backup.orgId],
      cloudEnv(),
    );
    expect(off.code).toBe(4);
    expect(off.stderr).toMatch(/refused \(Atlassian: "Atlassian Backup and Restore is not available/);
  });

  it("the credential goes to the backup prefix only: a hostile org id cannot move it elsewhere on the gateway", async () => {
    for (const orgId of ["../../../ex/confluence/x", "a/b", "%2e%2e"]) {
      const r = await confl(["backup", "policy", "view", sim.backup.policyId, "--org-id", orgId], cloudEnv());
      expect(r.code, orgId).toBe(2);
    }
    expect(sim.log.filter((e) => e.server === "gateway")).toHaveLength(0);
  });
});

describe("profiles the backup API refuses", () => {
  it("confl backup policy view with a DC PAT: exit 2, Cloud-only, no request to api.atlassian.com", async () => {
    const r = await confl(["backup", "policy", "view", sim.backup.policyId, "--org-id", sim.backup.orgId], {
      CONFL_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), "confl-backup-")), "config"),
      CONFLUENCE_URL: sim.origins.dc,
      CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat,
      CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^confl: backup management is an Atlassian Cloud organisation feature/);
    expect(sim.log.filter((e) => e.server === "gateway")).toHaveLength(0);
  });
});
