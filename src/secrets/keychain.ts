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

/**
 * Runs in a short-lived child process (`node -e`, CommonJS). The request, including any secret, comes
 * in on stdin, never in argv; results go out on stdout as one JSON document.
 */
const KEYCHAIN_CHILD_SOURCE = `
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", async () => {
  const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const results = [];
  try {
    const { AsyncEntry } = require(request.modulePath);
    for (const op of request.ops) {
      const entry = new AsyncEntry(request.service, op.key, { linux: { store: "secret-service" } });
      if (op.op === "get") results.push({ value: await entry.getPassword() });
      else if (op.op === "set") { await entry.setPassword(op.value); results.push({}); }
      else results.push({ deleted: await entry.deletePassword() });
    }
    process.stdout.write(JSON.stringify({ ok: true, results }));
  } catch (error) {
    const message = error && error.message ? String(error.message) : String(error);
    process.stdout.write(JSON.stringify({ ok: false, failedOp: results.length, message, code: error && error.code }));
  }
});
`;

type KeychainOp =
  | { op: "get"; key: string }
  | { op: "set"; key: string; value: string }
  | { op: "delete"; key: string };
type KeychainOpResult = { value?: string | null; deleted?: boolean };

let keyringModulePath: string | undefined;

async function resolveKeyringModule(): Promise<string> {
  if (keyringModulePath) return keyringModulePath;
  try {
    const { createRequire } = await import("node:module");
    keyringModulePath = createRequire(import.meta.url).resolve("@napi-rs/keyring");
    return keyringModulePath;
  } catch (error) {
    throw new SecretStoreError("the OS keychain library (@napi-rs/keyring) could not be found", {
      reason: "no-provider",
      hint: "Reinstall confl, or store the secret elsewhere: set CONFL_PASSPHRASE and pass --storage encrypted-file.",
      cause: error,
    });
  }
}

/**
 * The only variables the helper inherits: what the OS keychain client needs to find its daemon and the
 * user's files, nothing else. Not a deny-list: confl's environment holds tokens under many names
 * (CONFLUENCE_API_TOKEN, CONFL_PASSPHRASE, ATLASSIAN_API_TOKEN, ...), and NODE_OPTIONS could make the
 * helper preload code or open an inspector port. Matched case-insensitively (Windows spells them Path,
 * SystemRoot, ...).
 */
const KEYCHAIN_CHILD_ENV = new Set(
  [
    // every platform
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "TMPDIR",
    // Linux: Secret Service over the D-Bus session bus (and the keyring's files and unlock prompt)
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_SESSION_TYPE",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    // macOS: the Security framework's text encoding
    "__CF_USER_TEXT_ENCODING",
    // Windows: Credential Manager and the loader
    "SYSTEMROOT",
    "WINDIR",
    "SYSTEMDRIVE",
    "USERPROFILE",
    "USERNAME",
    "USERDOMAIN",
    "HOMEDRIVE",
    "HOMEPATH",
    "APPDATA",
    "LOCALAPPDATA",
    "PROGRAMDATA",
    "COMSPEC",
    "PATHEXT",
    "TEMP",
    "TMP",
    "PROCESSOR_ARCHITECTURE",
    "NUMBER_OF_PROCESSORS",
  ].map((name) => name.toUpperCase()),
);

export function keychainChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (KEYCHAIN_CHILD_ENV.has(upper) || upper.startsWith("LC_")) childEnv[name] = value;
  }
  return childEnv;
}

/**
 * Runs keyring operations in a child process killed after `timeoutMs`. Not in-process and not in a
 * worker thread: on Linux, constructing an entry connects to D-Bus and opens a Secret Service session
 * SYNCHRONOUSLY on the calling thread. Measured here: with DBUS_SESSION_BUS_ADDRESS pointing at a
 * socket that accepts but never answers, `new AsyncEntry(...)` blocked the main thread (no timer could
 * fire) until killed at 8 s; in a worker thread the timeout fired but the stuck thread then kept even
 * `process.exit()` from returning. A child process can always be killed.
 */
