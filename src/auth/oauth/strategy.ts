/**
 * The Bearer strategy for OAuth 3LO (Cloud and Data Center), bring-your-own access tokens and client
 * credentials, with the refresh discipline Atlassian's rotating refresh tokens demand (confluence-api.md
 * §4.3: the refresh token used is disabled; presenting it again → 403 invalid_grant):
 *
 * - refresh ahead of expiry (60 s, or half the token's lifetime for short-lived tokens), or once after a 401;
 * - one refresh at a time in this process (a shared promise);
 * - across processes a lock file in the config dir; after taking it, RE-READ the stored secret, because
 *   another process may have refreshed already, and refresh only if still needed;
 * - persist the rotated pair (store.set) BEFORE the new access token is used;
 * - a network error or 5xx during refresh leaves the stored secret untouched.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { configDir } from "../../config/paths.js";
import { secretEntryOf } from "../../config/secret-entry.js";
import type { Profile } from "../../config/types.js";
import { AuthError, ConflError } from "../../errors.js";
import { registerSecret } from "../../redact.js";
import type { SecretStore } from "../../secrets/types.js";
import { assertSafeTransport } from "../kinds/transport.js";
import type { AuthRequest, AuthStrategy, StoredSecret, UnauthorizedResponse } from "../types.js";
import { CLOUD_AUDIENCE, tokenEndpointFor } from "./endpoints.js";
import {
  OAuthTransientError,
  RefreshTokenInvalidError,
  requestToken,
  type TokenResponse,
} from "./token-endpoint.js";

export type OAuthSecret = Extract<StoredSecret, { kind: "oauth" | "client-credentials" }>;

/** Refresh this long before expiry at most (confluence.js uses 60 s). */
const REFRESH_SKEW_MS = 60_000;

export interface RefreshingStrategyOptions {
  profile: Profile;
  secret: OAuthSecret;
  store: SecretStore;
  env: NodeJS.ProcessEnv;
  debug?: (line: string) => void;
  now?: () => number;
  fetchImpl?: typeof fetch;
  /** how long to wait for another process's refresh (default 60 s) */
  lockWaitMs?: number;
}

export interface RefreshingStrategy extends AuthStrategy {
  /** the secret as this process currently holds it */
  current(): OAuthSecret;
  /** refresh now (under the lock), whatever the expiry says */
  refresh(options?: { force?: boolean }): Promise<OAuthSecret>;
}

/**
 * A refresh is one HTTP round trip; a lock untouched for this long belongs to a dead process. The holder
 * touches it every quarter of this, so only a process stalled for several seconds loses it.
 */
const LOCK_STALE_MS = 6_000;

export function lockPathFor(profileName: string, env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "locks", `oauth-${encodeURIComponent(profileName)}`);
}

function canRefresh(secret: OAuthSecret): boolean {
  return (
    secret.kind === "client-credentials" ||
    (secret.refreshToken !== undefined && secret.clientSecret !== undefined)
  );
}

export function needsRefresh(secret: OAuthSecret, now: number): boolean {
  if (!secret.accessToken) return true;
  if (secret.expiresAt === undefined) return false;
  const lifetime =
    secret.obtainedAt !== undefined ? secret.expiresAt - secret.obtainedAt : Number.POSITIVE_INFINITY;
  const skew = Math.min(REFRESH_SKEW_MS, Math.max(0, lifetime / 2));
  return now >= secret.expiresAt - skew;
}

function registerOAuthSecrets(secret: OAuthSecret): void {
  registerSecret(secret.accessToken);
  registerSecret(secret.clientSecret);
  if (secret.kind === "oauth") registerSecret(secret.refreshToken);
}

