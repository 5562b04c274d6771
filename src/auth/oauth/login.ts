/**
 * `confl auth login --type oauth | client-credentials`: get tokens, find the site, and hand the auth core
 * a profile and a StoredSecret to save. Nothing here writes config or the secret store.
 *
 * Cloud 3LO (confluence-api.md §4): authorize URL with audience/scope/state/PKCE → code (browser + loopback
 * receiver, or pasted) → token exchange WITH the client secret → accessible resources → the site's cloudId
 * → gateway API base. Data Center: the same against {base}/rest/oauth2/latest/*, API base = the DC base.
 * Client credentials: one client_credentials grant; cloudId from the site's /_edge/tenant_info (§3.2).
 */
import type { Profile, TlsSettings } from "../../config/types.js";
import type { Context } from "../../context.js";
import { AuthError, ConflError, UsageError } from "../../errors.js";
import { NetworkError, TimeoutError, TlsError } from "../../http/errors.js";
import { registerSecret, stripControls } from "../../redact.js";
import { fetchCloudId } from "../detect.js";
import { assertClearTextSafe } from "../kinds/transport.js";
import { clackPrompter, type OAuthPrompter } from "../login-prompter.js";
import { assertNoUserinfo, gatewayApiBase, refuseUserinfo, siteForMessage } from "../site-url.js";
import {
  accessibleResourcesUrl,
  CLOUD_AUDIENCE,
  cloudAuthServer,
  cloudEndpoints,
  dcEndpoints,
  type OAuthEndpoints,
} from "./endpoints.js";
import { isRedirect, type OAuthHttpAnswer, oauthHttp } from "./http.js";
import {
  authorizationDenied,
  CALLBACK_PATH,
  DEFAULT_CALLBACK_PORT,
  startLoopbackReceiver,
} from "./loopback.js";
import { createPkcePair, createState } from "./pkce.js";
import { DEFAULT_CLOUD_SCOPES, expandScopes } from "./scopes.js";
import { readStdinLine } from "./stdin-lines.js";
import type { OAuthSecret } from "./strategy.js";
import { requestToken, type TokenRequestOptions, type TokenResponse } from "./token-endpoint.js";

export { DEFAULT_CLOUD_SCOPES } from "./scopes.js";

/** Data Center's provider knows READ, WRITE, ADMIN, SYSTEM_ADMIN; the default is the `read` preset. */
const DEFAULT_DC_SCOPES = expandScopes("read", "dc");

const DEFAULT_CALLBACK_TIMEOUT_MS = 5 * 60_000;

export interface AccessibleResource {
  id: string;
  name?: string;
  url: string;
  scopes?: string[];
}

export interface LoginFlowOptions {
  type: "oauth" | "client-credentials";
  profileName: string;
  site?: string;
  deployment?: "cloud" | "dc";
  clientId?: string;
  clientSecret?: string;
  clientSecretStdin?: boolean;
  scopes?: string[];
  callbackPort?: number;
  browser: boolean;
  accessToken?: string;
  callbackTimeoutMs?: number;
  openBrowser?: (url: string) => Promise<void>;
  fetchImpl?: typeof fetch;
  tls?: TlsSettings;
  /** the questions asked on a terminal (default: the login prompter, @clack/prompts on stderr) */
  prompter?: OAuthPrompter;
}

function prompterFor(options: LoginFlowOptions, ctx: Context): OAuthPrompter {
  return options.prompter ?? clackPrompter(ctx);
}

export interface LoginFlowResult {
  profile: Profile;
  secret: OAuthSecret;
}

/** A login as an OAuth app: its client id and secret, and the transport its helper calls use. */
interface AppFlow {
  options: LoginFlowOptions;
  ctx: Context;
  clientId: string;
  clientSecret: string;
  fetchImpl: typeof fetch;
}

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

function scopesFor(options: LoginFlowOptions, deployment: "cloud" | "dc"): string[] {
  // `read` and `write` are presets (scopes.ts); anything else is a scope name
  if (options.scopes && options.scopes.length > 0) return expandScopes(options.scopes.join(" "), deployment);
  return deployment === "dc" ? DEFAULT_DC_SCOPES : DEFAULT_CLOUD_SCOPES;
}

