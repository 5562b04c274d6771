// The OS keychain, for real. Under scripts/test.sh (a private D-Bus session with an unlocked
// throw-away gnome-keyring) CONFL_TEST_KEYCHAIN=1 and the Secret Service round trip runs; with CI=true
// and no keychain it FAILS rather than skips. The failure modes (no bus, a bus that never answers, a
// locked keyring) run on any Linux machine because each gets its own environment.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeychainStore, probeKeychain, SecretStoreError } from "../../src/secrets/index.js";

const keychainEnabled = process.env.CONFL_TEST_KEYCHAIN === "1";
const inCI = process.env.CI === "true";
const service = process.env.CONFL_KEYCHAIN_SERVICE ?? "confl-test-fallback";
const hasCommand = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;

function kernelKeysMentioning(text: string): string[] {
  if (!existsSync("/proc/keys")) return [];
  return readFileSync("/proc/keys", "utf8")
    .split("\n")
    .filter((line) => line.includes(text));
}

describe("real Secret Service (CONFL_TEST_KEYCHAIN=1)", () => {
  if (!keychainEnabled) {
    if (inCI) {
      it("is available in CI", () => {
        expect.fail(
          "CI=true but CONFL_TEST_KEYCHAIN is not 1: run the suite through scripts/test.sh with dbus, gnome-keyring and libsecret-tools installed",
        );
      });
    } else {
      it.skip("needs scripts/test.sh (private D-Bus session with gnome-keyring)", () => {});
    }
    return;
  }

  const key = `work-${process.pid}`;
  const lookup = () =>
    spawnSync("secret-tool", ["lookup", "service", service, "username", key], { encoding: "utf8" });

  afterAll(async () => {
    await new KeychainStore(process.env).delete(key).catch(() => {});
  });

  it("set, get, replace, delete, get -> undefined, and the item is in the real Secret Service", async () => {
    const store = new KeychainStore(process.env);
    const first = JSON.stringify({ kind: "api-token", token: "fake-cloud-api-token-0001" });
    await store.set(key, first);
    expect(await store.get(key)).toBe(first);
    // secret-tool talks to org.freedesktop.secrets directly: the item is in the Secret Service.
    expect(lookup().stdout).toBe(first);

    await store.set(key, "fake-cloud-api-token-0002");
    expect(await store.get(key)).toBe("fake-cloud-api-token-0002");
    expect(lookup().stdout).toBe("fake-cloud-api-token-0002");

    expect(await store.delete(key)).toBe(true);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.delete(key)).toBe(false);
    expect(lookup().stdout).toBe("");
    // Nothing went to the kernel keyring (the unpinned library's silent fallback).
    expect(kernelKeysMentioning(service)).toEqual([]);
  });

  it("reads an item another Secret Service client stored under the same attributes", async () => {
    execFileSync("secret-tool", ["store", "--label", "confl test", "service", service, "username", key], {
      input: "fake-pat-from-secret-tool",
    });
    expect(await new KeychainStore(process.env).get(key)).toBe("fake-pat-from-secret-tool");
  });

  it("probeKeychain succeeds and leaves nothing behind", async () => {
    expect(await probeKeychain(process.env)).toEqual({ ok: true });
    const leftovers = spawnSync("secret-tool", ["search", "--all", "service", service], { encoding: "utf8" });
    expect(`${leftovers.stdout}${leftovers.stderr}`).not.toContain("confl-probe-");
  });
});

