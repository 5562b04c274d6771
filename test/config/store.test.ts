import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  configDir,
  configFilePath,
  encryptedSecretsPath,
  netrcPath,
  plainSecretsPath,
} from "../../src/config/paths.js";
import {
  getProfile,
  listProfiles,
  loadConfig,
  removeProfile,
  saveConfig,
  selectProfile,
  setActiveProfile,
  updateConfig,
  upsertProfile,
  validateProfileName,
} from "../../src/config/store.js";
import type { Profile } from "../../src/config/types.js";
import { ConflError, ExitCode, UsageError } from "../../src/errors.js";

async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  const root = await mkdtemp(join(tmpdir(), "confl-store-"));
  return { CONFL_CONFIG_DIR: join(root, "confl"), HOME: root };
}

function profile(name: string, extra: Partial<Profile> = {}): Profile {
  return {
    name,
    site: "https://acme.atlassian.net",
    deployment: "cloud",
    apiBase: "https://acme.atlassian.net/wiki/",
    kind: "api-token",
    email: "alice@example.com",
    secretStore: "keychain",
    ...extra,
  };
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("config paths", () => {
  it("CONFL_CONFIG_DIR, then XDG_CONFIG_HOME/confl, then ~/.config/confl", () => {
    expect(configDir({ CONFL_CONFIG_DIR: "/x/c", XDG_CONFIG_HOME: "/xdg", HOME: "/h" })).toBe("/x/c");
    expect(configDir({ XDG_CONFIG_HOME: "/xdg", HOME: "/h" })).toBe("/xdg/confl");
    expect(configDir({ HOME: "/h" })).toBe("/h/.config/confl");
    // A relative XDG_CONFIG_HOME is invalid per the XDG spec and ignored.
    expect(configDir({ XDG_CONFIG_HOME: "rel", HOME: "/h" })).toBe("/h/.config/confl");
    const env = { CONFL_CONFIG_DIR: "/c" };
    expect([configFilePath(env), encryptedSecretsPath(env), plainSecretsPath(env)]).toEqual([
      "/c/config.json",
      "/c/secrets.enc.json",
      "/c/secrets.json",
    ]);
    expect(netrcPath({ HOME: "/h" })).toBe("/h/.netrc");
    expect(netrcPath({ HOME: "/h", NETRC: "/n/rc" })).toBe("/n/rc");
  });
});

describe("config store", () => {
  it("a missing file is an empty config", async () => {
    expect(await loadConfig(await freshEnv())).toEqual({ version: 1, profiles: {} });
  });

  it("saves and loads profiles with dir 0700 and file 0600", async () => {
    const env = await freshEnv();
    await upsertProfile(profile("work"), env);
    await upsertProfile(
      profile("dc", { deployment: "dc", kind: "pat", site: "https://dc.example.com/confluence" }),
      env,
    );
    expect(await mode(configDir(env))).toBe(0o700);
    expect(await mode(configFilePath(env))).toBe(0o600);
    const config = await loadConfig(env);
    expect(config.activeProfile).toBe("work");
    expect(Object.keys(config.profiles).sort()).toEqual(["dc", "work"]);
    expect((await getProfile("dc", env))?.kind).toBe("pat");
    expect(await getProfile("nope", env)).toBeUndefined();
    expect((await listProfiles(env)).map((p) => p.name)).toEqual(["dc", "work"]);
  });

  it("re-login replaces the profile; makeActive switches", async () => {
    const env = await freshEnv();
    await upsertProfile(profile("a"), env);
    await upsertProfile(profile("b"), env);
    await upsertProfile(profile("a", { email: "bob@example.com" }), env, { makeActive: false });
    expect((await getProfile("a", env))?.email).toBe("bob@example.com");
    expect((await loadConfig(env)).activeProfile).toBe("a");
    await upsertProfile(profile("b"), env, { makeActive: true });
    expect((await loadConfig(env)).activeProfile).toBe("b");
  });

  it("setActiveProfile and removeProfile", async () => {
    const env = await freshEnv();
    await upsertProfile(profile("a"), env);
    await upsertProfile(profile("b"), env);
    await setActiveProfile("b", env);
    expect((await loadConfig(env)).activeProfile).toBe("b");
    await expect(setActiveProfile("zzz", env)).rejects.toMatchObject({
      exitCode: ExitCode.USAGE,
      code: "config.unknown_profile",
    });
    expect(await removeProfile("b", env)).toBe(true);
    expect(await removeProfile("b", env)).toBe(false);
    // The one remaining profile becomes active rather than leaving nothing active.
    expect((await loadConfig(env)).activeProfile).toBe("a");
    expect(await removeProfile("a", env)).toBe(true);
    expect(await loadConfig(env)).toEqual({ version: 1, profiles: {} });
  });

  it("selectProfile: the requested one, else the active one", async () => {
    const env = await freshEnv();
    await upsertProfile(profile("a"), env);
    await upsertProfile(profile("b"), env);
    const config = await loadConfig(env);
    expect(selectProfile(config, undefined, env)?.name).toBe("a");
    expect(selectProfile(config, "b", env)?.name).toBe("b");
    expect(() => selectProfile(config, "c", env)).toThrow(UsageError);
    expect(selectProfile({ version: 1, profiles: {} }, undefined, env)).toBeUndefined();
  });

  it("validates profile names (UsageError, exit 2)", async () => {
    for (const good of ["work", "a", "A.b_c-1", "x".repeat(64)])
      expect(() => validateProfileName(good)).not.toThrow();
    for (const bad of ["", "..", ".", "a/b", "a b", "x".repeat(65), "é", "../etc"]) {
      expect(() => validateProfileName(bad)).toThrow(UsageError);
    }
    const env = await freshEnv();
    await expect(upsertProfile(profile("bad/name"), env)).rejects.toBeInstanceOf(UsageError);
    await expect(getProfile("bad name", env)).rejects.toBeInstanceOf(UsageError);
  });

  // Names every JavaScript object already has: in a plain {} map, "__proto__" replaced the map's prototype
  // (login "succeeded" and saved nothing) and "constructor" found a function that was never stored.
  const PROTOTYPE_NAMES = [
    "__proto__",
    "constructor",
    "prototype",
    "hasOwnProperty",
    "toString",
    "valueOf",
    "isPrototypeOf",
    "__defineGetter__",
    "__lookupSetter__",
  ];

  it("refuses the names of Object.prototype as profile names (exit 2, one line naming the allowed characters)", async () => {
    const env = await freshEnv();
    for (const name of PROTOTYPE_NAMES) {
      let error: unknown;
      try {
        validateProfileName(name);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(ExitCode.USAGE);
      expect((error as UsageError).message).toBe(`invalid profile name ${JSON.stringify(name)}`);
      expect((error as UsageError).hint).toContain("A-Z, a-z, 0-9, '.', '_' and '-'");
      await expect(upsertProfile(profile(name), env), name).rejects.toBeInstanceOf(UsageError);
    }
    expect(existsSync(configFilePath(env))).toBe(false);
  });

  it("a hostile profile name's control characters never reach the terminal raw", () => {
    for (const name of ["x\u001b]0;owned\u0007", "x\u009b2J", "x\u2028y", "x\ny", `${"a".repeat(5000)}/`]) {
      let message = "";
      try {
        validateProfileName(name);
      } catch (e) {
        message = (e as UsageError).message;
      }
      expect(message).toMatch(/^invalid profile name "/);
      expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      expect(message.length).toBeLessThan(120);
    }
  });

  it("a hand-edited config.json with a prototype name as a profile is refused as corrupt, and pollutes nothing", async () => {
    const base = {
      site: "https://acme.atlassian.net",
      apiBase: "https://acme.atlassian.net/wiki/",
      kind: "api-token",
      deployment: "cloud",
      secretStore: "keychain",
    };
    const hostile = [
      `{"version":1,"activeProfile":"__proto__","profiles":{"__proto__":${JSON.stringify({ name: "__proto__", ...base })}}}`,
      `{"version":1,"profiles":{"constructor":${JSON.stringify({ name: "constructor", ...base })}}}`,
      `{"version":1,"profiles":{"toString":${JSON.stringify({ name: "toString", ...base })}}}`,
      // Nested: JSON.parse keeps it as a plain key, but any later copy would turn it into a prototype.
      `{"version":1,"profiles":{"work":${JSON.stringify({ name: "work", ...base }).replace("{", '{"tls":{"__proto__":{"insecure":true}},')}}}`,
      `{"version":1,"__proto__":{"insecure":true},"profiles":{}}`,
    ];
    for (const text of hostile) {
      const env = await freshEnv();
      await mkdir(configDir(env), { recursive: true });
      await writeFile(configFilePath(env), text);
      const error = await loadConfig(env).catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(ConflError);
      expect((error as ConflError).code, text).toBe("config.corrupt");
      // confl never overwrites a file it could not read
      expect(await readFile(configFilePath(env), "utf8")).toBe(text);
    }
    expect(({} as Record<string, unknown>).insecure).toBeUndefined();
  });

  it("the profile map has no prototype: no name can reach Object.prototype, even past validation", async () => {
    const env = await freshEnv();
    await upsertProfile(profile("work"), env);
    const config = await loadConfig(env);
    expect(Object.getPrototypeOf(config.profiles)).toBeNull();
    expect("constructor" in config.profiles).toBe(false);
    // A caller that skipped validation still stores an ordinary entry instead of replacing a prototype.
    const evil = profile("__proto__");
    const key = "__proto__";
    config.profiles[key] = evil;
    expect(Object.keys(config.profiles).sort()).toEqual(["__proto__", "work"]);
    expect(config.profiles.work?.site).toBe("https://acme.atlassian.net");
    const empty = await loadConfig(await freshEnv());
    expect(Object.getPrototypeOf(empty.profiles)).toBeNull();
  });

  it("refuses to write a secret into config.json, naming the field but not the value", async () => {
    const env = await freshEnv();
    const leaky = { ...profile("a"), token: "fake-cloud-api-token-0001" } as Profile;
    const error = await upsertProfile(leaky, env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflError);
    expect((error as ConflError).code).toBe("config.secret_in_profile");
    expect((error as Error).message).toContain('"token"');
    expect((error as Error).message).not.toContain("fake-cloud-api-token-0001");
    const nested = profile("b", {
      oauth: { clientId: "cid", clientSecret: "fake-client-secret-0001" } as never,
    });
    await expect(upsertProfile(nested, env)).rejects.toMatchObject({ code: "config.secret_in_profile" });
    const header = profile("c", { identity: { displayName: "Bearer fake-pat-0001" } });
    await expect(upsertProfile(header, env)).rejects.toMatchObject({ code: "config.secret_in_profile" });
    // The secretStore field (where the secret lives) is not itself a secret.
    await expect(upsertProfile(profile("d", { secretStore: "plaintext" }), env)).resolves.toBeDefined();
    await expect(readFile(configFilePath(env), "utf8")).resolves.not.toContain("fake-");
  });

  it("a corrupt file is an error naming the path with a hint, and is never overwritten", async () => {
    const env = await freshEnv();
    await mkdir(configDir(env), { recursive: true });
    const garbage = '{"version": 1, "profiles": {';
    await writeFile(configFilePath(env), garbage);
    const error = await loadConfig(env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflError);
    expect((error as ConflError).code).toBe("config.corrupt");
    expect((error as ConflError).message).toContain(configFilePath(env));
    expect((error as ConflError).hint).toMatch(/move it aside/);
    await expect(upsertProfile(profile("a"), env)).rejects.toMatchObject({ code: "config.corrupt" });
    await expect(updateConfig(env, () => {})).rejects.toMatchObject({ code: "config.corrupt" });
    expect(await readFile(configFilePath(env), "utf8")).toBe(garbage);
  });

  it("a parse error never quotes the file (it might hold a pasted secret)", async () => {
    const env = await freshEnv();
    await mkdir(configDir(env), { recursive: true });
    for (const text of ['{"version": 1,\n "x": fake-cloud-api-token-0012}', "fake-cloud-api-token-0012"]) {
      await writeFile(configFilePath(env), text);
      const error = await loadConfig(env).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "config.corrupt" });
      expect((error as Error).message).not.toContain("fake-cloud");
      expect((error as Error).message).not.toContain("fake-c");
      expect(String((error as Error).cause ?? "")).not.toContain("fake-c");
    }
    await writeFile(configFilePath(env), '{"version": 1,\n "x": 1 2}');
    const error = await loadConfig(env).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/not valid JSON \(at line 2, column 9\)$/);
  });

  it("rejects a wrong shape or version as corrupt", async () => {
    const env = await freshEnv();
    await mkdir(configDir(env), { recursive: true });
    for (const text of [
      "[]",
      '{"version": 2, "profiles": {}}',
      '{"version": 1}',
      '{"version": 1, "profiles": {"a": {"name": "b", "site": "s", "apiBase": "x", "kind": "pat", "deployment": "dc", "secretStore": "none"}}}',
      '{"version": 1, "profiles": {"a": {"name": "a", "site": "s", "apiBase": "x", "kind": "pat", "deployment": "dc", "secretStore": "none", "password": "fake-pw-1234"}}}',
    ]) {
      await writeFile(configFilePath(env), text);
      const error = await loadConfig(env).catch((e: unknown) => e);
      expect(error, text).toMatchObject({ code: "config.corrupt" });
      expect((error as Error).message).not.toContain("fake-pw-1234");
    }
  });

  it("tightens an existing 0644 file to 0600 and a 0755 directory to 0700 on save", async () => {
    const env = await freshEnv();
    await mkdir(configDir(env), { recursive: true });
    await chmod(configDir(env), 0o755);
    await writeFile(configFilePath(env), JSON.stringify({ version: 1, profiles: {} }));
    await chmod(configFilePath(env), 0o644);
    expect(await mode(configFilePath(env))).toBe(0o644);
    await saveConfig({ version: 1, profiles: { a: profile("a") } }, env);
    expect(await mode(configFilePath(env))).toBe(0o600);
    expect(await mode(configDir(env))).toBe(0o700);
  });

  it("updateConfig saves nothing when the callback throws", async () => {
    const env = await freshEnv();
    await upsertProfile(profile("a"), env);
    const before = await readFile(configFilePath(env), "utf8");
    await expect(
      updateConfig(env, (config) => {
        delete config.profiles.a;
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await readFile(configFilePath(env), "utf8")).toBe(before);
  });
});

describe("atomic writes", () => {
  it("remove temp files abandoned by a killed writer, but not a live process's", async () => {
    const env = await freshEnv();
    await saveConfig({ version: 1, profiles: {} }, env);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const abandoned = join(configDir(env), `.config.json.${dead}.abcdef.tmp`);
    const live = join(configDir(env), `.config.json.${process.ppid}.abcdef.tmp`);
    const unrelated = join(configDir(env), ".other.json.1.abcdef.tmp");
    for (const path of [abandoned, live, unrelated]) await writeFile(path, "partial");
    await saveConfig({ version: 1, profiles: {} }, env);
    const names = await readdir(configDir(env));
    expect(names).not.toContain(`.config.json.${dead}.abcdef.tmp`);
    expect(names).toContain(`.config.json.${process.ppid}.abcdef.tmp`);
    expect(names).toContain(".other.json.1.abcdef.tmp");
  });

  it("loading tightens a loosened config.json to 0600", async () => {
    const env = await freshEnv();
    await saveConfig({ version: 1, profiles: {} }, env);
    await chmod(configFilePath(env), 0o644);
    await loadConfig(env);
    expect(await mode(configFilePath(env))).toBe(0o600);
  });
});
