/**
 * Where the OAuth servers live. Cloud uses Atlassian's two hosts (confluence-api.md §4): the
 * authorization server (auth.atlassian.com: /authorize, /oauth/token) and the API gateway
 * (api.atlassian.com: /oauth/token/accessible-resources, /ex/confluence/{cloudId}/wiki/...). Both can be
 * pointed elsewhere (CONFL_ATLASSIAN_AUTH_URL / CONFL_ATLASSIAN_API_URL) for the simulator or a proxy.
 * Data Center runs its own provider under the instance base: {base}/rest/oauth2/latest/{authorize,token}.
 */
import type { Profile } from "../../config/types.js";
import { atlassianApiUrl } from "../site-url.js";

const DEFAULT_AUTH_URL = "https://auth.atlassian.com";

/** The audience Atlassian requires on /authorize and client_credentials (§4.1). */
export const CLOUD_AUDIENCE = "api.atlassian.com";

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

export function cloudAuthServer(env: NodeJS.ProcessEnv, profile?: Profile): string {
  return trimSlash(env.CONFL_ATLASSIAN_AUTH_URL || profile?.oauth?.authServer || DEFAULT_AUTH_URL);
}

export function accessibleResourcesUrl(env: NodeJS.ProcessEnv): string {
  return `${atlassianApiUrl(env)}/oauth/token/accessible-resources`;
}

export interface OAuthEndpoints {
  authorize: string;
  token: string;
}

export function cloudEndpoints(env: NodeJS.ProcessEnv, profile?: Profile): OAuthEndpoints {
  const base = cloudAuthServer(env, profile);
  return { authorize: `${base}/authorize`, token: `${base}/oauth/token` };
}

export function dcEndpoints(dcBase: string): OAuthEndpoints {
  const base = trimSlash(dcBase);
  return {
    authorize: `${base}/rest/oauth2/latest/authorize`,
    token: `${base}/rest/oauth2/latest/token`,
  };
}

/** The token endpoint a stored profile refreshes against. */
export function tokenEndpointFor(profile: Profile, env: NodeJS.ProcessEnv): string {
  if (profile.deployment === "dc") return dcEndpoints(profile.oauth?.authServer || profile.site).token;
  return cloudEndpoints(env, profile).token;
}
