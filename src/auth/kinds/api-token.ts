/** Cloud classic API token: Basic email:token on the site URL (confluence-api.md §3.1). */
import type { Profile } from "../../config/types.js";
import { AuthError } from "../../errors.js";
import { registerSecret } from "../../redact.js";
import type { AuthStrategy, StoredSecret } from "../types.js";
import { type KindDescriptor, requireSecret } from "./descriptor.js";
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
      hint: `run: confl auth login --profile ${profile.name} --email <you@example.com> --with-token`,
    });
  return { email, token };
}

export const apiTokenKind: KindDescriptor<"api-token"> = {
  kind: "api-token",
  explanation: "Cloud: classic API token with your email, sent to the site (id.atlassian.com → API tokens)",
  apiRoot: "site",
  secretFrom: "user",
  input: { label: "API token", parse: (token) => ({ kind: "api-token", token }), netrc: true },
  verification: "identity",
  register: (secret) => registerSecret(secret.token),
  primaryValue: (secret) => secret.token,
  strategy: (profile, secret) => createApiTokenStrategy(tokenCredential(profile, secret)),
};
