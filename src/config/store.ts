/**
 * config.json: the profiles and which one is active. It never holds a secret (those live in a
 * SecretStore keyed by profile name), and this module refuses to write one. A corrupt file is
 * reported with its path and left alone: confl never overwrites a file it could not read.
 */
import { ConflError, UsageError } from "../errors.js";
import { redactStrings } from "../redact.js";
import { dictionary, isObject } from "./dict.js";
import { configFilePath } from "./paths.js";
import {
  ensurePrivateFile,
  readPrivateFileIfExists,
  withFileLock,
  writePrivateFileAtomic,
} from "./private-files.js";
import { isValidProfileName, validateProfileName } from "./profile-name.js";
import type { ConfigFile, Profile } from "./types.js";

export { isValidProfileName, PROFILE_NAME_PATTERN, validateProfileName } from "./profile-name.js";

export function emptyConfig(): ConfigFile {
  return { version: 1, profiles: dictionary<Profile>() };
}

/** Reads config.json; a missing file is an empty config. */
export async function loadConfig(env: NodeJS.ProcessEnv): Promise<ConfigFile> {
  const path = configFilePath(env);
  const text = await readPrivateFileIfExists(path);
  if (text === undefined) return emptyConfig();
  const config = parseConfig(text, path);
  // A file someone loosened (or copied in with 0644) is tightened on sight; best effort on read.
  await ensurePrivateFile(path).catch(() => {});
  return config;
}

/** Writes config.json atomically (0600, directory 0700). Prefer updateConfig for read-modify-write. */
export async function saveConfig(config: ConfigFile, env: NodeJS.ProcessEnv): Promise<void> {
  const path = configFilePath(env);
  assertValidConfig(config, path);
  for (const profile of Object.values(config.profiles)) assertNoSecrets(profile, `profile ${profile.name}`);
  // The same redactor as stdout and stderr: a display name a server set to the token (or anything else
  // that came back from a server) is stored as "***", not copied into the file.
  await writePrivateFileAtomic(path, `${JSON.stringify(redactStrings(config), null, 2)}\n`);
}

/**
 * Read-modify-write under an inter-process lock. `fn` may mutate the config in place or return a new
 * one; it is saved only when `fn` returns without throwing.
 */
export async function updateConfig<T = void>(
  env: NodeJS.ProcessEnv,
  fn: (config: ConfigFile) => T | Promise<T>,
): Promise<{ config: ConfigFile; result: T }> {
  const path = configFilePath(env);
  return withFileLock(path, async () => {
    const config = await loadConfig(env);
    const result = await fn(config);
    await saveConfig(config, env);
    return { config, result };
  });
}

export async function getProfile(name: string, env: NodeJS.ProcessEnv): Promise<Profile | undefined> {
  validateProfileName(name);
  const config = await loadConfig(env);
  return Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
}