describe.runIf(process.platform === "linux")("keychain failures are clear errors, never hangs", () => {
  const base = () => ({ PATH: process.env.PATH, CONFL_KEYCHAIN_SERVICE: `${service}-fail` });

  it("no D-Bus session: a clear no-dbus error, and nothing written to the kernel keyring", async () => {
    const store = new KeychainStore(base());
    const error = await store.set("work", "fake-cloud-api-token-0003").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(error).toMatchObject({ reason: "no-dbus", code: "secrets.no-dbus" });
    expect((error as Error).message).toBe("cannot save to the OS keychain: no D-Bus session bus");
    expect((error as SecretStoreError).hint).toMatch(/DBUS_SESSION_BUS_ADDRESS is not set/);
    expect((error as SecretStoreError).hint).toMatch(/CONFL_PASSPHRASE/);
    expect((error as Error).message).not.toContain("fake-cloud");
    await expect(store.get("work")).rejects.toMatchObject({ reason: "no-dbus" });
    expect(kernelKeysMentioning(`${service}-fail`)).toEqual([]);
    const probe = await probeKeychain(base());
    expect(probe).toMatchObject({ ok: false, failure: "no-dbus" });
  });

  it("a dead bus address is reported as no D-Bus", async () => {
    const env = { ...base(), DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/confl-bus" };
    const error = await new KeychainStore(env).get("work").catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "no-dbus" });
    expect((error as SecretStoreError).hint).toMatch(/set but nothing answers/);
  });

  describe("a bus that accepts connections and never answers", () => {
    let server: Server;
    const sockets: Socket[] = [];
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server?.close(done));
    });

    it("times out at CONFL_KEYCHAIN_TIMEOUT_MS instead of hanging, with the secret in no argv", async () => {
      const dir = await mkdtemp(join(tmpdir(), "confl-silent-bus-"));
      const path = join(dir, "bus");
      // While the helper process is stuck on the silent bus, look at every process's argv: the helper
      // must be visible (so the scan can fail) and the secret must not be in anyone's argv.
      let helperArgvSeen = false;
      let secretInArgv = false;
      server = createServer((socket) => {
        sockets.push(socket);
        for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
          let argv = "";
          try {
            argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
          } catch {
            continue;
          }
          if (argv.includes("AsyncEntry")) helperArgvSeen = true;
          if (argv.includes("fake-cloud-api-token-0004")) secretInArgv = true;
        }
      });
      await new Promise<void>((done) => server.listen(path, done));
      const env = {
        ...base(),
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}`,
        CONFL_KEYCHAIN_TIMEOUT_MS: "400",
      };
      const error = await new KeychainStore(env)
        .set("work", "fake-cloud-api-token-0004")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretStoreError);
      expect(error).toMatchObject({ reason: "timeout" });
      expect((error as Error).message).toBe("the OS keychain did not answer within 400 ms");
      expect(sockets.length).toBeGreaterThan(0);
      expect(helperArgvSeen).toBe(true);
      expect(secretInArgv).toBe(false);
    });
  });

  describe("the helper process gets a minimal environment", () => {
    let server: Server | undefined;
    const sockets: Socket[] = [];
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => (server ? server.close(done) : done(undefined)));
    });

    // Every variable confl reads a secret from, and NODE_OPTIONS (could preload code into the helper).
    const SECRET_VARIABLES: Record<string, string> = {
      CONFLUENCE_API_TOKEN: "fake-env-api-token-0001",
      CONFLUENCE_PERSONAL_TOKEN: "fake-env-pat-0002",
      CONFLUENCE_PASSWORD: "fake-env-password-0003",
      CONFLUENCE_COOKIE: "JSESSIONID=fake-env-cookie-0004",
      CONFL_PASSPHRASE: "fake-env-passphrase-0005",
      CONFL_OAUTH_CLIENT_SECRET: "fake-env-client-secret-0006",
      ATLASSIAN_API_TOKEN: "fake-env-atlassian-token-0007",
      JIRA_API_TOKEN: "fake-env-jira-token-0008",
      GITHUB_TOKEN: "fake-env-unrelated-token-0009",
      AWS_SECRET_ACCESS_KEY: "fake-env-unrelated-secret-0010",
      CONFLUENCE_URL: "https://acme.example.net",
      CONFLUENCE_EMAIL: "alice@example.com",
      NODE_OPTIONS: "--inspect=127.0.0.1:0",
      NODE_PATH: "/tmp/fake-preload-dir",
    };

    /** The environment of this process's keychain helper child, read from /proc while it is stuck. */
    function helperEnvironments(): Array<Record<string, string>> {
      const found: Array<Record<string, string>> = [];
      for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
          if (ppid !== process.pid || !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("AsyncEntry"))
            continue;
          const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
          found.push(
            Object.fromEntries(
              environ
                .split("\0")
                .filter(Boolean)
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
            ),
          );
        } catch {
          // the process ended, or is not ours to read
        }
      }
      return found;
    }

    it("no token, passphrase or NODE_OPTIONS reaches it; what Secret Service needs does", async () => {
      const dir = await mkdtemp(join(tmpdir(), "confl-env-bus-"));
      const path = join(dir, "bus");
      let seen: Array<Record<string, string>> = [];
      // The helper connects to this silent bus and waits: read its environment then.
      server = createServer((socket) => {
        sockets.push(socket);
        seen = seen.concat(helperEnvironments());
      });
      await new Promise<void>((done) => server!.listen(path, done));
      const env = {
        ...base(),
        ...SECRET_VARIABLES,
        HOME: dir,
        LANG: "C.UTF-8",
        XDG_RUNTIME_DIR: dir,
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}`,
        CONFL_KEYCHAIN_TIMEOUT_MS: "1000",
      };
      const error = await new KeychainStore(env).get("work").catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: "timeout" });
      expect(seen.length).toBeGreaterThan(0);
      for (const childEnv of seen) {
        for (const name of Object.keys(SECRET_VARIABLES)) expect(childEnv, name).not.toHaveProperty(name);
        const values = Object.values(childEnv).join("\n");
        for (const value of Object.values(SECRET_VARIABLES)) expect(values).not.toContain(value);
        expect(childEnv).toMatchObject({
          PATH: process.env.PATH,
          HOME: dir,
          LANG: "C.UTF-8",
          XDG_RUNTIME_DIR: dir,
          DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}`,
        });
      }
    });
  });

  describe("a session bus with no Secret Service provider", () => {
    let bus: ChildProcess | undefined;
    afterAll(async () => {
      if (bus && bus.exitCode === null && bus.signalCode === null) {
        const exited = new Promise((done) => bus!.once("exit", done));
        bus.kill("SIGTERM");
        await exited;
      }
    });

    it.runIf(hasCommand("dbus-daemon") || inCI)(
      "is a clear 'no-provider' error for reads and writes",
      async () => {
        const dir = await mkdtemp(join(tmpdir(), "confl-bare-bus-"));
        // A bus with no service directories, so nothing can be activated as org.freedesktop.secrets
        // (a stock session bus would start gnome-keyring on demand).
        const config = join(dir, "bus.conf");
        writeFileSync(
          config,
          `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${join(dir, "bus")}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
        );
        bus = spawn("dbus-daemon", [`--config-file=${config}`, "--nofork", "--print-address"], {
          stdio: ["ignore", "pipe", "ignore"],
        });
        const address = await new Promise<string>((resolve, reject) => {
          let out = "";
          bus!.stdout!.on("data", (chunk) => {
            out += chunk;
            if (out.includes("\n")) resolve(out.trim());
          });
          bus!.once("exit", (code) => reject(new Error(`dbus-daemon exited (${code})`)));
        });
        const store = new KeychainStore({ ...base(), DBUS_SESSION_BUS_ADDRESS: address });
        for (const attempt of [
          () => store.set("work", "fake-cloud-api-token-0006"),
          () => store.get("work"),
        ]) {
          const error = await attempt().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(SecretStoreError);
          expect(error).toMatchObject({ reason: "no-provider" });
          expect((error as SecretStoreError).hint).toMatch(/gnome-keyring, KeePassXC/);
        }
      },
    );
  });

  const canStartKeyring = hasCommand("dbus-run-session") && hasCommand("gnome-keyring-daemon");
  describe("a locked keyring (gnome-keyring started without --unlock)", () => {
    let session: ChildProcess | undefined;
    let root: string | undefined;
    afterAll(async () => {
      // Closing stdin ends `read`, so dbus-run-session exits normally and stops its bus (and the
      // keyring daemon with it). Killing dbus-run-session instead leaves both daemons running.
      if (session && session.exitCode === null && session.signalCode === null) {
        const exited = new Promise((done) => session!.once("exit", done));
        session.stdin?.end();
        const timer = setTimeout(() => session?.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      if (root) await rm(root, { recursive: true, force: true });
    });

    it.runIf(canStartKeyring || inCI)("is a clear 'locked' error on save and probe, not a hang", async () => {
      expect(canStartKeyring, "dbus-run-session and gnome-keyring-daemon must be installed in CI").toBe(true);
      root = await mkdtemp(join(tmpdir(), "confl-locked-"));
      const env = { ...base(), HOME: root, XDG_DATA_HOME: join(root, "data"), XDG_RUNTIME_DIR: root };
      // A private bus whose keyring daemon is started but never unlocked; it lives until stdin closes.
      session = spawn(
        "dbus-run-session",
        [
          "--",
          "sh",
          "-c",
          'gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; echo "BUS=$DBUS_SESSION_BUS_ADDRESS"; read _',
        ],
        { env, stdio: ["pipe", "pipe", "ignore"] },
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
      const lockedEnv = { ...env, DBUS_SESSION_BUS_ADDRESS: address };
      const store = new KeychainStore(lockedEnv);
      const error = await store.set("work", "fake-cloud-api-token-0005").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretStoreError);
      expect(error).toMatchObject({ reason: "locked" });
      expect((error as SecretStoreError).hint).toMatch(/unlock/i);
      // Measured: a read from a Secret Service with no unlocked collection answers "not found", not an
      // error. That is why callers that find nothing where a profile says a secret is call probeKeychain.
      expect(await store.get("work")).toBeUndefined();
      expect(await probeKeychain(lockedEnv)).toMatchObject({ ok: false, failure: "locked" });
    });
  });
});