async function runKeychainOps(
  env: NodeJS.ProcessEnv,
  service: string,
  ops: KeychainOp[],
  timeoutMs: number,
): Promise<KeychainOpResult[]> {
  const modulePath = await resolveKeyringModule();
  const { spawn } = await import("node:child_process");
  return new Promise<KeychainOpResult[]>((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", KEYCHAIN_CHILD_SOURCE], {
      env: keychainChildEnv(env),
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new KeychainTimeout()));
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.on("error", (error) => finish(() => reject(error)));
    child.on("close", (code, signal) => {
      finish(() => {
        let reply: { ok: boolean; results?: KeychainOpResult[]; message?: string } | undefined;
        try {
          reply = JSON.parse(stdout);
        } catch {
          reply = undefined;
        }
        if (reply?.ok && Array.isArray(reply.results)) return resolve(reply.results);
        if (reply && !reply.ok) return reject(new Error(reply.message ?? "unknown keychain error"));
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(
          new Error(
            `keychain helper process failed (${why})${stderr ? `: ${stderr.trim().split("\n")[0]}` : ""}`,
          ),
        );
      });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify({ modulePath, service, ops }));
  });
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

  /**
   * undefined when there is no entry. Measured with gnome-keyring on a private bus: an entry saved and
   * then locked fails the read (the unlock prompt cannot show: "unlock prompt was dismissed"), which
   * becomes a "locked" SecretStoreError with the unlock fix (test/secrets/keychain-locked.test.ts); a
   * key that was never saved reads as undefined whether or not the keyring is locked.
   */
  async get(key: string): Promise<string | undefined> {
    const [result] = await this.run("read", [{ op: "get", key }]);
    const value = result?.value;
    if (value === null || value === undefined) return undefined;
    registerSecret(value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    registerSecret(value);
    await this.run("save", [{ op: "set", key, value }]);
  }

  async delete(key: string): Promise<boolean> {
    const [result] = await this.run("delete", [{ op: "delete", key }]);
    return result?.deleted === true;
  }

  /** Several operations in one helper process (one time limit for all): used by probeKeychain. */
  async run(action: "read" | "save" | "delete" | "probe", ops: KeychainOp[]): Promise<KeychainOpResult[]> {
    try {
      return await runKeychainOps(this.env, this.service, ops, this.timeoutMs);
    } catch (error) {
      throw keychainError(error, action, this.env, this.timeoutMs);
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
  const verb = { probe: "use", read: "read from", save: "save to", delete: "delete from" }[action];
  const fallback =
    "Or store the secret elsewhere: set CONFL_PASSPHRASE for an encrypted file (--storage encrypted-file), " +
    "use --insecure-storage for a plain file, or use CONFLUENCE_API_TOKEN / CONFLUENCE_PERSONAL_TOKEN in CI.";
  switch (reason) {
    case "no-dbus":
      // With no bus address at all the platform's words (X11 autolaunch, compile-time flags) only
      // confuse; they matter when an address is set but nothing answers there.
      return new SecretStoreError(
        `cannot ${verb} the OS keychain: no D-Bus session bus${env.DBUS_SESSION_BUS_ADDRESS ? ` (${detail})` : ""}`,
        {
          reason,
          hint: `DBUS_SESSION_BUS_ADDRESS is ${env.DBUS_SESSION_BUS_ADDRESS ? "set but nothing answers there" : "not set"} (usual over SSH and in containers); run inside a desktop session or \`dbus-run-session\` with a Secret Service such as gnome-keyring. ${fallback}`,
          cause: error,
        },
      );
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
    const results = await store.run("probe", [
      { op: "set", key, value },
      { op: "get", key },
      { op: "delete", key },
    ]);
    if (results[1]?.value !== value || results[2]?.deleted !== true) {
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
