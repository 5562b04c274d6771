/**
 * What every OAuth login flow shares: its options and result, the app it logs in as, the prompter it asks
 * with, and how a site URL becomes a Cloud (gateway) or Data Center profile.
 */
import type { Profile, TlsSettings } from "../../config/types.js";
import type { Context } from "../../context.js";
import { ConflError, UsageError } from "../../errors.js";
import { NetworkError, TimeoutError, TlsError } from "../../http/errors.js";
import { assertClearTextSafe } from "../kinds/transport.js";
import { clackPrompter, type OAuthPrompter } from "../login-prompter.js";
import { gatewayApiBase, refuseUserinfo, siteForMessage } from "../site-url.js";
import { isRedirect, type OAuthHttpAnswer, oauthHttp } from "./http.js";
import type { OAuthSecret } from "./strategy.js";
import type { TokenRequestOptions } from "./token-endpoint.js";

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

export function prompterFor(options: LoginFlowOptions, ctx: Context): OAuthPrompter {
  return options.prompter ?? clackPrompter(ctx);
}

export interface LoginFlowResult {
  profile: Profile;
  secret: OAuthSecret;
}

/** A login as an OAuth app: its client id and secret, and the transport its helper calls use. */
export interface AppFlow {
  options: LoginFlowOptions;
  ctx: Context;
  clientId: string;
  clientSecret: string;
  fetchImpl: typeof fetch;
}

export function trimBase(site: string): string {
  return site.trim().replace(/\/+$/, "");
}

export function requireSite(options: LoginFlowOptions, why: string): string {
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

/** Where a Cloud OAuth profile's requests go: the site's gateway root. */
export function onCloud(env: NodeJS.ProcessEnv, site: string, cloudId: string) {
  return { site, deployment: "cloud" as const, apiBase: gatewayApiBase(env, cloudId), cloudId };
}

/** Where a Data Center OAuth profile's requests go: the instance itself. */
export function onDataCenter(base: string) {
  return { site: base, deployment: "dc" as const, apiBase: `${base}/` };
}

export function baseProfile(
  name: string,
  fields: Omit<Profile, "name" | "secretStore" | "createdAt">,
): Profile {
  // secretStore is decided by the auth core when it saves the secret; "keychain" is its default.
  return { name, ...fields, secretStore: "keychain", createdAt: new Date().toISOString() };
}

/** How this login's token requests are made: the body encoding, the transport, the profile for hints. */
export function tokenRequestOptions(
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

export async function fetchJson(
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
