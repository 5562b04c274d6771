/**
 * confl's private files against a hostile file system: a config.json, secrets file or config directory
 * that is a symbolic link (to a file of the user's, a shared directory, nothing at all) or a FIFO. confl
 * must refuse with one clear error, never chmod, read, replace or block on what the link points at.
 */
import { spawn } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configDir, configFilePath, encryptedSecretsPath, plainSecretsPath } from "../../src/config/paths.js";
import { loadConfig, securePermissions, upsertProfile } from "../../src/config/store.js";
import type { Profile } from "../../src/config/types.js";
import { ConflError, ExitCode } from "../../src/errors.js";
import { EncryptedFileStore, PlainFileStore } from "../../src/secrets/index.js";

const VALID_CONFIG = `${JSON.stringify({ version: 1, profiles: {} })}\n`;
const noTTY = { canPrompt: false, stdin: process.stdin, stderr: process.stderr };
const mode = async (path: string) => (await stat(path)).mode & 0o777;

/** A config dir, and outside it a 0644 "victim" file of the user's holding valid config JSON. */
async function setup(): Promise<{ env: NodeJS.ProcessEnv; victim: string; outside: string }> {
  const root = await mkdtemp(join(tmpdir(), "confl-links-"));
  const outside = join(root, "shared");
  await mkdir(outside, { mode: 0o755 });
  await chmod(outside, 0o755);
  const victim = join(outside, "victim.json");
  await writeFile(victim, VALID_CONFIG);
  await chmod(victim, 0o644);
  const env = {
    CONFL_CONFIG_DIR: join(root, "confl"),
    HOME: root,
    CONFL_PASSPHRASE: "fake-passphrase-links",
  };
  await mkdir(configDir(env), { mode: 0o700 });
  return { env, victim, outside };
}

function profile(name: string): Profile {
  return {
    name,
    site: "https://acme.atlassian.net",
    deployment: "cloud",
    apiBase: "https://acme.atlassian.net/wiki/",
    kind: "api-token",
    email: "alice@example.com",
    secretStore: "plaintext",
  };
}

async function expectSymlinkRefusal(promise: Promise<unknown>, path: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflError);
  expect((error as ConflError).code).toBe("config.symlink");
  expect((error as ConflError).message).toBe(`refusing to use ${path}: it is a symbolic link`);
  expect((error as ConflError).exitCode).toBe(ExitCode.FAILURE);
}

describe.skipIf(process.platform === "win32")(
  "confl's private files are never reached through a symbolic link",
  () => {
    const fileCases: Array<
      [string, (env: NodeJS.ProcessEnv) => string, (env: NodeJS.ProcessEnv) => Promise<unknown>]
    > = [
      ["loadConfig with config.json → a file of the user's", configFilePath, (env) => loadConfig(env)],
      [
        "securePermissions with config.json → a file of the user's",
        configFilePath,
        (env) => securePermissions(env),
      ],
      [
        "upsertProfile with config.json → a file of the user's",
        configFilePath,
        (env) => upsertProfile(profile("work"), env),
      ],
      [
        "reading secrets.json → a file of the user's",
        plainSecretsPath,
        (env) => new PlainFileStore(env).get("work"),
      ],
      [
        "writing secrets.json → a file of the user's",
        plainSecretsPath,
        (env) => new PlainFileStore(env).set("work", "fake-token-links-0001"),
      ],
      [
        "reading secrets.enc.json → a file of the user's",
        encryptedSecretsPath,
        (env) => new EncryptedFileStore({ env, io: noTTY }).get("work"),
      ],
      [
        "writing secrets.enc.json → a file of the user's",
        encryptedSecretsPath,
        (env) => new EncryptedFileStore({ env, io: noTTY }).set("work", "fake-token-links-0002"),
      ],
    ];

    it.each(fileCases)(
      "%s: refused; the target keeps its mode and content, the link stays",
      async (_name, pathOf, action) => {
        const { env, victim } = await setup();
        const link = pathOf(env);
        await symlink(victim, link);
        await expectSymlinkRefusal(action(env), link);
        expect(await mode(victim)).toBe(0o644);
        expect(await readFile(victim, "utf8")).toBe(VALID_CONFIG);
        expect((await lstat(link)).isSymbolicLink()).toBe(true);
        expect(await readlink(link)).toBe(victim);
      },
    );

    it("a config.json linked to a file that does not exist yet is refused, and nothing is created there", async () => {
      const { env, outside } = await setup();
      const target = join(outside, "created-by-confl.json");
      await symlink(target, configFilePath(env));
      await expectSymlinkRefusal(upsertProfile(profile("work"), env), configFilePath(env));
      await expect(stat(target)).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("a config directory that is a link to a shared directory is refused and the directory keeps its mode", async () => {
      const { env, outside } = await setup();
      const root = join(configDir(env), "..");
      const linkedEnv = { ...env, CONFL_CONFIG_DIR: join(root, "linked-confl") };
      await symlink(outside, configDir(linkedEnv));
      await expectSymlinkRefusal(upsertProfile(profile("work"), linkedEnv), configDir(linkedEnv));
      expect(await mode(outside)).toBe(0o755);
      await expectSymlinkRefusal(
        new PlainFileStore(linkedEnv).set("work", "fake-token-links-0003"),
        configDir(linkedEnv),
      );
      expect(await mode(outside)).toBe(0o755);
    });

    it("a config directory that is a dangling link is refused as a link", async () => {
      const { env, outside } = await setup();
      const linkedEnv = { ...env, CONFL_CONFIG_DIR: join(configDir(env), "..", "dangling-confl") };
      await symlink(join(outside, "nothing-here"), configDir(linkedEnv));
      await expectSymlinkRefusal(upsertProfile(profile("work"), linkedEnv), configDir(linkedEnv));
      await expect(stat(join(outside, "nothing-here"))).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("a config.json that is a FIFO is refused at once instead of blocking confl", async () => {
      const { env } = await setup();
      const fifo = configFilePath(env);
      const made = spawn("mkfifo", [fifo], { stdio: "ignore" });
      await new Promise((done) => made.once("close", done));
      try {
        const error = await loadConfig(env).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConflError);
        expect((error as ConflError).message).toBe(`refusing to use ${fifo}: it is not a regular file`);
      } finally {
        // Unblocks a reader stuck on the FIFO (the behaviour before the fix) so the worker can exit.
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // no reader waiting: nothing to unblock
        }
      }
    }, 5_000);
  },
);
