/**
 * resolveClient: the one function every command uses to get an authenticated HttpClient for the
 * active profile (or for credentials in the environment). Everything auth-related is decided here
 * and in the modules it calls: which profile, which credential (resolve.ts), where the API lives
 * (detect.ts), which strategy (kinds/).
 */
import { loadConfig } from "../config/store.js";
import type { Profile, TlsSettings } from "../config/types.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import { createHttpClient } from "../http/client.js";
import type { HttpClient, HttpClientOptions } from "../http/types.js";
import { credentialScope, toApiBase } from "../http/url.js";
import type { SecretStore } from "../secrets/types.js";
import { apiBaseForKind, type Detection, detectSite, type Probe } from "./detect.js";
import { createStrategyAsync } from "./kinds/index.js";
import {
  type ExplicitCredential,
  type ResolveDeps,
  type ResolvedCredential,
  registerStoredSecret,
  resolveCredential,
} from "./resolve.js";
import { atlassianApiUrl } from "./site-url.js";
import type { AuthStrategy, StoredSecret } from "./types.js";

/**
 * What a command changes about its client. `tls` here means the command's flags (--ca-file, --insecure):
 * merged field by field over CONFL_CA_FILE and the profile's stored settings, never replacing them.
 */
export type ClientOverrides = Partial<HttpClientOptions> & { product?: "confluence" | "jira" };

export interface Session {
  resolved: ResolvedCredential;
  profile: Profile;
  strategy: AuthStrategy;
  /** the store the secret came from (OAuth writes rotated tokens back to it) */
  store?: SecretStore;
}

/** The secret store a profile names, opened lazily (nothing is touched before get/set). */
export async function openProfileStore(profile: Profile, ctx: Context): Promise<SecretStore | undefined> {
  if (profile.secretStore === "none") return undefined;
  const { openSecretStore } = await import("../secrets/index.js");
  return openSecretStore(profile.secretStore, { env: ctx.env, io: ctx.io });
}

/** Stored secrets are JSON under the profile's name; anything else is a damaged entry. */
export function parseStoredSecret(raw: string, profileName: string): StoredSecret {
  try {
    const value = JSON.parse(raw) as StoredSecret;
    if (value && typeof value === "object" && typeof value.kind === "string") {
      registerStoredSecret(value);
      return value;
    }
  } catch {
    // fall through: never echo the raw value, it is a secret
  }
  throw new AuthError(`the stored secret of profile "${profileName}" is damaged`, {
    code: "auth.secret_damaged",
    hint: `run: confl auth login --profile ${profileName}`,
  });
}

export async function loadStoredSecret(profile: Profile, ctx: Context): Promise<StoredSecret | undefined> {
  const store = await openProfileStore(profile, ctx);
  if (!store) return undefined;
  const raw = await store.get(profile.name);
  return raw === undefined ? undefined : parseStoredSecret(raw, profile.name);
}

export function defaultResolveDeps(ctx: Context): ResolveDeps {
  return {
    loadSecret: (profile) => loadStoredSecret(profile, ctx),
    async readNetrc(host) {
      const { readNetrc } = await import("../config/netrc.js");
      const entry = await readNetrc(host, ctx.env);
      if (entry?.insecurePermissions) {
        ctx.io.err(`warning: ${entry.path} is readable by other users; run: chmod 600 ${entry.path}`);
      }
      return entry;
    },
  };
}

/**
 * Retries and waits over a second are said on stderr, terminal or not: a script's log should show why a
 * call took 20 s, and a person should never face silence (issue: a refused connection sat silent 28 s).
 */
function notice(ctx: Context): (line: string) => void {
  return (line) => ctx.io.err(line);
}

const warnSinks = new WeakMap<Context["io"], (line: string) => void>();

/**
 * Warnings (--insecure) go to the command's stderr whether or not it is a TTY. One sink per command
 * run, because the transport warns once per sink however many clients the command builds.
 */
function warnSink(ctx: Context): (line: string) => void {
  let sink = warnSinks.get(ctx.io);
  if (!sink) {
    sink = (line) => ctx.io.err(line);
    warnSinks.set(ctx.io, sink);
  }
  return sink;
}

/** A command's TLS flags, whichever of the two override fields carried them. */
function flagTls(overrides: Pick<ClientOverrides, "tls" | "tlsOverrides">): TlsSettings | undefined {
  if (!overrides.tls && !overrides.tlsOverrides) return undefined;
  return { ...overrides.tlsOverrides, ...overrides.tls };
}

/**
 * Unauthenticated GETs for detection, through the same pipeline (proxy, CA file, mTLS). `tls` is the
 * profile's stored settings, `flags` the command's --ca-file/--insecure (they win, then CONFL_CA_FILE).
 */
export function createProbe(ctx: Context, tls?: TlsSettings, flags?: TlsSettings): Probe {
  const clients = new Map<string, HttpClient>();
  return async (url) => {
    const origin = new URL(url).origin;
    let client = clients.get(origin);
    if (!client) {
      client = createHttpClient({
        apiBase: `${origin}/`,
        env: ctx.env,
        // A probe that cannot connect says enough; retrying it only delays the diagnosis.
        maxRetries: 0,
        timeoutMs: 15_000,
        ...(tls ? { tls } : {}),
        ...(flags ? { tlsOverrides: flags } : {}),
        warn: warnSink(ctx),
        ...(ctx.globals.debug ? { debug: (line: string) => ctx.debug(line) } : {}),
      });
      clients.set(origin, client);
    }
    const response = await client.request<string>({
      path: url,
      anonymous: true,
      throwOnError: false,
      followRedirects: false,
      responseType: "text",
      headers: { accept: "application/json" },
    });
    return {
      status: response.status,
      headers: response.headers,
      text: typeof response.data === "string" ? response.data : "",
    };
  };
}

