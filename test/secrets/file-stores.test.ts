import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configDir, encryptedSecretsPath, plainSecretsPath } from "../../src/config/paths.js";
import { ExitCode, UsageError } from "../../src/errors.js";
import { EncryptedFileStore, PlainFileStore, SecretStoreError } from "../../src/secrets/index.js";

const SECRET = JSON.stringify({ kind: "api-token", token: "fake-cloud-api-token-0001" });

async function freshEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const root = await mkdtemp(join(tmpdir(), "confl-secrets-"));
  return { CONFL_CONFIG_DIR: join(root, "confl"), HOME: root, ...extra };
}

const noTTY = { canPrompt: false, stdin: process.stdin, stderr: process.stderr };
const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("encrypted file store", () => {
  it("round-trips, replaces and deletes; the file is 0600 and holds no plaintext", async () => {
    const env = await freshEnv({ CONFL_PASSPHRASE: "fake-passphrase-correct horse" });
    const store = new EncryptedFileStore({ env, io: noTTY });
    expect(await store.get("work")).toBeUndefined();
    await store.set("work", SECRET);
    await store.set("dc", "fake-pat-0002");
    expect(await store.get("work")).toBe(SECRET);
    await store.set("work", "fake-cloud-api-token-0003");
    // A second instance derives the key afresh from the file's salt.
    const again = new EncryptedFileStore({ env, io: noTTY });
    expect(await again.get("work")).toBe("fake-cloud-api-token-0003");
    expect(await again.get("dc")).toBe("fake-pat-0002");
    const path = encryptedSecretsPath(env);
    expect(await mode(path)).toBe(0o600);
    expect(await mode(configDir(env))).toBe(0o700);
    const text = await readFile(path, "utf8");
    expect(text).not.toContain("fake-");
    expect(text).not.toContain("correct horse");
    const file = JSON.parse(text);
    expect(file).toMatchObject({
      format: "confl-encrypted-secrets",
      version: 1,
      cipher: "aes-256-gcm",
      kdf: { name: "scrypt", N: 32768, r: 8, p: 1, keyLength: 32 },
    });
    expect(Buffer.from(file.kdf.salt, "base64")).toHaveLength(16);
    expect(Buffer.from(file.entries.work.nonce, "base64")).toHaveLength(12);
    expect(file.entries.work.nonce).not.toBe(file.entries.dc.nonce);
    expect(await again.delete("work")).toBe(true);
    expect(await again.delete("work")).toBe(false);
    expect(await again.get("work")).toBeUndefined();
    expect(await again.get("dc")).toBe("fake-pat-0002");
  });

  it("a wrong passphrase is a clear error naming the file, before any entry is read", async () => {
    const env = await freshEnv({ CONFL_PASSPHRASE: "fake-passphrase-right" });
    await new EncryptedFileStore({ env, io: noTTY }).set("work", SECRET);
    const before = await readFile(encryptedSecretsPath(env), "utf8");
    const wrong = new EncryptedFileStore({
      env: { ...env, CONFL_PASSPHRASE: "fake-passphrase-wrong" },
      io: noTTY,
    });
    for (const attempt of [
      () => wrong.get("work"),
      () => wrong.set("other", "x"),
      () => wrong.delete("work"),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretStoreError);
      expect((error as SecretStoreError).reason).toBe("wrong-passphrase");
      // the credential is there but cannot be unlocked: an authentication problem, exit 4
      expect((error as SecretStoreError).exitCode).toBe(ExitCode.AUTH);
      expect((error as Error).message).toBe(`wrong passphrase for ${encryptedSecretsPath(env)}`);
    }
    // Nothing was rewritten by the failed set/delete.
    expect(await readFile(encryptedSecretsPath(env), "utf8")).toBe(before);
  });

  it("a tampered entry, a swapped entry and a tampered header are all detected", async () => {
    const env = await freshEnv({ CONFL_PASSPHRASE: "fake-passphrase-tamper" });
    const store = new EncryptedFileStore({ env, io: noTTY });
    await store.set("a", "fake-secret-aaaa");
    await store.set("b", "fake-secret-bbbb");
    const path = encryptedSecretsPath(env);
    const original = JSON.parse(await readFile(path, "utf8"));

    const flipped = structuredClone(original);
    const bytes = Buffer.from(flipped.entries.a.data, "base64");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    flipped.entries.a.data = bytes.toString("base64");
    await writeFile(path, JSON.stringify(flipped));
    await expect(new EncryptedFileStore({ env, io: noTTY }).get("a")).rejects.toMatchObject({
      reason: "corrupt",
      message: expect.stringMatching(/tampered with or is damaged \(entry "a"/),
    });
    // And a set refuses to re-save a file with a damaged entry.
    await expect(new EncryptedFileStore({ env, io: noTTY }).set("c", "x")).rejects.toMatchObject({
      reason: "corrupt",
    });

    // Entry b's ciphertext under key a: the AAD (entry key) makes it fail.
    const swapped = structuredClone(original);
    swapped.entries.a = original.entries.b;
    await writeFile(path, JSON.stringify(swapped));
    await expect(new EncryptedFileStore({ env, io: noTTY }).get("a")).rejects.toMatchObject({
      reason: "corrupt",
    });

    const shortTag = structuredClone(original);
    shortTag.entries.a.tag = Buffer.from(original.entries.a.tag, "base64").subarray(0, 4).toString("base64");
    await writeFile(path, JSON.stringify(shortTag));
    await expect(new EncryptedFileStore({ env, io: noTTY }).get("a")).rejects.toMatchObject({
      reason: "corrupt",
    });

    const header = structuredClone(original);
    header.kdf.N = 16384;
    await writeFile(path, JSON.stringify(header));
    await expect(new EncryptedFileStore({ env, io: noTTY }).get("a")).rejects.toMatchObject({
      reason: "wrong-passphrase",
    });

    const huge = structuredClone(original);
    huge.kdf.N = 2 ** 24;
    await writeFile(path, JSON.stringify(huge));
    await expect(new EncryptedFileStore({ env, io: noTTY }).get("a")).rejects.toMatchObject({
      reason: "corrupt",
      message: expect.stringMatching(/out of bounds/),
    });

    await writeFile(path, "{not json");
    await expect(new EncryptedFileStore({ env, io: noTTY }).get("a")).rejects.toMatchObject({
      reason: "corrupt",
    });

    await writeFile(path, JSON.stringify(original));
    expect(await new EncryptedFileStore({ env, io: noTTY }).get("b")).toBe("fake-secret-bbbb");
  });

  it("with no passphrase and no TTY: an error listing the options", async () => {
    const env = await freshEnv();
    const store = new EncryptedFileStore({ env, io: noTTY });
    const error = await store.set("work", SECRET).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(error).toMatchObject({ reason: "no-passphrase", exitCode: ExitCode.FAILURE });
    const hint = (error as SecretStoreError).hint ?? "";
    for (const option of [
      "CONFL_PASSPHRASE",
      "CONFLUENCE_API_TOKEN",
      "CONFLUENCE_PERSONAL_TOKEN",
      "terminal",
    ]) {
      expect(hint).toContain(option);
    }
    // Reading a store that does not exist yet needs no passphrase.
    expect(await store.get("work")).toBeUndefined();
  });

  it("prompts (masked prompt injected) on a TTY, asking twice for a new file", async () => {
    const env = await freshEnv();
    const tty = { ...noTTY, canPrompt: true };
    const asked: string[] = [];
    const prompt = async (message: string) => {
      asked.push(message);
      return "fake-typed-passphrase";
    };
    await new EncryptedFileStore({ env, io: tty, promptPassphrase: prompt }).set("work", SECRET);
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatch(/New passphrase/);
    asked.length = 0;
    expect(await new EncryptedFileStore({ env, io: tty, promptPassphrase: prompt }).get("work")).toBe(SECRET);
    expect(asked).toHaveLength(1);
    // The same file opens with the same passphrase from the environment.
    const fromEnv = new EncryptedFileStore({
      env: { ...env, CONFL_PASSPHRASE: "fake-typed-passphrase" },
      io: noTTY,
    });
    expect(await fromEnv.get("work")).toBe(SECRET);

    // A wrong passphrase at the prompt is asked again, up to three times.
    const answers = ["fake-wrong-1", "fake-wrong-2", "fake-typed-passphrase"];
    asked.length = 0;
    const retrying = async (message: string) => {
      asked.push(message);
      return answers.shift() ?? "";
    };
    expect(await new EncryptedFileStore({ env, io: tty, promptPassphrase: retrying }).get("work")).toBe(
      SECRET,
    );
    expect(asked).toHaveLength(3);
    expect(asked[1]).toMatch(/Wrong passphrase; try again/);
    const alwaysWrong = async () => "fake-wrong-always";
    await expect(
      new EncryptedFileStore({ env, io: tty, promptPassphrase: alwaysWrong }).get("work"),
    ).rejects.toMatchObject({ reason: "wrong-passphrase" });

    const other = await freshEnv();
    // a repetition that differs is asked again (three tries in all), then refused
    let tries = 0;
    const mismatch = async (message: string) => {
      if (message !== "Repeat the passphrase") tries++;
      return message === "Repeat the passphrase" ? "fake-second" : "fake-first";
    };
    await expect(
      new EncryptedFileStore({ env: other, io: tty, promptPassphrase: mismatch }).set("w", "x"),
    ).rejects.toBeInstanceOf(UsageError);
    expect(tries).toBe(3);
    await expect(stat(encryptedSecretsPath(other))).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("plain file store", () => {
  it("round-trips, replaces, deletes; 0600 and tightened from 0644", async () => {
    const env = await freshEnv();
    const store = new PlainFileStore(env);
    expect(await store.get("work")).toBeUndefined();
    expect(await store.delete("work")).toBe(false);
    await store.set("work", SECRET);
    await store.set("work", "fake-cloud-api-token-0009");
    expect(await new PlainFileStore(env).get("work")).toBe("fake-cloud-api-token-0009");
    const path = plainSecretsPath(env);
    expect(await mode(path)).toBe(0o600);
    await chmod(path, 0o644);
    await store.set("dc", "fake-pat-0010");
    expect(await mode(path)).toBe(0o600);
    expect(await store.delete("work")).toBe(true);
    expect(await store.get("work")).toBeUndefined();
    expect(await store.get("dc")).toBe("fake-pat-0010");
    expect(store.warning).toContain(path);
    expect(store.warning).toMatch(/UNENCRYPTED/);
  });

  it("a corrupt file is reported without quoting it and not overwritten", async () => {
    const env = await freshEnv();
    await mkdir(configDir(env), { recursive: true });
    const garbage = '{"version":1,"entries":{"work":"fake-cloud-api-token-0011"';
    await writeFile(plainSecretsPath(env), garbage);
    const error = await new PlainFileStore(env).set("x", "y").catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "corrupt" });
    expect(String((error as Error).message)).not.toContain("fake-cloud");
    expect(await readFile(plainSecretsPath(env), "utf8")).toBe(garbage);
  });
});

describe("keys that are names of Object.prototype", () => {
  // The stores are keyed by profile name. In a plain {} map, "__proto__" replaced the map's prototype
  // (set "succeeded", get found nothing) and "constructor" was found without being stored.
  const KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty"];

  it("the plain file store keeps them as ordinary entries", async () => {
    const env = await freshEnv();
    const store = new PlainFileStore(env);
    for (const key of KEYS) expect(await store.get(key), key).toBeUndefined();
    for (const key of KEYS) await store.set(key, `fake-token-${key}`);
    const again = new PlainFileStore(env);
    for (const key of KEYS) expect(await again.get(key), key).toBe(`fake-token-${key}`);
    expect(Object.keys(JSON.parse(await readFile(plainSecretsPath(env), "utf8")).entries).sort()).toEqual(
      [...KEYS].sort(),
    );
    expect(await again.delete("__proto__")).toBe(true);
    expect(await again.get("__proto__")).toBeUndefined();
    expect(({} as Record<string, unknown>).insecure).toBeUndefined();
  });

  it("the encrypted file store keeps them as ordinary entries", async () => {
    const env = await freshEnv({ CONFL_PASSPHRASE: "fake-passphrase-proto" });
    const store = new EncryptedFileStore({ env, io: noTTY });
    for (const key of KEYS) expect(await store.get(key), key).toBeUndefined();
    await store.set("__proto__", "fake-token-proto");
    await store.set("constructor", "fake-token-constructor");
    const again = new EncryptedFileStore({ env, io: noTTY });
    expect(await again.get("__proto__")).toBe("fake-token-proto");
    expect(await again.get("constructor")).toBe("fake-token-constructor");
    expect(await again.get("toString")).toBeUndefined();
  });
});
