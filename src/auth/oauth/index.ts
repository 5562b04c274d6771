/**
 * The seam between the auth core and OAuth (issue 6). The auth core calls these for the kinds
 * "oauth" and "client-credentials": createOAuthStrategy when a stored profile makes requests,
 * loginOAuth for `confl auth login --type oauth | client-credentials` (it returns what to store).
 */
import type { Profile, TlsSettings } from "../../config/types.js";
import type { Context } from "../../context.js";
import type { SecretStore } from "../../secrets/types.js";
import type { OAuthPrompter } from "../login-prompter.js";
import type { StoredSecret } from "../types.js";
import { runOAuthLogin } from "./login.js";
import { createRefreshingStrategy, type RefreshingStrategy } from "./strategy.js";

export interface OAuthStrategyDeps {
  profile: Profile;
  secret: Extract<StoredSecret, { kind: "oauth" | "client-credentials" }>;
  /** where the rotated tokens are persisted (under a cross-process lock) */
  store: SecretStore;
  ctx: Context;
  /** for tests: the clock used for expiry decisions */
  now?: () => number;
}

/**
 * A Bearer strategy that refreshes ahead of expiry and once after a 401, single-flight in the process and
 * under a file lock across processes, persisting the rotated refresh token before using the new access
 * token. Bring-your-own tokens (no refresh token) fail with a clear AuthError once expired.
 */
export function createOAuthStrategy(deps: OAuthStrategyDeps): RefreshingStrategy {
  return createRefreshingStrategy({
    profile: deps.profile,
    secret: deps.secret,
    store: deps.store,
    env: deps.ctx.env,
    debug: (line) => deps.ctx.debug(line),
    now: deps.now,
  });
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
  /** read the client secret from the first line of stdin (--client-secret-stdin) */
  clientSecretStdin?: boolean;
  /** the client secret, when the caller already has it (never from argv) */
  clientSecret?: string;
  /** how long the browser flow waits for the callback (default 5 minutes) */
  callbackTimeoutMs?: number;
  /** --ca-file / --client-cert / --insecure: used for the token endpoint and accessible resources too */
  tls?: TlsSettings;
  /** replaces the system browser launcher (tests drive a real Chromium through it) */
  openBrowser?: (url: string) => Promise<void>;
  /** the questions asked on a terminal: the client secret, the pasted redirect, which site */
  prompter?: OAuthPrompter;
}

export interface OAuthLoginResult {
  profile: Profile;
  secret: Extract<StoredSecret, { kind: "oauth" | "client-credentials" }>;
}

export async function loginOAuth(options: OAuthLoginOptions, ctx: Context): Promise<OAuthLoginResult> {
  return runOAuthLogin(options, ctx);
}

export type { RefreshingStrategy } from "./strategy.js";
export { OAuthTransientError, RefreshTokenInvalidError } from "./token-endpoint.js";
