/**
 * The strategy factory: a profile plus its stored secret becomes the AuthStrategy the HTTP client
 * applies. OAuth kinds are handed to the OAuth module (src/auth/oauth).
 */
import type { Profile } from "../../config/types.js";
import type { Context } from "../../context.js";
import { AuthError, UsageError } from "../../errors.js";
import type { SecretStore } from "../../secrets/types.js";
import type { AuthStrategy, CredentialKind, StoredSecret } from "../types.js";
import { createApiTokenStrategy } from "./api-token.js";
import { createCookieStrategy } from "./cookie.js";
import { createNoneStrategy } from "./none.js";
import { createPasswordStrategy } from "./password.js";
import { createPatStrategy } from "./pat.js";
import { createScopedTokenStrategy } from "./scoped-token.js";

export interface StrategyDeps {
  ctx: Context;
  /** where refreshed OAuth tokens are written back; required for oauth/client-credentials */
  store?: SecretStore;
}

export const CREDENTIAL_KINDS: readonly CredentialKind[] = [
  "api-token",
  "scoped-token",
  "pat",
  "password",
  "cookie",
  "none",
  "oauth",
  "client-credentials",
];

/** One line per kind, shown when choosing one interactively and in `auth login --help`. */
export const KIND_EXPLANATIONS: Record<CredentialKind, string> = {
  "api-token": "Cloud: classic API token with your email, sent to the site (id.atlassian.com → API tokens)",
  "scoped-token": "Cloud: scoped API token with your email, sent through the api.atlassian.com gateway",
  pat: "Data Center 7.9+: personal access token, sent as Bearer (Profile → Personal Access Tokens)",
  password: "Data Center: username and password (legacy; prefer a personal access token)",
  cookie: "A browser session or SSO cookie (JSESSIONID, crowd.token_key, …), optionally with a PAT",
  none: "No credential: a reverse proxy in front of Confluence adds authentication",
  oauth: "OAuth 2.0 (3LO) in the browser, with refresh (Cloud or Data Center)",
  "client-credentials": "OAuth 2.0 client credentials for a service account (when Basic auth is disabled)",
};

/** Which kinds carry a secret the user must supply (OAuth kinds get theirs from the OAuth flow). */
export function kindNeedsSecret(kind: CredentialKind): boolean {
  return kind !== "none" && kind !== "oauth";
}

export function isCredentialKind(value: string): value is CredentialKind {
  return (CREDENTIAL_KINDS as readonly string[]).includes(value);
}

/**
 * Kinds people ask for that a command-line tool cannot or should not use. One paragraph each: why,
 * and what to use instead.
 */
const UNSUPPORTED_KIND_REASONS: Record<string, string> = {
  jwt:
    "Atlassian Connect JWT authenticates an installed Connect app, not a person: each request is signed with the " +
    "shared secret Atlassian hands the app's server at install time, with a query-string hash, and the app must be " +
    "installed on the site and reachable on the internet for the install handshake. A command-line tool has no " +
    "installed app, no public server and no shared secret. Use --type oauth (3LO, acting as you) or, for automation, " +
    "--type client-credentials (a service account); on a Cloud site with Basic auth allowed, --type api-token is simplest.",
  connect: "",
  forge:
    "Forge apps do not hold credentials at all: they run inside Atlassian's platform and call the product through " +
    "api.asUser()/api.asApp() with tokens the platform injects into the running function, which a program on your " +
    "machine cannot obtain. Use --type oauth (3LO, acting as you), --type client-credentials (a service account) or " +
    "--type api-token.",
  oauth1:
    "OAuth 1.0a is Atlassian's legacy application-link protocol: it needs an admin-created application link with an " +
    "RSA key pair per client and request signing, Atlassian Cloud has removed it for Confluence, and Data Center " +
    "replaced it with OAuth 2.0 and personal access tokens. Use --type pat on Data Center (or --type oauth with an " +
    "OAuth 2.0 incoming link), and --type api-token or --type oauth on Cloud.",
};
UNSUPPORTED_KIND_REASONS.connect = UNSUPPORTED_KIND_REASONS.jwt!;
UNSUPPORTED_KIND_REASONS["connect-jwt"] = UNSUPPORTED_KIND_REASONS.jwt!;
UNSUPPORTED_KIND_REASONS.oauth1a = UNSUPPORTED_KIND_REASONS.oauth1!;
UNSUPPORTED_KIND_REASONS["oauth-1.0a"] = UNSUPPORTED_KIND_REASONS.oauth1!;

/** The explanation paragraph for a kind confl refuses on purpose, or undefined. */
export function unsupportedKindReason(type: string): string | undefined {
  return UNSUPPORTED_KIND_REASONS[type.toLowerCase()];
}

/**
 * What people type for --type when they mean one of ours: the HTTP scheme (bearer, basic), the name without its
 * dash, the product's own words. The value is the suggestion, a kind or a sentence naming two.
 */
