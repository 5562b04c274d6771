/**
 * A first login where no OS keychain answers (no D-Bus session: SSH, a container, CI). On a terminal the person
 * chooses an encrypted file (a passphrase typed twice, asked again when the two differ) or plain text (warned
 * about loudly); a script gets one line naming CONFL_PASSPHRASE and --storage.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LoginPrompter } from "../../src/auth/login-prompter.js";
import { run as login } from "../../src/commands/auth/login.js";
import { run as token } from "../../src/commands/auth/token.js";
import { ExitCode } from "../../src/errors.js";
import { SecretStoreError } from "../../src/secrets/index.js";
import { inProcessContext } from "../support/context.js";
import { type Sim, simEnv, startSim } from "./helpers.js";

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => sim.stop());
beforeEach(() => sim.reset());

/** simEnv has no DBUS_SESSION_BUS_ADDRESS: the keychain fails fast with "no D-Bus session bus" */
const headless = (extra: NodeJS.ProcessEnv = {}) => {
  const env = simEnv(sim, extra);
  delete env.DBUS_SESSION_BUS_ADDRESS;
  return env;
};

/** A terminal that answers the PAT login, the store question with `store`, then each masked question in turn. */
function scripted(store: "encrypted-file" | "plaintext", masked: string[]) {
  const asked: string[] = [];
  const queue = [sim.credentials.dc.pat, ...masked];
  const storeQuestions: string[] = [];
  const prompter: LoginPrompter = {
    site: async () => sim.origins.dc,
    kind: async () => "pat",
    identity: async () => "unused",
    secret: async (message) => {
      asked.push(message);
      const next = queue.shift();
      if (next === undefined) throw new Error(`asked more than scripted: ${message}`);
      return next;
    },
    storage: async (reason) => {
      storeQuestions.push(reason);
      return store;
    },
    note: () => {},
  };
  return { prompter, asked, storeQuestions };
}

function onTerminal(env: NodeJS.ProcessEnv) {
  const t = inProcessContext(env);
  Object.defineProperty(t.ctx.io, "canPrompt", { value: true });
  return t;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe.runIf(process.platform === "linux")("confl auth login with no OS keychain, on a terminal", () => {
  it("confl auth login, choosing the encrypted file: the passphrase is asked twice, a mismatch asked again, and the file is really used", async () => {
    const env = headless();
    const t = onTerminal(env);
    const s = scripted("encrypted-file", ["fake-pass-one", "fake-pass-two", "fake-pass-ok", "fake-pass-ok"]);
    const result = await login({}, t.ctx, { prompter: s.prompter });

    expect(s.storeQuestions).toHaveLength(1);
    expect(s.storeQuestions[0]).toMatch(/D-Bus/);
    expect(s.asked).toEqual([
      "Personal access token",
      expect.stringMatching(/^New passphrase to encrypt .*secrets\.enc\.json$/),
      "Repeat the passphrase",
      expect.stringMatching(/^The passphrases do not match\. New passphrase to encrypt /),
      "Repeat the passphrase",
    ]);
    expect(result.storage).toBe("encrypted-file");
    const file = join(env.CONFL_CONFIG_DIR as string, "secrets.enc.json");
    expect(mode(file)).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(sim.credentials.dc.pat);
    expect(text).not.toContain("fake-pass-ok");
    expect(existsSync(join(env.CONFL_CONFIG_DIR as string, "secrets.json"))).toBe(false);
    expect(t.err()).toMatch(/secret in an encrypted file/);
    // the profile reads its secret back from that file with the passphrase typed the second time
    const read = inProcessContext({ ...env, CONFL_PASSPHRASE: "fake-pass-ok" });
    await token({}, read.ctx);
    expect(read.out()).toBe(`${sim.credentials.dc.pat}\n`);
  });

  it("confl auth login, choosing plain text: a loud warning, and the 0600 secrets.json holds the secret", async () => {
    const env = headless();
    const t = onTerminal(env);
    const s = scripted("plaintext", []);
    const result = await login({}, t.ctx, { prompter: s.prompter });
    expect(result.storage).toBe("plaintext");
    expect(s.asked).toEqual(["Personal access token"]);
    expect(t.err()).toMatch(/WARNING:.*UNENCRYPTED/);
    const file = join(env.CONFL_CONFIG_DIR as string, "secrets.json");
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, "utf8")).toContain(sim.credentials.dc.pat);
    expect(existsSync(join(env.CONFL_CONFIG_DIR as string, "secrets.enc.json"))).toBe(false);
  });

  it("confl auth login, an empty passphrase three times: stops, nothing saved", async () => {
    const env = headless();
    const t = onTerminal(env);
    const s = scripted("encrypted-file", ["", "", ""]);
    const error = await login({}, t.ctx, { prompter: s.prompter }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("the passphrase is empty");
    expect((error as SecretStoreError).exitCode).toBe(ExitCode.USAGE);
    expect(s.asked.slice(1)).toEqual([
      expect.stringMatching(/^New passphrase/),
      expect.stringMatching(/^The passphrase is empty\. New passphrase/),
      expect.stringMatching(/^The passphrase is empty\. New passphrase/),
    ]);
    expect(existsSync(join(env.CONFL_CONFIG_DIR as string, "config.json"))).toBe(false);
  });
});

describe.runIf(process.platform === "linux")("confl auth login with no OS keychain, in a script", () => {
  it("printf $PAT | confl auth login --site DC --type pat --with-token: one line naming CONFL_PASSPHRASE and --storage, exit 2, nothing saved", async () => {
    const env = headless();
    const t = inProcessContext(env, { stdin: sim.credentials.dc.pat });
    const error = await login({ site: sim.origins.dc, type: "pat", withToken: true }, t.ctx).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretStoreError);
    const e = error as SecretStoreError;
    expect(e.exitCode).toBe(ExitCode.USAGE);
    expect(e.message).not.toContain("\n");
    expect(e.hint).toBeUndefined();
    expect(e.message).toContain("CONFL_PASSPHRASE");
    expect(e.message).toContain("--storage encrypted-file");
    expect(e.message).toContain("--storage plaintext");
    expect(existsSync(join(env.CONFL_CONFIG_DIR as string, "config.json"))).toBe(false);
  });

  it("CONFL_PASSPHRASE=… confl auth login --site DC --type pat --with-token --storage encrypted-file: the way out it names works", async () => {
    const env = headless({ CONFL_PASSPHRASE: "fake-pass-script" });
    const t = inProcessContext(env, { stdin: sim.credentials.dc.pat });
    const result = await login(
      { site: sim.origins.dc, type: "pat", withToken: true, storage: "encrypted-file" },
      t.ctx,
    );
    expect(result.storage).toBe("encrypted-file");
    const file = join(env.CONFL_CONFIG_DIR as string, "secrets.enc.json");
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, "utf8")).not.toContain(sim.credentials.dc.pat);
  });
});
