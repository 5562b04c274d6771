/**
 * secrets.enc.json: secrets encrypted with a key derived from a passphrase the user knows. Each entry
 * is AES-256-GCM with its own random 12-byte nonce and the entry key as additional authenticated data
 * (so entries cannot be swapped between profiles). The key comes from scrypt (N=2^15, r=8, p=1; N=2^15
 * needs maxmem raised to 64 MiB: docs/dependencies.md §3) over a random 16-byte salt kept in the header
 * with the KDF parameters and a format version. A "verifier" (a known value encrypted with the key,
 * the header as AAD) tells a wrong passphrase apart from a damaged entry before any entry is touched.
 * Encryption only helps because the passphrase is not stored anywhere: it comes from CONFL_PASSPHRASE
 * or a masked prompt.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { dictionary, isObject } from "../config/dict.js";
import { encryptedSecretsPath } from "../config/paths.js";
import { readPrivateFileIfExists, withFileLock, writePrivateFileAtomic } from "../config/private-files.js";
import { InterruptedError, UsageError } from "../errors.js";
import type { IOStreams } from "../io/streams.js";
import { registerSecret } from "../redact.js";
import { SecretStoreError } from "./errors.js";
import type { SecretStore } from "./types.js";

export const ENCRYPTED_FORMAT = "confl-encrypted-secrets";
export const ENCRYPTED_VERSION = 1;
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const SALT_LENGTH = 16;
const VERIFIER_PLAINTEXT = "confl passphrase verifier v1";
/** Header limits when reading: a tampered header must not make confl allocate gigabytes or spin for minutes. */
const MAX_SCRYPT_N = 2 ** 20;
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;

interface Sealed {
  nonce: string;
  data: string;
  tag: string;
}

interface KdfParams {
  name: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  keyLength: number;
}

interface EncryptedSecretsFile {
  format: typeof ENCRYPTED_FORMAT;
  version: typeof ENCRYPTED_VERSION;
  kdf: KdfParams;
  cipher: "aes-256-gcm";
  verifier: Sealed;
  entries: Record<string, Sealed>;
}

/** How many times a person is asked for a passphrase that is empty or, for a new file, repeated wrong. */
const PASSPHRASE_TRIES = 3;

export type PassphrasePrompt = (message: string) => Promise<string>;

export interface EncryptedFileStoreOptions {
  env: NodeJS.ProcessEnv;
  io?: Pick<IOStreams, "canPrompt" | "stdin" | "stderr"> & Partial<Pick<IOStreams, "prompt">>;
  /** Overrides the masked prompt (tests). Only called when io.canPrompt is true. */
  promptPassphrase?: PassphrasePrompt;
  /** Overrides the file location (tests). */
  path?: string;
}

/** true when a passphrase can be obtained without failing: CONFL_PASSPHRASE is set or a person can be asked. */
export function passphraseAvailable(env: NodeJS.ProcessEnv, io?: Pick<IOStreams, "canPrompt">): boolean {
  return (env.CONFL_PASSPHRASE !== undefined && env.CONFL_PASSPHRASE !== "") || io?.canPrompt === true;
}

export class EncryptedFileStore implements SecretStore {
  readonly kind = "encrypted-file" as const;
  readonly path: string;
  private readonly options: EncryptedFileStoreOptions;
  private passphrase: string | undefined;
  /** Derived keys by salt, so one process derives once (scrypt costs ~130 ms). */
  private readonly keys = new Map<string, Buffer>();

  constructor(options: EncryptedFileStoreOptions) {
    this.options = options;
    this.path = options.path ?? encryptedSecretsPath(options.env);
  }

