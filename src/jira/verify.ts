/**
 * Jira access with a profile's credential (issue 13): `GET rest/api/3/myself` on Cloud (the site, or
 * `/ex/jira/{cloudId}/` through the gateway), `GET rest/api/2/myself` on Data Center (Jira's own base URL and
 * credential). Judged like Confluence's identity call: a 2xx alone proves nothing (Jira serves failed Basic
 * logins anonymously with `X-Seraph-LoginReason: AUTHENTICATED_FAILED`), a CAPTCHA lock-out is
 * `AUTHENTICATION_DENIED` with `X-Authentication-Denied-Reason`, and the gateway's scope check names Jira's
 * scopes, not Confluence's.
 */
import { API_TOKEN_URL, diagnoseResponse, type ObservedResponse, seraphReasons } from "../auth/diagnose.js";
import type { CredentialKind } from "../auth/types.js";
import { observe } from "../auth/verify.js";
import type { Deployment } from "../config/types.js";
import { AuthError, ConflError } from "../errors.js";
import type { HttpClient } from "../http/types.js";
import { stripControls } from "../redact.js";

export interface JiraTarget {
  /** Jira's base as people know it: the Cloud site, or the Data Center base URL */
  site: string;
  /** the API root requests go to */
  apiBase: string;
  deployment: Deployment;
  kind: CredentialKind;
  onGateway: boolean;
  profileName?: string;
  email?: string;
  username?: string;
}

export interface JiraIdentity {
  displayName?: string;
  accountId?: string;
  /** Data Center: the user name (`name`) and key */
  username?: string;
  key?: string;
  emailAddress?: string;
}

/** The scopes GET /rest/api/3/myself needs (Jira Cloud OpenAPI, x-atlassian-oauth2-scopes). */
export const MYSELF_SCOPES_JIRA = {
  classic: "read:jira-user",
  granular: ["read:application-role:jira", "read:group:jira", "read:user:jira", "read:avatar:jira"],
};

export function jiraMyselfPath(deployment: Deployment): string {
  return deployment === "cloud" ? "rest/api/3/myself" : "rest/api/2/myself";
}

function profileFlag(t: JiraTarget): string {
  return t.profileName && t.profileName !== "default" && !t.profileName.startsWith("(")
    ? ` --profile ${t.profileName}`
    : "";
}

/** The login that replaces a Data Center Jira credential, runnable as printed (the secret on stdin). */
export function jiraLoginCommand(t: JiraTarget, kind: CredentialKind = t.kind): string {
  const user = kind === "password" ? (t.username ? ` --username ${t.username}` : " --username NAME") : "";
  return `confl auth login${profileFlag(t)} --product jira --site ${t.site} --type ${kind}${user} --with-token`;
}