export function createRefreshingStrategy(options: RefreshingStrategyOptions): RefreshingStrategy {
  const { profile, store, env } = options;
  const now = options.now ?? Date.now;
  const debug = options.debug ?? (() => {});
  let secret = options.secret;
  let inflight: Promise<OAuthSecret> | undefined;
  registerOAuthSecrets(secret);

  const clientId = profile.oauth?.clientId;
  let transportFetch: Promise<typeof fetch> | undefined;
  /** The token endpoint goes through the same transport as API calls: proxy, private CA, mTLS. */
  function tokenFetch(): Promise<typeof fetch> {
    if (options.fetchImpl) return Promise.resolve(options.fetchImpl);
    transportFetch ??= import("../../http/transport.js").then(
      async ({ createTransport }) =>
        (await createTransport({ tls: profile.tls, env, debug })).fetch as typeof fetch,
    );
    return transportFetch;
  }

  /**
   * The stored secret, read under the lock. Missing or replaced by another kind means the profile was
   * logged out or logged in again elsewhere: refreshing would resurrect or overwrite that, so stop.
   */
  async function readStored(): Promise<OAuthSecret> {
    const text = await store.get(secretEntryOf(profile));
    const loginAgain = `Run \`confl auth login --profile ${profile.name}\` again.`;
    if (!text) {
      throw new AuthError(
        `the OAuth tokens of profile ${profile.name} are no longer stored (logged out meanwhile?)`,
        {
          code: "auth.no_secret",
          hint: loginAgain,
        },
      );
    }
    let parsed: StoredSecret;
    try {
      parsed = JSON.parse(text) as StoredSecret;
    } catch {
      throw new AuthError(`the stored secret of profile ${profile.name} is damaged`, {
        code: "auth.secret_damaged",
        hint: loginAgain,
      });
    }
    if (parsed.kind !== secret.kind) {
      throw new AuthError(
        `profile ${profile.name} was logged in again with another credential kind (${parsed.kind})`,
        {
          code: "auth.secret_replaced",
          hint: "Run the command again.",
        },
      );
    }
    registerOAuthSecrets(parsed as OAuthSecret);
    return parsed as OAuthSecret;
  }

  async function fetchNewTokens(base: OAuthSecret): Promise<TokenResponse> {
    if (!clientId) {
      throw new AuthError(`profile ${profile.name} has no OAuth client ID`, {
        code: "auth.oauth_incomplete",
        hint: `Run \`confl auth login --profile ${profile.name}\` again.`,
      });
    }
    const tokenUrl = tokenEndpointFor(profile, env);
    const encoding = profile.deployment === "dc" ? "form" : "json";
    if (base.kind === "client-credentials") {
      return requestToken(
        tokenUrl,
        {
          grant_type: "client_credentials",
          client_id: clientId,
          client_secret: base.clientSecret,
          audience: profile.deployment === "dc" ? undefined : CLOUD_AUDIENCE,
          scope: profile.oauth?.scopes?.join(" ") || undefined,
        },
        { encoding, profileName: profile.name, fetchImpl: await tokenFetch(), env, debug },
      );
    }
    return requestToken(
      tokenUrl,
      {
        grant_type: "refresh_token",
        client_id: clientId,
        client_secret: base.clientSecret,
        refresh_token: base.refreshToken,
      },
      { encoding, profileName: profile.name, fetchImpl: await tokenFetch(), env, debug },
    );
  }

  async function withLock<T>(fn: () => Promise<T>): Promise<T> {
    const { loadLockfile } = await import("../../config/private-files.js");
    const lockfile = await loadLockfile();
    const path = lockPathFor(profile.name, env);
    await mkdir(join(configDir(env), "locks"), { recursive: true, mode: 0o700 });
    const waitMs = options.lockWaitMs ?? 60_000;
    const started = now();
    let release: (() => Promise<void>) | undefined;
    // A process SIGKILLed while holding the lock leaves it behind; proper-lockfile treats a lock whose
    // mtime stopped being touched for `stale` ms as abandoned and takes it over.
    for (let attempt = 0; release === undefined; attempt++) {
      try {
        release = await lockfile.lock(path, {
          realpath: false,
          stale: LOCK_STALE_MS,
          update: LOCK_STALE_MS / 4,
          onCompromised: () => debug("oauth: refresh lock was taken over (this process stalled)"),
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
        if (now() - started > waitMs) {
          throw new ConflError(`timed out waiting for another confl process to refresh the OAuth token`, {
            code: "oauth.lock_timeout",
            hint: `If no other confl is running, delete ${path}.lock and try again.`,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 1.5 ** Math.min(attempt, 8), 250)));
      }
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => {});
    }
  }

  async function refreshUnderLock(
    force: boolean,
    failedAccessToken: string | undefined,
  ): Promise<OAuthSecret> {
    return withLock(async () => {
      const stored = await readStored();
      const someoneElseRefreshed =
        stored.accessToken !== undefined &&
        stored.accessToken !== failedAccessToken &&
        stored.accessToken !== secret.accessToken;
      if (!needsRefresh(stored, now()) && (!force || someoneElseRefreshed)) {
        debug("oauth: another process already refreshed the token; using it");
        secret = stored;
        return secret;
      }
      const before = secret;
      let tokens: TokenResponse;
      try {
        tokens = await fetchNewTokens(stored);
      } catch (error) {
        if (error instanceof RefreshTokenInvalidError && stored.kind === "oauth") {
          const rotated = await rotatedElsewhere(stored.refreshToken);
          if (rotated) {
            debug("oauth: our refresh token was already rotated by someone else; using the stored one");
            secret = rotated;
            return secret;
          }
        }
        // The stored secret stays as it is. A still-valid access token is worth keeping in use.
        if (error instanceof OAuthTransientError && before.accessToken && !force) {
          const expired = before.expiresAt !== undefined && now() >= before.expiresAt;
          if (!expired) {
            debug("oauth: refresh failed transiently; the current access token is still valid");
            return before;
          }
        }
        throw error;
      }
      const obtainedAt = now();
      const next: OAuthSecret =
        stored.kind === "client-credentials"
          ? {
              ...stored,
              accessToken: tokens.accessToken,
              expiresAt: tokens.expiresIn !== undefined ? obtainedAt + tokens.expiresIn * 1000 : undefined,
              scopes: tokens.scopes ?? stored.scopes,
              obtainedAt,
            }
          : {
              ...stored,
              accessToken: tokens.accessToken,
              // Rotation: Atlassian always returns a new refresh token; keep the old only if none came back.
              refreshToken: tokens.refreshToken ?? stored.refreshToken,
              expiresAt: tokens.expiresIn !== undefined ? obtainedAt + tokens.expiresIn * 1000 : undefined,
              scopes: tokens.scopes ?? stored.scopes,
              obtainedAt,
            };
      // The old refresh token is already disabled: losing this write loses the login, so try twice.
      try {
        await store
          .set(secretEntryOf(profile), JSON.stringify(next))
          .catch(() => store.set(secretEntryOf(profile), JSON.stringify(next)));
      } catch (error) {
        throw new ConflError(
          "the OAuth token was refreshed but could not be saved; the old refresh token is no longer valid",
          {
            code: "oauth.persist_failed",
            hint: `Fix the secret store, then run \`confl auth login --profile ${profile.name}\` again.`,
            cause: error,
          },
        );
      }
      debug(`oauth: refreshed the access token for profile ${profile.name}`);
      secret = next;
      return secret;
    });
  }

  /**
   * After invalid_grant: did a refresh we did not wait for (a stalled lock taken over, a confl without
   * the lock) rotate the token and store the new pair? It may still be writing, so look a few times.
   */
  async function rotatedElsewhere(presented: string | undefined): Promise<OAuthSecret | undefined> {
    for (const delay of [0, 250, 1000]) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const latest = await readStored().catch(() => undefined);
      if (
        latest?.kind === "oauth" &&
        latest.refreshToken &&
        latest.refreshToken !== presented &&
        latest.accessToken
      ) {
        return latest;
      }
    }
    return undefined;
  }

  function refresh(force: boolean, failedAccessToken?: string): Promise<OAuthSecret> {
    if (!inflight) {
      inflight = refreshUnderLock(force, failedAccessToken).finally(() => {
        inflight = undefined;
      });
    }
    return inflight;
  }

  function expiredWithoutRefresh(): AuthError {
    const when = secret.expiresAt ? ` at ${new Date(secret.expiresAt).toISOString()}` : "";
    return new AuthError(`the OAuth access token for profile ${profile.name} expired${when}`, {
      code: "auth.token_expired",
      hint:
        "It was supplied with --with-token, so confl cannot refresh it: get a new one and run " +
        `\`confl auth login --profile ${profile.name} --site ${profile.site} --type oauth --with-token\` again with it on stdin, or log in with --client-id for automatic refresh.`,
    });
  }

  const describeKind =
    secret.kind === "client-credentials"
      ? "OAuth client credentials (service account)"
      : canRefresh(secret)
        ? "OAuth 2.0 (3LO) with refresh"
        : "OAuth 2.0 access token (no refresh)";

  return {
    kind: secret.kind,
    headerNames: ["authorization"],
    describe() {
      const where = profile.deployment === "dc" ? profile.site : (profile.cloudId ?? profile.site);
      return `${describeKind}, client ${clientId ?? "unknown"}, for ${where}`;
    },
    secrets() {
      const values = [secret.accessToken, secret.clientSecret];
      if (secret.kind === "oauth") values.push(secret.refreshToken);
      return values.filter((v): v is string => typeof v === "string" && v !== "");
    },
    current() {
      return secret;
    },
    async refresh(opts = {}) {
      if (!canRefresh(secret)) throw expiredWithoutRefresh();
      return refresh(opts.force ?? true, secret.accessToken);
    },
    async apply(request: AuthRequest) {
      // A Bearer token over plain http to another machine is readable on the path, like Basic (issue 4).
      assertSafeTransport(request.url, "an OAuth access token");
      if (needsRefresh(secret, now())) {
        if (canRefresh(secret)) await refresh(false);
        else if (secret.expiresAt !== undefined && now() >= secret.expiresAt) throw expiredWithoutRefresh();
      }
      if (!secret.accessToken) throw expiredWithoutRefresh();
      request.headers.set("authorization", `Bearer ${secret.accessToken}`);
    },
    async onUnauthorized(response) {
      // The gateway's scope check is a 401 too ("Unauthorized; scope does not match", X-Failure-Category:
      // FAILURE_CLIENT_SCOPE_CHECK; kovetskiy/mark #917): the token is fine, it lacks a scope. Refreshing would
      // only rotate the refresh token and get the same answer (issue 10 item 7).
      if (response && isScopeRefusal(response)) return false;
      if (!canRefresh(secret)) {
        // Say "expired" only when we know it: a 401 can also be a scope mismatch (confluence-api.md §3.1).
        if (secret.expiresAt !== undefined && now() >= secret.expiresAt) throw expiredWithoutRefresh();
        return false;
      }
      const failed = secret.accessToken;
      const next = await refresh(true, failed);
      return next.accessToken !== failed;
    },
  };
}

/** A 401 that says "scope does not match" rather than "this token is no good". */
function isScopeRefusal(response: UnauthorizedResponse): boolean {
  return (
    /FAILURE_CLIENT_SCOPE_CHECK/i.test(response.headers.get("x-failure-category") ?? "") ||
    /scope does not match/i.test(response.bodyText)
  );
}
