// End to end through the built bundle (node dist/confl.mjs): OAuth login (headless paste), token use,
// refresh, client credentials and DC OAuth; and no token or client secret in output, --debug, argv or
// any file outside the secret store.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { oauthControls } from "../../sim/oauth.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { recordHints } from "../hints/collect.js";
import { submitConsent, useSimulator } from "../support/context.js";

const CONFL = join(process.cwd(), "dist", "confl.mjs");
const sim = useSimulator();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  argv: string[];
}

function newEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), "confl-oauth-home-")),
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-cli-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFL_KEYCHAIN_SERVICE: `confl-oauth-cli-test-${process.pid}`,
    NO_COLOR: "1",
    ...extra,
  };
}

/**
 * Runs confl. `onStderr` may answer on stdin (the paste flow): it sees stderr so far and returns a
 * line to write, or undefined.
 */
function confl(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderr?: (stderr: string) => Promise<string | undefined>,
  firstStdinLine?: string,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONFL, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    if (firstStdinLine !== undefined) child.stdin.write(`${firstStdinLine}\n`);
    let stdout = "";
    let stderr = "";
    let answered = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`confl ${args.join(" ")} timed out; stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", async (c: Buffer) => {
      stderr += c.toString();
      if (onStderr && !answered) {
        const line = await onStderr(stderr).catch((e: unknown) => {
          reject(e);
          return undefined;
        });
        if (line !== undefined && !answered) {
          answered = true;
          child.stdin.end(`${line}\n`);
        }
      }
    });
    if (!onStderr) child.stdin.end();
    child.on("exit", (code) => {
      clearTimeout(timer);
      recordHints({ args, stderr });
      resolve({ code, stdout, stderr, argv: args });
    });
  });
}

const pasteAfterConsent = async (stderr: string) => {
  const url = /^ {2}(http\S+\/authorize\?\S+)$/m.exec(stderr)?.[1];
  return url ? submitConsent(url, "accept") : undefined;
};

/** `confl auth login --type oauth` for profile "work", headless: the consent is given and the URL pasted. */
function headlessOAuthLogin(
  env: NodeJS.ProcessEnv,
  options: { debug?: boolean; extraArgs?: string[]; firstStdinLine?: string } = {},
): Promise<Run> {
  return confl(
    [
      ...(options.debug ? ["--debug"] : []),
      "auth",
      "login",
      "--profile",
      "work",
      "--type",
      "oauth",
      "--client-id",
      sim.credentials.oauth.clientId,
      ...(options.extraArgs ?? []),
      "--no-browser",
      "--storage",
      "plaintext",
      "--insecure-storage",
    ],
    env,
    pasteAfterConsent,
    options.firstStdinLine,
  );
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

function secretsJson(env: NodeJS.ProcessEnv): Record<string, string> {
  // each profile's secret, found the way confl finds it: under the entry config.json names
  const dir = env.CONFL_CONFIG_DIR as string;
  const entries = JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8")).entries;
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  const byProfile: Record<string, string> = {};
  for (const [name, profile] of Object.entries(config.profiles as Record<string, { secretEntry?: string }>))
    byProfile[name] = entries[profile.secretEntry ?? name];
  return byProfile;
}

/** No secret value in any output, argv, or file other than the secret store itself. */
function expectNoLeak(env: NodeJS.ProcessEnv, runs: Run[], secrets: string[]) {
  const files = filesUnder(env.CONFL_CONFIG_DIR as string).filter((f) => !f.endsWith("secrets.json"));
  for (const secret of secrets.filter(Boolean)) {
    for (const r of runs) {
      expect(r.stderr, `stderr of confl ${r.argv.join(" ")}`).not.toContain(secret);
      expect(r.argv.join(" ")).not.toContain(secret);
    }
    for (const f of files) expect(readFileSync(f, "utf8"), f).not.toContain(secret);
  }
}

describe("confl auth login --type oauth (bundle)", () => {
  it("logs in headless, stores tokens only in the secret store, refreshes, and never prints a secret", async () => {
    sim.settings.oauthAccessTokenTtl = 3600;
    const env = newEnv({ CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    const login = await headlessOAuthLogin(env, { debug: true });
    expect(login.stderr).toContain("/authorize?");
    // --debug is on and shows the token exchange, without any value from it
    expect(login.stderr).toMatch(
      /\[debug\] oauth: POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token grant_type=authorization_code/,
    );
    expect(login.code, login.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR as string, "config.json"), "utf8"));
    expect(config.profiles.work).toMatchObject({ kind: "oauth", cloudId: sim.cloudId, deployment: "cloud" });
    const stored = JSON.parse(secretsJson(env).work as string);
    expect(stored).toMatchObject({ kind: "oauth", clientSecret: sim.credentials.oauth.clientSecret });

    const token = await confl(["--debug", "auth", "token", "--profile", "work"], env);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toBe(stored.accessToken);

    const call = await confl(["--debug", "--profile", "work", "api", "rest/api/user/current"], env);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout).accountId).toBe(sim.users.cloud.accountId);
    expect(call.stderr).toMatch(/\[debug\].*\/ex\/confluence\//);
    expectNoLeak(env, [call], [stored.accessToken, stored.refreshToken, sim.credentials.oauth.clientSecret]);
    expect(call.stdout).not.toContain(stored.accessToken);

    const refresh = await confl(["--debug", "auth", "refresh", "--profile", "work"], env);
    const runs = [login, token, refresh];
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(refresh.stderr).toContain("Refreshed the OAuth token of profile work");
    const rotated = JSON.parse(secretsJson(env).work as string);
    expect(rotated.refreshToken).not.toBe(stored.refreshToken);
    expect(oauthControls(sim).liveRefreshTokens()).toContain(rotated.refreshToken);
    expect(oauthControls(sim).liveRefreshTokens()).not.toContain(stored.refreshToken);
    expectNoLeak(env, runs, [rotated.accessToken, rotated.refreshToken]);
    expectNoLeak(
      env,
      [login, refresh],
      [stored.accessToken, stored.refreshToken, sim.credentials.oauth.clientSecret],
    );
    expectNoLeak(env, [token], [stored.refreshToken, sim.credentials.oauth.clientSecret]);
  });

  it("--client-secret-stdin: the secret on the first stdin line, the pasted URL on the next", async () => {
    const env = newEnv();
    const login = await headlessOAuthLogin(env, {
      extraArgs: ["--client-secret-stdin"],
      firstStdinLine: sim.credentials.oauth.clientSecret,
    });
    expect(login.code, login.stderr).toBe(0);
    const stored = JSON.parse(secretsJson(env).work as string);
    expect(stored.clientSecret).toBe(sim.credentials.oauth.clientSecret);
    expectNoLeak(env, [login], [stored.accessToken, stored.refreshToken, sim.credentials.oauth.clientSecret]);
  });

  it("refreshes automatically once the access token has expired", async () => {
    sim.settings.oauthAccessTokenTtl = 1;
    const env = newEnv({ CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    const login = await headlessOAuthLogin(env);
    expect(login.code, login.stderr).toBe(0);
    const first = JSON.parse(secretsJson(env).work as string);
    // the stored access token is due (its expiry in the past) instead of sleeping past its 1 s lifetime
    const entry = JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR as string, "config.json"), "utf8"))
      .profiles.work.secretEntry as string | undefined;
    await new PlainFileStore(env).set(
      entry ?? "work",
      JSON.stringify({ ...first, expiresAt: Date.now() - 1000 }),
    );
    const invalidBefore = oauthControls(sim).counters.invalidGrant;
    const token = await confl(["auth", "token", "--profile", "work"], env);
    expect(token.code, token.stderr).toBe(0);
    const second = JSON.parse(secretsJson(env).work as string);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(token.stdout.trim()).toBe(second.accessToken);
    expect(oauthControls(sim).counters.invalidGrant).toBe(invalidBefore);
    sim.settings.oauthAccessTokenTtl = 3600;
  });

  it("8 confl processes, 4 `confl api` calls each, across access-token expiries: 0 invalid_grant", async () => {
    sim.settings.oauthAccessTokenTtl = 1;
    const env = newEnv({ CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    const login = await headlessOAuthLogin(env);
    expect(login.code, login.stderr).toBe(0);
    const controls = oauthControls(sim);
    const invalidBefore = controls.counters.invalidGrant;
    const refreshesBefore = controls.counters.refreshes;
    const lane = async () => {
      const runs: Run[] = [];
      for (let i = 0; i < 4; i++) {
        runs.push(await confl(["--profile", "work", "api", "rest/api/user/current"], env));
        await new Promise((r) => setTimeout(r, 250));
      }
      return runs;
    };
    const runs = (await Promise.all(Array.from({ length: 8 }, lane))).flat();
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(controls.counters.invalidGrant).toBe(invalidBefore);
    expect(controls.counters.refreshes - refreshesBefore).toBeGreaterThanOrEqual(1);
    sim.settings.oauthAccessTokenTtl = 3600;
    const after = await confl(["--profile", "work", "api", "rest/api/user/current"], env);
    expect(after.code, after.stderr).toBe(0);
  }, 120_000);

  it("--with-token (bring your own access token): works until the server rejects it, then exit 4 with a hint", async () => {
    const source = newEnv({ CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    const login = await headlessOAuthLogin(source);
    expect(login.code, login.stderr).toBe(0);
    const accessToken = JSON.parse(secretsJson(source).work as string).accessToken as string;

    const env = newEnv();
    const byo = await confl(
      [
        "auth",
        "login",
        "--profile",
        "byo",
        "--type",
        "oauth",
        "--with-token",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      env,
      undefined,
      accessToken,
    );
    expect(byo.code, byo.stderr).toBe(0);
    expect(JSON.parse(secretsJson(env).byo as string)).toEqual({ kind: "oauth", accessToken });
    const ok = await confl(["--profile", "byo", "api", "rest/api/user/current"], env);
    expect(ok.code, ok.stderr).toBe(0);

    sim.expireToken(accessToken);
    const expired = await confl(["--profile", "byo", "api", "rest/api/user/current"], env);
    expect(expired.code).toBe(4);
    expect(expired.stderr).toMatch(/^confl: /m);
    expect(expired.stderr).toMatch(/^hint: /m);
    expectNoLeak(env, [byo, ok, expired], [accessToken]);
  });

  it("client credentials log in with the site and get a gateway token", async () => {
    const env = newEnv({ CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    const login = await confl(
      [
        "--debug",
        "auth",
        "login",
        "--profile",
        "svc",
        "--type",
        "client-credentials",
        "--client-id",
        sim.credentials.oauth.clientId,
        "--site",
        sim.origins.site,
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      env,
    );
    expect(login.code, login.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR as string, "config.json"), "utf8"));
    expect(config.profiles.svc).toMatchObject({ kind: "client-credentials", cloudId: sim.cloudId });
    const stored = JSON.parse(secretsJson(env).svc as string);
    const call = await confl(["--debug", "--profile", "svc", "api", "api/v2/spaces"], env);
    expect(call.code, call.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(call.stdout).results)).toBe(true);
    expectNoLeak(env, [login, call], [stored.accessToken, sim.credentials.oauth.clientSecret]);
  });

  it("Data Center client credentials (service account) log in and call content", async () => {
    const env = newEnv({ CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    const login = await confl(
      [
        "--debug",
        "auth",
        "login",
        "--profile",
        "dcsvc",
        "--type",
        "client-credentials",
        "--deployment",
        "dc",
        "--site",
        sim.origins.dc,
        "--client-id",
        sim.credentials.oauth.clientId,
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      env,
    );
    expect(login.code, login.stderr).toBe(0);
    const call = await confl(["--debug", "--profile", "dcsvc", "api", "rest/api/user/current"], env);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout).username).toBe(sim.users.dc.username);
    const stored = JSON.parse(secretsJson(env).dcsvc as string);
    expectNoLeak(env, [login, call], [stored.accessToken, sim.credentials.oauth.clientSecret]);
  });

  it("Data Center OAuth logs in against the DC base", async () => {
    const env = newEnv({ CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret });
    const login = await confl(
      [
        "--debug",
        "auth",
        "login",
        "--profile",
        "dc",
        "--type",
        "oauth",
        "--deployment",
        "dc",
        "--site",
        sim.origins.dc,
        "--client-id",
        sim.credentials.oauth.clientId,
        "--no-browser",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      env,
      pasteAfterConsent,
    );
    expect(login.code, login.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR as string, "config.json"), "utf8"));
    expect(config.profiles.dc).toMatchObject({
      kind: "oauth",
      deployment: "dc",
      apiBase: `${sim.origins.dc}/`,
    });
    const stored = JSON.parse(secretsJson(env).dc as string);
    const call = await confl(["--debug", "--profile", "dc", "api", "rest/api/user/current"], env);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout).username).toBe(sim.users.dc.username);
    expectNoLeak(
      env,
      [login, call],
      [stored.accessToken, stored.refreshToken, sim.credentials.oauth.clientSecret],
    );
  });

  it("a wrong client secret exits 4 with a one-line reason and a hint, and never echoes the secret", async () => {
    const env = newEnv({ CONFL_OAUTH_CLIENT_SECRET: "fake-wrong-client-secret-0002" });
    const login = await headlessOAuthLogin(env);
    expect(login.code).toBe(4);
    expect(login.stderr).toMatch(/^confl: the authorization server rejected the client ID or client secret/m);
    expect(login.stderr).toMatch(/^hint: /m);
    expect(login.stderr).not.toContain("fake-wrong-client-secret-0002");
  });
});
