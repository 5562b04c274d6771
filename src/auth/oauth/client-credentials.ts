/**
 * Client credentials (a service account): one client_credentials grant, no refresh token; on Cloud the
 * cloudId comes from the site's /_edge/tenant_info (confluence-api.md §3.2).
 */
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { fetchCloudId } from "../detect.js";
import { CLOUD_AUDIENCE, cloudAuthServer, cloudEndpoints, dcEndpoints } from "./endpoints.js";
import {
  type AppFlow,
  baseProfile,
  fetchJson,
  type LoginFlowResult,
  onCloud,
  onDataCenter,
  requireSite,
  tokenRequestOptions,
} from "./flow.js";
import { expandScopes } from "./scopes.js";
import type { OAuthSecret } from "./strategy.js";
import { requestToken, type TokenResponse } from "./token-endpoint.js";

/**
 * Client credentials (a service account): one client_credentials grant, no refresh token. Cloud: against
 * auth.atlassian.com with the audience, the cloudId from the site's /_edge/tenant_info, requests through the
 * gateway. Data Center ("Service accounts overview"): against {base}/rest/oauth2/latest/token with a form
 * body, requests to the DC base with Bearer.
 */
export async function loginClientCredentials(flow: AppFlow): Promise<LoginFlowResult> {
  const { options, ctx, clientId, clientSecret, fetchImpl } = flow;
  const dc = options.deployment === "dc";
  const site = requireSite(
    options,
    dc
      ? "for Data Center client credentials (the instance base URL)"
      : "for client credentials (the cloudId comes from the site)",
  );
  const cloudId = dc ? undefined : await tenantCloudId(new URL(site).origin, ctx, fetchImpl);
  const scopes =
    options.scopes && options.scopes.length > 0
      ? expandScopes(options.scopes.join(" "), dc ? "dc" : "cloud")
      : undefined;
  const tokens = await requestToken(
    dc ? dcEndpoints(site).token : cloudEndpoints(ctx.env).token,
    {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      audience: dc ? undefined : CLOUD_AUDIENCE,
      scope: scopes?.join(" "),
    },
    tokenRequestOptions(options, ctx, fetchImpl, dc ? "form" : "json"),
  );
  const oauth = { clientId, ...(scopes ? { scopes } : {}), authServer: dc ? site : cloudAuthServer(ctx.env) };
  return {
    profile: baseProfile(options.profileName, {
      ...(cloudId ? onCloud(ctx.env, new URL(site).origin, cloudId) : onDataCenter(site)),
      kind: "client-credentials",
      oauth,
    }),
    secret: clientCredentialsSecret(clientSecret, tokens, scopes),
  };
}

/** The site's cloudId from /_edge/tenant_info, read through this login's transport (proxy, CA, mTLS). */
export async function tenantCloudId(origin: string, ctx: Context, fetchImpl: typeof fetch): Promise<string> {
  let status = 0;
  const cloudId = await fetchCloudId(origin, {
    env: ctx.env,
    probe: async (url) => {
      const answer = await fetchJson(url, {}, fetchImpl, "find the site's cloud id", ctx.env);
      status = answer.status;
      return { status, headers: new Headers(), text: JSON.stringify(answer.data ?? null) };
    },
    debug: (line) => ctx.debug(line),
  });
  if (!cloudId) {
    throw new UsageError(`${origin} did not answer /_edge/tenant_info with a cloudId (HTTP ${status})`, {
      hint: "Client credentials work with Confluence Cloud sites only; check the site URL.",
    });
  }
  return cloudId;
}

export function clientCredentialsSecret(
  clientSecret: string,
  tokens: TokenResponse,
  requestedScopes: string[] | undefined,
): OAuthSecret {
  const obtainedAt = Date.now();
  return {
    kind: "client-credentials",
    clientSecret,
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresIn !== undefined ? obtainedAt + tokens.expiresIn * 1000 : undefined,
    scopes: tokens.scopes ?? requestedScopes,
    obtainedAt,
  };
}
