/**
 * The OS keychain through @napi-rs/keyring: Secret Service on Linux, Keychain on macOS, Credential
 * Manager on Windows. On Linux the store is PINNED to Secret Service: the library's default silently
 * falls back to the kernel keyring, where a "saved" token is lost at reboot or after 3 days
 * (docs/dependencies.md §2.1 A-B; Brooooooklyn/keyring-node#142). Pinned, a missing D-Bus fails fast.
 * Every call is bounded by a timeout (default 3 s) so a wedged keyring daemon cannot hang confl.
 */
import { randomBytes } from "node:crypto";
import { registerSecret } from "../redact.js";
import { SecretStoreError, type SecretStoreFailure } from "./errors.js";
import type { SecretStore } from "./types.js";

export const DEFAULT_KEYCHAIN_SERVICE = "confl";
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 3_000;

type KeyringModule = typeof import("@napi-rs/keyring");
type AsyncEntry = InstanceType<KeyringModule["AsyncEntry"]>;

let keyringModule: Promise<KeyringModule> | undefined;

function loadKeyring(): Promise<KeyringModule> {
  keyringModule ??= import("@napi-rs/keyring").catch((error: unknown) => {
    keyringModule = undefined;
    throw new SecretStoreError("the OS keychain library could not be loaded on this platform", {
      reason: "no-provider",
      hint: "Use an encrypted file instead: set CONFL_PASSPHRASE (or answer the prompt) and pass --storage encrypted-file.",
      cause: error,
    });
  });
  return keyringModule;
}

export function keychainService(env: NodeJS.ProcessEnv): string {
  return env.CONFL_KEYCHAIN_SERVICE || DEFAULT_KEYCHAIN_SERVICE;
}

export function keychainTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env.CONFL_KEYCHAIN_TIMEOUT_MS;
  if (raw === undefined || raw === "") return DEFAULT_KEYCHAIN_TIMEOUT_MS;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_KEYCHAIN_TIMEOUT_MS;
}

export class KeychainStore implements SecretStore {
  readonly kind = "keychain" as const;
  readonly service: string;
  readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv) {
    this.env = env;
    this.service = keychainService(env);
    this.timeoutMs = keychainTimeoutMs(env);
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.call("read", key, (entry, signal) => entry.getPassword(signal));
    if (value === null || value === undefined) return undefined;
    registerSecret(value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    registerSecret(value);
    await this.call("save", key, (entry, signal) => entry.setPassword(value, signal));
  }

  async delete(key: string): Promise<boolean> {
    return this.call("delete", key, (entry, signal) => entry.deletePassword(signal));
  }

  private async call<T>(
    action: "read" | "save" | "delete",
    key: string,
    operation: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const keyring = await loadKeyring();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new KeychainTimeout());
      }, this.timeoutMs);
    });
    try {
      // Construction itself talks to D-Bus on Linux and throws when there is no session bus.
      const run = async () => {
        const entry = new keyring.AsyncEntry(this.service, key, { linux: { store: "secret-service" } });
        return operation(entry, controller.signal);
      };
      return await Promise.race([run(), timeout]);
    } catch (error) {
      throw keychainError(error, action, this.env, this.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }
}

class KeychainTimeout extends Error {}

