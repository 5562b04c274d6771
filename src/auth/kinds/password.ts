/**
 * Data Center/Server Basic username:password. Legacy: admins may disable it, failures count towards the
 * CAPTCHA lock-out (AUTHENTICATION_DENIED, confluence-api.md §5.3), and a PAT does the same job safely.
 */
import { registerSecret } from "../../redact.js";
import type { AuthStrategy } from "../types.js";
import { assertSafeTransport, basicAuthorization } from "./transport.js";

export interface PasswordCredential {
  username: string;
  password: string;
}

export function createPasswordStrategy(credential: PasswordCredential): AuthStrategy {
  registerSecret(credential.password);
  const header = basicAuthorization(credential.username, credential.password);
  return {
    kind: "password",
    headerNames: ["authorization"],
    describe: () => `username and password (Basic, legacy) for ${credential.username}`,
    async apply(request) {
      assertSafeTransport(request.url, "a password");
      request.headers.set("authorization", header);
    },
    secrets: () => [credential.password, header.slice("Basic ".length)],
  };
}