export async function listProfiles(env: NodeJS.ProcessEnv): Promise<Profile[]> {
  const config = await loadConfig(env);
  return Object.values(config.profiles).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Adds or replaces a profile (re-login replaces). The first profile becomes the active one;
 * `makeActive` forces it.
 */
export async function upsertProfile(
  profile: Profile,
  env: NodeJS.ProcessEnv,
  options: { makeActive?: boolean } = {},
): Promise<ConfigFile> {
  validateProfileName(profile.name);
  assertNoSecrets(profile, `profile ${profile.name}`);
  const { config } = await updateConfig(env, (config) => {
    config.profiles[profile.name] = profile;
    if (options.makeActive || config.activeProfile === undefined) config.activeProfile = profile.name;
  });
  return config;
}

/**
 * Removes a profile; true when it existed. When it was the active one, a remaining profile (the first by
 * name) becomes active, so commands keep working; `onActivated` learns which (undefined: none remain).
 */
export async function removeProfile(
  name: string,
  env: NodeJS.ProcessEnv,
  onActivated?: (active: Profile | undefined) => void,
): Promise<boolean> {
  validateProfileName(name);
  const { result } = await updateConfig(env, (config) => {
    if (!Object.hasOwn(config.profiles, name)) return false;
    delete config.profiles[name];
    if (config.activeProfile === name || config.activeProfile === undefined) {
      const next = Object.keys(config.profiles).sort()[0];
      config.activeProfile = next;
      if (next === undefined) delete config.activeProfile;
      onActivated?.(next === undefined ? undefined : config.profiles[next]);
    }
    return true;
  });
  return result;
}

/** Makes `name` the active profile; UsageError when there is no such profile. */
export async function setActiveProfile(name: string, env: NodeJS.ProcessEnv): Promise<void> {
  validateProfileName(name);
  await updateConfig(env, (config) => {
    if (!Object.hasOwn(config.profiles, name)) throw unknownProfileError(name, config, env);
    config.activeProfile = name;
  });
}

/**
 * The profile a command should use: `requested` (--profile / CONFL_PROFILE) if given, else the
 * active one. undefined when nothing is configured; UsageError when `requested` does not exist.
 */
export function selectProfile(
  config: ConfigFile,
  requested: string | undefined,
  env: NodeJS.ProcessEnv,
): Profile | undefined {
  if (requested !== undefined) {
    validateProfileName(requested);
    if (!Object.hasOwn(config.profiles, requested)) throw unknownProfileError(requested, config, env);
    return config.profiles[requested];
  }
  const active = config.activeProfile;
  if (active !== undefined && Object.hasOwn(config.profiles, active)) return config.profiles[active];
  return undefined;
}

export function unknownProfileError(name: string, config: ConfigFile, env: NodeJS.ProcessEnv): UsageError {
  const known = Object.keys(config.profiles).sort();
  return new UsageError(`no profile named ${JSON.stringify(name)} in ${configFilePath(env)}`, {
    hint:
      known.length > 0
        ? `Known profiles: ${known.join(", ")}. Create one with: confl auth login --profile ${name}`
        : `No profiles yet. Create one with: confl auth login --profile ${name}`,
    code: "config.unknown_profile",
  });
}

/** Tightens an existing config.json to 0600 without rewriting it. */
export async function securePermissions(env: NodeJS.ProcessEnv): Promise<void> {
  await ensurePrivateFile(configFilePath(env));
}

function parseConfig(text: string, path: string): ConfigFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8's message quotes a piece of the file ('"{"a": tok"... is not valid JSON'); a hand-edited file
    // could hold a secret, so keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const where = position === undefined ? "" : ` (at ${lineAndColumn(text, Number(position))})`;
    throw corruptConfigError(path, `it is not valid JSON${where}`);
  }
  // the checks below recurse: a hand-edited file nested thousands deep must not overflow the stack
  if (nestedTooDeep(data))
    throw corruptConfigError(path, `it is nested more than ${MAX_CONFIG_DEPTH} levels deep`);
  const reserved = findPrototypeKey(data);
  if (reserved !== undefined) throw corruptConfigError(path, `it holds the key ${JSON.stringify(reserved)}`);
  assertValidConfig(data, path);
  for (const profile of Object.values(data.profiles)) {
    const field = findSecretLikeField(profile);
    if (field !== undefined) {
      throw corruptConfigError(path, `profile ${JSON.stringify(profile.name)} holds a secret in ${field}`);
    }
  }
  // Profile names are keys: keep them in a map where no name can reach a prototype.
  return { ...data, profiles: dictionary(data.profiles) };
}

/** Far deeper than any config.json confl writes (profile → tls/oauth/identity → a value). */
const MAX_CONFIG_DEPTH = 32;

/** Whether `value` nests objects or arrays deeper than MAX_CONFIG_DEPTH (iterative: no recursion). */
function nestedTooDeep(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [item, depth] = top;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= MAX_CONFIG_DEPTH) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * JSON.parse keeps a "__proto__" key as an ordinary property, but any later copy of that object
 * (Object.assign, a merge) would turn it into a prototype. A hand-edited config.json has no business
 * holding one, so it is refused wherever it appears.
 */