const KIND_SUGGESTIONS: Record<string, string> = {
  bearer: "pat",
  "bearer-token": "pat",
  "personal-access-token": "pat",
  "personal-token": "pat",
  token: "api-token (Cloud) or pat (Data Center)",
  basic: "api-token (Cloud: email + API token) or password (Data Center: username + password)",
  "basic-auth": "api-token (Cloud: email + API token) or password (Data Center: username + password)",
  apitoken: "api-token",
  api_token: "api-token",
  "api-key": "api-token",
  apikey: "api-token",
  "classic-token": "api-token",
  scoped: "scoped-token",
  scopedtoken: "scoped-token",
  scoped_token: "scoped-token",
  oauth2: "oauth",
  "oauth-2": "oauth",
  "3lo": "oauth",
  "client-credential": "client-credentials",
  clientcredentials: "client-credentials",
  client_credentials: "client-credentials",
  "service-account": "client-credentials",
  session: "cookie",
  jsessionid: "cookie",
  sso: "cookie",
  passwd: "password",
};

/** The kind meant by a --type value that is not one, or undefined. */
export function suggestKind(type: string): string | undefined {
  const value = type.trim().toLowerCase();
  const direct = KIND_SUGGESTIONS[value] ?? KIND_SUGGESTIONS[value.replace(/[\s_]+/g, "-")];
  if (direct) return direct;
  const squashed = value.replace(/[\s_-]+/g, "");
  return CREDENTIAL_KINDS.find((kind) => kind.replace(/-/g, "") === squashed);
}

/** Validates a --type value: a UsageError (exit 2) that explains itself for unsupported kinds. */
export function parseCredentialKind(type: string): CredentialKind {
  const value = type.trim().toLowerCase();
  if (isCredentialKind(value)) return value;
  const reason = unsupportedKindReason(value);
  if (reason)
    throw new UsageError(`--type ${value} is not supported. ${reason}`, { code: "usage.unsupported_kind" });
  const suggestion = suggestKind(value);
  throw new UsageError(
    `unknown credential type "${type}"${suggestion ? `: did you mean ${suggestion}?` : ""}`,
    {
      code: "usage.unknown_kind",
      hint: `choose one of: ${CREDENTIAL_KINDS.join(", ")}`,
    },
  );
}

export function createStrategy(
  profile: Profile,
  secret: StoredSecret | undefined,
  _deps: StrategyDeps,
): AuthStrategy {
  if (profile.kind === "none") return createNoneStrategy();
  const missing = () =>
    new AuthError(`no ${profile.kind} secret is stored for profile "${profile.name}"`, {
      code: "auth.no_secret",
      hint: `run: confl auth login --profile ${profile.name}`,
    });
  if (!secret) throw missing();
  switch (profile.kind) {
    case "api-token":
    case "scoped-token": {
      // Both token kinds share one shape: a profile re-routed through the gateway keeps its secret.
      if (secret.kind !== "api-token" && secret.kind !== "scoped-token") throw missing();
      const email = profile.email;
      if (!email)
        throw new AuthError(`profile "${profile.name}" has an API token but no email`, {
          code: "auth.no_email",
          hint: `run: confl auth login --profile ${profile.name}   (it asks for the email of the Atlassian account that created the token)`,
        });
      return profile.kind === "api-token"
        ? createApiTokenStrategy({ email, token: secret.token })
        : createScopedTokenStrategy({ email, token: secret.token });
    }
    case "pat": {
      if (secret.kind !== "pat") throw missing();
      return createPatStrategy({ token: secret.token, ...(secret.cookie ? { cookie: secret.cookie } : {}) });
    }
    case "password": {
      if (secret.kind !== "password") throw missing();
      const username = profile.username ?? profile.email;
      if (!username)
        throw new AuthError(`profile "${profile.name}" has a password but no username`, {
          code: "auth.no_username",
          hint: `run: confl auth login --profile ${profile.name}   (it asks for the username)`,
        });
      return createPasswordStrategy({ username, password: secret.password });
    }
    case "cookie": {
      if (secret.kind !== "cookie") throw missing();
      return createCookieStrategy({
        cookie: secret.cookie,
        ...(secret.token ? { token: secret.token } : {}),
      });
    }
    case "oauth":
    case "client-credentials":
      throw new AuthError("internal: OAuth strategies are created by createStrategyAsync", {
        code: "auth.internal",
      });
  }
}

/** Like createStrategy, but also covers the OAuth kinds (their module is loaded on demand). */
export async function createStrategyAsync(
  profile: Profile,
  secret: StoredSecret | undefined,
  deps: StrategyDeps,
): Promise<AuthStrategy> {
  if (profile.kind !== "oauth" && profile.kind !== "client-credentials")
    return createStrategy(profile, secret, deps);
  if (!secret || (secret.kind !== "oauth" && secret.kind !== "client-credentials")) {
    throw new AuthError(`no OAuth tokens are stored for profile "${profile.name}"`, {
      code: "auth.no_secret",
      hint: `run: confl auth login --profile ${profile.name} --type ${profile.kind}`,
    });
  }
  if (!deps.store) {
    throw new AuthError(`profile "${profile.name}" keeps OAuth tokens outside a secret store`, {
      code: "auth.no_store",
      hint: `run: confl auth login --profile ${profile.name} --type ${profile.kind}`,
    });
  }
  const { createOAuthStrategy } = await import("../oauth/index.js");
  return createOAuthStrategy({ profile, secret, store: deps.store, ctx: deps.ctx });
}
