/**
 * Atlassian Backup and Restore's organisation-level backup-management API (v2) on api.atlassian.com
 * (confluence-api.md §6; https://developer.atlassian.com/cloud/backup-management-apis/rest/api-group-public).
 * Its rules: Basic auth with an account's email and API token (guides/authorization), the caller's account id
 * in `X-Atl-Account-Id` on every request, and "Forge and OAuth2 apps cannot access this REST resource".
 *
 * This is the one place where a Cloud site's credential goes to api.atlassian.com: the client's scope is the
 * organisation's backup-management prefix and nothing else, declared here, for this command only, so the
 * same origin, redirect and plain-http guards as every other request apply.
 *
 * Only the documented operations are used: GET a policy (with its backup details) and PUT activate. What a
 * second search of Atlassian's pages (issue 13) found, and why nothing more is built:
 * - rest/api-group-public (the reference, as stored): `PUT …/v2/orgs/{orgId}/policies/{policyId}/activate`,
 *   `GET …/v2/orgs/{orgId}/policies/{policyId}?storageDetails=&backupDetails=`, and "Update Backup policy for
 *   a site in an org" (PUT; its path and body are cut off in the stored page). No list of policies, list of
 *   backups, backup by id, restore or download operation appears in it.
 * - guides/versioning-pagination-and-data-retention: some v2 GET APIs page with `start` (page, not negative),
 *   `pageSize`, `sortOrder` (DESC default, or ASC) and `sortBy` (creation time); the list of which APIs is
 *   not in the stored page. Backups live in Atlassian's S3 for 30 days and come back "by initiating a restore
 *   using the Create restore API": no download is mentioned.
 * - v1-APIs/guides/old-api (v1, "will be deprecated"): storage operations relative to an unstated base
 *   (`POST orgs/{orgId}/storages/regions`, `POST orgs/{orgId}/storages`, `GET orgs/{orgId}/storages`).
 * So `policy list`, `backup list`, `backup view` and a download would each rest on a guessed path: not built.
 */
import { atlassianApiUrl } from "../auth/site-url.js";
import type { Context } from "../context.js";
import { AuthError, ConflError, ExitCode, UsageError } from "../errors.js";
import { HttpError } from "../http/errors.js";
import type { HttpClient } from "../http/types.js";

export interface BackupPolicy {
  policyId: string;
  policyName?: string;
  cloudInfo?: { cloudId?: string; cloudUrl?: string; cloudName?: string; encryptionType?: string };
  productType?: string;
  status?: string;
  includeAttachments?: boolean;
  includePersonalSpaces?: boolean;
  includeUsersAndGroups?: boolean;
  details?: {
    storageId?: string;
    backupDetails?: { lastBackupTime?: string; totalAvailableBackups?: number };
    scheduleDetails?: { interval?: string; startDate?: string; scheduleSlot?: string };
  };
  createdAt?: string;
  createdBy?: string;
}

export interface Backup {
  backupId: string;
  name?: string;
  cloudId?: string;
  product?: string;
  status?: string;
  statusMessage?: string;
  accountId?: string;
  expiryTime?: string;
  createdAt?: string;
  lastUpdatedAt?: string;
}

export interface ActivationResult {
  backups: Backup[];
  totalItems?: number;
}

export interface BackupApi {
  client: HttpClient;
  accountId: string;
  orgId: string;
}

/** The organisation: --org-id, else CONFL_ORG_ID. */
export function requireOrgId(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const orgId = (flag ?? env.CONFL_ORG_ID ?? "").trim();
  if (orgId === "")
    throw new UsageError("backup management needs the organisation id: --org-id or CONFL_ORG_ID", {
      code: "usage.org_id",
      hint: "it is in the address of admin.atlassian.com once you open your organisation: admin.atlassian.com/o/<orgId>/…",
    });
  if (!/^[A-Za-z0-9-]+$/.test(orgId))
    throw new UsageError(`not an organisation id: "${orgId}"`, {
      code: "usage.org_id",
      hint: "an organisation id is letters, digits and dashes",
    });
  return orgId;
}