/** Applies a detection result to a profile, routing kinds that need the gateway through it. */
export function applyDetection(profile: Profile, detection: Detection, env: NodeJS.ProcessEnv): Profile {
  const withDetection: Profile = {
    ...profile,
    deployment: detection.deployment,
    site: detection.site,
    apiBase: detection.apiBase,
    ...(detection.cloudId ? { cloudId: detection.cloudId } : {}),
  };
  const routed = apiBaseForKind(detection, profile.kind, env);
  return { ...withDetection, apiBase: routed.apiBase, site: routed.site };
}

export async function resolveSession(
  ctx: Context,
  options: {
    explicit?: ExplicitCredential;
    deps?: ResolveDeps;
    /** the command's --ca-file/--insecure, so detecting the site honours them too */
    tlsOverrides?: TlsSettings;
  } = {},
): Promise<Session> {
  const config = await loadConfig(ctx.env);
  const resolved = await resolveCredential(
    {
      env: ctx.env,
      config,
      ...(ctx.globals.profile ? { requestedProfile: ctx.globals.profile } : {}),
      ...(options.explicit ? { explicit: options.explicit } : {}),
    },
    options.deps ?? defaultResolveDeps(ctx),
  );
  let profile = resolved.profile;
  if (resolved.needsDetection) {
    const detection = await detectSite(profile.site, {
      env: ctx.env,
      probe: createProbe(ctx, profile.tls, options.tlsOverrides),
      ...(profile.cloudId ? { cloudId: profile.cloudId } : {}),
      debug: (line) => ctx.debug(line),
    });
    profile = applyDetection(profile, detection, ctx.env);
    resolved.profile = profile;
  }
  const store = resolved.sources.secret.type === "store" ? await openProfileStore(profile, ctx) : undefined;
  const strategy = await createStrategyAsync(profile, resolved.secret, { ctx, ...(store ? { store } : {}) });
  return { resolved, profile, strategy, ...(store ? { store } : {}) };
}

/** The API root for a product: Confluence's is the profile's; Jira's is the site (Cloud) or its gateway path. */
export function productApiBase(
  profile: Profile,
  product: "confluence" | "jira",
  env: NodeJS.ProcessEnv,
): string {
  if (product === "confluence") return profile.apiBase;
  if (profile.deployment !== "cloud") {
    throw new UsageError("Jira calls are only supported for Atlassian Cloud profiles", {
      code: "usage.jira_on_dc",
    });
  }
  if (/\/ex\/confluence\//.test(profile.apiBase)) {
    if (!profile.cloudId)
      throw new UsageError(`profile "${profile.name}" has no cloud id`, {
        hint: "run confl auth login again",
      });
    return `${atlassianApiUrl(env)}/ex/jira/${encodeURIComponent(profile.cloudId)}/`;
  }
  return `${new URL(profile.site).origin}/`;
}

export function clientForSession(
  ctx: Context,
  session: Pick<Session, "profile" | "strategy">,
  overrides: ClientOverrides = {},
): HttpClient {
  const { product = "confluence", tls: _flagTls, tlsOverrides: _flags, ...options } = overrides;
  const flags = flagTls(overrides);
  const noticeSink = notice(ctx);
  const apiBase = productApiBase(session.profile, product, ctx.env);
  return createHttpClient({
    apiBase,
    // The credential goes to this profile's API only: the site (Cloud), its gateway path, or the DC context path.
    scope: [credentialScope(toApiBase(apiBase), session.profile.deployment)],
    auth: session.strategy,
    env: ctx.env,
    // stored settings and flags stay apart: the transport merges them field by field (flag → env → profile)
    ...(session.profile.tls ? { tls: session.profile.tls } : {}),
    ...(flags ? { tlsOverrides: flags } : {}),
    warn: warnSink(ctx),
    ...(ctx.globals.debug ? { debug: (line: string) => ctx.debug(line) } : {}),
    notice: noticeSink,
    ...options,
    // After the overrides, so no caller can switch it off: the flag, the variable or the profile's setting.
    readOnly: readOnlyReason(ctx, session.profile),
  });
}

/** Why this session may not write, or undefined when it may. */
export function readOnlyReason(
  ctx: Pick<Context, "globals">,
  profile: Pick<Profile, "name" | "readOnly">,
): { reason: string } | undefined {
  if (ctx.globals.readOnly) return { reason: ctx.globals.readOnly };
  if (profile.readOnly === true) return { reason: `profile "${profile.name}" has readOnly set` };
  return undefined;
}

export async function resolveClient(ctx: Context, overrides: ClientOverrides = {}): Promise<HttpClient> {
  const flags = flagTls(overrides);
  const session = await resolveSession(ctx, flags ? { tlsOverrides: flags } : {});
  return clientForSession(ctx, session, overrides);
}
