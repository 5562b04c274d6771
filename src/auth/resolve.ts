/**
 * The one place that decides which credential a command uses, and says where each piece came from.
 * Precedence (gh's): stdin/flags → environment → stored profile → .netrc. Environment credentials are
 * used as they are and never stored.
 */

import { profileFlagFor } from "../config/profile-name.js";
import { selectProfile } from "../config/store.js";
import type { ConfigFile, Deployment, Profile, SecretStoreKind } from "../config/types.js";
import { AuthError } from "../errors.js";
import { kindDescriptor, registerStoredSecret, secretForKind } from "./kinds/index.js";
import { assertNoUserinfo, gatewayApiBase, normaliseSiteUrl, sameSite } from "./site-url.js";
import type { CredentialKind, StoredSecret } from "./types.js";

export type CredentialSource =
  | { type: "flag"; name: string }
  | { type: "stdin" }
  | { type: "env"; name: string }
  | { type: "profile"; name: string }
  | { type: "store"; store: Exclude<SecretStoreKind, "none"> }
  | { type: "netrc"; path?: string }
  | { type: "none" };

export const ENVIRONMENT_PROFILE_NAME = "(environment)";

export interface ResolvedCredential {
  /** the effective profile; a pseudo-profile named "(environment)" when nothing stored is involved */
  profile: Profile;
  /** no stored profile is involved at all */
  fromEnvironment: boolean;
  secret: StoredSecret | undefined;
  sources: { site: CredentialSource; identity?: CredentialSource; secret: CredentialSource };
  /** the profile's deployment/apiBase are a guess from the URL: run detection before use */
  needsDetection: boolean;
}

export interface ExplicitCredential {
  site?: string;
  email?: string;
  username?: string;
  kind?: CredentialKind;
  /** a secret read from stdin (--with-token) */
  secret?: string;
}

export interface NetrcEntry {
  login?: string;
  password?: string;
  /** the file it came from, for `auth status` */
  path?: string;
}

export interface ResolveDeps {
  /** the stored secret of a profile, from the store its `secretStore` names */
  loadSecret(profile: Profile): Promise<StoredSecret | undefined>;
  /**
   * Whether a profile's store holds its entry, told without reading the secret (no passphrase, no scrypt),
   * or undefined when the store cannot tell cheaply. Given only by what shows credentials without using
   * them (`auth status --no-verify`); then a kind whose secret shows nothing (not OAuth) is not read.
   */
  secretPresent?(profile: Profile): Promise<boolean | undefined>;
  readNetrc(host: string): Promise<NetrcEntry | undefined>;
}

export interface ResolveInput {
  env: NodeJS.ProcessEnv;
  config: ConfigFile;
  /** --profile / CONFL_PROFILE */
  requestedProfile?: string;
  explicit?: ExplicitCredential;
}

interface EnvSecret {
  kind: CredentialKind;
  secret: StoredSecret;
  variable: string;
}

const nonEmpty = (value: string | undefined) =>
  value !== undefined && value.trim() !== "" ? value.trim() : undefined;

/**
 * The secret in the environment, if any. A cookie wins (it is what SSO sites need, and a PAT set as
 * well rides along); then a PAT; then a Confluence API token; then a password; then the Atlassian
 * account token reused from other tools (the same token serves Jira and Confluence Cloud).
 */
export function environmentSecret(env: NodeJS.ProcessEnv): EnvSecret | undefined {
  const cookie = nonEmpty(env.CONFLUENCE_COOKIE);
  const pat = nonEmpty(env.CONFLUENCE_PERSONAL_TOKEN);
  if (cookie) {
    return {
      kind: "cookie",
      secret: pat ? { kind: "cookie", cookie, token: pat } : { kind: "cookie", cookie },
      variable: pat ? "CONFLUENCE_COOKIE + CONFLUENCE_PERSONAL_TOKEN" : "CONFLUENCE_COOKIE",
    };
  }
  if (pat) return { kind: "pat", secret: { kind: "pat", token: pat }, variable: "CONFLUENCE_PERSONAL_TOKEN" };
  for (const variable of ["CONFLUENCE_API_TOKEN"] as const) {
    const token = nonEmpty(env[variable]);
    if (token) return { kind: "api-token", secret: { kind: "api-token", token }, variable };
  }
  const password = nonEmpty(env.CONFLUENCE_PASSWORD);
  if (password)
    return { kind: "password", secret: { kind: "password", password }, variable: "CONFLUENCE_PASSWORD" };
  for (const variable of ["ATLASSIAN_API_TOKEN", "JIRA_API_TOKEN"] as const) {
    const token = nonEmpty(env[variable]);
    if (token) return { kind: "api-token", secret: { kind: "api-token", token }, variable };
  }
  return undefined;
}

function environmentIdentity(env: NodeJS.ProcessEnv): { value: string; variable: string } | undefined {
  for (const variable of ["CONFLUENCE_EMAIL", "CONFLUENCE_USERNAME", "ATLASSIAN_EMAIL"] as const) {
    const value = nonEmpty(env[variable]);
    if (value) return { value, variable };
  }
  return undefined;
}

