/**
 * The authorization-code flow (3LO on Cloud, OAuth 2.0 on Data Center): authorize URL with audience, scope,
 * state and PKCE; the code from the browser through the loopback receiver, or pasted (pasted-code.ts); the token
 * exchange WITH the client secret (confluence-api.md §4); then, on Cloud, the site (sites.ts) and its gateway.
 */
import type { Context } from "../../context.js";
import { AuthError } from "../../errors.js";
import { registerSecret } from "../../redact.js";
import {
  CLOUD_AUDIENCE,
  cloudAuthServer,
  cloudEndpoints,
  dcEndpoints,
  type OAuthEndpoints,
} from "./endpoints.js";
import {
  type AppFlow,
  baseProfile,
  type LoginFlowOptions,
  type LoginFlowResult,
  onCloud,
  onDataCenter,
  requireSite,
  tokenRequestOptions,
  trimBase,
} from "./flow.js";
import { CALLBACK_PATH, DEFAULT_CALLBACK_PORT, startLoopbackReceiver } from "./loopback.js";
import { readPastedCode } from "./pasted-code.js";
import { createPkcePair, createState } from "./pkce.js";
import { DEFAULT_CLOUD_SCOPES, expandScopes } from "./scopes.js";
import { pickResource } from "./sites.js";
import type { OAuthSecret } from "./strategy.js";
import { requestToken } from "./token-endpoint.js";

/** Data Center's provider knows READ, WRITE, ADMIN, SYSTEM_ADMIN; the default is the `read` preset. */
export const DEFAULT_DC_SCOPES = expandScopes("read", "dc");

export const DEFAULT_CALLBACK_TIMEOUT_MS = 5 * 60_000;

export function scopesFor(options: LoginFlowOptions, deployment: "cloud" | "dc"): string[] {
  // `read` and `write` are presets (scopes.ts); anything else is a scope name
  if (options.scopes && options.scopes.length > 0) return expandScopes(options.scopes.join(" "), deployment);
  return deployment === "dc" ? DEFAULT_DC_SCOPES : DEFAULT_CLOUD_SCOPES;
}