/** Turns whatever the keyring library threw into a SecretStoreError that says what is wrong and how to fix it. */
export function keychainError(
  error: unknown,
  action: "read" | "save" | "delete" | "probe",
  env: NodeJS.ProcessEnv,
  timeoutMs = keychainTimeoutMs(env),
): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const reason = classifyKeychainFailure(error, env);
  const verb = action === "probe" ? "use" : action;
  const fallback =
    "Or store the secret elsewhere: set CONFL_PASSPHRASE for an encrypted file (--storage encrypted-file), " +
    "use --insecure-storage for a plain file, or use CONFLUENCE_API_TOKEN / CONFLUENCE_PERSONAL_TOKEN in CI.";
  switch (reason) {
    case "no-dbus":
      return new SecretStoreError(`cannot ${verb} the OS keychain: no D-Bus session bus (${detail})`, {
        reason,
        hint: `DBUS_SESSION_BUS_ADDRESS is ${env.DBUS_SESSION_BUS_ADDRESS ? "set but nothing answers there" : "not set"} (usual over SSH and in containers); run inside a desktop session or \`dbus-run-session\` with a Secret Service such as gnome-keyring. ${fallback}`,
        cause: error,
      });
    case "locked":
      return new SecretStoreError(
        `cannot ${verb} the OS keychain: the Secret Service keyring is locked or has no default collection (${detail})`,
        {
          reason,
          hint: `Unlock it (log in to the desktop, or \`printf '%s' "$PASSWORD" | gnome-keyring-daemon --unlock\`), or create a default "login" keyring (e.g. with seahorse). ${fallback}`,
          cause: error,
        },
      );
    case "no-provider":
      return new SecretStoreError(
        `cannot ${verb} the OS keychain: no Secret Service provider on the session bus (${detail})`,
        {
          reason,
          hint: `Install and start one (gnome-keyring, KeePassXC with Secret Service enabled). ${fallback}`,
          cause: error,
        },
      );
    case "timeout":
      return new SecretStoreError(`the OS keychain did not answer within ${timeoutMs} ms`, {
        reason,
        hint: `The keyring daemon may be waiting for an unlock dialog nobody can see. ${fallback}`,
        cause: error,
      });
    case "access-denied":
      return new SecretStoreError(`the OS keychain refused access (${detail})`, {
        reason,
        hint: `Allow confl access to the keychain (macOS: Keychain Access; Windows: Credential Manager). ${fallback}`,
        cause: error,
      });
    default:
      return new SecretStoreError(`cannot ${verb} the OS keychain (${detail})`, {
        reason,
        hint: fallback,
        cause: error,
      });
  }
}

function classifyKeychainFailure(error: unknown, env: NodeJS.ProcessEnv): SecretStoreFailure {
  if (error instanceof KeychainTimeout) return "timeout";
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "AbortError") return "timeout";
  // libdbus: "Using X11 for dbus-daemon autolaunch was disabled at compile time, set your
  // DBUS_SESSION_BUS_ADDRESS instead"; a dead address: "Failed to connect to socket /x: ...".
  if (
    /DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to socket|Connection refused|Could not connect/i.test(
      message,
    )
  ) {
    return "no-dbus";
  }
  if (/org\.freedesktop\.secrets|ServiceUnknown|was not provided by any \.service files/i.test(message)) {
    return "no-provider";
  }
  // gnome-keyring started without --unlock, or no default collection (measured: dependencies.md §2.1F).
  if (/no result found|is locked|locked collection|unlock/i.test(message)) return "locked";
  if (/access ?denied|not permitted|user interaction is not allowed|-25293|-25308/i.test(message)) {
    return "access-denied";
  }
  if (process.platform === "linux" && !env.DBUS_SESSION_BUS_ADDRESS && /dbus/i.test(message))
    return "no-dbus";
  return "unknown";
}

/**
 * Whether the keychain works right now: saves, reads back and deletes a throw-away entry. For `auth
 * login` to decide where to store a secret before asking for it.
 */
export async function probeKeychain(
  env: NodeJS.ProcessEnv,
): Promise<
  { ok: true } | { ok: false; reason: string; failure: SecretStoreFailure; error: SecretStoreError }
> {
  const store = new KeychainStore(env);
  const key = `confl-probe-${process.pid}-${randomBytes(4).toString("hex")}`;
  const value = `probe-${randomBytes(8).toString("hex")}`;
  try {
    await store.set(key, value);
    const read = await store.get(key);
    await store.delete(key);
    if (read !== value) {
      const error = new SecretStoreError("the OS keychain did not return what was just saved in it", {
        reason: "unknown",
        hint: "The keyring may be misbehaving; use --storage encrypted-file or --insecure-storage.",
      });
      return { ok: false, reason: error.message, failure: error.reason, error };
    }
    return { ok: true };
  } catch (error) {
    const mapped = keychainError(error, "probe", env);
    return { ok: false, reason: mapped.message, failure: mapped.reason, error: mapped };
  }
}
