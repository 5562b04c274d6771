/** auth status / token / logout / switch, run in-process against the simulator. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { run as login } from "../../src/commands/auth/login.js";
import { run as logout } from "../../src/commands/auth/logout.js";
import { run as status } from "../../src/commands/auth/status.js";
import { run as switchProfile } from "../../src/commands/auth/switch.js";
import { run as token } from "../../src/commands/auth/token.js";
import { profileNameForSite } from "../../src/config/profile-name.js";
import { createContext } from "../../src/context.js";
import { AuthError, ExitCode, InterruptedError, UsageError } from "../../src/errors.js";
import { createIOStreams } from "../../src/io/streams.js";
import { cloudLoginOptions, inProcessContext, useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";

const sim = useSimulator();

async function twoProfiles(env: NodeJS.ProcessEnv) {
  await login(
    cloudLoginOptions(sim, "api-token"),
    inProcessContext(env, { stdin: sim.credentials.cloud.apiToken, profile: "default" }).ctx,
  );
  await login(
    { site: sim.origins.dc, type: "pat", withToken: true, storage: "encrypted-file" },
    inProcessContext({ ...env }, { stdin: sim.credentials.dc.pat, profile: "dc" }).ctx,
  );
}

describe("auth status", () => {
  it("lists every profile with the active mark, kind, source, identity and a live check", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await twoProfiles(env);
    const t = inProcessContext(env);
    const result = await status({}, t.ctx);
    expect(result.activeName).toBe("default");
    const [dc, def] = result.profiles;
    expect(def).toMatchObject({
      name: "default",
      active: true,
      kind: "api-token",
      secretSource: "PLAINTEXT file (insecure)",
      verified: true,
    });
    expect(def?.identity?.accountId).toBe(sim.users.cloud.accountId);
    expect(dc).toMatchObject({
      name: "dc",
      active: false,
      kind: "pat",
      secretSource: "encrypted file",
      verified: true,
      deployment: "dc",
    });
    expect(t.out()).toMatch(/\* default \(active\)/);
    expect(t.out()).toMatch(/user:\s+Grace Hopper \(grace\)/);
    // the plain-text warning comes on every status, not only at login
    expect(t.err()).toMatch(/WARNING: profile "default" keeps its secret in a PLAINTEXT file/);
    expect(t.out() + t.err()).not.toContain(sim.credentials.cloud.apiToken);
    expect(t.out() + t.err()).not.toContain(sim.credentials.dc.pat);
  });

  it("--json is machine-readable", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await twoProfiles(env);
    const t = inProcessContext(env, { json: true });
    await status({}, t.ctx);
    const parsed = JSON.parse(t.out());
    expect(parsed.profiles.map((p: { name: string }) => p.name)).toEqual(["dc", "default"]);
    expect(parsed.profiles[1].verified).toBe(true);
  });

  it("exits 4 when the active profile no longer works, and says why", async () => {
    const env = simEnv(sim);
    await login(
      cloudLoginOptions(sim, "api-token"),
      inProcessContext(env, { stdin: sim.credentials.cloud.apiToken, profile: "default" }).ctx,
    );
    sim.expireToken(sim.credentials.cloud.apiToken);
    const t = inProcessContext(env);
    const error = await status({}, t.ctx).catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(4);
    expect(error.code).toBe("auth.token_rejected");
    expect(t.out()).toMatch(/status:\s+✗/);
  });

  it("shows environment credentials as an (environment) pseudo-profile that overrides the stored one", async () => {
    const env = simEnv(sim);
    await login(
      { site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true },
      inProcessContext(env, { stdin: sim.credentials.dc.pat, profile: "default" }).ctx,
    );
    const withEnv = {
      ...env,
      CONFLUENCE_URL: sim.origins.dc,
      CONFLUENCE_USERNAME: "grace",
      CONFLUENCE_PASSWORD: sim.credentials.dc.password,
    };
    const t = inProcessContext(withEnv);
    const result = await status({}, t.ctx);
    expect(result.profiles[0]).toMatchObject({
      name: "(environment)",
      active: true,
      secretSource: "environment variable CONFLUENCE_PASSWORD",
      verified: true,
    });
    expect(result.profiles[1]).toMatchObject({
      name: "default",
      active: false,
      overriddenBy: "CONFLUENCE_PASSWORD",
    });
    expect(t.out()).toMatch(/overridden by CONFLUENCE_PASSWORD/);
  });

  it("shows an OAuth profile's expiry and scopes from the stored secret, and verifies it", async () => {
    const env = simEnv(sim);
    const expiresAt = Date.now() + 3_600_000;
    const scopes = [
      "read:confluence-user",
      "read:space:confluence",
      "read:content-details:confluence",
      "offline_access",
    ];
    sim.tokens.grant({
      token: "fake-oauth-access-0001",
      kind: "oauth",
      user: sim.users.cloud,
      scopes,
      expiresAt,
    });
    const { PlainFileStore } = await import("../../src/secrets/plain-file.js");
    const { upsertProfile } = await import("../../src/config/store.js");
    await new PlainFileStore(env).set(
      "work",
      JSON.stringify({
        kind: "oauth",
        accessToken: "fake-oauth-access-0001",
        refreshToken: "fake-oauth-refresh-0001",
        expiresAt,
        scopes,
      }),
    );
    await upsertProfile(
      {
        name: "work",
        site: sim.origins.site,
        deployment: "cloud",
        apiBase: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
        cloudId: sim.cloudId,
        kind: "oauth",
        oauth: { clientId: sim.credentials.oauth.clientId },
        secretStore: "plaintext",
      },
      env,
    );
    const t = inProcessContext(env);
    const result = await status({}, t.ctx);
    expect(result.profiles[0]).toMatchObject({
      name: "work",
      kind: "oauth",
      expiresAt: new Date(expiresAt).toISOString(),
      scopes,
      verified: true,
    });
    expect(t.out()).toMatch(/expires:\s+\S+ \(in (59|60) min\)/);
    expect(t.out()).toMatch(/scopes:\s+read:confluence-user/);
    expect(t.out() + t.err()).not.toContain("fake-oauth-access-0001");
  });

  it("with nothing configured: not logged in, exit 4", async () => {
    await expect(status({}, inProcessContext(simEnv(sim)).ctx)).rejects.toMatchObject({
      code: "auth.not_logged_in",
      exitCode: 4,
    });
  });
});

describe("auth status colour", () => {
  /** A context whose stdout and stderr claim to be terminals, like a person's shell. */
  function terminalContext(env: NodeJS.ProcessEnv, ioEnv: NodeJS.ProcessEnv, noColor = false) {
    const base = inProcessContext(env);
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const chunks: string[] = [];
    stdout.on("data", (c) => chunks.push(String(c)));
    stderr.on("data", (c) => chunks.push(String(c)));
    const stdin = new PassThrough();
    stdin.end();
    const io = createIOStreams({ stdout, stderr, stdin, env: ioEnv, noColor });
    return { ctx: { ...base.ctx, io }, text: () => chunks.join("") };
  }

  it("is coloured on a terminal, and plain when piped, with NO_COLOR or with --no-color", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await twoProfiles(env); // the default profile keeps its secret in plain text: a warning too
    const tty = terminalContext(env, {});
    await status({}, tty.ctx);
    expect(tty.text()).toContain("\u001b[32m✓ working");
    expect(tty.text()).toMatch(/\u001b\[33mWARNING:/);

    const piped = inProcessContext(env);
    await status({}, piped.ctx);
    for (const text of [piped.out(), piped.err()]) expect(text).not.toContain("\u001b[");
    expect(piped.out()).toContain("✓ working");

    const noColorEnv = terminalContext(env, { NO_COLOR: "1" });
    await status({}, noColorEnv.ctx);
    expect(noColorEnv.text()).not.toContain("\u001b[");
    const noColorFlag = terminalContext(env, {}, true);
    await status({}, noColorFlag.ctx);
    expect(noColorFlag.text()).not.toContain("\u001b[");
    expect(noColorFlag.text()).toContain("✓ working");
  });
});

