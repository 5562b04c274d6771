/**
 * Opening a secret store, and choosing one for `auth login`. The rule (issue 4, "Profiles and
 * storage"; issue 10, "Headless first login"): the OS keychain when it works; else a passphrase-encrypted
 * file when CONFL_PASSPHRASE is set; on a terminal, the person chooses the encrypted file (a passphrase typed
 * twice) or plain text (warned about loudly); plain text otherwise ONLY when asked for; never a silent
 * downgrade: in a script with none of these, fail in one line naming CONFL_PASSPHRASE and --storage.
 */
import { encryptedSecretsPath, plainSecretsPath } from "../config/paths.js";
import type { SecretStoreKind } from "../config/types.js";
import type { IOStreams } from "../io/streams.js";
import { EncryptedFileStore, type PassphrasePrompt, passphraseAvailable } from "./encrypted-file.js";
import { SecretStoreError } from "./errors.js";
import { KeychainStore, keychainService, probeKeychain } from "./keychain.js";
import { PlainFileStore } from "./plain-file.js";
import type { SecretStore } from "./types.js";

export { EncryptedFileStore, noPassphraseError, passphraseAvailable } from "./encrypted-file.js";
export { isSecretStoreError, SecretStoreError, type SecretStoreFailure } from "./errors.js";
export { KeychainStore, keychainService, probeKeychain } from "./keychain.js";
export { PLAINTEXT_WARNING, PlainFileStore } from "./plain-file.js";
export type { SecretStore } from "./types.js";

export type StorableKind = Exclude<SecretStoreKind, "none">;

export interface SecretStoreContext {
  env: NodeJS.ProcessEnv;
  io?: Pick<IOStreams, "canPrompt" | "stdin" | "stderr"> & Partial<Pick<IOStreams, "prompt">>;
  /** Replaces the masked passphrase prompt (tests). */
  promptPassphrase?: PassphrasePrompt;
}

/** Opens the named store. Nothing is touched until the first get/set/delete. */
export async function openSecretStore(kind: StorableKind, context: SecretStoreContext): Promise<SecretStore> {
  switch (kind) {
    case "keychain":
      return new KeychainStore(context.env);
    case "encrypted-file":
      return new EncryptedFileStore({
        env: context.env,
        io: context.io,
        promptPassphrase: context.promptPassphrase,
      });
    case "plaintext":
      return new PlainFileStore(context.env);
    default:
      throw new SecretStoreError(`unknown secret store ${JSON.stringify(kind)}`, {
        reason: "unknown",
        hint: "Use keychain, encrypted-file or plaintext.",
      });
  }
}

export interface ChooseStoreOptions extends SecretStoreContext {
  /** --storage */
  requested?: StorableKind;
  /** --insecure-storage: plain text is acceptable. */
  insecureStorage?: boolean;
  /**
   * Asked on a terminal when no keychain answers, nothing was requested and CONFL_PASSPHRASE is unset: the
   * encrypted file or plain text. Without it, a terminal gets the encrypted file (its passphrase prompted).
   */
  chooseStore?: (keychainReason: string) => Promise<"encrypted-file" | "plaintext">;
}

export interface ChosenStore {
  store: SecretStore;
  kind: StorableKind;
  /** Print loudly (plain-text storage). */
  warning?: string;
  /** Print as a normal notice: why the default keychain was not used. */
  notice?: string;
}

export async function chooseDefaultStore(options: ChooseStoreOptions): Promise<ChosenStore> {
  const { env, io } = options;
  const open = async (kind: StorableKind) => openSecretStore(kind, options);

  if (options.requested === "plaintext" || (options.requested === undefined && options.insecureStorage)) {
    const store = new PlainFileStore(env);
    return { store, kind: "plaintext", warning: store.warning };
  }

  if (options.requested === "encrypted-file") {
    const store = await open("encrypted-file");
    if (!passphraseAvailable(env, io))
      throw noStoreError(
        "--storage encrypted-file needs a passphrase and there is no terminal to ask",
        undefined,
      );
    return { store, kind: "encrypted-file" };
  }

  const probe = await probeKeychain(env);
  if (probe.ok) return { store: await open("keychain"), kind: "keychain" };
  if (options.requested === "keychain") {
    throw new SecretStoreError(probe.error.message, {
      reason: probe.failure,
      hint: probe.error.hint,
      cause: probe.error,
    });
  }

  const fromEnv = env.CONFL_PASSPHRASE !== undefined && env.CONFL_PASSPHRASE !== "";
  if (!fromEnv && io?.canPrompt === true && options.chooseStore) {
    if ((await options.chooseStore(probe.reason)) === "plaintext") {
      const store = new PlainFileStore(env);
      return { store, kind: "plaintext", warning: store.warning };
    }
    return { store: await open("encrypted-file"), kind: "encrypted-file" };
  }
  if (passphraseAvailable(env, io)) {
    return {
      store: await open("encrypted-file"),
      kind: "encrypted-file",
      notice: `The OS keychain is not available (${probe.reason}); using a passphrase-encrypted file instead.`,
    };
  }
  throw noStoreError("no secure place to store the secret", probe.reason);
}

/**
 * Where a profile's secret lives, for people (`auth status`): never the secret, and "INSECURE" for
 * plain text so the warning shows up in every status.
 */
export function describeSecretStore(kind: SecretStoreKind, env: NodeJS.ProcessEnv): string {
  switch (kind) {
    case "keychain": {
      const name =
        process.platform === "darwin"
          ? "macOS Keychain"
          : process.platform === "win32"
            ? "Windows Credential Manager"
            : "Secret Service keyring";
      return `OS keychain (${name}, service "${keychainService(env)}")`;
    }
    case "encrypted-file":
      return `encrypted file ${encryptedSecretsPath(env)}`;
    case "plaintext":
      return `plain-text file ${plainSecretsPath(env)} (INSECURE: not encrypted)`;
    default:
      return "no stored secret";
  }
}

/**
 * No store without a choice only the caller can make, and no terminal to ask on: ONE line (no hint) naming
 * both ways out, CONFL_PASSPHRASE with --storage encrypted-file and --storage plaintext, and CI's third.
 */
function noStoreError(what: string, keychainReason: string | undefined): SecretStoreError {
  const because = keychainReason ? ` (OS keychain: ${keychainReason})` : "";
  return new SecretStoreError(
    `${what}${because}: set CONFL_PASSPHRASE and add --storage encrypted-file, or add --storage plaintext ` +
      "(not encrypted); in CI, skip the login and set CONFLUENCE_API_TOKEN or CONFLUENCE_PERSONAL_TOKEN",
    { reason: "no-store" },
  );
}
