/**
 * A browser session or SSO cookie header (JSESSIONID, crowd.token_key, an F5/Okta cookie), for sites
 * where SSO leaves no other way in (peers.md §6 item 6). With a PAT as well, both headers are sent.
 */
import { registerCookieSecret, registerSecret } from "../../redact.js";
import type { AuthStrategy } from "../types.js";
import { type KindDescriptor, requireSecret } from "./descriptor.js";
import { assertSafeTransport } from "./transport.js";

export interface CookieCredential {
  cookie: string;
  token?: string | undefined;
}

/** A bare value ("abc123") is taken as a JSESSIONID; a "name=value; name2=value2" header is used as is. */
function normaliseCookieHeader(value: string): string {
  const trimmed = value.trim().replace(/^cookie:\s*/i, "");
  return trimmed.includes("=") ? trimmed : `JSESSIONID=${trimmed}`;
}

export function createCookieStrategy(credential: CookieCredential): AuthStrategy {
  const cookie = normaliseCookieHeader(credential.cookie);
  // the header, each part and each part's value; a part without "=" is a bare secret value
  registerCookieSecret(credential.cookie);
  registerCookieSecret(cookie);
  registerSecret(credential.token);
  return {
    kind: "cookie",
    headerNames: credential.token ? ["cookie", "authorization"] : ["cookie"],
    describe: () =>
      credential.token ? "session cookie with a personal access token (Bearer)" : "session cookie",
    async apply(request) {
      assertSafeTransport(request.url, "a session cookie");
      request.headers.set("cookie", cookie);
      if (credential.token) request.headers.set("authorization", `Bearer ${credential.token}`);
    },
    secrets: () => (credential.token ? [cookie, credential.token] : [cookie]),
  };
}

/** A session cookie, and a PAT sent with it when a second line was given. */
export const cookieKind: KindDescriptor<"cookie"> = {
  kind: "cookie",
  explanation: "A browser session or SSO cookie (JSESSIONID, crowd.token_key, …), optionally with a PAT",
  secretFields: ["cookie", "token"],
  cookieField: "cookie",
  input: { label: "Cookie header (name=value; …)", netrc: false },
  secretFrom: "user",
  apiRoot: "site",
  verification: "identity",
  strategy: (profile, secret) => createCookieStrategy(requireSecret(profile, secret, "cookie")),
};