export { registerEnvironmentSecrets } from "./env-secrets.js";

/**
 * A profile for a site known only from a URL: deployment and API root guessed from the host name, and
 * marked for detection when the host does not settle it.
 */
function provisionalProfile(
  name: string,
  siteUrl: string,
  kind: CredentialKind,
  env: NodeJS.ProcessEnv,
): { profile: Profile; needsDetection: boolean } {
  const site = normaliseSiteUrl(siteUrl, env);
  if (site.hostKind === "gateway") {
    return {
      profile: {
        name,
        site: site.site,
        deployment: "cloud",
        apiBase: site.candidateApiRoots[0]!,
        ...(site.cloudId ? { cloudId: site.cloudId } : {}),
        kind: kind === "api-token" ? "scoped-token" : kind,
        secretStore: "none",
      },
      needsDetection: false,
    };
  }
  const cloudHost = site.hostKind === "atlassian-cloud";
  const deployment: Deployment =
    cloudHost || kind === "api-token" || kind === "scoped-token" ? "cloud" : "dc";
  return {
    profile: {
      name,
      site: cloudHost ? site.origin : site.site,
      deployment,
      apiBase: deployment === "cloud" ? `${site.origin}/wiki/` : `${site.site}/`,
      kind,
      secretStore: "none",
    },
    needsDetection: !cloudHost || kind === "scoped-token",
  };
}

/** The interactive login for this profile (it asks for what is missing). */
function loginAgain(profile: Profile): string {
  return `confl auth login${profile.name === ENVIRONMENT_PROFILE_NAME ? "" : profileFlagFor(profile)} --site ${profile.site}`;
}

function notLoggedIn(): AuthError {
  return new AuthError("not logged in: no profile, and no credential in the environment", {
    code: "auth.not_logged_in",
    hint: "run: confl auth login   (or set CONFLUENCE_URL with CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN, or CONFLUENCE_PERSONAL_TOKEN)",
  });
}

