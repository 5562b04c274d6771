/**
 * A profile's stored secret: its store, opened lazily, and the parsed entry. Apart from session.ts so that
 * what only reads credentials (`auth status --no-verify`, `auth logout`) does not load the HTTP client.
 */
import { encryptedSecretsPath } from "../config/paths.js";
import { readPrivateFileIfExists } from "../config/private-files.js";
import { secretEntryOf } from "../config/secret-entry.js";
import type { Profile } from "../config/types.js";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import type { SecretStore } from "../secrets/types.js";
import { registerStoredSecret } from "./kinds/index.js";
import type { ResolveDeps } from "./resolve.js";
import type { StoredSecret } from "./types.js";

/** The secret store a profile names, opened lazily (nothing is touched before get/set). */
export async function openProfileStore(profile: Profile, ctx: Context): Promise<SecretStore | undefined> {
  if (profile.secretStore === "none") return undefined;
  const { openSecretStore } = await import("../secrets/index.js");
  return openSecretStore(profile.secretStore, { env: ctx.env, io: ctx.io });
}

/** Stored secrets are JSON under the profile's name; anything else is a damaged entry. */
export function parseStoredSecret(raw: string, profileName: string): StoredSecret {
  try {
    const value = JSON.parse(raw) as StoredSecret;
    if (value && typeof value === "object" && typeof value.kind === "string") {
      registerStoredSecret(value);
      return value;
    }
  } catch {
    // fall through: never echo the raw value, it is a secret
  }
  throw new AuthError(`the stored secret of profile "${profileName}" is damaged`, {
    code: "auth.secret_damaged",
    hint: `run: confl auth login --profile ${profileName}`,
  });
}

async function loadStoredSecret(profile: Profile, ctx: Context): Promise<StoredSecret | undefined> {
  const store = await openProfileStore(profile, ctx);
  if (!store) return undefined;
  const raw = await store.get(secretEntryOf(profile));
  return raw === undefined ? undefined : parseStoredSecret(raw, profile.name);
}

export function defaultResolveDeps(ctx: Context): ResolveDeps {
  return {
    loadSecret: (profile) => loadStoredSecret(profile, ctx),
    async readNetrc(host) {
      const { readNetrc } = await import("../config/netrc.js");
      const entry = await readNetrc(host, ctx.env);
      if (entry?.insecurePermissions) {
        ctx.io.err(`warning: ${entry.path} is readable by other users; run: chmod 600 ${entry.path}`);
      }
      return entry;
    },
  };
}

/**
 * Whether the encrypted file holds a profile's entry, read from the file's entry names (they are in the
 * clear; only the values are sealed, see secrets/encrypted-file.ts) without the passphrase or scrypt.
 * undefined for other stores, or a file this cannot read: the caller then reads the secret the usual way,
 * which reports a damaged file properly.
 */
async function encryptedEntryPresent(profile: Profile, ctx: Context): Promise<boolean | undefined> {
  if (profile.secretStore !== "encrypted-file") return undefined;
  let data: unknown;
  try {
    const text = await readPrivateFileIfExists(encryptedSecretsPath(ctx.env));
    if (text === undefined) return false;
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  // the whole file's shape and bounds (no passphrase needed): a damaged or foreign file is left to the
  // usual read, which reports it as corrupt, rather than shown as holding the secret
  const { validateEncryptedFile } = await import("../secrets/encrypted-file.js");
  try {
    const file = validateEncryptedFile(data, encryptedSecretsPath(ctx.env));
    return Object.hasOwn(file.entries, secretEntryOf(profile));
  } catch {
    return undefined;
  }
}

/**
 * The resolve deps of what shows credentials without using them (`auth status --no-verify`): a secret in
 * the encrypted file is looked for, not decrypted, so no passphrase is asked for and no scrypt runs (issue 14).
 */
export function presenceResolveDeps(ctx: Context): ResolveDeps {
  return { ...defaultResolveDeps(ctx), secretPresent: (profile) => encryptedEntryPresent(profile, ctx) };
}