  async get(key: string): Promise<string | undefined> {
    const file = await this.read();
    if (!file || !Object.hasOwn(file.entries, key)) return undefined;
    const secretEntry = await this.unlock(file, false);
    const value = this.open(file.entries[key]!, secretEntry, key);
    registerSecret(value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    registerSecret(value);
    await withFileLock(this.path, async () => {
      const existing = await this.read();
      const file = existing ?? (await this.createFile());
      const secretEntry = await this.unlock(file, existing === undefined);
      // Check every entry before rewriting: never re-save a file whose other entries are damaged.
      for (const [name, sealed] of Object.entries(file.entries)) this.open(sealed, secretEntry, name);
      file.entries[key] = seal(value, secretEntry, Buffer.from(key, "utf8"));
      await writePrivateFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
    });
  }

  async delete(key: string): Promise<boolean> {
    return withFileLock(this.path, async () => {
      const file = await this.read();
      if (!file || !Object.hasOwn(file.entries, key)) return false;
      // Deleting needs the passphrase too: otherwise anyone could strip entries without knowing it.
      await this.unlock(file, false);
      delete file.entries[key];
      await writePrivateFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
      return true;
    });
  }

  private async createFile(): Promise<EncryptedSecretsFile> {
    const header = {
      format: ENCRYPTED_FORMAT,
      version: ENCRYPTED_VERSION,
      kdf: {
        name: "scrypt",
        ...DEFAULT_SCRYPT,
        salt: randomBytes(SALT_LENGTH).toString("base64"),
        keyLength: KEY_LENGTH,
      },
      cipher: "aes-256-gcm",
    } as const;
    return { ...header, verifier: { nonce: "", data: "", tag: "" }, entries: dictionary<Sealed>() };
  }

  /** Derives the key and checks it against the verifier; for a new file, creates the verifier. */
  private async unlock(file: EncryptedSecretsFile, isNew: boolean): Promise<Buffer> {
    // A person at a prompt gets three tries; a passphrase from the environment gets one.
    const attempts = this.passphraseFromEnv() === undefined ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      const passphrase = await this.getPassphrase(isNew, attempt > 1);
      const cacheKey = `${file.kdf.salt}:${file.kdf.N}:${file.kdf.r}:${file.kdf.p}`;
      let key = this.keys.get(cacheKey);
      if (!key) {
        key = await deriveKey(passphrase, file.kdf);
        this.keys.set(cacheKey, key);
      }
      const aad = verifierAad(file);
      if (isNew) {
        file.verifier = seal(VERIFIER_PLAINTEXT, key, aad);
        return key;
      }
      if (verifies(file.verifier, key, aad)) return key;
      this.keys.delete(cacheKey);
      this.passphrase = undefined;
      if (attempt >= attempts) {
        throw new SecretStoreError(`wrong passphrase for ${this.path}`, {
          reason: "wrong-passphrase",
          hint:
            "Check CONFL_PASSPHRASE (or what you typed). If the passphrase is lost, delete the file and log in again; " +
            "if you are sure it is right, the file header was altered.",
        });
      }
    }
  }

  private open(sealed: Sealed, key: Buffer, name: string): string {
    try {
      return unseal(sealed, key, Buffer.from(name, "utf8"));
    } catch {
      throw new SecretStoreError(
        `the encrypted secrets file ${this.path} was tampered with or is damaged (entry ${JSON.stringify(name)} failed authentication)`,
        {
          reason: "corrupt",
          hint: `Restore it from a backup, or remove the entry (or the file) and log in again.`,
        },
      );
    }
  }

  private passphraseFromEnv(): string | undefined {
    const fromEnv = this.options.env.CONFL_PASSPHRASE;
    return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
  }

  private async getPassphrase(isNew: boolean, retry: boolean): Promise<string> {
    if (this.passphrase !== undefined) return this.passphrase;
    const fromEnv = this.passphraseFromEnv();
    if (fromEnv !== undefined) {
      registerSecret(fromEnv, "CONFL_PASSPHRASE");
      this.passphrase = fromEnv;
      return fromEnv;
    }
    const io = this.options.io;
    if (!io?.canPrompt) throw noPassphraseError(this.path);
    const prompt = this.options.promptPassphrase ?? ((message: string) => maskedPrompt(message, io));
    const ask = isNew
      ? `New passphrase to encrypt ${this.path}`
      : retry
        ? `Wrong passphrase; try again (${this.path})`
        : `Passphrase for ${this.path}`;
    // An empty passphrase, or (for a new file) a repetition that differs, is asked again: three tries in all.
    let problem: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= PASSPHRASE_TRIES;
      const first = await prompt(problem ? `${problem}. ${ask}` : ask);
      if (first === "") {
        if (last)
          throw new UsageError("the passphrase is empty", {
            hint: "Type a passphrase, or set CONFL_PASSPHRASE.",
            code: "secrets.empty_passphrase",
          });
        problem = "The passphrase is empty";
        continue;
      }
      registerSecret(first, "the passphrase");
      if (isNew && (await prompt("Repeat the passphrase")) !== first) {
        if (last)
          throw new UsageError("the passphrases do not match", {
            hint: "Run the command again and type the same passphrase twice.",
            code: "secrets.passphrase_mismatch",
          });
        problem = "The passphrases do not match";
        continue;
      }
      this.passphrase = first;
      return first;
    }
  }

  private async read(): Promise<EncryptedSecretsFile | undefined> {
    const text = await readPrivateFileIfExists(this.path);
    if (text === undefined) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw this.corrupt("it is not valid JSON");
    }
    return this.validate(data);
  }

  private validate(data: unknown): EncryptedSecretsFile {
    return validateEncryptedFile(data, this.path);
  }

  private corrupt(why: string): SecretStoreError {
    return corruptFileError(this.path, why);
  }
}

export function noPassphraseError(path: string): SecretStoreError {
  return new SecretStoreError(
    `no passphrase for the encrypted secrets file ${path}, and no terminal to ask for one`,
    {
      reason: "no-passphrase",
      hint:
        "Set CONFL_PASSPHRASE, run confl in a terminal to be prompted, or in CI skip stored secrets and set " +
        "CONFLUENCE_API_TOKEN (Cloud) or CONFLUENCE_PERSONAL_TOKEN (Data Center).",
    },
  );
}

