// Eight processes share one OAuth profile across many access-token expiries: the rotating refresh token is
// never presented twice (0 invalid_grant), and a process killed mid-refresh breaks nothing. No test here waits
// on wall time for an expiry: the simulator runs on an injected clock the test moves between rounds, and
// simulator barriers (sim.fault "before") make the processes meet at each rotation (issue 14).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build, type Plugin } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { oauthControls } from "../../sim/oauth.js";
import { loginOAuth } from "../../src/auth/oauth/index.js";
import { lockPathFor } from "../../src/auth/oauth/strategy.js";
import { upsertProfile } from "../../src/config/store.js";
import { EncryptedFileStore } from "../../src/secrets/encrypted-file.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { inProcessContext, submitConsent, useSimulator } from "../support/context.js";

const WORKER = join(process.cwd(), "build", "test", "refresh-worker.mjs");
/** The same worker with confl's cross-process refresh lock made a no-op (a test build; confl has no such switch). */
const WORKER_NO_LOCK = join(process.cwd(), "build", "test", "refresh-worker-no-lock.mjs");
const TTL_S = 3600;
/** The simulator's clock: access tokens expire on it (sim/oauth.ts), so moving it expires them at once. */
let clock = Date.now();
const sim = useSimulator({ now: () => clock, settings: { oauthAccessTokenTtl: TTL_S } });
let env: NodeJS.ProcessEnv;

/** proper-lockfile with the OAuth refresh lock (<config>/locks/oauth-*) turned into a no-op; other locks stay. */
const noOAuthLock: Plugin = {
  name: "no-oauth-lock",
  setup(b) {
    b.onResolve({ filter: /^proper-lockfile$/ }, () => ({
      path: "proper-lockfile",
      namespace: "no-oauth-lock",
    }));
    b.onLoad({ filter: /.*/, namespace: "no-oauth-lock" }, () => ({
      contents: `import real from ${JSON.stringify(createRequire(import.meta.url).resolve("proper-lockfile"))};
const lock = (path, options) =>
  /[\\/]locks[\\/]oauth-/.test(path) ? Promise.resolve(async () => {}) : real.lock(path, options);
export default { ...real, lock };
export { lock };`,
      resolveDir: process.cwd(),
      loader: "js",
    }));
  },
};

