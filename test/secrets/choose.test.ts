import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plainSecretsPath } from "../../src/config/paths.js";
import { ExitCode } from "../../src/errors.js";
import {
  chooseDefaultStore,
  describeSecretStore,
  openSecretStore,
  SecretStoreError,
} from "../../src/secrets/index.js";

// No DBUS_SESSION_BUS_ADDRESS: the keychain is unavailable (a fast "no-dbus" failure on Linux).
async function noKeychainEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const root = await mkdtemp(join(tmpdir(), "confl-choose-"));
  return {
    PATH: process.env.PATH,
    HOME: root,
    CONFL_CONFIG_DIR: join(root, "confl"),
    CONFL_KEYCHAIN_SERVICE: `confl-choose-${process.pid}`,
    ...extra,
  };
}

const noTTY = { canPrompt: false, stdin: process.stdin, stderr: process.stderr };
const tty = { ...noTTY, canPrompt: true };

describe.runIf(process.platform === "linux")("chooseDefaultStore without a keychain", () => {
  it("no keychain, no passphrase, no TTY: fails in one line (exit 2) naming CONFL_PASSPHRASE and --storage", async () => {
    const env = await noKeychainEnv();
    const error = await chooseDefaultStore({ env, io: noTTY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(error).toMatchObject({ reason: "no-store", exitCode: ExitCode.USAGE, code: "secrets.no-store" });
    const message = (error as Error).message;
    expect(message).toMatch(/no secure place to store the secret \(OS keychain: .*D-Bus/);
    expect(message).not.toContain("\n");
    expect((error as SecretStoreError).hint).toBeUndefined();
    for (const option of [
      "CONFL_PASSPHRASE",
      "--storage encrypted-file",
      "--storage plaintext",
      "CONFLUENCE_API_TOKEN",
      "CONFLUENCE_PERSONAL_TOKEN",
    ]) {
      expect(message).toContain(option);
    }
    // Nothing was written on the way to failing.
    await expect(stat(plainSecretsPath(env))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("falls back to the encrypted file when CONFL_PASSPHRASE is set, saying why", async () => {
    const env = await noKeychainEnv({ CONFL_PASSPHRASE: "fake-passphrase-choose" });
    const chosen = await chooseDefaultStore({ env, io: noTTY });
    expect(chosen.kind).toBe("encrypted-file");
    expect(chosen.warning).toBeUndefined();
    expect(chosen.notice).toMatch(/OS keychain is not available.*encrypted file/);
    await chosen.store.set("work", "fake-cloud-api-token-0001");
    expect(await (await openSecretStore("encrypted-file", { env, io: noTTY })).get("work")).toBe(
      "fake-cloud-api-token-0001",
    );
  });

  it("on a terminal, asks where the secret goes when it may (encrypted file or plain text)", async () => {
    const env = await noKeychainEnv();
    const reasons: string[] = [];
    const plain = await chooseDefaultStore({
      env,
      io: tty,
      chooseStore: async (reason) => {
        reasons.push(reason);
        return "plaintext";
      },
    });
    expect(plain.kind).toBe("plaintext");
    expect(plain.warning).toMatch(/UNENCRYPTED/);
    expect(reasons[0]).toMatch(/D-Bus/);
    const encrypted = await chooseDefaultStore({ env, io: tty, chooseStore: async () => "encrypted-file" });
    expect(encrypted.kind).toBe("encrypted-file");
    // CONFL_PASSPHRASE set: that is the choice already made, nothing is asked
    const asked = await chooseDefaultStore({
      env: { ...env, CONFL_PASSPHRASE: "fake-passphrase-choose" },
      io: tty,
      chooseStore: async () => {
        throw new Error("asked");
      },
    });
    expect(asked.kind).toBe("encrypted-file");
  });

  it("falls back to the encrypted file when a person can type a passphrase", async () => {
    const env = await noKeychainEnv();
    const chosen = await chooseDefaultStore({ env, io: tty, promptPassphrase: async () => "fake-typed" });
    expect(chosen.kind).toBe("encrypted-file");
  });

  it("plain text only when asked: --insecure-storage or --storage plaintext, with a loud warning", async () => {
    const env = await noKeychainEnv();
    for (const options of [{ insecureStorage: true }, { requested: "plaintext" as const }]) {
      const chosen = await chooseDefaultStore({ env, io: noTTY, ...options });
      expect(chosen.kind).toBe("plaintext");
      expect(chosen.warning).toMatch(/UNENCRYPTED/);
      expect(chosen.warning).toContain(plainSecretsPath(env));
    }
  });

  it("--storage keychain when the keychain is unavailable: the keychain's own error, no fallback", async () => {
    const env = await noKeychainEnv({ CONFL_PASSPHRASE: "fake-passphrase-choose" });
    await expect(chooseDefaultStore({ env, io: noTTY, requested: "keychain" })).rejects.toMatchObject({
      reason: "no-dbus",
    });
  });

  it("--storage encrypted-file without a passphrase source fails listing options", async () => {
    const env = await noKeychainEnv();
    await expect(chooseDefaultStore({ env, io: noTTY, requested: "encrypted-file" })).rejects.toMatchObject({
      reason: "no-store",
      message: expect.stringMatching(/needs a passphrase/),
    });
  });
});

describe.runIf(process.env.CONFL_TEST_KEYCHAIN === "1")("chooseDefaultStore with a working keychain", () => {
  it("prefers the keychain even when a passphrase is available", async () => {
    const chosen = await chooseDefaultStore({
      env: { ...process.env, CONFL_PASSPHRASE: "fake-passphrase-choose" },
      io: noTTY,
    });
    expect(chosen.kind).toBe("keychain");
    expect(chosen.notice).toBeUndefined();
    expect(chosen.warning).toBeUndefined();
  });
});

describe("openSecretStore", () => {
  it("opens each kind without touching anything", async () => {
    const env = await noKeychainEnv();
    for (const kind of ["keychain", "encrypted-file", "plaintext"] as const) {
      expect((await openSecretStore(kind, { env, io: noTTY })).kind).toBe(kind);
    }
    await expect(openSecretStore("bogus" as never, { env })).rejects.toBeInstanceOf(SecretStoreError);
  });
});

describe("describeSecretStore", () => {
  it("names the place and flags plain text as insecure", () => {
    const env = { CONFL_CONFIG_DIR: "/c", CONFL_KEYCHAIN_SERVICE: "svc" };
    expect(describeSecretStore("keychain", env)).toMatch(/^OS keychain \(.*service "svc"\)$/);
    expect(describeSecretStore("encrypted-file", env)).toBe("encrypted file /c/secrets.enc.json");
    expect(describeSecretStore("plaintext", env)).toBe(
      "plain-text file /c/secrets.json (INSECURE: not encrypted)",
    );
    expect(describeSecretStore("none", env)).toBe("no stored secret");
  });
});
