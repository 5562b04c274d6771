/**
 * "Logged in" means two things (confluence-api.md §0.5, §1.12): `rest/api/user/current` returns a real
 * user — not `type: anonymous`, with an accountId on Cloud or a username/userKey on DC, and no
 * `X-Seraph-LoginReason: AUTHENTICATED_FAILED` — AND a content call succeeds (whichever space list the
 * resource layer reads content with: v2 on Cloud, v1 on DC; src/confluence/client.ts decides). A 2xx
 * alone proves nothing: public sites serve anonymous callers.
 */

import type { Profile } from "../config/types.js";
import { contentProbePath } from "../confluence/client.js";
import { AuthError } from "../errors.js";
import type { HttpClient, HttpResponse } from "../http/types.js";
import { stripControls } from "../redact.js";
import {
  anonymousAnswer,
  type DiagnoseContext,
  diagnoseError,
  diagnoseResponse,
  type ObservedResponse,
  scopeHint,
  seraphReasons,
} from "./diagnose.js";
import { isGatewayUrl } from "./site-url.js";

export interface Identity {
  type?: string;
  displayName?: string;
  accountId?: string;
  username?: string;
  userKey?: string;
  email?: string;
}

export interface VerifyResult {
  identity: Identity;
  /** the content path that answered */
  contentPath: string;
}

export const IDENTITY_PATH = "rest/api/user/current";

/** The content read that proves a login works; the resource layer chooses v2 or v1 (client.ts). */
function contentCheckPath(profile: Pick<Profile, "deployment" | "apiBase">): string {
  return contentProbePath(profile);
}

export function diagnoseContext(profile: Profile, phase: DiagnoseContext["phase"]): DiagnoseContext {
  return {
    kind: profile.kind,
    deployment: profile.deployment,
    site: profile.site,
    apiBase: profile.apiBase,
    onGateway: isGatewayUrl(profile.apiBase),
    phase,
    profileName: profile.name,
    ...(profile.email ? { email: profile.email } : {}),
    ...(profile.username ? { username: profile.username } : {}),
  };
}

/** One GET that never throws for a status: transport failures become the diagnosed AuthError. */
export async function observe(
  client: HttpClient,
  path: string,
  d: DiagnoseContext,
  env: NodeJS.ProcessEnv,
): Promise<ObservedResponse> {
  const [pathname, search] = path.split("?");
  const query = Object.fromEntries(new URLSearchParams(search ?? ""));
  let response: HttpResponse<unknown>;
  try {
    response = await client.request<unknown>({
      path: pathname!,
      query,
      responseType: "text",
      throwOnError: false,
      followRedirects: false,
      headers: { accept: "application/json" },
    });
  } catch (error) {
    throw diagnoseError(error, d, env);
  }
  const bodyText = typeof response.data === "string" ? response.data : JSON.stringify(response.data ?? "");
  return {
    status: response.status,
    headers: response.headers,
    bodyText,
    url: new URL(path, client.apiBase).href,
  };
}

function parseIdentity(bodyText: string): Identity | undefined {
  try {
    const value = JSON.parse(bodyText) as Record<string, unknown>;
    if (!value || typeof value !== "object") return undefined;
    // server text shown by login and auth status, even on a pipe: no control sequences
    const pick = (k: string) =>
      typeof value[k] === "string" && stripControls(value[k]) !== "" ? stripControls(value[k]) : undefined;
    const identity: Identity = {};
    for (const key of ["type", "displayName", "accountId", "username", "userKey", "email"] as const) {
      const v = pick(key) ?? (key === "displayName" ? pick("publicName") : undefined);
      if (v !== undefined) identity[key] = v;
    }
    return identity;
  } catch {
    return undefined;
  }
}

async function checkIdentity(
  client: HttpClient,
  profile: Profile,
  env: NodeJS.ProcessEnv,
): Promise<Identity> {
  const d = diagnoseContext(profile, "identity");
  const res = await observe(client, IDENTITY_PATH, d, env);
  return identityFromResponse(res, profile);
}

