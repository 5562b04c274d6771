/**
 * Data Center personal access token: `Authorization: Bearer`, never Basic and never with a username
 * (confluence-api.md §5.2; mark #113). An SSO cookie may ride along when a gateway in front wants one.
 */
import { registerSecret } from "../../redact.js";
import type { AuthStrategy } from "../types.js";
import { type KindDescriptor, requireSecret } from "./descriptor.js";
import { assertSafeTransport } from "./transport.js";

export interface PatCredential {
  token: string;
  cookie?: string | undefined;
}

export function createPatStrategy(credential: PatCredential): AuthStrategy {
  registerSecret(credential.token);
  registerSecret(credential.cookie);
  return {
    kind: "pat",
    headerNames: credential.cookie ? ["authorization", "cookie"] : ["authorization"],
    describe: () =>
      credential.cookie
        ? "personal access token (Bearer) with a session cookie"
        : "personal access token (Bearer)",
    async apply(request) {
      assertSafeTransport(request.url, "a personal access token");
      request.headers.set("authorization", `Bearer ${credential.token}`);
      if (credential.cookie) request.headers.set("cookie", credential.cookie);
    },
    secrets: () => (credential.cookie ? [credential.token, credential.cookie] : [credential.token]),
  };
}

export const patKind: KindDescriptor<"pat"> = {
  kind: "pat",
  explanation: "Data Center 7.9+: personal access token, sent as Bearer (Profile → Personal Access Tokens)",
  apiRoot: "site",
  secretFields: ["token", "cookie"],
  cookieField: "cookie",
  secretFrom: "user",
  input: { label: "Personal access token", netrc: true },
  verification: "identity",
  strategy: (profile, secret) => createPatStrategy(requireSecret(profile, secret, "pat")),
};
