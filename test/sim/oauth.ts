/**
 * The simulator's OAuth 2.0 authorization servers: Atlassian's (the `auth` origin: /authorize,
 * /oauth/token) and Data Center's (/rest/oauth2/latest/* under the DC base). Mounted by index.ts.
 * Owned by the OAuth work (issue 6); until it lands, every OAuth route answers 404.
 */
import type { OAuthRouteContext, SimHandler } from "./types.js";

export interface OAuthRoutes {
  /** every request to the `auth` origin */
  auth: SimHandler;
  /** requests under {dc}/rest/oauth2/latest/ */
  dc: SimHandler;
}

export function createOAuthRoutes(_context: OAuthRouteContext): OAuthRoutes {
  return { auth: () => false, dc: () => false };
}
