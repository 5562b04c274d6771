/**
 * `confl auth status --product jira` / `--all-products` (issue 13): Jira access for one profile, with the same
 * clear errors as Confluence's (src/jira/verify.ts). Never throws: a failure is part of the status.
 */
import type { AuthStrategy } from "../../auth/types.js";
import type { Profile } from "../../config/types.js";
import type { Context } from "../../context.js";
import { ConflError, ExitCode, type ExitCodeValue } from "../../errors.js";
import type { PatExpiry } from "../../jira/pat.js";
import type { JiraIdentity } from "../../jira/verify.js";
import { redactText } from "../../redact.js";

export interface JiraStatus {
  apiBase?: string;
  deployment?: string;
  kind?: string;
  /** where Data Center Jira's credential came from: the environment variable, or the profile's store */
  secretSource?: string;
  identity?: JiraIdentity;
  /** Data Center with a PAT: when it expires, as far as Jira says (src/jira/pat.ts) */
  pat?: PatExpiry;
  verified: boolean;
  /** a Data Center profile without Jira, asked with --all-products: said, not a failure */
  notConfigured?: boolean;
  error?: { code: string; message: string; hint?: string };
}

/** Each failed Jira status's exit code (not part of the JSON). */
export const jiraExitCodes = new WeakMap<object, ExitCodeValue>();

function info(error: unknown): NonNullable<JiraStatus["error"]> {
  if (error instanceof ConflError) {
    return {
      code: error.code,
      message: redactText(error.message),
      ...(error.hint ? { hint: redactText(error.hint) } : {}),
    };
  }
  return { code: "error", message: redactText(error instanceof Error ? error.message : String(error)) };
}

/**
 * `env` is the environment Jira's own credential may come from (JIRA_URL + JIRA_PERSONAL_TOKEN): the real one
 * for the profile commands use, one without them for the other stored profiles.
 */
export async function checkJira(
  ctx: Context,
  session: { profile: Profile; strategy: AuthStrategy },
  alongsideConfluence: boolean,
  env: NodeJS.ProcessEnv = ctx.env,
): Promise<JiraStatus> {
  const { environmentJira, jiraClient } = await import("../../jira/session.js");
  const { verifyJira } = await import("../../jira/verify.js");
  const status: JiraStatus = { verified: false, deployment: session.profile.deployment };
  try {
    const jiraCtx: Context = env === ctx.env ? ctx : { ...ctx, env };
    if (session.profile.deployment === "dc") {
      const fromEnv = environmentJira(env);
      if (fromEnv) status.secretSource = `environment variable ${fromEnv.variable}`;
      else if (session.profile.jira) status.secretSource = session.profile.jira.secretStore;
    }
    const { client, target } = await jiraClient(jiraCtx, session, { maxRetries: 1 });
    status.apiBase = target.apiBase;
    status.kind = target.kind;
    const { identity } = await verifyJira(client, target, env);
    status.identity = identity;
    status.verified = true;
    if (target.deployment === "dc" && target.kind === "pat") {
      const { jiraPatExpiry } = await import("../../jira/pat.js");
      const pat = await jiraPatExpiry(client);
      if (pat) status.pat = pat;
    }
  } catch (error) {
    status.error = info(error);
    if (error instanceof ConflError && error.code === "usage.jira_on_dc" && alongsideConfluence)
      status.notConfigured = true;
    jiraExitCodes.set(status, error instanceof ConflError ? error.exitCode : ExitCode.FAILURE);
  }
  return status;
}
