/** `confl backup policy view <policyId>`: a backup policy with its last backup and schedule. */
import type { Command } from "@commander-js/extra-typings";
import type { BackupPolicy } from "../../atlassian/backup.js";
import type { Context, ContextFactory } from "../../context.js";

export interface PolicyViewOptions {
  policyId: string;
  orgId?: string | undefined;
}

export async function run(options: PolicyViewOptions, ctx: Context): Promise<BackupPolicy> {
  const [{ printFields }, { printJson }] = await Promise.all([
    import("../../output/fields.js"),
    import("../../output/json.js"),
  ]);
  const { getPolicy, openBackupApi, requireOrgId } = await import("../../atlassian/backup.js");
  const orgId = requireOrgId(options.orgId, ctx.env);
  const api = await openBackupApi(ctx, orgId);
  const policy = await getPolicy(api, options.policyId, { backupDetails: true, storageDetails: true });
  if (ctx.globals.json) {
    printJson(ctx.io, policy);
    return policy;
  }
  const backups = policy.details?.backupDetails;
  const schedule = policy.details?.scheduleDetails;
  printFields(ctx.io, [
    ["policy", policy.policyId],
    ["name", policy.policyName ?? ""],
    ["product", policy.productType ?? ""],
    ["status", policy.status ?? ""],
    ["site", policy.cloudInfo?.cloudUrl ?? policy.cloudInfo?.cloudName ?? ""],
    ["last backup", backups?.lastBackupTime ?? "none yet"],
    ["available backups", String(backups?.totalAvailableBackups ?? 0)],
    ["schedule", [schedule?.interval, schedule?.scheduleSlot].filter(Boolean).join(" ") || ""],
    ["attachments", policy.includeAttachments ? "included" : "not included"],
    ["users and groups", policy.includeUsersAndGroups ? "included" : "not included"],
  ]);
  return policy;
}

export function register(policy: Command, getContext: ContextFactory): void {
  policy
    .command("view")
    .description("Show a backup policy: product, status, last backup, schedule")
    .argument("<policyId>", "the policy's id (admin.atlassian.com → Data management → Backup and restore)")
    .option("--org-id <id>", "the organisation (also CONFL_ORG_ID)")
    .addHelpText(
      "after",
      `
Needs a Cloud profile with an API token of an organisation admin; the organisation needs Atlassian Backup
and Restore (Premium or Enterprise). OAuth 2.0 profiles are refused by Atlassian's API.

Examples:
  $ confl backup policy view 7c1f2e3d --org-id 9a8b7c6d
  $ CONFL_ORG_ID=9a8b7c6d confl backup policy view 7c1f2e3d --json`,
    )
    .action(async (policyId, opts, cmd) => {
      await run({ policyId, orgId: opts.orgId }, getContext(cmd as unknown as Command));
    });
}
