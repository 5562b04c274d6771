// A keyring that was unlocked when `auth login` saved the secret and is locked later (screen lock,
// new boot without auto-unlock). Measured with gnome-keyring 42 on a private bus: reading the existing
// item asks for an unlock prompt, which fails without a display ("unlock prompt was dismissed"), so the
// read is an ERROR, not "not found". This pins that it reaches the user as "the keyring is locked;
// unlock it", both from the store and from `auth status` (exit 4), never as "not logged in".
// Runs on its own private D-Bus session (never the user's), whenever the tools are installed; in CI they must be.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as status } from "../../src/commands/auth/status.js";
import { upsertProfile } from "../../src/config/store.js";
import { KeychainStore, SecretStoreError } from "../../src/secrets/index.js";
import { inProcessContext } from "../support/context.js";

const inCI = process.env.CI === "true";
const hasCommand = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
const tools = ["dbus-run-session", "gnome-keyring-daemon", "dbus-send"];
const canRun = tools.every(hasCommand);

describe.runIf(canRun || inCI)("a keyring locked after the secret was saved", () => {
  let session: ChildProcess | undefined;
  let root: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    expect(
      tools.filter((t) => !hasCommand(t)),
      "these must be installed in CI",
    ).toEqual([]);
    root = await mkdtemp(join(tmpdir(), "confl-relock-"));
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      XDG_DATA_HOME: join(root, "data"),
      XDG_RUNTIME_DIR: root,
    };
    // An unlocked throw-away "login" keyring on a private bus, alive until our stdin closes.
    session = spawn(
      "dbus-run-session",
      [
        "--",
        "sh",
        "-c",
        'mkdir -p "$XDG_DATA_HOME"; printf %s confl-test-unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; echo "BUS=$DBUS_SESSION_BUS_ADDRESS"; read _',
      ],
      { env: base, stdio: ["pipe", "pipe", "ignore"] },
    );
    const address = await new Promise<string>((resolve, reject) => {
      let out = "";
      session!.stdout!.on("data", (chunk) => {
        out += chunk;
        const match = /BUS=(\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      session!.once("exit", () => reject(new Error(`session exited: ${out}`)));
    });
    env = {
      ...base,
      DBUS_SESSION_BUS_ADDRESS: address,
      CONFL_KEYCHAIN_SERVICE: `confl-relock-${process.pid}`,
      CONFL_CONFIG_DIR: join(root, "config"),
      NETRC: join(root, "netrc"),
    };
  }, 30_000);

  afterAll(async () => {
    if (session && session.exitCode === null && session.signalCode === null) {
      const exited = new Promise((done) => session!.once("exit", done));
      session.stdin?.end();
      const timer = setTimeout(() => session?.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (root) await rm(root, { recursive: true, force: true });
  });

  function lockLoginCollection() {
    const result = spawnSync(
      "dbus-send",
      [
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.secrets",
        "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.Lock",
        "array:objpath:/org/freedesktop/secrets/collection/login",
      ],
      { env, encoding: "utf8", timeout: 10_000 },
    );
    expect(result.status, result.stderr).toBe(0);
  }

  it("reading the saved secret is a 'locked' error with the unlock fix; auth status exits 4 saying so", async () => {
    const store = new KeychainStore(env);
    await store.set("work", "fake-dc-pat-relock-0001");
    expect(await store.get("work")).toBe("fake-dc-pat-relock-0001");
    await upsertProfile(
      {
        name: "work",
        site: "http://127.0.0.1:9/confluence",
        deployment: "dc",
        apiBase: "http://127.0.0.1:9/confluence/",
        kind: "pat",
        secretStore: "keychain",
      },
      env,
    );

    lockLoginCollection();

    const error = await store.get("work").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(error).toMatchObject({ reason: "locked", code: "secrets.locked" });
    expect((error as SecretStoreError).message).toMatch(/keyring is locked/);
    expect((error as SecretStoreError).hint).toMatch(/unlock/i);
    // a missing entry in the same locked keyring is still just "not there"
    expect(await store.get("never-saved")).toBeUndefined();

    const t = inProcessContext(env);
    const failure = await status({}, t.ctx).catch((e: unknown) => e);
    expect(failure).toMatchObject({ exitCode: 4, code: "secrets.locked" });
    expect((failure as Error).message).toMatch(/keyring is locked/);
    expect((failure as Error).message).not.toMatch(/not logged in|no pat secret is stored/);
    expect(t.out()).toMatch(/status:\s+✗ .*keyring is locked/);
    expect(t.out() + t.err()).not.toContain("fake-dc-pat-relock-0001");
  });
});
