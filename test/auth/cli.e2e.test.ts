/**
 * The built CLI, spawned as users run it: login with the secret on stdin, status, token, logout —
 * and the CANARY: a token given through every input (stdin, env, keychain, encrypted file, plain
 * file, netrc) never shows up in stdout (except `auth token`), stderr, --debug output, the process's
 * argv, or any file in the config dir other than the secret stores.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { profileNameForSite } from "../../src/config/profile-name.js";
import { createPki, type Pki } from "../http/pki.js";
import { cloudLoginArgs, confl, inProcessContext, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";
import { type ReverseProxy, startTlsReverseProxy } from "./proxy.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "confl.mjs");
const CANARY = "fake-canary-token-7f3a9c2e51";
const keychainAvailable = process.env.CONFL_TEST_KEYCHAIN === "1";

const sim = useSimulator();

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** /proc/<pid>/cmdline of the confl process while it ran */
  cmdline: string;
}

/** The built CLI (test/support/context.ts), prompts allowed as the user would have them. */
async function cli(args: string[], env: NodeJS.ProcessEnv, stdin = ""): Promise<CliRun> {
  let cmdline = "";
  const r = await confl(
    args,
    { CONFL_NO_INPUT: undefined, ...env },
    {
      stdin,
      timeoutMs: 20_000,
      onSpawn: (child) => {
        try {
          cmdline = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").replaceAll("\0", " ");
        } catch {
          cmdline = "(unreadable)";
        }
      },
    },
  );
  return { code: r.signal ? null : r.code, stdout: r.stdout, stderr: r.stderr, cmdline };
}

/** `confl auth login` to the simulator's Data Center with a PAT on stdin, kept in the given store. */
function patLogin(
  env: NodeJS.ProcessEnv,
  storage: "plaintext" | "encrypted-file" | "keychain",
  stdin: string,
  options: { debug?: boolean } = {},
): Promise<CliRun> {
  const args = [
    "auth",
    "login",
    "--site",
    sim.origins.dc,
    "--type",
    "pat",
    "--with-token",
    "--storage",
    storage,
  ];
  if (options.debug) args.splice(2, 0, "--debug");
  return cli(args, env, stdin);
}

/** The canary and every encoding a careless log line could carry it in. */
function canaryForms(user?: string): string[] {
  const forms = [
    CANARY,
    Buffer.from(CANARY).toString("base64").replace(/=+$/, ""),
    encodeURIComponent(CANARY),
  ];
  if (user) forms.push(Buffer.from(`${user}:${CANARY}`).toString("base64").replace(/=+$/, ""));
  return forms;
}

function expectNoCanary(where: string, text: string, user?: string) {
  for (const form of canaryForms(user)) {
    expect(text.includes(form), `${where} contains the canary (${form})`).toBe(false);
  }
}

const SECRET_STORE_FILES = new Set(["secrets.json", "secrets.enc.json"]);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function expectConfigDirClean(env: NodeJS.ProcessEnv, user?: string) {
  for (const file of filesUnder(env.CONFL_CONFIG_DIR!)) {
    if (SECRET_STORE_FILES.has(file.split("/").pop()!)) continue;
    expectNoCanary(file, readFileSync(file, "latin1"), user);
  }
}

function grantCanaryPat() {
  // The simulator's DC accepts registered Bearer grants; the canary becomes a working PAT.
  sim.tokens.grant({
    token: CANARY,
    kind: "dc-oauth",
    user: sim.users.dc,
    scopes: ["WRITE"],
    expiresAt: Date.now() + 3_600_000,
  });
}

async function expectRunsClean(runs: CliRun[], env: NodeJS.ProcessEnv, user?: string) {
  for (const [i, r] of runs.entries()) {
    expectNoCanary(`run ${i} stdout`, r.stdout, user);
    expectNoCanary(`run ${i} stderr`, r.stderr, user);
    expectNoCanary(`run ${i} argv`, r.cmdline, user);
    expect(r.cmdline).toContain("confl.mjs");
  }
  expectConfigDirClean(env, user);
}

