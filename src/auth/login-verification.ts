/**
 * Verifying a login before anything is stored, with the recoveries a person would try when the server
 * refuses what they gave: a token the Cloud site rejects may be a scoped token (the gateway takes it), a
 * token the gateway rejects may be a classic one (the site takes it), and a Data Center secret refused as
 * Basic may be a personal access token (Bearer only).
 */

import { profileFlagFor } from "../config/profile-name.js";
import type { Profile } from "../config/types.js";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import type { SecretStore } from "../secrets/types.js";
import { createStrategyAsync, kindDescriptor, primarySecretValue } from "./kinds/index.js";
import { clientForSession } from "./session.js";
import { gatewayApiBase, isGatewayUrl } from "./site-url.js";
import type { StoredSecret } from "./types.js";
import { type Identity, verifyProfile } from "./verify.js";

async function verifyOnce(
  ctx: Context,
  profile: Profile,
  secret: StoredSecret | undefined,
  store?: SecretStore,
): Promise<Identity> {
  const strategy = await createStrategyAsync(profile, secret, { ctx, ...(store ? { store } : {}) });
  // At login the profile's TLS settings are this run's flags, so they beat CONFL_CA_FILE (flag → env → profile).
  const client = clientForSession(
    ctx,
    { profile, strategy },
    { maxRetries: 1, ...(profile.tls ? { tlsOverrides: profile.tls } : {}) },
  );
  const result = await verifyProfile(client, profile, ctx.env);
  return result.identity;
}

/**
 * Holds OAuth tokens while a login verifies them, before anything is stored: a 401 during verification
 * refreshes (and rotates the refresh token), and the rotated pair must be what gets stored.
 */
class VerificationStore implements SecretStore {
  readonly kind = "plaintext" as const;
  constructor(
    private readonly key: string,
    private value: string,
  ) {}
  async get(key: string) {
    return key === this.key ? this.value : undefined;
  }
  async set(key: string, value: string) {
    if (key === this.key) this.value = value;
  }
  async delete() {
    return false;
  }
  secret(): StoredSecret {
    return JSON.parse(this.value) as StoredSecret;
  }
}

/**
 * A credential checked the way its kind says (the identity and content calls), before anything is stored;
 * OAuth kinds through a store that keeps the tokens a 401 refresh rotates, which are then the ones to store.
 */
export async function verifyCredential(
  ctx: Context,
  profile: Profile,
  secret: StoredSecret | undefined,
): Promise<{ identity: Identity; secret: StoredSecret | undefined }> {
  if (!secret || kindDescriptor(profile.kind).verification !== "identity-keeping-rotated-tokens")
    return { identity: await verifyOnce(ctx, profile, secret), secret };
  const store = new VerificationStore(profile.name, JSON.stringify(secret));
  const identity = await verifyOnce(ctx, profile, secret, store);
  return { identity, secret: store.secret() };
}

const SITE_REJECTION_CODES = new Set([
  "auth.token_rejected",
  "auth.scoped_token_on_site",
  "auth.caller_cannot_access",
  "auth.anonymous",
]);
const DC_BASIC_REJECTION_CODES = new Set([
  "auth.wrong_password",
  "auth.anonymous",
  "auth.token_rejected",
  // 403 "Basic Authentication has been disabled on this instance." (skleinei/alfred-confluence #24)
  "auth.basic_disabled",
]);

/**
 * Verification with the two recoveries a person would try: a Cloud token the site rejects may be a
 * scoped token (it only works through the gateway: route the profile there and say why,
 * confluence-api.md §3.3); a DC secret rejected as Basic may be a PAT (Bearer only, §5.2).
 */
export async function verifyLogin(
  ctx: Context,
  profile: Profile,
  secret: StoredSecret | undefined,
): Promise<{ profile: Profile; identity: Identity; secret: StoredSecret | undefined; rerouted?: string }> {
  try {
    return { profile, ...(await verifyCredential(ctx, profile, secret)) };
  } catch (error) {
    if (!(error instanceof AuthError) || !secret) throw error;
    if (
      profile.deployment === "cloud" &&
      profile.kind === "api-token" &&
      profile.cloudId &&
      SITE_REJECTION_CODES.has(error.code)
    ) {
      const viaGateway: Profile = {
        ...profile,
        kind: "scoped-token",
        apiBase: gatewayApiBase(ctx.env, profile.cloudId),
      };
      const asScoped: StoredSecret = { kind: "scoped-token", token: primarySecretValue(secret) };
      let identity: Identity;
      try {
        identity = await verifyOnce(ctx, viaGateway, asScoped);
      } catch (gatewayError) {
        // The gateway took the token but its scopes fall short: that is the more useful thing to say.
        if (gatewayError instanceof AuthError && gatewayError.code === "auth.scope_mismatch")
          throw gatewayError;
        throw error;
      }
      return {
        profile: viaGateway,
        identity,
        secret: asScoped,
        rerouted:
          "the site rejected this token but the Atlassian API gateway accepted it: it is a scoped API token, which only works " +
          `through the gateway, so profile "${profile.name}" now uses ${viaGateway.apiBase} (kind scoped-token)`,
      };
    }
    if (
      profile.deployment === "cloud" &&
      profile.kind === "scoped-token" &&
      isGatewayUrl(profile.apiBase) &&
      error.code === "auth.token_rejected"
    ) {
      // The gateway refuses classic tokens ({"code":401,"message":"Unauthorized"}); the site takes them.
      const siteOrigin = new URL(profile.site).origin;
      if (!isGatewayUrl(profile.site)) {
        const onSite: Profile = { ...profile, kind: "api-token", apiBase: `${siteOrigin}/wiki/` };
        const asClassic: StoredSecret = { kind: "api-token", token: primarySecretValue(secret) };
        let identity: Identity;
        try {
          identity = await verifyOnce(ctx, onSite, asClassic);
        } catch {
          throw error;
        }
        return {
          profile: onSite,
          identity,
          secret: asClassic,
          rerouted:
            "the API gateway rejected this token but the site accepted it: it is a classic API token, not a scoped one, " +
            `so profile "${profile.name}" uses ${onSite.apiBase} (kind api-token)`,
        };
      }
    }
    if (
      profile.deployment === "dc" &&
      (profile.kind === "password" || profile.kind === "api-token") &&
      DC_BASIC_REJECTION_CODES.has(error.code)
    ) {
      const asPat: Profile = { ...profile, kind: "pat" };
      delete asPat.email;
      try {
        await verifyOnce(ctx, asPat, {
          kind: "pat",
          token: primarySecretValue(secret),
        });
      } catch {
        throw error;
      }
      throw new AuthError(
        "that secret is a personal access token: Data Center accepts it only as Bearer, without an email or username",
        {
          code: "auth.pat_as_basic",
          hint: `run: confl auth login${profileFlagFor(profile)} --site ${profile.site} --type pat --with-token   (no --email/--username)`,
        },
      );
    }
    throw error;
  }
}
