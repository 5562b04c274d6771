/**
 * `confl auth login --type oauth | client-credentials`: get tokens, find the site, and hand the auth core
 * a profile and a StoredSecret to save. Nothing here writes config or the secret store. One file per flow:
 *
 * - authorization-code.ts: Cloud 3LO (confluence-api.md §4): authorize URL with audience/scope/state/PKCE →
 *   code (browser + loopback receiver, or pasted: pasted-code.ts) → token exchange WITH the client secret →
 *   accessible resources (sites.ts) → the site's cloudId → gateway API base. Data Center: the same against
 *   {base}/rest/oauth2/latest/*, API base = the DC base.
 * - client-credentials.ts: one client_credentials grant; cloudId from the site's /_edge/tenant_info (§3.2).
 * - access-token.ts: a token the user already has (--with-token).
 * - flow.ts: what they share.
 */
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { registerSecret } from "../../redact.js";
import { assertNoUserinfo } from "../site-url.js";
import { loginWithAccessToken } from "./access-token.js";
import { loginAuthorizationCode } from "./authorization-code.js";
import { loginClientCredentials } from "./client-credentials.js";
import { type AppFlow, type LoginFlowOptions, type LoginFlowResult, prompterFor } from "./flow.js";
import { readStdinLine } from "./stdin-lines.js";

export { jwtExpiry } from "./access-token.js";
export { buildAuthorizeUrl, shouldUseBrowser } from "./authorization-code.js";
export type { LoginFlowOptions, LoginFlowResult } from "./flow.js";
export { parsePastedAnswer } from "./pasted-code.js";
export { DEFAULT_CLOUD_SCOPES } from "./scopes.js";
export type { AccessibleResource } from "./sites.js";

export async function runOAuthLogin(options: LoginFlowOptions, ctx: Context): Promise<LoginFlowResult> {
  if (options.site !== undefined) assertNoUserinfo(options.site);
  // Token endpoint, accessible resources and tenant_info go through the API transport: proxy, CA, mTLS.
  const { createTransport } = await import("../../http/transport.js");
  const fetchImpl =
    options.fetchImpl ??
    ((
      await createTransport({
        tls: options.tls,
        // login's TLS settings are its flags: they beat CONFL_CA_FILE
        ...(options.tls ? { tlsOverrides: options.tls } : {}),
        env: ctx.env,
        warn: (line) => ctx.io.err(line),
        debug: (line) => ctx.debug(line),
      })
    ).fetch as typeof fetch);
  if (options.accessToken !== undefined) return loginWithAccessToken(options, ctx, fetchImpl);
  const clientId = options.clientId?.trim();
  if (!clientId) {
    throw new UsageError(`--client-id is required for --type ${options.type}`, {
      hint: "Create an OAuth 2.0 app at https://developer.atlassian.com/console/myapps and pass its client ID.",
    });
  }
  const clientSecret = await readClientSecret(options, ctx);
  const flow: AppFlow = { options, ctx, clientId, clientSecret, fetchImpl };
  return options.type === "client-credentials" ? loginClientCredentials(flow) : loginAuthorizationCode(flow);
}

async function readClientSecret(options: LoginFlowOptions, ctx: Context): Promise<string> {
  let secret = options.clientSecret;
  if (secret === undefined && options.clientSecretStdin) {
    secret = await readStdinLine(ctx.io.stdin);
    if (secret === undefined) {
      throw new UsageError("--client-secret-stdin was given but stdin was empty", {
        hint: "Pipe the app's client secret into the same command (printf '%s' \"$CLIENT_SECRET\" | …), or set CONFL_OAUTH_CLIENT_SECRET instead of --client-secret-stdin",
      });
    }
  }
  if (secret === undefined && ctx.env.CONFL_OAUTH_CLIENT_SECRET) secret = ctx.env.CONFL_OAUTH_CLIENT_SECRET;
  if (secret === undefined && ctx.io.canPrompt)
    secret = await prompterFor(options, ctx).secret("OAuth client secret");
  secret = secret?.trim();
  if (!secret) {
    throw new UsageError("the OAuth client secret is required", {
      hint: "Pass it on stdin with --client-secret-stdin or in CONFL_OAUTH_CLIENT_SECRET (never as an argument); Atlassian requires it even with PKCE.",
    });
  }
  registerSecret(secret, "the OAuth client secret");
  return secret;
}