describe("confl auth, end to end through the built CLI", () => {
  it("login (token on stdin) → status → token → logout", async () => {
    const env = simEnv(sim);
    const loginRun = await cli(
      cloudLoginArgs(sim, "api-token", "--insecure-storage"),
      env,
      `${sim.credentials.cloud.apiToken}\n`,
    );
    expect(loginRun.stderr).toMatch(/Logged in to/);
    expect(loginRun.code).toBe(0);
    const statusRun = await cli(["auth", "status"], env);
    expect(statusRun.code).toBe(0);
    expect(statusRun.stdout).toMatch(
      new RegExp(`\\* ${profileNameForSite(sim.origins.site).replaceAll(".", "\\.")} \\(active\\)`),
    );
    expect(statusRun.stdout).toMatch(/✓ working/);
    const tokenRun = await cli(["auth", "token"], env);
    expect(tokenRun.stdout).toBe(`${sim.credentials.cloud.apiToken}\n`);
    const json = await cli(["auth", "status", "--json"], env);
    expect(JSON.parse(json.stdout).profiles[0].verified).toBe(true);
    expect((await cli(["auth", "logout"], env)).code).toBe(0);
    const after = await cli(["auth", "status"], env);
    expect(after.code).toBe(4);
    expect(after.stderr).toMatch(/^confl: not logged in/m);
  });

  it("exit codes: a refused kind is 2 with its explanation; a bad token is 4; no secret without a TTY is 2", async () => {
    const env = simEnv(sim);
    const jwt = await cli(["auth", "login", "--site", sim.origins.site, "--type", "jwt"], env);
    expect(jwt.code).toBe(2);
    expect(jwt.stderr).toMatch(/Connect JWT/);
    const bad = await cli(
      cloudLoginArgs(sim, "api-token", "--insecure-storage"),
      env,
      "fake-wrong-token-0001",
    );
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/^hint: /m);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const noSecret = await cli(["auth", "login", "--site", sim.origins.dc, "--type", "pat"], env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/--with-token/);
  });

  describe("CANARY: the secret never leaks, whatever the input", () => {
    it("stdin → plaintext store, with --debug on every command", async () => {
      grantCanaryPat();
      const env = simEnv(sim);
      const runs = [
        await patLogin(env, "plaintext", `${CANARY}\n`, { debug: true }),
        await cli(["auth", "status", "--debug"], env),
        await cli(["auth", "status", "--json", "--debug"], env),
      ];
      expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
      expect(runs[0]!.stderr).toMatch(/\[debug\]/);
      expect(runs[0]!.stderr).toMatch(/authorization: Bearer \*\*\*|authorization/i);
      await expectRunsClean(runs, env);
      // the one place it may be: the plain secret file (and `auth token`)
      expect(readFileSync(join(env.CONFL_CONFIG_DIR!, "secrets.json"), "utf8")).toContain(CANARY);
      expect((await cli(["auth", "token"], env)).stdout).toBe(`${CANARY}\n`);
    });

    it("stdin → encrypted file", async () => {
      grantCanaryPat();
      const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
      const runs = [
        await patLogin(env, "encrypted-file", CANARY, { debug: true }),
        await cli(["auth", "status", "--debug"], env),
      ];
      expect(runs.map((r) => r.code)).toEqual([0, 0]);
      await expectRunsClean(runs, env);
      expectNoCanary(
        "secrets.enc.json",
        readFileSync(join(env.CONFL_CONFIG_DIR!, "secrets.enc.json"), "latin1"),
      );
    });

    it("environment variable (never stored)", async () => {
      grantCanaryPat();
      const env = simEnv(sim, { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: CANARY });
      const runs = [
        await cli(["auth", "status", "--debug"], env),
        await cli(["auth", "status", "--json"], env),
      ];
      expect(runs[0]!.code).toBe(0);
      expect(runs[0]!.stdout).toMatch(/\(environment\)/);
      await expectRunsClean(runs, env);
      expect(existsSync(join(env.CONFL_CONFIG_DIR!, "secrets.json"))).toBe(false);
    });

    it("a rejected canary (wrong token) stays out of error messages too", async () => {
      const env = simEnv(sim);
      const runs = [
        await cli(
          [
            "auth",
            "login",
            "--debug",
            "--site",
            sim.origins.site,
            "--type",
            "api-token",
            "--email",
            sim.credentials.cloud.email,
            "--with-token",
            "--insecure-storage",
          ],
          env,
          CANARY,
        ),
        await cli(["auth", "status", "--debug"], {
          ...env,
          CONFLUENCE_URL: sim.origins.site,
          CONFLUENCE_EMAIL: "x@example.com",
          CONFLUENCE_API_TOKEN: CANARY,
        }),
      ];
      expect(runs.map((r) => r.code)).toEqual([4, 4]);
      await expectRunsClean(runs, env, sim.credentials.cloud.email);
      await expectRunsClean(runs, env, "x@example.com");
    });

    it(".netrc (machine = host)", async () => {
      grantCanaryPat();
      const env = simEnv(sim);
      writeFileSync(env.NETRC!, `machine 127.0.0.1\n  login grace\n  password ${CANARY}\n`, { mode: 0o600 });
      // A PAT profile with no stored secret takes the netrc password as its token.
      const login = await cli(["auth", "login", "--site", sim.origins.dc, "--type", "none"], env);
      expect(login.code).not.toBe(0); // none cannot verify on a site that wants a credential
      const runs = [
        login,
        await cli(["auth", "status", "--debug"], { ...env, CONFLUENCE_URL: sim.origins.dc }),
      ];
      expect(runs[1]!.stdout).toMatch(/netrc/);
      await expectRunsClean(runs, env, "grace");
    });

    it.skipIf(!keychainAvailable)("OS keychain (real Secret Service, CONFL_TEST_KEYCHAIN=1)", async () => {
      grantCanaryPat();
      const env = simEnv(sim, {
        DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
        XDG_DATA_HOME: process.env.XDG_DATA_HOME,
      });
      const runs = [
        await patLogin(env, "keychain", CANARY, { debug: true }),
        await cli(["auth", "status", "--debug"], env),
      ];
      expect(runs.map((r) => r.code)).toEqual([0, 0]);
      expect(runs[1]!.stdout).toMatch(/secret:\s+OS keychain/);
      await expectRunsClean(runs, env);
      expect(existsSync(join(env.CONFL_CONFIG_DIR!, "secrets.json"))).toBe(false);
      expect((await cli(["auth", "token"], env)).stdout).toBe(`${CANARY}\n`);
      // logout removes the keychain entry, not just the profile
      expect((await cli(["auth", "logout"], env)).code).toBe(0);
      const { KeychainStore } = await import("../../src/secrets/keychain.js");
      expect(await new KeychainStore(env).get("default")).toBeUndefined();
    });
  });
});