function verifierAad(file: Pick<EncryptedSecretsFile, "format" | "version" | "kdf" | "cipher">): Buffer {
  // Binding the header means a changed salt or KDF parameter is caught by the verifier too.
  const { kdf } = file;
  return Buffer.from(
    `\u0000verifier\u0000${file.format}\u0000${file.version}\u0000${file.cipher}\u0000scrypt:${kdf.N}:${kdf.r}:${kdf.p}:${kdf.keyLength}:${kdf.salt}`,
    "utf8",
  );
}

function verifies(verifier: Sealed, key: Buffer, aad: Buffer): boolean {
  try {
    const plain = Buffer.from(unseal(verifier, key, aad), "utf8");
    const expected = Buffer.from(VERIFIER_PLAINTEXT, "utf8");
    return plain.length === expected.length && timingSafeEqual(plain, expected);
  } catch {
    return false;
  }
}

function deriveKey(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  const maxmem = Math.max(64 * 1024 * 1024, 2 * 128 * kdf.N * kdf.r);
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize("NFC"),
      Buffer.from(kdf.salt, "base64"),
      kdf.keyLength,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function seal(plaintext: string, key: Buffer, aad: Buffer): Sealed {
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    nonce: nonce.toString("base64"),
    data: data.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

function unseal(sealed: Sealed, key: Buffer, aad: Buffer): string {
  const nonce = Buffer.from(sealed.nonce, "base64");
  const tag = Buffer.from(sealed.tag, "base64");
  // A short tag would weaken GCM's authentication; accept only the full 16 bytes.
  if (nonce.length !== NONCE_LENGTH || tag.length !== TAG_LENGTH) throw new Error("bad nonce or tag length");
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString(
    "utf8",
  );
}

async function maskedPrompt(
  message: string,
  io: Pick<IOStreams, "stdin" | "stderr"> & Partial<Pick<IOStreams, "prompt">>,
): Promise<string> {
  const { password, isCancel } = await import("@clack/prompts");
  // io.prompt: stderr redacted but with clack's cursor control intact (io.stderr strips it)
  const answer = await password({ message, mask: "•", input: io.stdin, output: io.prompt ?? io.stderr });
  if (isCancel(answer)) throw new InterruptedError("cancelled at the passphrase prompt");
  return answer;
}

function isSealed(value: unknown): value is Sealed {
  return (
    isObject(value) &&
    typeof value.nonce === "string" &&
    typeof value.data === "string" &&
    typeof value.tag === "string"
  );
}

function isIntIn(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function isPowerOfTwo(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value > 1 && (value & (value - 1)) === 0;
}

/**
 * The shape and bounds of an encrypted secrets file, checked without the passphrase: what `auth status
 * --no-verify` relies on to say a secret is stored. Throws the "corrupt" SecretStoreError.
 */
export function validateEncryptedFile(data: unknown, path: string): EncryptedSecretsFile {
  const corrupt = (why: string) => corruptFileError(path, why);
  if (!isObject(data) || data.format !== ENCRYPTED_FORMAT)
    throw corrupt("it is not a confl encrypted secrets file");
  if (data.version !== ENCRYPTED_VERSION) {
    throw corrupt(
      `unsupported format version ${JSON.stringify(data.version)} (this confl reads ${ENCRYPTED_VERSION})`,
    );
  }
  if (data.cipher !== "aes-256-gcm") throw corrupt(`unsupported cipher ${JSON.stringify(data.cipher)}`);
  const kdf = data.kdf;
  if (
    !isObject(kdf) ||
    kdf.name !== "scrypt" ||
    !isPowerOfTwo(kdf.N) ||
    (kdf.N as number) < 2 ** 10 ||
    (kdf.N as number) > MAX_SCRYPT_N ||
    !isIntIn(kdf.r, 1, 32) ||
    !isIntIn(kdf.p, 1, 16) ||
    128 * (kdf.N as number) * (kdf.r as number) > MAX_SCRYPT_MEMORY ||
    kdf.keyLength !== KEY_LENGTH ||
    typeof kdf.salt !== "string" ||
    Buffer.from(kdf.salt, "base64").length < SALT_LENGTH
  ) {
    throw corrupt("the key-derivation header is missing or out of bounds");
  }
  if (!isSealed(data.verifier)) throw corrupt("the passphrase verifier is missing");
  if (!isObject(data.entries)) throw corrupt(`"entries" is not an object`);
  for (const [name, sealed] of Object.entries(data.entries)) {
    if (!isSealed(sealed)) throw corrupt(`entry ${JSON.stringify(name)} is malformed`);
  }
  // Keys are profile names: a null-prototype map stores "__proto__" like any other key.
  return {
    ...(data as unknown as EncryptedSecretsFile),
    entries: dictionary(data.entries as Record<string, Sealed>),
  };
}

function corruptFileError(path: string, why: string): SecretStoreError {
  return new SecretStoreError(`cannot read the encrypted secrets file ${path}: ${why}`, {
    reason: "corrupt",
    hint: "Restore it from a backup, or move it aside and log in again; confl will not overwrite it.",
  });
}
