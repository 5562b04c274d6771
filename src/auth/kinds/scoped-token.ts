/**
 * Cloud scoped API token: still Basic email:token, but only the gateway
 * (`{apiUrl}/ex/confluence/{cloudId}/wiki/`) accepts it; the site URL answers 401 (confluence-api.md §3.1, §3.3).
 */
import type { AuthStrategy } from "../types.js";
import { type ApiTokenCredential, tokenKind } from "./api-token.js";
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

export const scopedTokenKind = tokenKind(
  "scoped-token",
  "Cloud: scoped API token with your email, sent through the api.atlassian.com gateway",
  "gateway",
  createScopedTokenStrategy,
);
