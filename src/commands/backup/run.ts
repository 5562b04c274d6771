/**
 * `confl backup run <policyId> [--wait]`: starts a backup now (activates the policy) and, with --wait,
 * follows it until the policy reports a backup finished after the start.
 */
import type { Command } from "@commander-js/extra-typings";
import type { ActivationResult, BackupPolicy } from "../../atlassian/backup.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";

export interface RunOptions {
  policyId: string;
  orgId?: string | undefined;
  wait?: boolean;
  /** seconds between two checks while waiting */
  pollInterval?: number | undefined;
  /** minutes to wait at most */
  waitTimeout?: number | undefined;
}

export interface RunResult extends ActivationResult {
  policy?: BackupPolicy;
}

export async function run(options: RunOptions, ctx: Context): Promise<RunResult> {
  const [{ formatDuration }, { printFields }, { printJson }] = await Promise.all([
    import("../../http/errors.js"),
    import("../../output/fields.js"),
    import("../../output/json.js"),
  ]);
  const { activatePolicy, openBackupApi, requireOrgId, waitForBackup } = await import(
    "../../atlassian/backup.js"
  );
  const intervalMs = Math.round((options.pollInterval ?? 15) * 1000);
  const timeoutMs = Math.round((options.waitTimeout ?? 240) * 60_000);
  if (!(intervalMs > 0)) throw new UsageError("--poll-interval must be a positive number of seconds");
  if (!(timeoutMs > 0)) throw new UsageError("--wait-timeout must be a positive number of minutes");
  const orgId = requireOrgId(options.orgId, ctx.env);
  const api = await openBackupApi(ctx, orgId);
  const started = Date.now();
  const activation = await activatePolicy(api, options.policyId);
  const backup = activation.backups[0];
  const result: RunResult = { ...activation };
  if (!ctx.globals.json) {
    ctx.io.err(
      `started backup ${backup?.backupId ?? "(no id)"} of policy ${options.policyId}: ${backup?.status ?? "?"}`,
    );
  }
  if (options.wait) {
    // the backup's own creation time when Atlassian gives one (its clock), else ours
    const since = backup?.createdAt ? Math.min(Date.parse(backup.createdAt), started) : started;
    result.policy = await waitForBackup(api, options.policyId, Number.isNaN(since) ? started : since, {
      intervalMs,
      timeoutMs,
      onProgress: (elapsed) => {
        if (ctx.io.stderrIsTTY)
          ctx.io.stderr.write(`\rwaiting for the backup to finish… ${formatDuration(elapsed)}  `);
      },
    });
    if (ctx.io.stderrIsTTY) ctx.io.stderr.write("\n");
    if (!ctx.globals.json)
      ctx.io.err(`backup finished at ${result.policy.details?.backupDetails?.lastBackupTime ?? "?"}`);
  }
  if (ctx.globals.json) {
    printJson(ctx.io, result);
    return result;
  }
  printFields(ctx.io, [
    ["backup", backup?.backupId ?? ""],
    ["status", options.wait ? "COMPLETED" : (backup?.status ?? "")],
    ["product", backup?.product ?? ""],
    ["expires", backup?.expiryTime ?? ""],
  ]);
  return result;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`not a positive number: "${value}"`);
  return n;
}

export function register(backup: Command, getContext: ContextFactory): void {
  backup
    .command("run")
    .description("Start a backup now (activate a backup policy); --wait follows it to the end")
    .argument("<policyId>", "the policy's id")
    .option("--org-id <id>", "the organisation (also CONFL_ORG_ID)")
    .option("--wait", "wait until the backup has finished, with a progress line on a terminal")
    .option("--poll-interval <seconds>", "with --wait: seconds between two checks (default 15)", positive)
    .option(
      "--wait-timeout <minutes>",
      "with --wait: give up waiting after this long (default 240)",
      positive,
    )
    .addHelpText(
      "after",
      `
Activating a policy starts a backup at Atlassian; confl never retries it blindly (a second activation
would start a second backup). Ctrl-C stops waiting, not the backup.

Examples:
  $ confl backup run 7c1f2e3d --org-id 9a8b7c6d
  $ confl backup run 7c1f2e3d --org-id 9a8b7c6d --wait
  $ confl backup run 7c1f2e3d --org-id 9a8b7c6d --json`,
    )
    .action(async (policyId, opts, cmd) => {
      await run(
        {
          policyId,
          orgId: opts.orgId,
          wait: opts.wait === true,
          pollInterval: opts.pollInterval,
          waitTimeout: opts.waitTimeout,
        },
        getContext(cmd as unknown as Command),
      );
    });
}