/** Jira's answer to the identity call, judged. Undefined when it names a real user. */
export function diagnoseJira(res: ObservedResponse, t: JiraTarget): ConflError | undefined {
  const reasons = seraphReasons(res.headers);
  const denied = res.headers.get("x-authentication-denied-reason");
  if (reasons.includes("AUTHENTICATION_DENIED") || denied) {
    // "CAPTCHA_CHALLENGE; login-url=https://jira.example.com/login.jsp"
    const loginUrl = /login-url=(\S+)/.exec(denied ?? "")?.[1] ?? t.site;
    return new AuthError(
      `Jira at ${t.site} locked this account behind a CAPTCHA after too many failed logins${denied ? ` (${stripControls(denied.split(";")[0] ?? "")})` : ""}`,
      {
        code: "auth.captcha",
        hint: `log in once in a browser at ${stripControls(loginUrl)} (solving the CAPTCHA), then try again; a Jira personal access token (--type pat) is never locked out this way`,
      },
    );
  }
  const scopeCheck =
    /FAILURE_CLIENT_SCOPE_CHECK/i.test(res.headers.get("x-failure-category") ?? "") ||
    /scope does not match/i.test(res.bodyText);
  if (res.status === 401 && scopeCheck) {
    const scopes = `${MYSELF_SCOPES_JIRA.classic} (classic) or ${MYSELF_SCOPES_JIRA.granular.join(", ")} (granular)`;
    return new AuthError(`the credential lacks Jira's scopes: reading your Jira user needs ${scopes}`, {
      code: "auth.scope_mismatch",
      hint:
        t.kind === "oauth" || t.kind === "client-credentials"
          ? `add ${MYSELF_SCOPES_JIRA.classic} to the app (Permissions → Jira API) and log in again with --scopes listing it beside the Confluence scopes (see 'confl auth login --help')`
          : `a scoped API token serves one product: Jira needs a token created for Jira with ${MYSELF_SCOPES_JIRA.classic} at ${API_TOKEN_URL}, or a classic API token for both`,
    });
  }
  if (reasons.includes("AUTHENTICATED_FAILED") || (res.status === 401 && t.deployment === "dc")) {
    return new AuthError(
      t.kind === "pat"
        ? `Jira at ${t.site} rejected the personal access token: wrong, expired or revoked (Jira PATs are not Confluence's)`
        : `Jira at ${t.site} rejected the ${t.kind === "password" ? "username or password" : "credential"}`,
      {
        code: t.kind === "pat" ? "auth.token_rejected" : "auth.wrong_password",
        hint:
          t.deployment === "dc"
            ? `create a token in Jira (Profile → Personal Access Tokens) and run \`${jiraLoginCommand(t, t.kind === "password" ? "password" : "pat")}\``
            : `check the email and API token; create a token at ${API_TOKEN_URL} and run \`confl auth login${profileFlag(t)}\` again`,
      },
    );
  }
  if (res.status === 401 && t.deployment === "cloud" && !t.onGateway) {
    return new AuthError(
      t.kind === "scoped-token"
        ? "a scoped API token only works through the Atlassian API gateway, not on the site URL"
        : `${t.site} refused the credential for Jira (401): it is wrong, expired or revoked`,
      {
        code: t.kind === "scoped-token" ? "auth.scoped_token_on_site" : "auth.token_rejected",
        hint: `create a token at ${API_TOKEN_URL} and run \`confl auth login${profileFlag(t)}\` again`,
      },
    );
  }
  if (res.status === 404) {
    return new ConflError(
      `${t.site} has no Jira at ${res.url} (404): the site has no Jira product, or the URL is not Jira's`,
      {
        code: "jira.not_found",
        hint:
          t.deployment === "dc"
            ? `check Jira's base URL and run \`${jiraLoginCommand(t)}\` again`
            : "check that the site has Jira; Confluence works without it",
      },
    );
  }
  if (res.status === 403) {
    return new AuthError(`Jira at ${t.site} answered 403: the account may not use Jira`, {
      code: "auth.forbidden",
      hint: "ask a Jira administrator for the 'Browse users' / application access, or use an account that has it",
    });
  }
  const generic = diagnoseResponse(res, {
    kind: t.kind,
    deployment: t.deployment,
    site: t.site,
    apiBase: t.apiBase,
    onGateway: t.onGateway,
    phase: "identity",
    ...(t.profileName ? { profileName: t.profileName } : {}),
    ...(t.email ? { email: t.email } : {}),
    ...(t.username ? { username: t.username } : {}),
  });
  if (generic) return generic;
  return undefined;
}

export function parseJiraIdentity(bodyText: string): JiraIdentity | undefined {
  try {
    const value = JSON.parse(bodyText) as Record<string, unknown>;
    if (!value || typeof value !== "object") return undefined;
    const pick = (k: string) =>
      typeof value[k] === "string" && stripControls(value[k]) !== "" ? stripControls(value[k]) : undefined;
    const identity: JiraIdentity = {};
    const fields: Array<[keyof JiraIdentity, string]> = [
      ["displayName", "displayName"],
      ["accountId", "accountId"],
      ["username", "name"],
      ["key", "key"],
      ["emailAddress", "emailAddress"],
    ];
    for (const [to, from] of fields) {
      const v = pick(from);
      if (v !== undefined) identity[to] = v;
    }
    return identity;
  } catch {
    return undefined;
  }
}

/** The user the identity answer names, or the error saying why it names nobody. */
export function jiraIdentityFromResponse(res: ObservedResponse, t: JiraTarget): JiraIdentity {
  const failure = diagnoseJira(res, t);
  if (failure) throw failure;
  const identity = parseJiraIdentity(res.bodyText);
  if (!identity) {
    throw new AuthError(`${res.url} did not answer with JSON`, {
      code: "auth.html_login_page",
      hint: `check Jira's URL ${t.site}; a proxy or SSO page may be in the way (run with --debug to see it)`,
    });
  }
  if (!(t.deployment === "cloud" ? identity.accountId : (identity.username ?? identity.key))) {
    throw new AuthError(`Jira at ${t.site} answered as an anonymous user: the credential was ignored`, {
      code: "auth.anonymous",
      hint:
        t.deployment === "dc"
          ? `run \`${jiraLoginCommand(t)}\` with a working credential`
          : `create a token at ${API_TOKEN_URL} and run \`confl auth login${profileFlag(t)}\` again`,
    });
  }
  return identity;
}

/** Verifies Jira access: the identity call, judged. Network failures become the diagnosed error. */
export async function verifyJira(
  client: HttpClient,
  t: JiraTarget,
  env: NodeJS.ProcessEnv,
): Promise<{ identity: JiraIdentity; response: ObservedResponse }> {
  const response = await observe(
    client,
    jiraMyselfPath(t.deployment),
    {
      kind: t.kind,
      deployment: t.deployment,
      site: t.site,
      apiBase: t.apiBase,
      onGateway: t.onGateway,
      phase: "identity",
    },
    env,
  );
  return { identity: jiraIdentityFromResponse(response, t), response };
}
