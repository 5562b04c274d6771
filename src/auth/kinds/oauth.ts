/**
 * The two OAuth 2.0 kinds: 3LO (a person, in the browser) and client credentials (a service account). Their
 * tokens come from an OAuth flow and are refreshed by the strategy; the module is loaded only when used.
 */

import type { Profile } from "../../config/types.js";
import { AuthError } from "../../errors.js";
import type { AuthStrategy, StoredSecret } from "../types.js";
import type { KindDescriptor, StrategyDeps } from "./descriptor.js";

async function strategy(
  profile: Profile,
  secret: StoredSecret | undefined,
  deps: StrategyDeps,
): Promise<AuthStrategy> {
  if (!secret || (secret.kind !== "oauth" && secret.kind !== "client-credentials")) {
    throw new AuthError(`no OAuth tokens are stored for profile "${profile.name}"`, {
      code: "auth.no_secret",
      hint: `run: confl auth login --profile ${profile.name} --type ${profile.kind}`,
    });
  }
  if (!deps.store) {
    throw new AuthError(`profile "${profile.name}" keeps OAuth tokens outside a secret store`, {
      code: "auth.no_store",
      hint: `run: confl auth login --profile ${profile.name} --type ${profile.kind}`,
    });
  }
  const { createOAuthStrategy } = await import("../oauth/index.js");
  return createOAuthStrategy({ profile, secret, store: deps.store, ctx: deps.ctx });
}

function oauthKind<K extends "oauth" | "client-credentials">(
  kind: K,
  explanation: string,
  secretFields: KindDescriptor<K>["secretFields"],
): KindDescriptor<K> {
  const verification = "identity-keeping-rotated-tokens";
  return { kind, explanation, apiRoot: "oauth", secretFields, secretFrom: "oauth", verification, strategy };
}

export const threeLeggedKind = oauthKind(
  "oauth",
  "OAuth 2.0 (3LO) in the browser, with refresh (Cloud or Data Center)",
  ["accessToken", "refreshToken", "clientSecret"],
);

export const clientCredentialsKind = oauthKind(
  "client-credentials",
  "OAuth 2.0 client credentials for a service account (when Basic auth is disabled)",
  ["clientSecret", "accessToken"],
);
