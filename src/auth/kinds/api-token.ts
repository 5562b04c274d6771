/** Cloud classic API token: Basic email:token on the site URL (confluence-api.md §3.1). */
import type { Profile } from "../../config/types.js";
import { AuthError } from "../../errors.js";
import type { AuthStrategy, StoredSecret } from "../types.js";
import { type KindDescriptor, requireSecret, type SecretField } from "./descriptor.js";
import { createBasicStrategy } from "./transport.js";

export interface ApiTokenCredential {
  email: string;
  token: string;
}

export function createApiTokenStrategy(credential: ApiTokenCredential): AuthStrategy {
  return createBasicStrategy({
    kind: "api-token",
    user: credential.email,
    secret: credential.token,
    what: "an API token",
    description: `API token (Basic) for ${credential.email}`,
  });
}

/**
 * The email and token of an api-token or scoped-token profile. Both kinds store the same shape, so a
 * profile re-routed between the site and the gateway keeps its secret.
 */
export function tokenCredential(profile: Profile, secret: StoredSecret | undefined): ApiTokenCredential {
  const { token } = requireSecret(profile, secret, "api-token", "scoped-token");
  const email = profile.email;
  if (!email)
    throw new AuthError(`profile "${profile.name}" has an API token but no email`, {
      code: "auth.no_email",
      hint: `run: confl auth login --profile ${profile.name}   (it asks for the email of the Atlassian account that created the token)`,
    });
  return { email, token };
}

/** The descriptor of a token kind (api-token, scoped-token): they differ in where their requests go. */
export function tokenKind<K extends "api-token" | "scoped-token">(
  kind: K,
  explanation: string,
  apiRoot: "site" | "gateway",
  create: (credential: ApiTokenCredential) => AuthStrategy,
): KindDescriptor<K> {
  const input = { label: "API token", netrc: true };
  const strategy = (profile: Profile, secret: StoredSecret | undefined) =>
    create(tokenCredential(profile, secret));
  const secretFields = ["token"] as SecretField<K>[];
  return {
    kind,
    explanation,
    apiRoot,
    secretFields,
    secretFrom: "user",
    input,
    verification: "identity",
    strategy,
  };
}

export const apiTokenKind = tokenKind(
  "api-token",
  "Cloud: classic API token with your email, sent to the site (id.atlassian.com → API tokens)",
  "site",
  createApiTokenStrategy,
);
