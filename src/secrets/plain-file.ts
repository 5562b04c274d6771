/**
 * secrets.json: secrets in plain text (mode 0600, atomic writes). Used only when the user asks for it
 * (--insecure-storage / --storage plaintext); the CLI warns about it at login and in every status.
 */
import { dictionary } from "../config/dict.js";
import { plainSecretsPath } from "../config/paths.js";
import { readPrivateFileIfExists, withFileLock, writePrivateFileAtomic } from "../config/private-files.js";
import { registerSecret } from "../redact.js";
import { SecretStoreError } from "./errors.js";
import type { SecretStore } from "./types.js";

interface PlainSecretsFile {
  version: 1;
  entries: Record<string, string>;
}

export const PLAINTEXT_WARNING =
  "secrets are stored UNENCRYPTED in %PATH% (mode 0600): anyone who can read your files or backups can use them. " +
  "Prefer the OS keychain, or an encrypted file (CONFL_PASSPHRASE, --storage encrypted-file).";

export class PlainFileStore implements SecretStore {
  readonly kind = "plaintext" as const;
  readonly path: string;

  constructor(env: NodeJS.ProcessEnv, path = plainSecretsPath(env)) {
    this.path = path;
  }

  get warning(): string {
    return PLAINTEXT_WARNING.replace("%PATH%", this.path);
  }

  async get(key: string): Promise<string | undefined> {
    const file = await this.read();
    const value = Object.hasOwn(file.entries, key) ? file.entries[key] : undefined;
    registerSecret(value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    registerSecret(value);
    await withFileLock(this.path, async () => {
      const file = await this.read();
      file.entries[key] = value;
      await this.write(file);
    });
  }

  async delete(key: string): Promise<boolean> {
    return withFileLock(this.path, async () => {
      const file = await this.read();
      if (!Object.hasOwn(file.entries, key)) return false;
      delete file.entries[key];
      await this.write(file);
      return true;
    });
  }

  private async read(): Promise<PlainSecretsFile> {
    const text = await readPrivateFileIfExists(this.path);
    if (text === undefined) return { version: 1, entries: dictionary<string>() };
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      // Never quote the parse error: it can echo part of the file, which holds secrets.
      throw this.corrupt("it is not valid JSON");
    }
    if (typeof data !== "object" || data === null || (data as PlainSecretsFile).version !== 1) {
      throw this.corrupt("unknown format or version");
    }
    const entries = (data as PlainSecretsFile).entries;
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      throw this.corrupt(`"entries" is not an object`);
    }
    for (const [key, value] of Object.entries(entries)) {
      if (typeof value !== "string") throw this.corrupt(`entry ${JSON.stringify(key)} is not a string`);
    }
    // Keys are profile names: a null-prototype map stores "__proto__" like any other key.
    return { version: 1, entries: dictionary(entries as Record<string, string>) };
  }

  private async write(file: PlainSecretsFile): Promise<void> {
    await writePrivateFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }

  private corrupt(why: string): SecretStoreError {
    return new SecretStoreError(`cannot read the secrets file ${this.path}: ${why}`, {
      reason: "corrupt",
      hint: `Fix it by hand, or move it aside and log in again; confl will not overwrite it.`,
    });
  }
}
