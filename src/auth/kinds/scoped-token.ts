/**
 * Cloud scoped API token: still Basic email:token, but only the gateway
 * (`{apiUrl}/ex/confluence/{cloudId}/wiki/`) accepts it; the site URL answers 401 (confluence-api.md §3.1, §3.3).
 */
import { registerSecret } from "../../redact.js";
import type { AuthStrategy } from "../types.js";
import { assertSafeTransport, basicAuthorization } from "./transport.js";

export interface ScopedTokenCredential {
  email: string;
  token: string;
}

export function createScopedTokenStrategy(credential: ScopedTokenCredential): AuthStrategy {
  registerSecret(credential.token);
  const header = basicAuthorization(credential.email, credential.token);
  return {
    kind: "scoped-token",
    headerNames: ["authorization"],
    describe: () => `scoped API token (Basic, through the API gateway) for ${credential.email}`,
    async apply(request) {
      assertSafeTransport(request.url, "an API token");
      request.headers.set("authorization", header);
    },
    secrets: () => [credential.token, header.slice("Basic ".length)],
  };
}