function findPrototypeKey(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findPrototypeKey(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key === "__proto__") return key;
    const found = findPrototypeKey(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function assertValidConfig(data: unknown, path: string): asserts data is ConfigFile {
  if (!isObject(data)) throw corruptConfigError(path, "the top level is not a JSON object");
  if (data.version !== 1) {
    throw corruptConfigError(
      path,
      `unsupported version ${JSON.stringify(data.version)} (this confl reads version 1)`,
    );
  }
  if (!isObject(data.profiles)) throw corruptConfigError(path, `"profiles" is not an object`);
  if (data.activeProfile !== undefined && typeof data.activeProfile !== "string") {
    throw corruptConfigError(path, `"activeProfile" is not a string`);
  }
  for (const [name, profile] of Object.entries(data.profiles)) {
    if (!isObject(profile))
      throw corruptConfigError(path, `profile ${JSON.stringify(name)} is not an object`);
    if (profile.name !== name) {
      throw corruptConfigError(
        path,
        `profile ${JSON.stringify(name)} has name ${JSON.stringify(profile.name)}`,
      );
    }
    if (!isValidProfileName(name))
      throw corruptConfigError(path, `invalid profile name ${JSON.stringify(name)}`);
    for (const field of ["site", "apiBase", "kind", "deployment", "secretStore"] as const) {
      if (typeof profile[field] !== "string") {
        throw corruptConfigError(path, `profile ${JSON.stringify(name)} has no string "${field}"`);
      }
    }
  }
}

function corruptConfigError(path: string, why: string, cause?: unknown): ConflError {
  return new ConflError(`cannot read ${path}: ${why}`, {
    hint: `Fix the file by hand, or move it aside (mv ${path} ${path}.bak) and log in again; confl will not overwrite it.`,
    code: "config.corrupt",
    cause,
  });
}

/** Field names that only a secret would have. `secretStore` (where the secret lives) is not one. */
const SECRET_FIELD =
  /(token|password|passwd|secret|cookie|passphrase|credential|authorization|private.?key)/i;
// where the secret is (which store, and its entry name there): not secrets themselves
const ALLOWED_FIELDS = new Set(["secretStore", "secretEntry"]);
/** Values shaped like a credential or a header carrying one. */
const SECRET_VALUE =
  /^(basic|bearer)\s+\S+|^(jsessionid|crowd\.token_key|cloud\.session\.token|tenant\.session\.token)=/i;

/**
 * Throws when an object meant for config.json carries something that looks like a secret. This is a
 * guard against a programming mistake (a StoredSecret passed where a Profile was meant): the error
 * names the field, never the value.
 */
export function assertNoSecrets(value: unknown, where: string): void {
  const field = findSecretLikeField(value);
  if (field === undefined) return;
  throw new ConflError(`refusing to write ${field} of ${where} to the config file: it looks like a secret`, {
    hint: "Secrets belong in the secret store, never in config.json; this is a bug in confl, please report it.",
    code: "config.secret_in_profile",
  });
}

/** The path of the first secret-looking field or value ("field \"oauth.clientSecret\""), else undefined. */
export function findSecretLikeField(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") {
    return SECRET_VALUE.test(value.trim()) || value.includes("-----BEGIN")
      ? `the value of "${path || "(root)"}"`
      : undefined;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findSecretLikeField(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const fieldPath = path ? `${path}.${key}` : key;
    if (
      SECRET_FIELD.test(key) &&
      !ALLOWED_FIELDS.has(key) &&
      item !== undefined &&
      item !== null &&
      item !== ""
    ) {
      return `the field "${fieldPath}"`;
    }
    const found = findSecretLikeField(item, fieldPath);
    if (found) return found;
  }
  return undefined;
}
