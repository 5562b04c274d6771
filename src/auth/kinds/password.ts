/**
 * Data Center/Server Basic username:password. Legacy: admins may disable it, failures count towards the
 * CAPTCHA lock-out (AUTHENTICATION_DENIED, confluence-api.md §5.3), and a PAT does the same job safely.
 */
import { AuthError } from "../../errors.js";
import type { AuthStrategy } from "../types.js";
import { type KindDescriptor, requireSecret } from "./descriptor.js";
import { createBasicStrategy } from "./transport.js";

export interface PasswordCredential {
  username: string;
  password: string;
}

export function createPasswordStrategy(credential: PasswordCredential): AuthStrategy {
  return createBasicStrategy({
    kind: "password",
    user: credential.username,
    secret: credential.password,
    what: "a password",
    description: `username and password (Basic, legacy) for ${credential.username}`,
  });
}

export const passwordKind: KindDescriptor<"password"> = {
  kind: "password",
  explanation: "Data Center: username and password (legacy; prefer a personal access token)",
  apiRoot: "site",
  secretFields: ["password"],
  secretFrom: "user",
  input: { label: "Password", netrc: true },
  verification: "identity",
  strategy(profile, secret) {
    const { password } = requireSecret(profile, secret, "password");
    const username = profile.username ?? profile.email;
    if (!username)
      throw new AuthError(`profile "${profile.name}" has a password but no username`, {
        code: "auth.no_username",
        hint: `run: confl auth login --profile ${profile.name}   (it asks for the username)`,
      });
    return createPasswordStrategy({ username, password });
  },
};
