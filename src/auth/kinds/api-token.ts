/** Cloud classic API token: Basic email:token on the site URL (confluence-api.md §3.1). */
import { registerSecret } from "../../redact.js";
import type { AuthStrategy } from "../types.js";
import { assertSafeTransport, basicAuthorization } from "./transport.js";

export interface ApiTokenCredential {
  email: string;
  token: string;
}

export function createApiTokenStrategy(credential: ApiTokenCredential): AuthStrategy {
  registerSecret(credential.token);
  const header = basicAuthorization(credential.email, credential.token);
  return {
    kind: "api-token",
    headerNames: ["authorization"],
    describe: () => `API token (Basic) for ${credential.email}`,
    async apply(request) {
      assertSafeTransport(request.url, "an API token");
      request.headers.set("authorization", header);
    },
    secrets: () => [credential.token, header.slice("Basic ".length)],
  };
}