describe("auth login flags, parsed by the real CLI and honoured", () => {
  const LOGIN = ["auth", "login", "--with-token", "--insecure-storage"];
  const probed = (path: RegExp) => sim.log.filter((e) => !e.headers.authorization && path.test(e.path));
  const config = (env: NodeJS.ProcessEnv) =>
    JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR!, "config.json"), "utf8"));

  it("--deployment dc skips detection; --username names the Basic user", async () => {
    sim.reset();
    const env = simEnv(sim);
    const run = await cli(
      [...LOGIN, "--site", sim.origins.dc, "--deployment", "dc", "--type", "password", "--username", "grace"],
      env,
      sim.credentials.dc.password,
    );
    expect(run.stderr).toMatch(/Logged in to .* as Grace Hopper/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Detected Confluence Data Center .*from --deployment/);
    expect(probed(/server-information|\/status$|tenant_info/)).toEqual([]);
    const basic = `Basic ${Buffer.from(`grace:${sim.credentials.dc.password}`).toString("base64")}`;
    expect(sim.log.some((e) => e.headers.authorization === basic)).toBe(true);
    expect(config(env).profiles[profileNameForSite(sim.origins.dc)]).toMatchObject({
      kind: "password",
      username: "grace",
      deployment: "dc",
    });
    const bad = await cli([...LOGIN, "--site", sim.origins.dc, "--deployment", "server2"], env, "x");
    expect(bad.code).toBe(2);
  });

  it("--username is an alias of --email for Cloud tokens", async () => {
    sim.reset();
    const env = simEnv(sim);
    const run = await cli(
      [
        ...LOGIN,
        "--site",
        sim.origins.site,
        "--type",
        "api-token",
        "--username",
        sim.credentials.cloud.email,
      ],
      env,
      sim.credentials.cloud.apiToken,
    );
    expect(run.stderr).toMatch(/Logged in to .* as Ada/);
    expect(run.code).toBe(0);
    expect(config(env).profiles[profileNameForSite(sim.origins.site)]).toMatchObject({
      kind: "api-token",
      email: sim.credentials.cloud.email,
    });
  });

  it("--deployment cloud --cloud-id: no tenant_info probe, the gateway path uses the given id", async () => {
    sim.reset();
    const env = simEnv(sim);
    const run = await cli(
      [
        ...LOGIN,
        "--site",
        sim.origins.site,
        "--deployment",
        "cloud",
        "--cloud-id",
        sim.cloudId,
        "--type",
        "scoped-token",
        "--email",
        sim.credentials.cloud.email,
      ],
      env,
      sim.credentials.cloud.scopedToken,
    );
    expect(run.stderr).toMatch(/Logged in to/);
    expect(run.code).toBe(0);
    expect(probed(/tenant_info|server-information/)).toEqual([]);
    expect(config(env).profiles[profileNameForSite(sim.origins.site)]).toMatchObject({
      cloudId: sim.cloudId,
      apiBase: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
    });
    // a wrong --cloud-id is used as given (so the gateway, not detection, refuses it): its 404 is a
    // failure (exit 1), not an authentication problem
    const wrong = await cli(
      [
        ...LOGIN,
        "--site",
        sim.origins.site,
        "--deployment",
        "cloud",
        "--cloud-id",
        "00000000-0000-4000-8000-00000000dead",
        "--type",
        "scoped-token",
        "--email",
        sim.credentials.cloud.email,
      ],
      simEnv(sim),
      sim.credentials.cloud.scopedToken,
    );
    expect(wrong.code, wrong.stderr).toBe(1);
    expect(wrong.stderr).toMatch(/404/);
    expect(sim.log.some((e) => e.path.includes("/ex/confluence/00000000-0000-4000-8000-00000000dead/"))).toBe(
      true,
    );
  });

  it("--no-verify saves without sending the credential; auth status then finds it does not work (exit 4)", async () => {
    sim.reset();
    const env = simEnv(sim);
    const run = await cli(
      [...LOGIN, "--site", sim.origins.dc, "--type", "pat", "--no-verify"],
      env,
      "fake-unchecked-pat-0001",
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/not verified: --no-verify/);
    expect(run.stderr).toMatch(/WARNING: secrets are stored UNENCRYPTED/);
    expect(sim.log.filter((e) => e.headers.authorization)).toEqual([]);
    expect(config(env).profiles[profileNameForSite(sim.origins.dc)].kind).toBe("pat");
    const status = await cli(["auth", "status"], env);
    expect(status.code).toBe(4);
    // the plain-text warning again, on every status
    expect(status.stderr).toMatch(
      `WARNING: profile "${profileNameForSite(sim.origins.dc)}" keeps its secret in a PLAINTEXT file`,
    );
    expect(status.stdout).toMatch(/status:\s+✗/);
  });

  it("printf $PAT | confl auth login --with-token --site DC --type pat, with no keychain, no passphrase and no terminal: one line naming CONFL_PASSPHRASE and --storage, exit 2, nothing saved", async () => {
    sim.reset();
    const env = simEnv(sim, { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/confl-test-bus" });
    const run = await cli(
      ["auth", "login", "--with-token", "--site", sim.origins.dc, "--type", "pat"],
      env,
      sim.credentials.dc.pat,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no secure place to store the secret/);
    // one line: the error, no hint, no stack (the detection line before it aside)
    const lines = run.stderr
      .trimEnd()
      .split("\n")
      .filter((l) => !l.startsWith("Detected "));
    expect(lines).toHaveLength(1);
    for (const option of ["CONFL_PASSPHRASE", "--storage encrypted-file", "--storage plaintext"])
      expect(lines[0]).toContain(option);
    expect(existsSync(join(env.CONFL_CONFIG_DIR!, "config.json"))).toBe(false);
    expect(existsSync(join(env.CONFL_CONFIG_DIR!, "secrets.json"))).toBe(false);
  });

  describe("--ca-file, --client-cert, --client-key (mTLS)", () => {
    let pki: Pki;
    let proxy: ReverseProxy;
    beforeAll(async () => {
      pki = createPki();
      const tls = { ...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: true };
      proxy = await startTlsReverseProxy(sim.origins.dcOrigin, tls);
    });
    afterAll(async () => proxy?.stop());

    it("are stored in the profile and used by later commands; without the client certificate the server refuses", async () => {
      sim.reset();
      const site = `${proxy.url}/confluence`;
      const env = simEnv(sim);
      const noCert = await cli(
        [...LOGIN, "--site", site, "--type", "pat", "--ca-file", pki.caFile],
        env,
        "x",
      );
      expect(noCert.code).not.toBe(0);
      expect(existsSync(join(env.CONFL_CONFIG_DIR!, "config.json"))).toBe(false);
      const halfPair = await cli(
        [...LOGIN, "--site", site, "--type", "pat", "--client-cert", pki.client.certFile],
        env,
        "x",
      );
      expect(halfPair.code).toBe(2);
      expect(halfPair.stderr).toMatch(/--client-cert and --client-key go together/);

      const run = await cli(
        [
          ...LOGIN,
          "--site",
          site,
          "--type",
          "pat",
          "--ca-file",
          pki.caFile,
          "--client-cert",
          pki.client.certFile,
          "--client-key",
          pki.client.keyFile,
        ],
        env,
        sim.credentials.dc.pat,
      );
      expect(run.stderr).toMatch(/Logged in to/);
      expect(run.code).toBe(0);
      expect(config(env).profiles[profileNameForSite(site)].tls).toEqual({
        caFile: pki.caFile,
        clientCert: pki.client.certFile,
        clientKey: pki.client.keyFile,
      });
      // a new process reads the TLS paths from the profile: status verifies through the mTLS proxy
      sim.clearLog();
      const status = await cli(["auth", "status"], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/✓ working/);
      expect(sim.log.some((e) => e.headers.authorization === `Bearer ${sim.credentials.dc.pat}`)).toBe(true);
    });
  });
});

