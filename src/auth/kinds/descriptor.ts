/**
 * What confl knows about one credential kind, in one place: its secret fields, where its requests go on
 * Cloud, its explanation, how a login verifies it, and its strategy. The registry in index.ts holds one
 * per kind, typed so that a kind without a descriptor does not compile.
 */
import type { Profile } from "../../config/types.js";
import type { Context } from "../../context.js";
import { AuthError } from "../../errors.js";
import type { SecretStore } from "../../secrets/types.js";
import type { AuthStrategy, CredentialKind, StoredSecret } from "../types.js";

/** The stored secret of one kind. */
export type SecretOf<K extends CredentialKind> = Extract<StoredSecret, { kind: K }>;

export interface StrategyDeps {
  ctx: Context;
  /** where refreshed OAuth tokens are written back; required for oauth/client-credentials */
  store?: SecretStore;
}

/** The fields of a kind's stored secret that hold secret values. */
export type SecretField<K extends CredentialKind> = Exclude<keyof SecretOf<K>, "kind"> & string;

export interface KindDescriptor<K extends CredentialKind = CredentialKind> {
  readonly kind: K;
  /** One line, shown when choosing a kind interactively, in `auth login --help` and in completion. */
  readonly explanation: string;
  /**
   * Where a Cloud profile of this kind sends its requests: the site's own API root, the API gateway
   * (`…/ex/confluence/{cloudId}/wiki/`, the only place a scoped token works), or wherever its OAuth login
   * said (the gateway for 3LO, the instance for Data Center).
   */
  readonly apiRoot: "site" | "gateway" | "oauth";
  /**
   * The stored secret's fields that hold secret values, the primary one first: what `auth token` prints,
   * what a login retries as another kind, and what the first line given (--with-token, the prompt, the
   * environment, .netrc) fills; a second line fills the second field (pat: a cookie; cookie: a PAT).
   */
  readonly secretFields: readonly SecretField<K>[];
  /** a field that holds a cookie header: its parts are registered for redaction too */
  readonly cookieField?: SecretField<K>;
  /**
   * Who supplies the secret: nobody (no credential), the user (typed, piped, environment, .netrc: `input`
   * says how it is asked for), or an OAuth flow (the strategy refreshes it).
   */
  readonly secretFrom: "nobody" | "user" | "oauth";
  readonly input?: {
    /** the masked prompt's label */
    label: string;
    /** a .netrc password can be this kind's secret */
    netrc: boolean;
  };
  /**
   * How a login checks it: the identity and content calls, and for OAuth kinds the same calls through a
   * store that keeps the tokens a 401 refresh rotates (they, not the ones first obtained, get stored).
   */
  readonly verification: "identity" | "identity-keeping-rotated-tokens";
  /** The strategy for a profile of this kind with its stored secret (OAuth kinds load their module on demand). */
  strategy(
    profile: Profile,
    secret: StoredSecret | undefined,
    deps: StrategyDeps,
  ): AuthStrategy | Promise<AuthStrategy>;
}

/** A profile whose stored secret is missing or of another kind. */
export function missingSecret(profile: Profile): AuthError {
  return new AuthError(`no ${profile.kind} secret is stored for profile "${profile.name}"`, {
    code: "auth.no_secret",
    hint: `run: confl auth login --profile ${profile.name}`,
  });
}

/** The stored secret when it is one of `kinds`; else the AuthError naming the fix. */
export function requireSecret<K extends CredentialKind>(
  profile: Profile,
  secret: StoredSecret | undefined,
  ...kinds: K[]
): SecretOf<K> {
  if (!secret || !(kinds as CredentialKind[]).includes(secret.kind)) throw missingSecret(profile);
  return secret as SecretOf<K>;
}
