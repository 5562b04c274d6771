/**
 * Atlassian Backup and Restore's organisation-level backup-management API, v2, on api.atlassian.com
 * (confluence-api.md §6). Documented, and simulated as documented:
 * - https://developer.atlassian.com/cloud/backup-management-apis/guides/authorization : Basic auth,
 *   email + API token.
 * - https://developer.atlassian.com/cloud/backup-management-apis/rest/api-group-public :
 *   `PUT /public/backup-management/v2/orgs/{orgId}/policies/{policyId}/activate` → PublicApiBackupV2Response
 *   {backups:[{backupId, name, cloudId, product, status:"CREATED"|…, …}], totalItems};
 *   `GET /public/backup-management/v2/orgs/{orgId}/policies/{policyId}?storageDetails=&backupDetails=` →
 *   {policyId, policyName, cloudInfo{…}, productType, status, includeAttachments, …,
 *   details{storageId, backupDetails{lastBackupTime, totalAvailableBackups}, scheduleDetails{…}}, …};
 *   header `X-Atl-Account-Id` required; "Forge and OAuth2 apps cannot access this REST resource."
 * Not documented in what we could read, so chosen here (and named as such): the status codes and bodies of
 * the refusals (missing header 400, another account 403, OAuth 403, no Backup and Restore on the org 403,
 * unknown org or policy 404), and how long a backup takes (settings.backupPollsToComplete policy reads).
 */
import type { IncomingMessage } from "node:http";
import type { AuthState } from "./auth-rules.js";
import { parseAuthorization } from "./auth-rules.js";
import type { RouteResult } from "./router.js";

export const BACKUP_ORG_ID = "9f0e8d7c-org0-4b3a-9c1d-simulated000";
export const BACKUP_POLICY_ID = "policy-confluence-0001";

interface SimBackup {
  backupId: string;
  createdAt: number;
  /** policy reads left before it completes */
  pollsLeft: number;
  status: "CREATED" | "IN_PROGRESS" | "COMPLETED";
}

export interface BackupSim {
  backups: SimBackup[];
  lastBackupTime?: number;
  reset(): void;
}

export function createBackupSim(): BackupSim {
  const sim: BackupSim = {
    backups: [],
    reset() {
      sim.backups = [];
      delete sim.lastBackupTime;
    },
  };
  return sim;
}

const PREFIX = "/public/backup-management/v2/orgs/";

function refusal(status: number, message: string): RouteResult {
  return { status, json: { code: status, message } };
}

export function handleBackup(
  req: IncomingMessage,
  url: URL,
  state: AuthState,
  backup: BackupSim,
  site: { cloudId: string; origin: string },
): RouteResult {
  const match = /^\/public\/backup-management\/v2\/orgs\/([^/]+)\/policies\/([^/]+)(\/activate)?$/.exec(
    url.pathname,
  );
  if (!url.pathname.startsWith(PREFIX) || !match) return refusal(404, "Not Found");
  const [, orgId, policyId, activate] = match;
  const parsed = parseAuthorization(req);
  if (parsed.scheme === "bearer")
    return refusal(403, "Forge and OAuth2 apps cannot access this REST resource.");
  const cloud = state.credentials.cloud;
  const user = state.users.cloud;
  const validToken =
    parsed.scheme === "basic" &&
    parsed.user.toLowerCase() === cloud.email.toLowerCase() &&
    parsed.secret === cloud.apiToken &&
    !state.expired.has(parsed.secret);
  if (!validToken) return refusal(401, "Unauthorized");
  const accountId = req.headers["x-atl-account-id"];
  if (typeof accountId !== "string" || accountId === "")
    return refusal(400, "Required header X-Atl-Account-Id is missing");
  if (accountId !== user.accountId) return refusal(403, "The account does not match the credentials");
  if (orgId !== BACKUP_ORG_ID) return refusal(404, "Organization not found");
  if (!state.settings.backupAndRestore)
    return refusal(403, "Atlassian Backup and Restore is not available for this organization");
  if (policyId !== BACKUP_POLICY_ID) return refusal(404, "Backup policy not found");

  const now = state.now();
  if (activate) {
    if (req.method !== "PUT") return refusal(405, "Method Not Allowed");
    const created: SimBackup = {
      backupId: `backup-${backup.backups.length + 1}`,
      createdAt: now,
      pollsLeft: state.settings.backupPollsToComplete,
      status: "CREATED",
    };
    backup.backups.push(created);
    return {
      status: 200,
      json: { backups: [backupJson(created, site.cloudId, user.accountId)], totalItems: 1 },
    };
  }
  if (req.method !== "GET") return refusal(405, "Method Not Allowed");
  // each read of the policy moves running backups along
  for (const b of backup.backups) {
    if (b.status === "COMPLETED") continue;
    b.pollsLeft--;
    b.status = b.pollsLeft <= 0 ? "COMPLETED" : "IN_PROGRESS";
    if (b.status === "COMPLETED") backup.lastBackupTime = now;
  }
  const completed = backup.backups.filter((b) => b.status === "COMPLETED").length;
  const details: Record<string, unknown> = {
    scheduleDetails: { interval: "ONCE", startDate: new Date(0).toISOString(), scheduleSlot: "00:00-04:00" },
  };
  if (url.searchParams.get("storageDetails") === "true") details.storageId = "atlassian-storage-0001";
  if (url.searchParams.get("backupDetails") === "true")
    details.backupDetails = {
      ...(backup.lastBackupTime !== undefined
        ? { lastBackupTime: new Date(backup.lastBackupTime).toISOString() }
        : {}),
      totalAvailableBackups: completed,
    };
  return {
    status: 200,
    json: {
      policyId,
      policyName: "Confluence weekly",
      cloudInfo: {
        cloudId: site.cloudId,
        cloudUrl: site.origin,
        cloudName: "simulated-site",
        encryptionType: "CMK",
      },
      productType: "CONFLUENCE",
      status: "ACTIVE",
      includeAttachments: true,
      includePersonalSpaces: true,
      includeUsersAndGroups: true,
      details,
      createdAt: new Date(0).toISOString(),
      createdBy: user.accountId,
    },
  };
}

function backupJson(b: SimBackup, cloudId: string, accountId: string) {
  return {
    backupId: b.backupId,
    name: `Confluence backup ${b.backupId}`,
    cloudId,
    product: "CONFLUENCE",
    status: b.status,
    statusMessage: "",
    accountId,
    expiryTime: new Date(b.createdAt + 30 * 86_400_000).toISOString(),
    selections: ["USERS", "ATTACHMENTS"],
    backupSize: { usersSize: 0, dataSize: 0, attachmentsSize: 0, totalBackupSizeInGB: 0 },
    createdAt: new Date(b.createdAt).toISOString(),
    lastUpdatedAt: new Date(b.createdAt).toISOString(),
    storageId: "atlassian-storage-0001",
    encryptionType: "CMK",
  };
}
