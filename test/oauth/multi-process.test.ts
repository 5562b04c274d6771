// Eight processes share one OAuth profile across several access-token expiries: the rotating refresh
// token is never presented twice (0 invalid_grant), and a process killed mid-refresh breaks nothing.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { oauthControls } from "../../sim/oauth.js";
import { loginOAuth } from "../../src/auth/oauth/index.js";
import { lockPathFor } from "../../src/auth/oauth/strategy.js";
import { upsertProfile } from "../../src/config/store.js";
import { EncryptedFileStore } from "../../src/secrets/encrypted-file.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { useSimulator } from "../support/context.js";
import { submitConsent, testContext } from "./test-context.js";

const WORKER = join(process.cwd(), "build", "test", "refresh-worker.mjs");
const sim = useSimulator({ settings: { oauthAccessTokenTtl: 1 } });
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  mkdirSync(join(process.cwd(), "build", "test"), { recursive: true });
  await build({
    entryPoints: ["test/oauth/fixtures/refresh-worker.ts"],
    outfile: WORKER,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@napi-rs/keyring", "undici"],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: "warning",
  });
  env = {
    PATH: process.env.PATH,
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-mp-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFL_PASSPHRASE: "fake-passphrase-0001",
  };
  // A real login (headless paste), saved the way `auth login --storage plaintext` saves it.
  const t = testContext({ ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
  const login = loginOAuth(
    { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
    t.ctx,
  );
  const [, url] = await t.waitForStderr(/^ {2}(http\S+\/authorize\?\S+)$/m);
  t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
  const result = await login;
  await upsertProfile({ ...result.profile, secretStore: "plaintext" }, env);
  await new PlainFileStore(env).set("work", JSON.stringify(result.secret));
  // A second login kept in the passphrase-encrypted store.
  const t2 = testContext({ ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
  const login2 = loginOAuth(
    { type: "oauth", profileName: "enc", browser: false, clientId: sim.credentials.oauth.clientId },
    t2.ctx,
  );
  const [, url2] = await t2.waitForStderr(/^ {2}(http\S+\/authorize\?\S+)$/m);
  t2.stdin.write(`${await submitConsent(url2 as string, "accept")}\n`);
  const result2 = await login2;
  await upsertProfile({ ...result2.profile, secretStore: "encrypted-file" }, env);
  await new EncryptedFileStore({ env }).set("enc", JSON.stringify(result2.secret));
}, 60_000);

interface WorkerResult {
  ok: number;
  failures: string[];
}

function startWorker(args: string[]): { child: ChildProcess; done: Promise<WorkerResult> } {
  const child = spawn(process.execPath, [WORKER, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker timed out; stderr: ${err}`));
    }, 90_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`worker exited ${code ?? signal}; stderr: ${err}`));
      try {
        resolve(JSON.parse(out) as WorkerResult);
      } catch {
        reject(new Error(`worker printed no result: ${out} ${err}`));
      }
    });
  });
  return { child, done };
}

async function storedSecret(): Promise<{ accessToken: string; refreshToken: string; expiresAt: number }> {
  return JSON.parse((await new PlainFileStore(env).get("work")) as string);
}

describe("cross-process refresh", () => {
  it("8 processes × 20 calls across several expiries: every call succeeds, 0 invalid_grant", async () => {
    const controls = oauthControls(sim);
    controls.resetCounters();
    const workers = Array.from({ length: 8 }, (_, i) =>
      startWorker(["work", "20", "120", i % 2 === 0 ? "shared" : "fresh"]),
    );
    const results = await Promise.all(workers.map((w) => w.done));
    for (const [i, result] of results.entries()) {
      expect(result.failures, `worker ${i}`).toEqual([]);
      expect(result.ok, `worker ${i}`).toBe(20);
    }
    expect(controls.counters.invalidGrant).toBe(0);
    // a 1 s token over ≥ 2.4 s of calls: several expiries, each refreshed once, not once per process
    expect(controls.counters.refreshes).toBeGreaterThanOrEqual(3);
    const stored = await storedSecret();
    expect(controls.liveRefreshTokens()).toContain(stored.refreshToken);
    // the profile still works afterwards
    const after = await startWorker(["work", "2", "0", "fresh"]).done;
    expect(after).toEqual({ ok: 2, failures: [] });
    expect(controls.counters.invalidGrant).toBe(0);
  }, 120_000);

  it("the same with the passphrase-encrypted store: 4 processes × 10 calls, 0 invalid_grant", async () => {
    const controls = oauthControls(sim);
    controls.resetCounters();
    const workers = Array.from({ length: 4 }, (_, i) =>
      startWorker(["enc", "10", "150", i % 2 === 0 ? "shared" : "fresh"]),
    );
    const results = await Promise.all(workers.map((w) => w.done));
    for (const [i, result] of results.entries())
      expect(result, `worker ${i}`).toEqual({ ok: 10, failures: [] });
    expect(controls.counters.invalidGrant).toBe(0);
    expect(controls.counters.refreshes).toBeGreaterThanOrEqual(1);
    const stored = JSON.parse((await new EncryptedFileStore({ env }).get("enc")) as string);
    expect(controls.liveRefreshTokens()).toContain(stored.refreshToken);
  }, 120_000);

  it("a process SIGKILLed in the middle of a refresh leaves a profile the next run can use", async () => {
    const controls = oauthControls(sim);
    controls.resetCounters();
    const before = await storedSecret();
    // Make the stored token due for refresh, and the token endpoint slow, so the kill lands mid-refresh.
    await new PlainFileStore(env).set("work", JSON.stringify({ ...before, expiresAt: Date.now() - 1000 }));
    controls.tokenDelayMs = 3000;
    const victim = startWorker(["work", "1", "0", "shared"]);
    const lockDir = `${lockPathFor("work", env)}.lock`;
    // kill only once the refresh request is at the server (held there by tokenDelayMs), however
    // slow the machine is: a simulator barrier, not a sleep (the lock is taken before the request)
    await controls.when("tokenRequestsReceived", 1);
    expect(existsSync(lockDir)).toBe(true);
    expect(controls.counters.tokenRequestsReceived).toBe(1);
    victim.child.kill("SIGKILL");
    await victim.done.catch(() => undefined);
    expect(existsSync(lockDir)).toBe(true); // the dead process could not clean up
    expect((await storedSecret()).refreshToken).toBe(before.refreshToken);
    await controls.when("abandoned", 1);
    expect(controls.counters.abandoned).toBe(1);
    controls.tokenDelayMs = 0;

    const next = await startWorker(["work", "3", "0", "shared"]).done;
    expect(next).toEqual({ ok: 3, failures: [] });
    expect(controls.counters.invalidGrant).toBe(0);
    expect(controls.counters.refreshes).toBe(1);
    expect((await storedSecret()).refreshToken).not.toBe(before.refreshToken);
  }, 60_000);
});
