/** The `backup` noun: Atlassian Backup and Restore's organisation backups (src/atlassian/backup.ts). */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerPolicyView } from "./policy-view.js";
import { register as registerRun } from "./run.js";

export function registerBackup(program: Command, getContext: ContextFactory): void {
  const backup = program
    .command("backup")
    .description("Organisation backups with Atlassian Backup and Restore (Cloud Premium/Enterprise)");
  const policy = backup.command("policy").description("Backup policies");
  registerPolicyView(policy, getContext);
  registerRun(backup, getContext);
}