export async function resolveCredential(input: ResolveInput, deps: ResolveDeps): Promise<ResolvedCredential> {
  const { env, explicit = {} } = input;
  const stored = selectProfile(input.config, input.requestedProfile, env);
  const envSite = nonEmpty(env.CONFLUENCE_URL);
  const envIdentity = environmentIdentity(env);
  const envSecret = environmentSecret(env);

  // Which site: a flag, then CONFLUENCE_URL, then the stored profile.
  let siteSource: CredentialSource;
  let siteUrl: string | undefined;
  if (explicit.site) [siteUrl, siteSource] = [explicit.site, { type: "flag", name: "--site" }];
  else if (envSite) [siteUrl, siteSource] = [envSite, { type: "env", name: "CONFLUENCE_URL" }];
  else if (stored) [siteUrl, siteSource] = [stored.site, { type: "profile", name: stored.name }];
  else throw notLoggedIn();
  // CONFLUENCE_URL=https://user:secret@host must not be used (or printed as the site's source) as given.
  assertNoUserinfo(siteUrl);

  // A stored profile only applies to its own site: CONFLUENCE_URL pointing elsewhere means "not this profile".
  const base = stored && sameSiteLoose(stored, siteUrl, env) ? stored : undefined;

  let secret: StoredSecret | undefined;
  let secretSource: CredentialSource = { type: "none" };
  let kind: CredentialKind | undefined = explicit.kind;

  if (explicit.secret !== undefined) {
    kind ??= base?.kind ?? envSecret?.kind ?? "api-token";
    secret = secretForKind(kind, explicit.secret);
    secretSource = { type: "stdin" };
  } else if (envSecret) {
    kind ??=
      envSecret.kind === "api-token" && base?.kind === "scoped-token" ? "scoped-token" : envSecret.kind;
    secret = envSecret.secret;
    if (secret.kind === "api-token" && kind === "scoped-token")
      secret = { kind: "scoped-token", token: secret.token };
    secretSource = { type: "env", name: envSecret.variable };
  } else if (base) {
    kind ??= base.kind;
    if (kindDescriptor(kind).secretFrom === "user" && base.secretStore !== "none" && deps.secretPresent) {
      const present = await deps.secretPresent(base);
      if (present === true) secretSource = { type: "store", store: base.secretStore };
      else if (present === undefined) secret = await deps.loadSecret(base);
    } else if (kindDescriptor(kind).secretFrom !== "nobody") {
      secret = base.secretStore === "none" ? undefined : await deps.loadSecret(base);
    }
    if (secret && base.secretStore !== "none") secretSource = { type: "store", store: base.secretStore };
  }

  const identityFromFlag = explicit.email ?? explicit.username;
  let identity: string | undefined;
  let identitySource: CredentialSource | undefined;
  if (identityFromFlag)
    [identity, identitySource] = [
      identityFromFlag,
      { type: "flag", name: explicit.email ? "--email" : "--username" },
    ];
  else if (envIdentity && secretSource.type !== "store")
    [identity, identitySource] = [envIdentity.value, { type: "env", name: envIdentity.variable }];
  else if (base && (base.email ?? base.username))
    [identity, identitySource] = [(base.email ?? base.username)!, { type: "profile", name: base.name }];

  // .netrc last: only when nothing above supplied a secret.
  if (!secret && secretSource.type === "none") {
    const host = new URL(normaliseSiteUrl(siteUrl, env).origin).hostname;
    const entry = await deps.readNetrc(host);
    if (entry?.password) {
      kind ??= base?.kind ?? (isCloudUrl(siteUrl, env) ? "api-token" : "password");
      if (!kindDescriptor(kind).input?.netrc) kind = isCloudUrl(siteUrl, env) ? "api-token" : "password";
      secret = secretForKind(kind, entry.password);
      secretSource = { type: "netrc", ...(entry.path ? { path: entry.path } : {}) };
      if (entry.login && !identityFromFlag && !(envIdentity && identitySource?.type === "env")) {
        if (!identity || kind === "password" || !base)
          [identity, identitySource] = [entry.login, secretSource];
      }
    }
  }

  kind ??= base?.kind;
  if (!kind) throw notLoggedIn();
  // (a secret the store holds but that was not read, `auth status --no-verify`, has a source and no value)
  if (!secret && secretSource.type === "none" && kindDescriptor(kind).secretFrom === "user") {
    if (!base) throw notLoggedIn();
    throw new AuthError(`profile "${base.name}" has no stored ${kind} secret`, {
      code: "auth.no_secret",
      hint: `run: confl auth login --profile ${base.name}`,
    });
  }
  registerStoredSecret(secret);

  let profile: Profile;
  let needsDetection = false;
  if (base) {
    profile = { ...base, kind };
    if (kind === "scoped-token" && base.kind !== "scoped-token" && base.cloudId) {
      profile.apiBase = gatewayApiBase(env, base.cloudId);
    }
  } else {
    const provisional = provisionalProfile(ENVIRONMENT_PROFILE_NAME, siteUrl, kind, env);
    profile = provisional.profile;
    needsDetection = provisional.needsDetection;
    if (profile.kind !== kind && secret && (secret.kind === "api-token" || secret.kind === "scoped-token")) {
      secret = { kind: "scoped-token", token: secret.token };
    }
  }
  if (identity) {
    if (profile.kind === "password" || profile.deployment === "dc") {
      profile.username = identity;
      if (profile.kind === "password") delete profile.email;
    } else profile.email = identity;
  }
  if ((profile.kind === "api-token" || profile.kind === "scoped-token") && !profile.email) {
    throw new AuthError(`an API token needs the email of the Atlassian account that created it`, {
      code: "auth.no_email",
      hint:
        secretSource.type === "env"
          ? "set CONFLUENCE_EMAIL (or ATLASSIAN_EMAIL) as well"
          : `add a login line (the account's email) to the ${profile.site} entry in .netrc, or run: ${loginAgain(profile)}`,
    });
  }
  if (profile.kind === "password" && !profile.username) {
    throw new AuthError("a password needs a username", {
      code: "auth.no_username",
      hint:
        secretSource.type === "env"
          ? "set CONFLUENCE_USERNAME as well"
          : `add a login line (the username) to the ${profile.site} entry in .netrc, or run: ${loginAgain(profile)}`,
    });
  }

  return {
    profile,
    fromEnvironment: !base,
    secret,
    sources: {
      site: siteSource,
      ...(identitySource ? { identity: identitySource } : {}),
      secret: secretSource,
    },
    needsDetection,
  };
}

function isCloudUrl(siteUrl: string, env: NodeJS.ProcessEnv): boolean {
  const site = normaliseSiteUrl(siteUrl, env);
  return site.hostKind !== "other";
}

function sameSiteLoose(profile: Profile, siteUrl: string, env: NodeJS.ProcessEnv): boolean {
  if (sameSite(profile.site, siteUrl)) return true;
  try {
    const site = normaliseSiteUrl(siteUrl, env);
    return sameSite(profile.site, site.site) || sameSite(profile.site, site.origin);
  } catch {
    return false;
  }
}

/** "keychain", "encrypted file", "PLAINTEXT file", "env CONFLUENCE_API_TOKEN", "~/.netrc", ... */
export function describeSource(source: CredentialSource): string {
  switch (source.type) {
    case "flag":
      return `flag ${source.name}`;
    case "stdin":
      return "standard input";
    case "env":
      return `environment variable ${source.name}`;
    case "profile":
      return `profile ${source.name}`;
    case "store":
      return source.store === "keychain"
        ? "OS keychain"
        : source.store === "encrypted-file"
          ? "encrypted file"
          : "PLAINTEXT file (insecure)";
    case "netrc":
      return source.path ? `netrc (${source.path})` : "netrc";
    case "none":
      return "none";
  }
}