describe("auth token never puts the secret on a terminal by accident", () => {
  async function oneProfile(env: NodeJS.ProcessEnv) {
    await login(
      cloudLoginOptions(sim, "api-token"),
      inProcessContext(env, { stdin: sim.credentials.cloud.apiToken, profile: "default" }).ctx,
    );
  }

  /** A context whose stdout is a terminal (as when a person runs `confl auth token` in a shell). */
  function terminal(
    env: NodeJS.ProcessEnv,
    options: { stdinTTY?: boolean; noInput?: boolean; json?: boolean } = {},
  ) {
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const stdin = Object.assign(new PassThrough(), { isTTY: options.stdinTTY ?? true });
    let out = "";
    let err = "";
    stdout.on("data", (c) => {
      out += String(c);
    });
    stderr.on("data", (c) => {
      err += String(c);
    });
    const io = createIOStreams({ stdout, stderr, stdin, env: {}, noInput: options.noInput === true });
    const ctx = createContext({
      io,
      env,
      globals: { json: options.json === true, debug: false, color: false, input: !options.noInput },
      debug() {},
    });
    return { ctx, out: () => out, err: () => err };
  }

  const asked: string[] = [];
  const answer =
    (value: boolean | Error) =>
    async (message: string): Promise<boolean> => {
      asked.push(message);
      if (value instanceof Error) throw value;
      return value;
    };

  it("asks first: a No prints nothing and fails (exit 1), a Yes prints it", async () => {
    const env = simEnv(sim);
    await oneProfile(env);
    asked.length = 0;
    const t = terminal(env);
    const error = await token({}, t.ctx, { confirm: answer(false) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth.token_not_printed", exitCode: ExitCode.FAILURE });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/profile "default".*terminal/);
    expect(t.out()).toBe("");
    expect(t.err()).not.toContain(sim.credentials.cloud.apiToken);
    const yes = terminal(env);
    await token({}, yes.ctx, { confirm: answer(true) });
    expect(yes.out()).toBe(`${sim.credentials.cloud.apiToken}\n`);
    expect(asked).toHaveLength(2);
  });

  it("Ctrl-C at the question prints nothing (exit 130)", async () => {
    const env = simEnv(sim);
    await oneProfile(env);
    const t = terminal(env);
    const error = await token({}, t.ctx, { confirm: answer(new InterruptedError("cancelled")) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect(t.out()).toBe("");
  });

  it.each([
    ["--no-input", { noInput: true }],
    ["stdin not a terminal", { stdinTTY: false }],
    ["--json with --no-input", { noInput: true, json: true }],
  ])("no one to ask (%s): refused with exit 2 unless --yes, never asked", async (_name, options) => {
    const env = simEnv(sim);
    await oneProfile(env);
    asked.length = 0;
    const t = terminal(env, options);
    const error = await token({}, t.ctx, { confirm: answer(true) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe("not printing the secret: standard output is a terminal");
    expect((error as UsageError).hint).toContain("--yes");
    expect(t.out()).toBe("");
    expect(asked).toEqual([]);
    const yes = terminal(env, options);
    await token({ yes: true }, yes.ctx, { confirm: answer(false) });
    expect(yes.out()).toContain(sim.credentials.cloud.apiToken);
    expect(asked).toEqual([]);
  });

  it("--json prints one object only when asked for; piped output needs no question", async () => {
    const env = simEnv(sim);
    await oneProfile(env);
    asked.length = 0;
    const piped = inProcessContext(env, { json: true });
    await token({}, piped.ctx, { confirm: answer(false) });
    expect(JSON.parse(piped.out())).toEqual({
      profile: "default",
      kind: "api-token",
      token: sim.credentials.cloud.apiToken,
    });
    const plain = inProcessContext(env);
    await token({}, plain.ctx, { confirm: answer(false) });
    expect(plain.out()).toBe(`${sim.credentials.cloud.apiToken}\n`);
    expect(asked).toEqual([]);
  });
});

describe("auth token, switch, logout", () => {
  it("token prints the active secret (and only that) on stdout", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await twoProfiles(env);
    const t = inProcessContext(env);
    await token({}, t.ctx);
    expect(t.out()).toBe(`${sim.credentials.cloud.apiToken}\n`);
    expect(t.err()).toBe("");
    const dc = inProcessContext(env, { profile: "dc" });
    await token({}, dc.ctx);
    expect(dc.out()).toBe(`${sim.credentials.dc.pat}\n`);
  });

  it("switch changes the active profile; an unknown one is a usage error", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await twoProfiles(env);
    await switchProfile({ profile: "dc" }, inProcessContext(env).ctx);
    const t = inProcessContext(env);
    await token({}, t.ctx);
    expect(t.out()).toBe(`${sim.credentials.dc.pat}\n`);
    await expect(switchProfile({ profile: "nope" }, inProcessContext(env).ctx)).rejects.toBeInstanceOf(
      UsageError,
    );
  });

  it("--json: switch and logout print one JSON object on stdout; the human lines stay on stderr", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await twoProfiles(env);
    const sw = inProcessContext(env, { json: true });
    await switchProfile({ profile: "dc" }, sw.ctx);
    expect(JSON.parse(sw.out())).toEqual({ activeProfile: "dc", site: sim.origins.dc });
    expect(sw.err()).toMatch(/Active profile: dc/);
    const out = inProcessContext(env, { json: true, profile: "dc" });
    await logout({}, out.ctx);
    // dc was the active one: the remaining profile takes over, and the JSON says which
    expect(JSON.parse(out.out())).toEqual({ profile: "dc", secretRemoved: true, activeProfile: "default" });
    const plain = inProcessContext(env);
    await logout({}, plain.ctx);
    expect(plain.out()).toBe("");
  });

  it("logout removes the stored secret and the profile", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await twoProfiles(env);
    const plain = join(env.CONFL_CONFIG_DIR!, "secrets.json");
    expect(readFileSync(plain, "utf8")).toContain(sim.credentials.cloud.apiToken);
    const result = await logout({}, inProcessContext(env).ctx);
    expect(result).toEqual({ profile: "default", secretRemoved: true, activeProfile: "dc" });
    expect(existsSync(plain) ? readFileSync(plain, "utf8") : "").not.toContain(
      sim.credentials.cloud.apiToken,
    );
    const config = JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR!, "config.json"), "utf8"));
    expect(Object.keys(config.profiles)).toEqual(["dc"]);
    expect(config.activeProfile).toBe("dc");
    await logout({}, inProcessContext(env, { profile: "dc" }).ctx);
    await expect(token({}, inProcessContext(env).ctx)).rejects.toMatchObject({ code: "auth.not_logged_in" });
  });

  it("re-login replaces the secret, also when it moves to another store", async () => {
    const env = simEnv(sim, { CONFL_PASSPHRASE: "fake-passphrase-0001" });
    await login(
      {
        site: sim.origins.dc,
        type: "password",
        username: "grace",
        withToken: true,
        insecureStorage: true,
        verify: false,
      },
      inProcessContext(env, { stdin: "fake-old-password-0001" }).ctx,
    );
    await login(
      { site: sim.origins.dc, type: "pat", withToken: true, storage: "encrypted-file" },
      inProcessContext(env, { stdin: sim.credentials.dc.pat }).ctx,
    );
    expect(readFileSync(join(env.CONFL_CONFIG_DIR!, "secrets.json"), "utf8")).not.toContain(
      "fake-old-password-0001",
    );
    const t = inProcessContext(env);
    await token({}, t.ctx);
    expect(t.out()).toBe(`${sim.credentials.dc.pat}\n`);
  });

  it("login without a terminal and without --with-token is a usage error naming --with-token", async () => {
    const env = simEnv(sim);
    const error = await login({ site: sim.origins.dc, type: "pat" }, inProcessContext(env).ctx).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/--with-token/);
  });

  it("interactive login asks for URL, kind and a masked secret (prompter answered by the test)", async () => {
    const env = simEnv(sim);
    const asked: string[] = [];
    const t = inProcessContext(env);
    Object.defineProperty(t.ctx.io, "canPrompt", { value: true });
    const result = await login({ insecureStorage: true }, t.ctx, {
      prompter: {
        site: async () => {
          asked.push("site");
          return `${sim.origins.dc}/display/DOC`;
        },
        kind: async (choices, initial) => {
          asked.push(`kind:${initial}:${choices.map((c) => c.kind).join(",")}`);
          expect(choices.every((c) => c.hint.length > 10)).toBe(true);
          return "pat";
        },
        identity: async () => {
          asked.push("identity");
          return "unused";
        },
        secret: async (message) => {
          asked.push(`secret:${message}`);
          return sim.credentials.dc.pat;
        },
        note: () => {},
      },
    });
    expect(asked).toEqual([
      "site",
      "kind:pat:pat,password,cookie,oauth,client-credentials,none",
      "secret:Personal access token",
    ]);
    expect(result.profile.kind).toBe("pat");
    expect(t.err()).toMatch(/Detected Confluence Data Center/);
  });
});