describe("hostile profile names from --profile and CONFL_PROFILE", () => {
  // Every command refuses them with exit 2 and one line naming the allowed characters; none is looked
  // up, stored or used as a file name. Today "__proto__" logged in "successfully" and saved nothing.
  const cases: Array<[string, "flag" | "env", string[]]> = [
    ["__proto__", "flag", ["auth", "login", "--type", "pat", "--with-token", "--storage", "plaintext"]],
    ["constructor", "env", ["auth", "login", "--type", "pat", "--with-token", "--storage", "plaintext"]],
    ["prototype", "flag", ["auth", "status"]],
    ["hasOwnProperty", "env", ["auth", "token"]],
    ["__proto__", "env", ["auth", "refresh"]],
    ["../evil", "flag", ["auth", "status"]],
    ["a/b", "env", ["auth", "token"]],
    ["a\\b", "flag", ["auth", "logout"]],
    ["x\ny", "flag", ["auth", "status"]],
    ["x\u001b[2J\u001b]0;owned\u0007", "env", ["auth", "status"]],
    ["x\u009b2J", "flag", ["auth", "logout"]],
  ];

  it.each(cases)("%j via %s: %j is exit 2 with one line and a hint", async (name, via, args) => {
    const env = simEnv(sim, via === "env" ? { CONFL_PROFILE: name } : {});
    const argv = args[1] === "login" ? [...args, "--site", sim.origins.dc] : args;
    const run = await cli(via === "flag" ? ["--profile", name, ...argv] : argv, env, sim.credentials.dc.pat);
    expect(run.code).toBe(2);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^confl: invalid profile name "/);
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(lines[1]).toContain("A-Z, a-z, 0-9, '.', '_' and '-'");
    expect(run.stdout).toBe("");
    expect(existsSync(join(env.CONFL_CONFIG_DIR!, "config.json"))).toBe(false);
    expect(existsSync(join(env.CONFL_CONFIG_DIR!, "secrets.json"))).toBe(false);
  });
});