/** Headless when asked, or on Linux without a display (an SSH session, a container). */
export function shouldUseBrowser(
  options: { browser: boolean },
  env: NodeJS.ProcessEnv,
  platform = process.platform,
): boolean {
  if (!options.browser) return false;
  if (platform === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
  return true;
}

export function buildAuthorizeUrl(
  endpoints: OAuthEndpoints,
  deployment: "cloud" | "dc",
  fields: { clientId: string; redirectUri: string; scopes: string[]; state: string; codeChallenge: string },
): string {
  const url = new URL(endpoints.authorize);
  if (deployment === "cloud") url.searchParams.set("audience", CLOUD_AUDIENCE);
  url.searchParams.set("client_id", fields.clientId);
  url.searchParams.set("scope", fields.scopes.join(" "));
  url.searchParams.set("redirect_uri", fields.redirectUri);
  url.searchParams.set("state", fields.state);
  url.searchParams.set("response_type", "code");
  if (deployment === "cloud") url.searchParams.set("prompt", "consent");
  url.searchParams.set("code_challenge", fields.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

export async function loginAuthorizationCode(flow: AppFlow): Promise<LoginFlowResult> {
  const { options, ctx, clientId, clientSecret, fetchImpl } = flow;
  const deployment = options.deployment ?? "cloud";
  const dcBase =
    deployment === "dc" ? requireSite(options, "for Data Center OAuth (the instance base URL)") : undefined;
  const endpoints = dcBase ? dcEndpoints(dcBase) : cloudEndpoints(ctx.env);
  const scopes = scopesFor(options, deployment);
  const state = createState();
  const pkce = createPkcePair();
  const port = options.callbackPort ?? DEFAULT_CALLBACK_PORT;
  const useBrowser = options.openBrowser !== undefined || shouldUseBrowser(options, ctx.env);
  const authorizeUrl = (redirectUri: string) =>
    buildAuthorizeUrl(endpoints, deployment, {
      clientId,
      redirectUri,
      scopes,
      state,
      codeChallenge: pkce.challenge,
    });

  let code: string;
  let redirectUri: string;
  if (useBrowser) {
    const receiver = await startLoopbackReceiver(port, state);
    redirectUri = receiver.redirectUri;
    try {
      const url = authorizeUrl(redirectUri);
      printAppSettings(ctx, deployment, scopes, redirectUri);
      ctx.io.err("Opening your browser to authorize confl. If it does not open, visit:");
      ctx.io.err(`  ${url}`);
      ctx.io.err(`Waiting for the answer on ${redirectUri} ...`);
      const opener = options.openBrowser ?? openInBrowser(ctx);
      const waiting = receiver
        .wait(options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS)
        .catch((error: unknown) => {
          throw consentTimeout(error, deployment, scopes, redirectUri);
        });
      // The answer may come (or fail) while the browser launcher is still starting: handled below.
      waiting.catch(() => {});
      // A CONFL_BROWSER command may run until its window closes: the answer does not wait for it.
      const opened = opener(url).catch((error: unknown) => {
        ctx.debug(
          `oauth: could not open a browser: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      await Promise.race([opened, waiting.catch(() => {})]);
      code = (await waiting).code;
    } finally {
      await receiver.close();
    }
  } else {
    redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
    const url = authorizeUrl(redirectUri);
    if (options.browser && options.openBrowser === undefined) {
      ctx.io.err(
        "No display found (DISPLAY and WAYLAND_DISPLAY are unset), so confl will not open a browser.",
      );
    }
    printAppSettings(ctx, deployment, scopes, redirectUri);
    ctx.io.err("Open this URL in a browser and authorize confl:");
    ctx.io.err(`  ${url}`);
    ctx.io.err(
      "The browser then lands on a page that cannot load. Copy that page's full address (or just the",
    );
    ctx.io.err("code= value) and paste it here:");
    code = await readPastedCode(options, ctx, state);
  }
  registerSecret(code);

  const tokens = await requestToken(
    endpoints.token,
    {
      grant_type: "authorization_code",
      client_id: clientId,
      client_secret: clientSecret,
      code,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
    },
    tokenRequestOptions(options, ctx, fetchImpl, deployment === "dc" ? "form" : "json"),
  );
  if (!tokens.refreshToken) {
    ctx.io.err(
      "warning: no refresh token was issued (add offline_access to --scopes); you will have to log in again when the access token expires",
    );
  }
  const obtainedAt = Date.now();
  const secret: OAuthSecret = {
    kind: "oauth",
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: tokens.expiresIn !== undefined ? obtainedAt + tokens.expiresIn * 1000 : undefined,
    scopes: tokens.scopes ?? scopes,
    clientSecret,
    obtainedAt,
  };
  const oauth = {
    clientId,
    scopes,
    ...(options.callbackPort !== undefined ? { callbackPort: options.callbackPort } : {}),
  };
  if (dcBase) {
    return {
      profile: baseProfile(options.profileName, {
        ...onDataCenter(dcBase),
        kind: "oauth",
        oauth: { ...oauth, authServer: dcBase },
      }),
      secret,
    };
  }
  const resource = await pickResource(options, ctx, tokens, fetchImpl);
  return {
    profile: baseProfile(options.profileName, {
      ...onCloud(ctx.env, trimBase(resource.url), resource.id),
      kind: "oauth",
      oauth: { ...oauth, authServer: cloudAuthServer(ctx.env) },
    }),
    secret,
  };
}

export const CONSOLE_URL = "https://developer.atlassian.com/console/myapps";

/**
 * What the app must have for this consent to go through, said before the browser opens: a scope the app lacks
 * or a callback URL that differs (port included) stops the consent on the authorization server's own page
 * (confluence-api.md §0.1), and the redirect never comes back here.
 */
export function printAppSettings(
  ctx: Context,
  deployment: "cloud" | "dc",
  scopes: string[],
  redirectUri: string,
): void {
  if (deployment === "cloud") {
    ctx.io.err(`The OAuth app (${CONSOLE_URL}) must have:`);
    ctx.io.err(`  scopes:       ${scopes.join(" ")}   (Permissions: add each one)`);
  } else {
    ctx.io.err("The incoming application link (Administration → Application links) must allow:");
    ctx.io.err(`  scopes:       ${scopes.join(" ")}`);
  }
  ctx.io.err(`  callback URL: ${redirectUri}   (exactly, port included; --callback-port changes the port)`);
}

/** The callback never came: name the two reasons Atlassian stops a consent on its own page. */
export function consentTimeout(
  error: unknown,
  deployment: "cloud" | "dc",
  scopes: string[],
  redirectUri: string,
): unknown {
  if (!(error instanceof AuthError) || error.code !== "oauth.callback_timeout") return error;
  const where = deployment === "cloud" ? `the app at ${CONSOLE_URL}` : "the application link";
  return new AuthError(
    `${error.message}. If the browser showed "This app has requested scopes that have not been added to the app", ` +
      `add these scopes to ${where}: ${scopes.join(" ")}. If it showed "The app's callback URL is invalid", ` +
      `set the app's callback URL to exactly ${redirectUri}.`,
    {
      code: "oauth.callback_timeout",
      hint: "Fix the app's settings and run the login again, or add --no-browser to paste the redirected URL.",
    },
  );
}

/** The context's browser: CONFL_BROWSER when set (as for --web), else the system opener. */
export function openInBrowser(ctx: Context): (url: string) => Promise<void> {
  return (url) => ctx.browser().open(url);
}