/** The identity call's answer, judged: the user it names, or the AuthError saying why it names nobody. */
export function identityFromResponse(res: ObservedResponse, profile: Profile): Identity {
  const d = diagnoseContext(profile, "identity");
  const failure = diagnoseResponse(res, d);
  if (failure) throw failure;
  const identity = parseIdentity(res.bodyText);
  if (!identity) {
    throw new AuthError(`${res.url} did not answer with JSON`, {
      code: "auth.html_login_page",
      hint: `check the site URL ${profile.site}; a proxy or SSO page may be in the way (run with --debug to see it)`,
    });
  }
  const failedLogin = seraphReasons(res.headers).includes("AUTHENTICATED_FAILED");
  if (failedLogin || identity.type === "anonymous") throw anonymousAnswer(d, failedLogin);
  const known = profile.deployment === "cloud" ? identity.accountId : (identity.username ?? identity.userKey);
  if (!known) {
    throw new AuthError(
      `${res.url} answered without a user (${profile.deployment === "cloud" ? "no accountId" : "no username"})`,
      {
        code: "auth.anonymous",
        hint: "the credential was not accepted as a user; check it and log in again (see 'confl auth login --help')",
      },
    );
  }
  return identity;
}

/**
 * The v1 call that proves a content read when the v2 one is refused for its scopes: a scoped token (or OAuth
 * grant) created with classic scopes only cannot call v2 at all, yet its v1 calls work. CQL search is a v1
 * route the gateway still serves (the v1 space and content lists answer 410 there); its spec lists the classic
 * `search:confluence` and, as beta, the granular `read:content-details:confluence`.
 */
const V1_CONTENT_PROBE = "rest/api/search?cql=type%3Dpage&limit=1";

async function probeContent(client: HttpClient, profile: Profile, env: NodeJS.ProcessEnv, path: string) {
  const d = diagnoseContext(profile, "content");
  const res = await observe(client, path, d, env);
  const failure = diagnoseResponse(res, d);
  if (failure) throw failure;
  try {
    JSON.parse(res.bodyText);
  } catch {
    throw new AuthError(`${res.url} did not answer with JSON`, {
      code: "auth.html_login_page",
      hint: `check the site URL ${profile.site}; a proxy or SSO page may be in the way`,
    });
  }
  return path;
}

const isScopeMismatch = (error: unknown): error is AuthError =>
  error instanceof AuthError && error.code === "auth.scope_mismatch";

/** The content read the token's scopes allow: v2 first, then (on Cloud, refused for scopes) v1. */
async function checkContent(client: HttpClient, profile: Profile, env: NodeJS.ProcessEnv): Promise<string> {
  const path = contentCheckPath(profile);
  try {
    return await probeContent(client, profile, env, path);
  } catch (error) {
    if (!isScopeMismatch(error) || profile.deployment !== "cloud" || !path.startsWith("api/v2/")) throw error;
    try {
      return await probeContent(client, profile, env, V1_CONTENT_PROBE);
    } catch (v1Error) {
      if (!isScopeMismatch(v1Error)) throw error;
      // neither generation: name what each call needs, either set will do
      const needs = [error, v1Error].map((e) => e.message.replace(/^the token lacks the scopes /, ""));
      throw new AuthError(`the token's scopes allow no content read: ${needs.join("; ")}`, {
        code: "auth.scope_mismatch",
        hint: scopeHint(diagnoseContext(profile, "content"), "the scopes of either call"),
      });
    }
  }
}

export async function verifyProfile(
  client: HttpClient,
  profile: Profile,
  env: NodeJS.ProcessEnv,
): Promise<VerifyResult> {
  const identity = await checkIdentity(client, profile, env);
  const contentPath = await checkContent(client, profile, env);
  return { identity, contentPath };
}