describe.skipIf(process.platform === "win32")("a symlinked config.json", () => {
  it("every command refuses it with exit 1 and one line, and never chmods or replaces what it points at", async () => {
    const env = simEnv(sim);
    const dir = env.CONFL_CONFIG_DIR!;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const victim = join(dir, "..", "dotfiles-config.json");
    writeFileSync(victim, `${JSON.stringify({ version: 1, profiles: {} })}\n`, { mode: 0o644 });
    chmodSync(victim, 0o644);
    symlinkSync(victim, join(dir, "config.json"));
    for (const args of [
      ["auth", "status"],
      ["auth", "login", "--site", sim.origins.dc, "--type", "pat", "--with-token", "--storage", "plaintext"],
    ]) {
      const run = await cli(args, env, sim.credentials.dc.pat);
      expect(run.code, args.join(" ")).toBe(1);
      const errors = run.stderr.split("\n").filter((line) => line.startsWith("confl: "));
      expect(errors).toEqual([`confl: refusing to use ${join(dir, "config.json")}: it is a symbolic link`]);
      expect(run.stderr).toMatch(/^hint: .*CONFL_CONFIG_DIR/m);
      expect(statSync(victim).mode & 0o777).toBe(0o644);
      expect(lstatSync(join(dir, "config.json")).isSymbolicLink()).toBe(true);
    }
  });
});

