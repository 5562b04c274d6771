/**
 * What every login does once it has a profile and a secret, whatever the kind: verify them (with the
 * recoveries in login-verification.ts), record who answered, keep the secret in the store asked for or the
 * best one available (keychain, then an encrypted file, a plain-text file only when allowed), replacing
 * the profile's old secret wherever it was, and save the profile.
 */
import { newSecretEntry, secretEntryOf } from "../config/secret-entry.js";
import { upsertProfile } from "../config/store.js";
import type { Profile, SecretStoreKind } from "../config/types.js";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import { verifyLogin } from "./login-verification.js";
import { openProfileStore } from "./session.js";
import type { StoredSecret } from "./types.js";
import type { Identity } from "./verify.js";

export interface StorageChoice {
  requestedStorage?: Exclude<SecretStoreKind, "none">;
  insecureStorage: boolean;
  /** on a terminal: the questions asked when no OS keychain answers (the store, then a new passphrase, masked) */
  ask?: StorageQuestions;
}

export interface StorageQuestions {
  store(keychainReason: string): Promise<"encrypted-file" | "plaintext">;
  passphrase(message: string): Promise<string>;
}

export interface SavedLogin {
  profile: Profile;
  storage: SecretStoreKind;
  identity?: Identity;
  /** why the profile was routed differently from what was asked */
  rerouted?: string;
}

export async function saveLogin(
  ctx: Context,
  login: {
    profile: Profile;
    secret: StoredSecret | undefined;
    /** the profile this login replaces, if any */
    previous: Profile | undefined;
    /** false with --no-verify */
    verify: boolean;
  } & StorageChoice,
): Promise<SavedLogin> {
  let { profile, secret } = login;
  // a Data Center profile's Jira (its own URL and secret entry) survives a new Confluence login
  if (login.previous?.jira && !profile.jira && profile.deployment === "dc")
    profile = { ...profile, jira: login.previous.jira };
  let identity: Identity | undefined;
  let rerouted: string | undefined;
  if (login.verify) {
    const verified = await verifyLogin(ctx, profile, secret);
    ({ profile, identity, secret, rerouted } = verified);
    if (rerouted) ctx.io.err(`note: ${rerouted}`);
    profile.identity = {
      ...(identity.displayName ? { displayName: identity.displayName } : {}),
      ...(identity.accountId ? { accountId: identity.accountId } : {}),
      ...(identity.username ? { username: identity.username } : {}),
      verifiedAt: new Date().toISOString(),
    };
    if (profile.kind === "pat" && identity.username) profile.username = identity.username;
  }
  // New secret under a new key, then config.json switched to it (atomic), then the old secret removed:
  // a login killed at any point leaves the old credential or the new one working (src/config/secret-entry.ts).
  const stored = await storeSecret(ctx, profile, secret, login);
  profile.secretStore = stored.storage;
  if (stored.key === undefined) delete profile.secretEntry;
  else profile.secretEntry = stored.key;
  await upsertProfile(profile, ctx.env);
  await removeOldSecret(ctx, login.previous, profile);
  return {
    profile,
    storage: stored.storage,
    ...(identity ? { identity } : {}),
    ...(rerouted ? { rerouted } : {}),
  };
}

/** How many secrets a person may type before an interactive login gives up. */
export const SECRET_ATTEMPTS = 3;

/**
 * The verification answers that mean "this secret is wrong" (401 on a token or password, Cloud's 403 "caller
 * cannot access Confluence", a login the server ignored and answered as anonymous, a dead session cookie):
 * typing it again can help. A wrong kind, site or scope (auth.pat_as_basic, auth.scope_mismatch, …) cannot,
 * and ends the login with its own diagnosis.
 */
const REJECTED_SECRET_CODES = new Set([
  "auth.token_rejected",
  "auth.wrong_password",
  "auth.anonymous",
  "auth.cookie_expired",
  // Cloud answers a wrong API token with 403 "Request rejected because caller cannot access Confluence"
  "auth.caller_cannot_access",
]);

export function isRejectedSecret(error: unknown): error is AuthError {
  return error instanceof AuthError && REJECTED_SECRET_CODES.has(error.code);
}

/**
 * saveLogin, and on a terminal a second and third chance when the server rejects the secret: `askAgain` says so
 * in one line and reads a new one (nothing was stored: verification comes first). Without `askAgain` (a script,
 * --with-token, --no-verify) the first rejection is the answer.
 */
export async function saveLoginAsking(
  ctx: Context,
  login: Parameters<typeof saveLogin>[1],
  askAgain?: (rejection: AuthError, attempt: number) => Promise<StoredSecret | undefined>,
): Promise<SavedLogin> {
  let secret = login.secret;
  for (let attempt = 1; ; attempt++) {
    try {
      return await saveLogin(ctx, { ...login, secret });
    } catch (error) {
      if (!askAgain || !login.verify || attempt >= SECRET_ATTEMPTS || !isRejectedSecret(error)) throw error;
      secret = await askAgain(error, attempt + 1);
    }
  }
}

/** Writes the secret under a fresh key (never over the one in use) and returns where it went. */
export async function storeSecret(
  ctx: Context,
  profile: Profile,
  secret: StoredSecret | undefined,
  choice: StorageChoice,
): Promise<{ storage: SecretStoreKind; key: string | undefined }> {
  if (!secret) return { storage: "none", key: undefined };
  const { chooseDefaultStore } = await import("../secrets/index.js");
  const chosen = await chooseDefaultStore({
    env: ctx.env,
    io: ctx.io,
    ...(choice.requestedStorage ? { requested: choice.requestedStorage } : {}),
    insecureStorage: choice.insecureStorage,
    ...(choice.ask ? { chooseStore: choice.ask.store, promptPassphrase: choice.ask.passphrase } : {}),
  });
  if (chosen.notice) ctx.io.err(`note: ${chosen.notice}`);
  if (chosen.warning)
    ctx.io.err(`${ctx.io.errColors.bold(ctx.io.errColors.yellow("WARNING:"))} ${chosen.warning}`);
  const key = newSecretEntry(profile.name);
  await chosen.store.set(key, JSON.stringify(secret));
  return { storage: chosen.kind, key };
}

/**
 * After config.json points at the new secret: the replaced profile's secret goes, wherever it was. A failure
 * here leaves an unused entry behind, never a broken profile.
 */
async function removeOldSecret(ctx: Context, previous: Profile | undefined, current: Profile): Promise<void> {
  if (!previous || previous.secretStore === "none") return;
  const oldKey = secretEntryOf(previous);
  if (previous.secretStore === current.secretStore && oldKey === secretEntryOf(current)) return;
  try {
    await (await openProfileStore(previous, ctx))?.delete(oldKey);
  } catch (error) {
    ctx.io.err(
      `warning: could not remove the old secret from the ${previous.secretStore} store: ${(error as Error).message}`,
    );
  }
}
