/**
 * The kinds registry: one descriptor per credential kind (descriptor.ts), and what follows from it: the
 * list of kinds, their explanations, the strategy factory, and the parsing of --type values.
 */
import type { Profile } from "../../config/types.js";
import { AuthError, UsageError } from "../../errors.js";
import { registerCookieSecret, registerSecret } from "../../redact.js";
import type { AuthStrategy, CredentialKind, StoredSecret } from "../types.js";
import { apiTokenKind } from "./api-token.js";
import { cookieKind } from "./cookie.js";
import type { KindDescriptor, StrategyDeps } from "./descriptor.js";
import { noneKind } from "./none.js";
import { clientCredentialsKind, threeLeggedKind } from "./oauth.js";
import { passwordKind } from "./password.js";
import { patKind } from "./pat.js";
import { scopedTokenKind } from "./scoped-token.js";

export type { KindDescriptor, StrategyDeps } from "./descriptor.js";

/** Every kind, in the order they are listed to people. A kind missing here is a compile error. */
const KINDS: { readonly [K in CredentialKind]: KindDescriptor<K> } = {
  "api-token": apiTokenKind,
  "scoped-token": scopedTokenKind,
  pat: patKind,
  password: passwordKind,
  cookie: cookieKind,
  none: noneKind,
  oauth: threeLeggedKind,
  "client-credentials": clientCredentialsKind,
};

/** The descriptor of a kind, typed for any kind (what it takes and gives is that kind's secret). */
export function kindDescriptor(kind: CredentialKind): KindDescriptor {
  // Each entry is a KindDescriptor<K> for its own K; TypeScript cannot correlate that through an index.
  return KINDS[kind] as unknown as KindDescriptor;
}

export const CREDENTIAL_KINDS: readonly CredentialKind[] = Object.keys(KINDS) as CredentialKind[];

/** One line per kind, shown when choosing one interactively and in `auth login --help`. */
export const KIND_EXPLANATIONS = Object.fromEntries(
  CREDENTIAL_KINDS.map((kind) => [kind, KINDS[kind].explanation]),
) as Record<CredentialKind, string>;

/** The kinds whose tokens come from an OAuth flow (and are refreshed by their strategy). */
export type OAuthKind = "oauth" | "client-credentials";

export function isOAuthKind(kind: CredentialKind): kind is OAuthKind {
  return KINDS[kind].secretFrom === "oauth";
}

/** The values of a stored secret's secret fields, the primary one first ("" for one not set). */
function secretValues(secret: StoredSecret): string[] {
  const fields = secret as unknown as Record<string, string | undefined>;
  return kindDescriptor(secret.kind).secretFields.map((field) => fields[field] ?? "");
}

/** Registers every value of a stored secret for redaction. */
export function registerStoredSecret(secret: StoredSecret | undefined): void {
  if (!secret) return;
  const { cookieField } = kindDescriptor(secret.kind);
  if (cookieField) registerCookieSecret((secret as unknown as Record<string, string>)[cookieField]);
  for (const value of secretValues(secret)) registerSecret(value);
}

/** The one value that is "the secret": what `auth token` prints, what a login retries as another kind. */
export function primarySecretValue(secret: StoredSecret): string {
  return secretValues(secret)[0] ?? "";
}

/**
 * A secret given as text (stdin, the prompt, the environment, .netrc) in the shape a kind stores: the value
 * fills the primary field, a second line the next one. Undefined for a kind the user gives no secret for.
 */
export function secretForKind(
  kind: CredentialKind,
  value: string,
  second?: string,
): StoredSecret | undefined {
  const { input, secretFields } = kindDescriptor(kind);
  const [primary, other] = secretFields;
  if (!input || !primary) return undefined;
  return { kind, [primary]: value, ...(second && other ? { [other]: second } : {}) } as StoredSecret;
}

function isCredentialKind(value: string): value is CredentialKind {
  return Object.hasOwn(KINDS, value);
}

/**
 * Kinds people ask for that a command-line tool cannot or should not use: why (one short line), what to use
 * instead and where Atlassian explains it (the hint line).
 */
interface UnsupportedKind {
  why: string;
  instead: string;
  link: string;
}

const CONNECT_JWT: UnsupportedKind = {
  why: "Connect JWT signs requests as an installed app, not a person",
  instead: "use --type oauth (as you) or --type client-credentials (a service account)",
  link: "https://developer.atlassian.com/cloud/confluence/understanding-jwt/",
};
const OAUTH1: UnsupportedKind = {
  why: "OAuth 1.0a is gone from Cloud and replaced on Data Center",
  instead: "use --type oauth (OAuth 2.0), or --type pat (Data Center) / api-token (Cloud)",
  link: "https://developer.atlassian.com/cloud/confluence/oauth-2-3lo-apps/",
};
const UNSUPPORTED_KINDS: Record<string, UnsupportedKind> = {
  jwt: CONNECT_JWT,
  connect: CONNECT_JWT,
  "connect-jwt": CONNECT_JWT,
  forge: {
    why: "Forge tokens exist only inside Atlassian's platform",
    instead: "use --type oauth (as you), client-credentials (a service account) or api-token",
    link: "https://developer.atlassian.com/platform/forge/",
  },
  oauth1: OAUTH1,
  oauth1a: OAUTH1,
  "oauth-1.0a": OAUTH1,
};

/** Why confl refuses a kind on purpose, and what to use instead; undefined for any other value. */
export function unsupportedKindReason(type: string): string | undefined {
  const kind = UNSUPPORTED_KINDS[type.toLowerCase()];
  return kind && Object.hasOwn(UNSUPPORTED_KINDS, type.toLowerCase())
    ? `${kind.why}; ${kind.instead} (${kind.link})`
    : undefined;
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
function suggestKind(type: string): string | undefined {
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
  const unsupported = Object.hasOwn(UNSUPPORTED_KINDS, value) ? UNSUPPORTED_KINDS[value] : undefined;
  if (unsupported)
    // two short lines: why, then what instead and where Atlassian explains it
    throw new UsageError(`--type ${value} is not supported: ${unsupported.why}`, {
      code: "usage.unsupported_kind",
      hint: `${unsupported.instead}; see ${unsupported.link}`,
    });
  const suggestion = suggestKind(value);
  throw new UsageError(
    `unknown credential type "${type}"${suggestion ? `: did you mean ${suggestion}?` : ""}`,
    {
      code: "usage.unknown_kind",
      hint: `choose one of: ${CREDENTIAL_KINDS.join(", ")}`,
    },
  );
}

/** The strategy for a kind whose strategy needs no module loaded (all but the OAuth kinds). */
export function createStrategy(
  profile: Profile,
  secret: StoredSecret | undefined,
  deps: StrategyDeps,
): AuthStrategy {
  if (isOAuthKind(profile.kind))
    throw new AuthError("internal: OAuth strategies are created by createStrategyAsync", {
      code: "auth.internal",
    });
  return kindDescriptor(profile.kind).strategy(profile, secret, deps) as AuthStrategy;
}

/** Like createStrategy, but also covers the OAuth kinds (their module is loaded on demand). */
export async function createStrategyAsync(
  profile: Profile,
  secret: StoredSecret | undefined,
  deps: StrategyDeps,
): Promise<AuthStrategy> {
  return kindDescriptor(profile.kind).strategy(profile, secret, deps);
}