/** Runs the CLI with stdin, stdout and stderr on a pseudo-terminal (util-linux `script`). */
function cliOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", quoted, "/dev/null"], {
      env: { PATH: process.env.PATH, ...env, NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (c) => {
      stdout += String(c);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr: "", cmdline: "" }));
    child.stdin.end();
  });
}

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe.runIf(hasScript)("auth token on a real terminal", () => {
  const PAT = "fake-terminal-pat-0001";
  const env = () => simEnv(sim, { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: PAT });

  it("with --no-input it refuses (exit 2) and the secret never reaches the terminal", async () => {
    const run = await cliOnTerminal(["--no-input", "auth", "token"], env());
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("confl: not printing the secret: standard output is a terminal");
    expect(run.stdout).not.toContain(PAT);
    const json = await cliOnTerminal(["--no-input", "--json", "auth", "token"], env());
    expect(json.code).toBe(2);
    expect(json.stdout).not.toContain(PAT);
  });

  it("--yes prints it; piped it prints without asking; --json is the documented object", async () => {
    const yes = await cliOnTerminal(["--no-input", "auth", "token", "--yes"], env());
    expect(yes.code).toBe(0);
    expect(yes.stdout.trim()).toBe(PAT);
    const piped = await cli(["auth", "token"], env());
    expect(piped.stdout).toBe(`${PAT}\n`);
    const json = await cli(["auth", "token", "--json"], env());
    expect(JSON.parse(json.stdout)).toEqual({ profile: expect.any(String), kind: "pat", token: PAT });
  });
});

