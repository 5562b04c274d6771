/**
 * The seam between the auth core and OAuth (issue 6). The auth core calls these for the kinds
 * "oauth" and "client-credentials"; the OAuth work replaces the bodies.
 */
import type { Profile } from "../../config/types.js";
import type { Context } from "../../context.js";
import { ConflError } from "../../errors.js";
import type { SecretStore } from "../../secrets/types.js";
import type { AuthStrategy, StoredSecret } from "../types.js";

export interface OAuthStrategyDeps {
  profile: Profile;
  secret: Extract<StoredSecret, { kind: "oauth" | "client-credentials" }>;
  /** where the rotated tokens are persisted (under a cross-process lock) */
  store: SecretStore;
  ctx: Context;
}

export function createOAuthStrategy(_deps: OAuthStrategyDeps): AuthStrategy {
  throw new ConflError("OAuth credentials are not supported yet");
}

export interface OAuthLoginOptions {
  type: "oauth" | "client-credentials";
  profileName: string;
  /** the site URL the user gave, if any (picks among accessible resources) */
  site?: string;
  deployment?: "cloud" | "dc";
  clientId?: string;
  scopes?: string[];
  callbackPort?: number;
  browser: boolean;
  /** bring-your-own access token read from stdin (--with-token) */
  accessToken?: string;
}

export interface OAuthLoginResult {
  profile: Profile;
  secret: Extract<StoredSecret, { kind: "oauth" | "client-credentials" }>;
}

export async function loginOAuth(_options: OAuthLoginOptions, _ctx: Context): Promise<OAuthLoginResult> {
  throw new ConflError("OAuth login is not supported yet");
}