beforeAll(async () => {
  mkdirSync(join(process.cwd(), "build", "test"), { recursive: true });
  for (const [outfile, plugins] of [
    [WORKER, []],
    [WORKER_NO_LOCK, [noOAuthLock]],
  ] as const) {
    await build({
      entryPoints: ["test/oauth/fixtures/refresh-worker.ts"],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      external: ["@napi-rs/keyring", "undici"],
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
      logLevel: "warning",
      plugins: [...plugins],
    });
  }
  env = {
    PATH: process.env.PATH,
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-mp-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFL_PASSPHRASE: "fake-passphrase-0001",
  };
  // A real login (headless paste), saved the way `auth login --storage plaintext` saves it.
  const t = inProcessContext(
    { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
    { openStdin: true },
  );
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
  const t2 = inProcessContext(
    { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
    { openStdin: true },
  );
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

interface Worker {
  child: ChildProcess;
  done: Promise<WorkerResult>;
  /** resolves when the worker reports call `i` done (lockstep workers) */
  called(i: number): Promise<void>;
}

function startWorker(args: string[], script = WORKER): Worker {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let last = "";
  let err = "";
  let calls = -1;
  const waiting = new Map<number, () => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    last = line;
    const call = (JSON.parse(line) as { call?: number }).call;
    if (call === undefined) return;
    calls = call;
    waiting.get(call)?.();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  child.stdin?.on("error", () => {});
  const done = new Promise<WorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker timed out; stderr: ${err}`));
    }, 90_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`worker exited ${code ?? signal}; stderr: ${err}`));
      try {
        resolve(JSON.parse(last) as WorkerResult);
      } catch {
        reject(new Error(`worker printed no result: ${last} ${err}`));
      }
    });
  });
  const called = (i: number) =>
    calls >= i
      ? Promise.resolve()
      : Promise.race([
          new Promise<void>((resolve) => waiting.set(i, resolve)),
          done.then(() => Promise.reject(new Error(`worker ended before call ${i}`))),
        ]);
  return { child, done, called };
}

/** resolves every caller's promise once `n` callers have arrived */
function meeting(n: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    if (++arrived >= n) open();
    return all;
  };
}

/**
 * `processes` lockstep workers (alternately one strategy per process and a fresh one per call, like separate
 * CLI runs), `calls` rounds of one call each. Before the first and every `expireEvery`-th round the simulator's clock passes
 * the access token's lifetime, so each call of that round carries an expired token; the simulator holds
 * those calls until all of them have arrived, then answers them all with the 401, so every process goes to
 * refresh at the same moment. `pairRefreshes`: also hold the first token request of such a round until a
 * second one arrives (only a client without the lock sends a second one while the first is unanswered).
 */
async function runRounds(options: {
  profile: string;
  processes: number;
  calls: number;
  expireEvery: number;
  script?: string;
  pairRefreshes?: boolean;
}): Promise<{ results: WorkerResult[]; expiries: number }> {
  const { processes, calls } = options;
  const workers = Array.from({ length: processes }, (_, i) =>
    startWorker(
      [options.profile, String(calls), "lockstep", i % 2 === 0 ? "shared" : "fresh"],
      options.script,
    ),
  );
  let expiries = 0;
  for (let round = 0; round < calls; round++) {
    if (round % options.expireEvery === 0) {
      clock += TTL_S * 1000;
      expiries++;
      const arrive = meeting(processes);
      sim.fault({
        server: "gateway",
        pathPattern: /\/user\/current/,
        count: processes,
        fault: { type: "before", run: arrive },
      });
      if (options.pairRefreshes) {
        const pair = meeting(2);
        sim.fault({ server: "auth", method: "POST", count: 2, fault: { type: "before", run: pair } });
      }
    }
    for (const worker of workers) worker.child.stdin?.write("go\n");
    await Promise.all(workers.map((worker) => worker.called(round)));
  }
  for (const worker of workers) worker.child.stdin?.end();
  return { results: await Promise.all(workers.map((worker) => worker.done)), expiries };
}

async function storedSecret(): Promise<{ accessToken: string; refreshToken: string; expiresAt: number }> {
  return JSON.parse((await new PlainFileStore(env).get("work")) as string);
}

describe("cross-process refresh", () => {
  it("8 processes × 20 calls across 10 expiries: every call succeeds, 0 invalid_grant, one refresh per expiry", async () => {
    const controls = oauthControls(sim);
    controls.resetCounters();
    const { results, expiries } = await runRounds({
      profile: "work",
      processes: 8,
      calls: 20,
      expireEvery: 2,
    });
    for (const [i, result] of results.entries()) {
      expect(result.failures, `worker ${i}`).toEqual([]);
      expect(result.ok, `worker ${i}`).toBe(20);
    }
    expect(expiries).toBe(10);
    expect(controls.counters.invalidGrant).toBe(0);
    // all 8 met every expiry at the same moment, yet each expiry was refreshed exactly once: the others
    // waited for the lock and took the rotated pair from the store
    expect(controls.counters.refreshes).toBe(expiries);
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
    const { results, expiries } = await runRounds({
      profile: "enc",
      processes: 4,
      calls: 10,
      expireEvery: 2,
    });
    for (const [i, result] of results.entries())
      expect(result, `worker ${i}`).toEqual({ ok: 10, failures: [] });
    expect(controls.counters.invalidGrant).toBe(0);
    expect(controls.counters.refreshes).toBe(expiries);
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

  it("without the cross-process lock (a test build) the same rounds present a rotated refresh token", async () => {
    const controls = oauthControls(sim);
    controls.resetCounters();
    const { expiries } = await runRounds({
      profile: "work",
      processes: 4,
      calls: 6,
      expireEvery: 2,
      script: WORKER_NO_LOCK,
      pairRefreshes: true,
    });
    // every expiry: two processes read the same refresh token and both presented it
    expect(controls.counters.invalidGrant).toBeGreaterThanOrEqual(expiries);
  }, 120_000);
});