describe("a stored credential that cannot be unlocked", () => {
  it("a wrong CONFL_PASSPHRASE is exit 4 with a one-line error on any command, and the file is untouched", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-right" });
    const login = await patLogin(env, "encrypted-file", sim.credentials.dc.pat);
    expect(login.code).toBe(0);
    const file = join(env.CONFL_CONFIG_DIR!, "secrets.enc.json");
    const before = readFileSync(file, "utf8");
    const wrong = { ...env, CONFL_PASSPHRASE: "fake-passphrase-wrong" };
    const api = await cli(["api", "rest/api/user/current"], wrong);
    expect(api.code).toBe(4);
    expect(api.stderr).toMatch(/^confl: wrong passphrase for .*secrets\.enc\.json\n/);
    expect(api.stderr).not.toMatch(/\n\s+at /);
    expect(api.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(before);
  });
});

describe("auth status --no-verify with the secret in the encrypted file (issue 14)", () => {
  it("needs no passphrase: the entry is looked for, not decrypted; a missing entry is still reported", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-right" });
    const login = await patLogin(env, "encrypted-file", sim.credentials.dc.pat);
    expect(login.code).toBe(0);
    const name = profileNameForSite(sim.origins.dc);
    // no CONFL_PASSPHRASE and no terminal: reading the secret would fail (exit 2, no way to ask)
    const { CONFL_PASSPHRASE: _, ...noPassphrase } = env;
    const status = await cli(["auth", "status", "--no-verify", "--json"], noPassphrase);
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    const profile = JSON.parse(status.stdout).profiles.find((p: { name: string }) => p.name === name);
    expect(profile).toMatchObject({ name, kind: "pat", secretSource: "encrypted file", active: true });
    expect(profile.error).toBeUndefined();
    // a wrong passphrase is never tried either
    const wrong = await cli(["auth", "status", "--no-verify"], {
      ...env,
      CONFL_PASSPHRASE: "fake-passphrase-wrong",
    });
    expect(wrong.code).toBe(0);
    expect(wrong.stdout).toMatch(/secret:\s+encrypted file/);
    // the file without the profile's entry: the profile is shown with the error, as before
    const file = join(env.CONFL_CONFIG_DIR!, "secrets.enc.json");
    const before = readFileSync(file, "utf8");
    const sealed = JSON.parse(before);
    sealed.entries = {};
    writeFileSync(file, JSON.stringify(sealed));
    const missing = await cli(["auth", "status", "--no-verify", "--json"], noPassphrase);
    const gone = JSON.parse(missing.stdout).profiles.find((p: { name: string }) => p.name === name);
    expect(gone.error?.code).toBe("auth.no_secret");
    // the entry is there but the file is damaged (its key-derivation header out of bounds): not "stored"
    const damaged = JSON.parse(before);
    damaged.kdf.N = 3;
    writeFileSync(file, JSON.stringify(damaged));
    const broken = await cli(["auth", "status", "--no-verify", "--json"], noPassphrase);
    const shown = JSON.parse(broken.stdout).profiles.find((p: { name: string }) => p.name === name);
    expect(shown.error?.message).toMatch(/key-derivation header/);
  });
});

describe("in-process helpers stay honest", () => {
  it("makeContext buffers stdout and stderr separately", () => {
    const t = inProcessContext({});
    t.ctx.io.out("a");
    t.ctx.io.err("b");
    expect([t.out(), t.err()]).toEqual(["a\n", "b\n"]);
  });
});
