/**
 * One POST to an OAuth token endpoint, and the mapping of its answers to errors that say what is wrong.
 *
 * Atlassian's answers (confluence-api.md §4.2-4.3):
 * - missing or wrong client secret → 401 {"error":"access_denied","error_description":"Unauthorized"}
 * - used, expired (90 days idle / 365 days absolute) or revoked refresh token →
 *   403 {"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}
 *   (observed variant: 403 {"error":"unauthorized_client","error_description":"refresh_token is invalid"})
 * A network failure, a 5xx or a 429 is TRANSIENT: it says nothing about the stored token, which must be kept.
 */
import { AuthError, ConflError } from "../../errors.js";
import { NetworkError, TimeoutError, TlsError } from "../../http/errors.js";
import { registerSecret } from "../../redact.js";
import { assertClearTextSafe, assertSafeTransport } from "../kinds/transport.js";
import { isRedirect, oauthHttp } from "./http.js";

export interface TokenResponse {
  accessToken: string;
  refreshToken?: string;
  /** seconds */
  expiresIn?: number;
  scopes?: string[];
  tokenType: string;
}

/** The token endpoint could not be reached or failed temporarily; the stored login is still good. */
export class OAuthTransientError extends ConflError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      code: "oauth.transient",
      hint: "This looks temporary and your stored login was kept; try again in a moment.",
      cause,
    });
  }
}

/** The refresh token is dead: only a new login helps. */
export class RefreshTokenInvalidError extends AuthError {
  constructor(profileName: string | undefined, detail: string) {
    super(
      `the OAuth refresh token was rejected (${detail}): it expired (90 days unused or 365 days old), was revoked, or was already used`,
      {
        code: "auth.refresh_token_invalid",
        hint: `Run \`confl auth login${profileName ? ` --profile ${profileName}` : ""}\` again.`,
      },
    );
  }
}

export interface TokenRequestOptions {
  /** "json" for Atlassian Cloud (the documented body), "form" for Data Center (RFC 6749 §4.1.3) */
  encoding: "json" | "form";
  /** the profile, for the hint in errors */
  profileName?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** the proxy variables the transport uses (HTTP_PROXY, NO_PROXY…): the plain-http guard reads them too */
  env?: NodeJS.ProcessEnv;
  /** --debug sink: gets the endpoint, grant type and status, never a value of the body */
  debug?: (line: string) => void;
}

export async function requestToken(
  tokenUrl: string,
  params: Record<string, string | undefined>,
  options: TokenRequestOptions,
): Promise<TokenResponse> {
  const fields = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const body = options.encoding === "json" ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
  // The body carries the client secret and a refresh token or code: never over plain http to another
  // machine, nor through a proxy. The same guard as every API request (src/http/plain-http-guard.ts).
  assertSafeTransport(new URL(tokenUrl), "OAuth client credentials");
  const headers = {
    "content-type": options.encoding === "json" ? "application/json" : "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  await assertClearTextSafe(
    { url: new URL(tokenUrl), headers: new Headers(headers), credentialBody: true },
    options.env ?? {},
  );
  const debug = options.debug ?? (() => {});
  const started = Date.now();
  debug(
    `oauth: POST ${tokenUrl} grant_type=${fields.grant_type ?? "?"} (${options.encoding} body: ${Object.keys(fields).join(", ")})`,
  );
  let status: number;
  let text: string;
  try {
    // Through the HTTP client (./http.ts): its guards, no retry (a token request is not idempotent).
    ({ status, text } = await oauthHttp(
      tokenUrl,
      { method: "POST", headers: new Headers(headers), body },
      {
        env: options.env ?? {},
        fetch: options.fetchImpl,
        debug: options.debug,
        timeoutMs: options.timeoutMs ?? 30_000,
      },
    ));
    if (isRedirect(status))
      throw new NetworkError(`POST ${tokenUrl}: answered ${status}, a redirect, which is not followed`, {
        url: tokenUrl,
        method: "POST",
      });
  } catch (error) {
    // A certificate problem will not go away by itself: say so (the stored login is untouched either way).
    if (error instanceof TlsError) throw error;
    if (!(error instanceof NetworkError || error instanceof TimeoutError)) throw error;
    debug(`oauth: token request failed after ${Date.now() - started} ms: ${error.message}`);
    throw new OAuthTransientError(`could not reach the OAuth token endpoint (${error.message})`, error);
  }
  const response = { status, ok: status >= 200 && status < 300 };
  debug(`oauth: token endpoint answered ${response.status} in ${Date.now() - started} ms`);
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") data = parsed as Record<string, unknown>;
  } catch {
    // not JSON: handled by status below
  }
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new OAuthTransientError(`the OAuth token endpoint answered ${response.status}`);
  }
  const error = typeof data.error === "string" ? data.error : undefined;
  const description = typeof data.error_description === "string" ? data.error_description : undefined;
  if (!response.ok || error) {
    const detail = [error, description].filter(Boolean).join(": ") || `HTTP ${response.status}`;
    if (
      params.grant_type === "refresh_token" &&
      (error === "invalid_grant" || error === "unauthorized_client")
    ) {
      throw new RefreshTokenInvalidError(options.profileName, detail);
    }
    if (response.status === 401 || error === "access_denied" || error === "invalid_client") {
      throw new AuthError(`the authorization server rejected the client ID or client secret (${detail})`, {
        code: "oauth.client_rejected",
        hint: "Check the client ID and secret in your app's settings (developer.atlassian.com/console/myapps); Atlassian requires the secret even with PKCE.",
      });
    }
    if (error === "invalid_grant") {
      throw new AuthError(`the authorization code was rejected (${detail})`, {
        code: "oauth.invalid_code",
        hint: "Codes are single-use and expire after a few minutes; run the login again.",
      });
    }
    throw new AuthError(`the OAuth token request failed (${detail})`, {
      code: "oauth.token_error",
      hint: "Check the app's settings (client ID, callback URL, scopes), then log in again.",
    });
  }
  const accessToken = data.access_token;
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new ConflError("the OAuth token endpoint answered without an access_token", {
      code: "oauth.bad_response",
      hint: "Is the authorization server URL right? (CONFL_ATLASSIAN_AUTH_URL or the Data Center base URL)",
    });
  }
  registerSecret(accessToken);
  const refreshToken =
    typeof data.refresh_token === "string" && data.refresh_token ? data.refresh_token : undefined;
  registerSecret(refreshToken);
  const expiresIn =
    typeof data.expires_in === "number" ? data.expires_in : Number(data.expires_in) || undefined;
  const scopes = typeof data.scope === "string" ? data.scope.split(/\s+/).filter(Boolean) : undefined;
  return {
    accessToken,
    refreshToken,
    expiresIn,
    scopes,
    tokenType: typeof data.token_type === "string" ? data.token_type : "Bearer",
  };
}