function trimBase(site: string): string {
  return site.trim().replace(/\/+$/, "");
}

function requireSite(options: LoginFlowOptions, why: string): string {
  if (!options.site)
    throw new UsageError(`--site is required ${why}`, {
      hint: "Pass the site URL, e.g. --site https://dc.example.com/confluence",
    });
  let url: URL;
  try {
    url = new URL(options.site);
  } catch {
    throw new UsageError(`"${siteForMessage(options.site)}" is not a URL`, {
      hint: "Pass the full site URL, e.g. https://acme.atlassian.net",
    });
  }
  // url.href keeps a user:password@ part, and this becomes the stored site and API root.
  refuseUserinfo(url);
  return trimBase(url.href);
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

async function loginAuthorizationCode(flow: AppFlow): Promise<LoginFlowResult> {
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

const CONSOLE_URL = "https://developer.atlassian.com/console/myapps";

/**
 * What the app must have for this consent to go through, said before the browser opens: a scope the app lacks
 * or a callback URL that differs (port included) stops the consent on the authorization server's own page
 * (confluence-api.md §0.1), and the redirect never comes back here.
 */
function printAppSettings(
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
function consentTimeout(
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

/** Where a Cloud OAuth profile's requests go: the site's gateway root. */
function onCloud(env: NodeJS.ProcessEnv, site: string, cloudId: string) {
  return { site, deployment: "cloud" as const, apiBase: gatewayApiBase(env, cloudId), cloudId };
}

/** Where a Data Center OAuth profile's requests go: the instance itself. */
function onDataCenter(base: string) {
  return { site: base, deployment: "dc" as const, apiBase: `${base}/` };
}

function baseProfile(name: string, fields: Omit<Profile, "name" | "secretStore" | "createdAt">): Profile {
  // secretStore is decided by the auth core when it saves the secret; "keychain" is its default.
  return { name, ...fields, secretStore: "keychain", createdAt: new Date().toISOString() };
}

/** The context's browser: CONFL_BROWSER when set (as for --web), else the system opener. */
function openInBrowser(ctx: Context): (url: string) => Promise<void> {
  return (url) => ctx.browser().open(url);
}

/** Accepts the whole redirected URL (state checked) or a bare code. */
export function parsePastedAnswer(answer: string, expectedState: string): string {
  const text = answer.trim();
  if (text === "")
    throw new UsageError("nothing was pasted", {
      hint: "Paste the address the browser landed on after you clicked Accept.",
    });
  if (/^[a-z]+:\/\//i.test(text) || text.includes("code=") || text.includes("error=")) {
    let params: URLSearchParams;
    try {
      params = /^[a-z]+:\/\//i.test(text)
        ? new URL(text).searchParams
        : new URLSearchParams(text.replace(/^[^?]*\?/, ""));
    } catch {
      throw new UsageError("the pasted text is not a URL", {
        hint: "Paste the full address from the browser's address bar.",
      });
    }
    const error = params.get("error");
    if (error) throw authorizationDenied(error, params.get("error_description"));
    const state = params.get("state");
    if (state !== expectedState) {
      throw new AuthError("the pasted URL belongs to a different login attempt (state does not match)", {
        code: "oauth.state_mismatch",
        hint: "Paste the URL the browser reached after the consent page that this run printed, not one from an earlier login.",
      });
    }
    const code = params.get("code");
    if (!code)
      throw new UsageError("the pasted URL carries no code", {
        hint: "Paste the address the browser landed on after you clicked Accept.",
      });
    return code;
  }
  if (/\s/.test(text))
    throw new UsageError("the pasted code contains spaces", {
      hint: "Paste only the code= value, or the full URL.",
    });
  return text;
}

async function readPastedCode(options: LoginFlowOptions, ctx: Context, state: string): Promise<string> {
  let answer: string | undefined;
  if (ctx.io.stdin.isTTY && ctx.io.canPrompt) {
    answer = await prompterFor(options, ctx).text("Redirected URL or code");
  } else {
    answer = await readStdinLine(ctx.io.stdin);
  }
  if (answer === undefined) {
    throw new UsageError("no redirected URL or code on stdin", {
      hint: "Run it in a terminal, or pipe the redirected URL in on stdin.",
    });
  }
  return parsePastedAnswer(answer, state);
}

async function fetchJson(
  url: string,
  headers: Record<string, string>,
  fetchImpl: typeof fetch,
  what: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; data: unknown }> {
  const sent = new Headers({ accept: "application/json", ...headers });
  // A Bearer token to accessible-resources goes under the same plain-http guard as every API call.
  await assertClearTextSafe({ url: new URL(url), headers: sent }, env);
  let answer: OAuthHttpAnswer;
  try {
    // Through the HTTP client (./http.ts): its guards and redaction; a redirect is not followed.
    answer = await oauthHttp(url, { method: "GET", headers: sent }, { env, fetch: fetchImpl });
    if (isRedirect(answer.status)) throw new Error(`redirected (HTTP ${answer.status})`);
  } catch (error) {
    if (
      error instanceof ConflError &&
      !(error instanceof NetworkError || error instanceof TimeoutError || error instanceof TlsError)
    )
      throw error;
    throw new ConflError(`could not reach ${new URL(url).origin} to ${what}`, {
      code: "network",
      cause: error,
      hint: "Check the network connection and proxy settings.",
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(answer.text);
  } catch {
    data = undefined;
  }
  return { status: answer.status, data };
}

async function listAccessibleResources(
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

function sameOrigin(a: string, b: string): boolean {
  try {
    return (
      new URL(a).origin.toLowerCase() === new URL(b.includes("://") ? b : `https://${b}`).origin.toLowerCase()
    );
  } catch {
    return false;
  }
}

async function pickResource(
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

/**
 * Client credentials (a service account): one client_credentials grant, no refresh token. Cloud: against
 * auth.atlassian.com with the audience, the cloudId from the site's /_edge/tenant_info, requests through the
 * gateway. Data Center ("Service accounts overview"): against {base}/rest/oauth2/latest/token with a form
 * body, requests to the DC base with Bearer.
 */
async function loginClientCredentials(flow: AppFlow): Promise<LoginFlowResult> {
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
async function tenantCloudId(origin: string, ctx: Context, fetchImpl: typeof fetch): Promise<string> {
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

/** How this login's token requests are made: the body encoding, the transport, the profile for hints. */
function tokenRequestOptions(
  options: LoginFlowOptions,
  ctx: Context,
  fetchImpl: typeof fetch,
  encoding: "json" | "form",
): TokenRequestOptions {
  return {
    encoding,
    profileName: options.profileName,
    fetchImpl,
    env: ctx.env,
    debug: (line) => ctx.debug(line),
  };
}

function clientCredentialsSecret(
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

async function loginWithAccessToken(
  options: LoginFlowOptions,
  ctx: Context,
  fetchImpl: typeof fetch,
): Promise<LoginFlowResult> {
  const accessToken = options.accessToken?.trim();
  if (!accessToken)
    throw new UsageError("the access token read from stdin is empty", {
      hint: "Pipe the access token into the same command (printf '%s' \"$ACCESS_TOKEN\" | …, or < token.txt)",
    });
  registerSecret(accessToken);
  const expiresAt = jwtExpiry(accessToken);
  const secret: OAuthSecret = {
    kind: "oauth",
    accessToken,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
  if (options.deployment === "dc") {
    const dcBase = requireSite(options, "for a Data Center OAuth token");
    return {
      profile: baseProfile(options.profileName, { ...onDataCenter(dcBase), kind: "oauth" }),
      secret,
    };
  }
  const resource = await pickResource(options, ctx, { accessToken, tokenType: "Bearer" }, fetchImpl);
  return {
    profile: baseProfile(options.profileName, {
      ...onCloud(ctx.env, trimBase(resource.url), resource.id),
      kind: "oauth",
      ...(options.clientId ? { oauth: { clientId: options.clientId } } : {}),
    }),
    secret,
  };
}

/**
 * Atlassian's 3LO access tokens are JWTs ("eyJ…", confluence-api.md §4.2) whose `exp` claim says when they
 * expire. Reading it (without verifying: only the server can) lets a bring-your-own token fail with
 * "expired" before it is sent. Anything that is not a JWT with a numeric exp → undefined.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
