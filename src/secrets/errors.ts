/**
 * The one error a secret store throws when the store itself fails (not when an entry is absent).
 * `reason` is machine-readable so `auth login` can decide what to fall back to and `auth status`
 * can say what is wrong; the message and hint are for people.
 */
import { ConflError, type ConflErrorOptions, ExitCode } from "../errors.js";

/** The store holds the credential but will not hand it over: an authentication problem (exit 4). */
const UNLOCK_FAILURES: ReadonlySet<string> = new Set(["locked", "access-denied", "wrong-passphrase"]);

export type SecretStoreFailure =
  /** No D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset or dead): typical on SSH and in containers. */
  | "no-dbus"
  /** A Secret Service answered but its default collection is locked (or absent). */
  | "locked"
  /** The session bus has no org.freedesktop.secrets provider (no gnome-keyring/KeePassXC running). */
  | "no-provider"
  /** The keychain did not answer within the time limit. */
  | "timeout"
  /** The OS refused access (macOS keychain access denied, Windows credential manager errors, ...). */
  | "access-denied"
  /** The encrypted file needs a passphrase and none can be obtained. */
  | "no-passphrase"
  | "wrong-passphrase"
  /** A store file was modified or damaged (authentication failed, invalid JSON, bad format). */
  | "corrupt"
  /** No store can be used without an explicit choice (chooseDefaultStore). */
  | "no-store"
  | "unknown";

export class SecretStoreError extends ConflError {
  readonly reason: SecretStoreFailure;

  constructor(
    message: string,
    options: Omit<ConflErrorOptions, "exitCode" | "code"> & { reason: SecretStoreFailure },
  ) {
    super(message, {
      ...options,
      code: `secrets.${options.reason}`,
      exitCode: UNLOCK_FAILURES.has(options.reason)
        ? ExitCode.AUTH
        : // a choice only the caller can make, where confl cannot ask: like a delete without --yes (exit 2)
          options.reason === "no-store"
          ? ExitCode.USAGE
          : ExitCode.FAILURE,
    });
    this.reason = options.reason;
  }
}

export function isSecretStoreError(error: unknown): error is SecretStoreError {
  return error instanceof SecretStoreError;
}