describe("profiles per site, like gh per host", () => {
  const cloudLogin = (env: NodeJS.ProcessEnv, profile?: string) =>
    login(
      cloudLoginOptions(sim, "api-token"),
      inProcessContext(env, { stdin: sim.credentials.cloud.apiToken, ...(profile ? { profile } : {}) }).ctx,
    );
  const dcLogin = (env: NodeJS.ProcessEnv, extra: { force?: boolean } = {}, profile?: string) =>
    login(
      { site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true, ...extra },
      inProcessContext(env, { stdin: sim.credentials.dc.pat, ...(profile ? { profile } : {}) }).ctx,
    );
  const configOf = (env: NodeJS.ProcessEnv) =>
    JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR!, "config.json"), "utf8"));

  it("confl auth login --site A, then --site B, then --site A again: a profile per site, named after its host; the same site updates its own", async () => {
    const env = simEnv(sim);
    const cloudName = profileNameForSite(sim.origins.site);
    const dcName = profileNameForSite(sim.origins.dc);
    expect(cloudName).toMatch(/^127\.0\.0\.1-\d+$/);
    expect(profileNameForSite("https://acme.atlassian.net/wiki/spaces/DOC")).toBe("acme.atlassian.net");
    expect(profileNameForSite("https://wiki.corp.example/confluence")).toBe("wiki.corp.example");
    await cloudLogin(env);
    await dcLogin(env);
    expect(Object.keys(configOf(env).profiles).sort()).toEqual([cloudName, dcName].sort());
    const again = await cloudLogin(env);
    expect(again.profile.name).toBe(cloudName);
    expect(Object.keys(configOf(env).profiles)).toHaveLength(2);
    // the first login's profile stays the active one
    expect(configOf(env).activeProfile).toBe(cloudName);
  });

  it("confl auth login --profile work for another site: refused in a script without --force, asked on a terminal", async () => {
    const env = simEnv(sim);
    await cloudLogin(env, "work");
    const refused = await dcLogin(env, {}, "work").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UsageError);
    expect(refused).toMatchObject({
      code: "usage.profile_other_site",
      message: `profile work is for ${sim.origins.site}, not ${sim.origins.dc}`,
    });
    expect((refused as UsageError).hint).toContain("--force");
    expect(configOf(env).profiles.work.site).toBe(sim.origins.site);
    // a terminal asks; No leaves it, Yes replaces it
    const questions: string[] = [];
    const tty = (answer: boolean) => {
      const t = inProcessContext(env, { stdin: sim.credentials.dc.pat, profile: "work" });
      Object.defineProperty(t.ctx.io, "canPrompt", { value: true });
      return {
        t,
        confirm: async (q: string) => {
          questions.push(q);
          return answer;
        },
      };
    };
    const no = tty(false);
    const options = { site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true };
    await expect(login(options, no.t.ctx, { confirm: no.confirm })).rejects.toBeInstanceOf(InterruptedError);
    expect(questions).toEqual([
      `Profile work is for ${sim.origins.site}. Replace it with ${sim.origins.dc}?`,
    ]);
    expect(configOf(env).profiles.work.site).toBe(sim.origins.site);
    const yes = tty(true);
    await login(options, yes.t.ctx, { confirm: yes.confirm });
    expect(configOf(env).profiles.work.site).toBe(sim.origins.dc);
    // --force replaces without asking
    await cloudLogin(env, "other");
    await dcLogin(env, { force: true }, "other");
    expect(configOf(env).profiles.other.site).toBe(sim.origins.dc);
  });

  it("confl auth logout of the active profile makes a remaining one active and says which", async () => {
    const env = simEnv(sim);
    await cloudLogin(env);
    await dcLogin(env);
    const t = inProcessContext(env);
    const result = await logout({}, t.ctx);
    const dcName = profileNameForSite(sim.origins.dc);
    expect(result.activeProfile).toBe(dcName);
    expect(t.err()).toContain(`Active profile is now ${dcName} (${sim.origins.dc})`);
    expect(configOf(env).activeProfile).toBe(dcName);
    const last = inProcessContext(env);
    await logout({}, last.ctx);
    expect(last.err()).toContain("No profile is left");
  });

  it("confl auth status says when no profile is active; confl auth status --json always prints JSON", async () => {
    const env = simEnv(sim);
    const empty = inProcessContext(env, { json: true });
    await expect(status({}, empty.ctx)).rejects.toMatchObject({ code: "auth.not_logged_in" });
    expect(JSON.parse(empty.out())).toEqual({ profiles: [], active: null });

    await cloudLogin(env);
    await dcLogin(env);
    const path = join(env.CONFL_CONFIG_DIR!, "config.json");
    const config = configOf(env);
    delete config.activeProfile;
    writeFileSync(path, JSON.stringify(config));
    const t = inProcessContext(env);
    await status({ verify: false }, t.ctx);
    expect(t.out()).toContain("No profile is active: choose one with confl auth switch");
    const json = inProcessContext(env, { json: true });
    await status({ verify: false }, json.ctx);
    expect(JSON.parse(json.out()).active).toBeNull();
  });

  it("confl auth switch with no argument offers a picker on a terminal, and names the profiles without one", async () => {
    const env = simEnv(sim);
    await cloudLogin(env);
    await dcLogin(env);
    const dcName = profileNameForSite(sim.origins.dc);
    const shown: string[] = [];
    const t = inProcessContext(env);
    Object.defineProperty(t.ctx.io, "canPrompt", { value: true });
    await switchProfile({}, t.ctx, {
      choose: async (_message, choices) => {
        shown.push(...choices.map((c) => `${c.label} ${c.hint}`));
        return dcName;
      },
    });
    expect(shown).toEqual(
      [
        `${profileNameForSite(sim.origins.site)} (active) ${sim.origins.site} · api-token`,
        `${dcName} ${sim.origins.dc} · pat`,
      ].sort(),
    );
    expect(configOf(env).activeProfile).toBe(dcName);
    const script = await switchProfile({}, inProcessContext(env).ctx).catch((e: unknown) => e);
    expect(script).toBeInstanceOf(UsageError);
    expect((script as UsageError).hint).toContain(
      `confl auth switch ${[dcName, profileNameForSite(sim.origins.site)].sort()[0]}`,
    );
  });
});
