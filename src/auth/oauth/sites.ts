/**
 * Which Cloud site a 3LO or bring-your-own token is for: Atlassian's accessible-resources list
 * (confluence-api.md §4.4), kept to the sites with Confluence, matched against --site or chosen on a terminal.
 */
import type { Context } from "../../context.js";
import { AuthError, ConflError, UsageError } from "../../errors.js";
import { stripControls } from "../../redact.js";
import { accessibleResourcesUrl } from "./endpoints.js";
import { fetchJson, type LoginFlowOptions, prompterFor } from "./flow.js";
import type { TokenResponse } from "./token-endpoint.js";

export interface AccessibleResource {
  id: string;
  name?: string;
  url: string;
  scopes?: string[];
}

export async function listAccessibleResources(
  env: NodeJS.ProcessEnv,
  accessToken: string,
  fetchImpl: typeof fetch,
): Promise<AccessibleResource[]> {
  const { status, data } = await fetchJson(
    accessibleResourcesUrl(env),
    { authorization: `Bearer ${accessToken}` },
    fetchImpl,
    "list the sites this login can reach",
    env,
  );
  if (status === 401 || status === 403) {
    throw new AuthError(`the access token was rejected when listing accessible sites (HTTP ${status})`, {
      code: "auth.oauth_token_rejected",
      hint: "The token may have expired or been revoked; get a new one and run the login again.",
    });
  }
  if (status !== 200 || !Array.isArray(data)) {
    throw new ConflError(`listing accessible sites failed (HTTP ${status})`, {
      code: "oauth.resources_failed",
      hint: "Try again; if it persists, check CONFL_ATLASSIAN_API_URL.",
    });
  }
  return data
    .filter(
      (r): r is AccessibleResource =>
        !!r &&
        typeof r === "object" &&
        typeof (r as AccessibleResource).id === "string" &&
        typeof (r as AccessibleResource).url === "string",
    )
    .map((r) => ({ id: r.id, name: r.name, url: r.url, scopes: r.scopes }));
}

export function sameOrigin(a: string, b: string): boolean {
  try {
    return (
      new URL(a).origin.toLowerCase() === new URL(b.includes("://") ? b : `https://${b}`).origin.toLowerCase()
    );
  } catch {
    return false;
  }
}

export async function pickResource(
  options: LoginFlowOptions,
  ctx: Context,
  tokens: TokenResponse,
  fetchImpl: typeof fetch,
): Promise<AccessibleResource> {
  const all = await listAccessibleResources(ctx.env, tokens.accessToken, fetchImpl);
  // A consent that covers Jira too lists Jira-only sites; keep those with a Confluence scope when any has one.
  const confluence = all.filter((r) => r.scopes?.some((s) => s.includes("confluence")));
  const resources = confluence.length > 0 ? confluence : all;
  const list = resources.map((r) => `${r.url}${r.name ? ` (${r.name})` : ""}`).join(", ");
  if (resources.length === 0) {
    throw new AuthError("this login can reach no Confluence site", {
      code: "oauth.no_sites",
      hint: "Authorize the app for a site with Confluence (guest accounts get an empty list, OAUTH20-2485).",
    });
  }
  if (options.site) {
    const match = resources.find((r) => sameOrigin(r.url, options.site as string) || r.id === options.site);
    if (!match)
      throw new UsageError(`the login cannot reach ${options.site}; it can reach: ${list}`, {
        hint: "Pass one of those with --site, or authorize the app for that site.",
      });
    return match;
  }
  if (resources.length === 1) return resources[0] as AccessibleResource;
  if (!ctx.io.canPrompt) {
    throw new UsageError(`the login can reach several sites: ${list}`, {
      hint: "Choose one with --site <url>.",
    });
  }
  const choice = await prompterFor(options, ctx).choose(
    "Which site?",
    // the prompt stream keeps escape sequences (clack draws with them): strip the server's names here
    resources.map((r) => ({ value: r.id, label: stripControls(r.url), hint: stripControls(r.name ?? "") })),
  );
  return resources.find((r) => r.id === choice) as AccessibleResource;
}
