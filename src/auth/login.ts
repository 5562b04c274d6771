/**
 * What every login does once it has a profile and a secret, whatever the kind: verify them (with the
 * recoveries in login-verification.ts), record who answered, keep the secret in the store asked for or the
 * best one available (keychain, then an encrypted file, a plain-text file only when allowed), replacing
 * the profile's old secret wherever it was, and save the profile.
 */
import { upsertProfile } from "../config/store.js";
import type { Profile, SecretStoreKind } from "../config/types.js";
import type { Context } from "../context.js";
import { verifyLogin } from "./login-verification.js";
import { openProfileStore } from "./session.js";
import type { StoredSecret } from "./types.js";
import type { Identity } from "./verify.js";

export interface StorageChoice {
  requestedStorage?: Exclude<SecretStoreKind, "none">;
  insecureStorage: boolean;
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
  const storage = await storeSecret(ctx, profile, secret, login.previous, login);
  profile.secretStore = storage;
  await upsertProfile(profile, ctx.env);
  return { profile, storage, ...(identity ? { identity } : {}), ...(rerouted ? { rerouted } : {}) };
}

/** Writes the secret (replacing any old one, also in a different store) and returns where it went. */
export async function storeSecret(
  ctx: Context,
  profile: Profile,
  secret: StoredSecret | undefined,
  previous: Profile | undefined,
  choice: StorageChoice,
): Promise<SecretStoreKind> {
  let storage: SecretStoreKind = "none";
  if (secret) {
    const { chooseDefaultStore } = await import("../secrets/index.js");
    const chosen = await chooseDefaultStore({
      env: ctx.env,
      io: ctx.io,
      ...(choice.requestedStorage ? { requested: choice.requestedStorage } : {}),
      insecureStorage: choice.insecureStorage,
    });
    if (chosen.notice) ctx.io.err(`note: ${chosen.notice}`);
    if (chosen.warning)
      ctx.io.err(`${ctx.io.errColors.bold(ctx.io.errColors.yellow("WARNING:"))} ${chosen.warning}`);
    await chosen.store.set(profile.name, JSON.stringify(secret));
    storage = chosen.kind;
  }
  if (previous && previous.secretStore !== "none" && previous.secretStore !== storage) {
    try {
      await (await openProfileStore(previous, ctx))?.delete(previous.name);
    } catch (error) {
      ctx.io.err(
        `warning: could not remove the old secret from the ${previous.secretStore} store: ${(error as Error).message}`,
      );
    }
  }
  return storage;
}