/** An authenticated client for one organisation's backup-management API, or a clear refusal. */
export async function openBackupApi(ctx: Context, orgId: string): Promise<BackupApi> {
  const { resolveSession, clientForSession } = await import("../auth/session.js");
  const session = await resolveSession(ctx);
  const { profile } = session;
  if (profile.deployment !== "cloud")
    throw new UsageError(
      `backup management is an Atlassian Cloud organisation feature; profile "${profile.name}" is Data Center`,
      { code: "usage.backup_dc" },
    );
  if (profile.kind === "oauth" || profile.kind === "client-credentials")
    throw new AuthError(
      "Atlassian's backup-management API does not accept OAuth 2.0 or Forge apps, only an account's API token",
      {
        code: "auth.backup_kind",
        hint: `log in once more with an API token of an organisation admin: confl auth login --profile backup --site ${new URL(profile.site).host} --type api-token --email <your email> --with-token`,
      },
    );
  if (profile.kind !== "api-token" && profile.kind !== "scoped-token")
    throw new AuthError(
      `backup management needs an API token; profile "${profile.name}" uses ${profile.kind}`,
      {
        code: "auth.backup_kind",
        hint: `log in with an API token: confl auth login --profile backup --site ${new URL(profile.site).host} --type api-token --email <your email> --with-token`,
      },
    );

  // The account id comes from the verified identity: stored at login, else asked of the site now.
  let accountId = profile.identity?.accountId;
  if (!accountId) {
    const site = clientForSession(ctx, session);
    const me = await site.request<{ accountId?: string }>({ path: "rest/api/user/current" });
    accountId = me.data?.accountId;
  }
  if (!accountId)
    throw new AuthError("the site did not say which account this credential belongs to", {
      code: "auth.no_account_id",
      hint: "run confl auth status to check the credential",
    });

  const apiBase = `${atlassianApiUrl(ctx.env)}/public/backup-management/v2/orgs/${encodeURIComponent(orgId)}/`;
  // The fixed second origin of this command: the organisation's backup prefix, nothing wider.
  const client = clientForSession(ctx, session, { apiBase, scope: [apiBase] });
  return { client, accountId, orgId };
}

function headers(api: BackupApi): Record<string, string> {
  return { "x-atl-account-id": api.accountId };
}

/** What a refusal of this API means for the user; other errors pass through. */
function explain(error: unknown, api: BackupApi, what: string): never {
  if (error instanceof HttpError) {
    const said = error.atlassianMessage ? ` (Atlassian: "${error.atlassianMessage}")` : "";
    if (error.status === 404)
      throw new ConflError(`${what}: not found in organisation ${api.orgId}${said}`, {
        code: "backup.not_found",
        hint: "check --org-id and the policy id (admin.atlassian.com → Data management → Backup and restore); the organisation needs Atlassian Backup and Restore (Premium or Enterprise)",
      });
    if (error.status === 403)
      throw new AuthError(`${what}: refused${said}`, {
        code: "backup.forbidden",
        hint: "the account must be an organisation admin, and the organisation needs Atlassian Backup and Restore (Premium or Enterprise)",
      });
    if (error.status === 401)
      throw new AuthError(`${what}: the API token was not accepted${said}`, {
        code: "backup.unauthorized",
        hint: "the backup-management API takes an account's API token (Basic email:token); run confl auth status",
      });
  }
  throw error;
}

export async function getPolicy(
  api: BackupApi,
  policyId: string,
  options: { backupDetails?: boolean; storageDetails?: boolean } = {},
): Promise<BackupPolicy> {
  try {
    const response = await api.client.request<BackupPolicy>({
      path: `policies/${encodeURIComponent(policyId)}`,
      query: {
        ...(options.backupDetails ? { backupDetails: true } : {}),
        ...(options.storageDetails ? { storageDetails: true } : {}),
      },
      headers: headers(api),
    });
    return response.data;
  } catch (error) {
    explain(error, api, `backup policy ${policyId}`);
  }
}

/** Starts a backup now (PUT …/activate). Not idempotent in effect: never retried after a network error. */
export async function activatePolicy(api: BackupApi, policyId: string): Promise<ActivationResult> {
  try {
    const response = await api.client.request<ActivationResult>({
      method: "PUT",
      path: `policies/${encodeURIComponent(policyId)}/activate`,
      headers: headers(api),
      // PUT is idempotent for HTTP, but activating twice starts two backups: no blind retry on 5xx.
      idempotent: false,
    });
    return response.data;
  } catch (error) {
    explain(error, api, `backup policy ${policyId}`);
  }
}

export interface WaitOptions {
  /** between two reads of the policy */
  intervalMs: number;
  /** give up after this long */
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onProgress?: (elapsedMs: number) => void;
}

/**
 * Waits until the policy reports a backup at or after `since` (its backupDetails.lastBackupTime), the one
 * completion signal the documented API offers.
 */
export async function waitForBackup(
  api: BackupApi,
  policyId: string,
  since: number,
  options: WaitOptions,
): Promise<BackupPolicy> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  for (;;) {
    const policy = await getPolicy(api, policyId, { backupDetails: true });
    const last = policy.details?.backupDetails?.lastBackupTime;
    if (last !== undefined && Date.parse(last) >= since) return policy;
    const elapsed = now() - started;
    if (elapsed >= options.timeoutMs)
      throw new ConflError(
        `the backup of policy ${policyId} has not finished after ${Math.round(elapsed / 60_000)} min; it keeps running at Atlassian`,
        {
          code: "backup.wait_timeout",
          exitCode: ExitCode.FAILURE,
          hint: `check later: confl backup policy view ${policyId} --org-id ${api.orgId}`,
        },
      );
    options.onProgress?.(elapsed);
    await sleep(options.intervalMs);
  }
}
