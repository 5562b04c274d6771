/**
 * Where confl keeps its files. Every path is derived from the environment handed in (ctx.env), never
 * from process globals, so tests and the demo point confl at a throw-away directory.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** `$CONFL_CONFIG_DIR`, else `$XDG_CONFIG_HOME/confl`, else `~/.config/confl`. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.CONFL_CONFIG_DIR) return resolve(env.CONFL_CONFIG_DIR);
  // The XDG base-directory spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  if (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)) return join(env.XDG_CONFIG_HOME, "confl");
  return join(homeDir(env), ".config", "confl");
}

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

/** The profiles file (no secrets). */
export function configFilePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "config.json");
}

/** The passphrase-encrypted secret store. */
export function encryptedSecretsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "secrets.enc.json");
}

/** The plain-text secret store (only with --insecure-storage). */
export function plainSecretsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "secrets.json");
}

/** `$NETRC`, else `~/.netrc` (curl and Python's netrc follow the same rule). */
export function netrcPath(env: NodeJS.ProcessEnv): string {
  if (env.NETRC) return resolve(env.NETRC);
  return join(homeDir(env), ".netrc");
}
