// Real processes against real files: concurrent writers must not lose updates, and a SIGKILL in the
// middle of a write must leave every file whole and private.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { configDir, configFilePath, encryptedSecretsPath, plainSecretsPath } from "../../src/config/paths.js";
import { loadConfig, updateConfig } from "../../src/config/store.js";
import { EncryptedFileStore } from "../../src/secrets/encrypted-file.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { bundleChild } from "./children/bundle.js";

let writer: string;
beforeAll(async () => {
  writer = await bundleChild(resolve(import.meta.dirname, "children/config-writer.ts"));
}, 60_000);

async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  const root = await mkdtemp(join(tmpdir(), "confl-proc-"));
  return {
    PATH: process.env.PATH,
    HOME: root,
    CONFL_CONFIG_DIR: join(root, "confl"),
    CONFL_PASSPHRASE: "fake-passphrase-kill-test",
  };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("concurrent writers", () => {
  it("8 processes x 20 updateConfig calls lose no update", async () => {
    const env = await freshEnv();
    const children = Array.from({ length: 8 }, (_, id) => {
      const child = spawn(process.execPath, [writer, "count", String(id), "20"], {
        env,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      return exited(child).then((result) => ({ ...result, stderr }));
    });
    const results = await Promise.all(children);
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
    const config = await loadConfig(env);
    expect(Object.keys(config.profiles)).toHaveLength(160);
    for (let id = 0; id < 8; id++)
      for (let i = 0; i < 20; i++) expect(config.profiles).toHaveProperty(`p${id}-${i}`);
    expect(await mode(configFilePath(env))).toBe(0o600);
  }, 90_000);

  it("4 processes x 10 sets into the plain and encrypted secret files lose no entry", async () => {
    const env = await freshEnv();
    const runs = Array.from({ length: 4 }, (_, id) => {
      const child = spawn(process.execPath, [writer, "secrets", String(id), "10"], {
        env,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      return exited(child).then((result) => ({ ...result, stderr }));
    });
    for (const result of await Promise.all(runs)) expect(result, result.stderr).toMatchObject({ code: 0 });
    const plain = new PlainFileStore(env);
    const encrypted = new EncryptedFileStore({ env });
    for (let id = 0; id < 4; id++) {
      for (let i = 0; i < 10; i++) {
        expect(await plain.get(`s${id}-${i}`)).toBe(`fake-plain-${id}-${i}`);
        expect(await encrypted.get(`s${id}-${i}`)).toBe(`fake-enc-${id}-${i}`);
      }
    }
  }, 90_000);

  it("a lock left behind by a killed process is taken over once stale", async () => {
    const env = await freshEnv();
    await updateConfig(env, () => {});
    const lock = `${configFilePath(env)}.lock`;
    await mkdir(lock);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await updateConfig(env, (config) => {
      config.activeProfile = "after-stale-lock";
    });
    expect((await loadConfig(env)).activeProfile).toBe("after-stale-lock");
  });
});

describe("SIGKILL in the middle of writes", () => {
  it("leaves config.json, secrets.json and secrets.enc.json whole and private", async () => {
    const rounds = 5;
    let killedWhileRunning = 0;
    for (let round = 0; round < rounds; round++) {
      const env = await freshEnv();
      const child = spawn(process.execPath, [writer, "churn"], { env, stdio: ["ignore", "pipe", "pipe"] });
      const exit = exited(child);
      await new Promise<void>((ready, fail) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("ready")) ready();
        });
        exit.then((result) => fail(new Error(`writer exited early: ${JSON.stringify(result)}`)));
      });
      // A random moment inside the loop; each iteration rewrites all three files.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
      child.kill("SIGKILL");
      const result = await exit;
      if (result.signal === "SIGKILL") killedWhileRunning++;

      const config = await loadConfig(env);
      expect(config.profiles.churn?.name).toBe("churn");
      expect(await new PlainFileStore(env).get("churn")).toMatch(/^fake-secret-\d+-y*$/);
      expect(await new EncryptedFileStore({ env }).get("churn")).toMatch(/^fake-secret-\d+-z*$/);
      JSON.parse(await readFile(plainSecretsPath(env), "utf8"));
      for (const path of [configFilePath(env), plainSecretsPath(env), encryptedSecretsPath(env)]) {
        expect(await mode(path)).toBe(0o600);
      }
      expect(await mode(configDir(env))).toBe(0o700);
    }
    expect(killedWhileRunning).toBe(rounds);
  }, 120_000);
});
