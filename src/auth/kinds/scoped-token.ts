/**
 * Cloud scoped API token: still Basic email:token, but only the gateway
 * (`{apiUrl}/ex/confluence/{cloudId}/wiki/`) accepts it; the site URL answers 401 (confluence-api.md §3.1, §3.3).
 */
import { registerSecret } from "../../redact.js";
import type { AuthStrategy } from "../types.js";
import { type ApiTokenCredential, tokenCredential } from "./api-token.js";
import type { KindDescriptor } from "./descriptor.js";
import { createBasicStrategy } from "./transport.js";

export type ScopedTokenCredential = ApiTokenCredential;

export function createScopedTokenStrategy(credential: ScopedTokenCredential): AuthStrategy {
  return createBasicStrategy({
    kind: "scoped-token",
    user: credential.email,
    secret: credential.token,
    what: "an API token",
    description: `scoped API token (Basic, through the API gateway) for ${credential.email}`,
  });
}

export const scopedTokenKind: KindDescriptor<"scoped-token"> = {
  kind: "scoped-token",
  explanation: "Cloud: scoped API token with your email, sent through the api.atlassian.com gateway",
  apiRoot: "gateway",
  secretFrom: "user",
  input: { label: "API token", parse: (token) => ({ kind: "scoped-token", token }), netrc: true },
  verification: "identity",
  register: (secret) => registerSecret(secret.token),
  primaryValue: (secret) => secret.token,
  strategy: (profile, secret) => createScopedTokenStrategy(tokenCredential(profile, secret)),
};
