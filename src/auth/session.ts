/**
 * resolveClient: the one function every command uses to get an authenticated HttpClient for the
 * active profile (or for credentials in the environment). Everything auth-related is decided here
 * and in the modules it calls: which profile, which credential (resolve.ts), where the API lives
 * (detect.ts), which strategy (kinds/).
 */

import { profileFlagFor } from "../config/profile-name.js";
import { loadConfig } from "../config/store.js";
import type { Profile, TlsSettings } from "../config/types.js";
import type { Context } from "../context.js";
import { AuthError, ConflError, UsageError } from "../errors.js";
import { createHttpClient } from "../http/client.js";
import { HttpError } from "../http/errors.js";
import { looksLikeHtml } from "../http/html-page.js";
import { IDEMPOTENT_METHODS } from "../http/retry.js";
import { effectiveTlsSettings } from "../http/transport.js";
import type { HttpClient, HttpClientOptions, HttpResponse, RequestOptions } from "../http/types.js";
import { credentialScope, toApiBase } from "../http/url.js";
import type { SecretStore } from "../secrets/types.js";
import { apiBaseForKind, type Detection, detectSite, fetchCloudId, type Probe } from "./detect.js";
// static: every session that detects reads it, and a chunk of its own costs the ESM loader ~0.2 ms (issue 14)
import { forgetCachedDetection, readCachedDetection, writeCachedDetection } from "./detect-cache.js";
import { patOnCloud } from "./diagnose.js";
import { createStrategy, createStrategyAsync } from "./kinds/index.js";
import {
  type ExplicitCredential,
  type ResolveDeps,
  type ResolvedCredential,
  resolveCredential,
} from "./resolve.js";
import { gatewayApiBase, gatewaySite, isGatewayUrl, jiraGatewayApiBase } from "./site-url.js";
import { defaultResolveDeps, openProfileStore } from "./stored-secret.js";
import type { AuthStrategy } from "./types.js";

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
  /**
   * An API token from the environment or .netrc for a Cloud site: it may be a scoped token, which the site
   * refuses and only the gateway takes. Then the first such refusal switches to the gateway (issue 10 item 3).
   */
  gatewayFallback?: { source: string; token: string };
  /** the environment variable that overrides a stored profile's own secret, named in auth failures */
  envOverride?: { variable: string; profile: string };
  /** the site's deployment and API root came from the detection cache under this key (detect-cache.ts) */
  cachedDetection?: { key: string };
}

// Reading a stored secret needs none of the HTTP client: it lives in stored-secret.ts, which `auth status
// --no-verify` and `auth logout` load alone (issue 14).
export { defaultResolveDeps, openProfileStore, parseStoredSecret } from "./stored-secret.js";

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
    /** detect the site even when the detection cache has an answer (a cached answer proved wrong) */
    freshDetection?: boolean;
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
  let cachedDetection: Session["cachedDetection"];
  if (resolved.needsDetection) {
    // A site known only from a URL is detected once a day, not on every call (issue 14). The key is the
    // normalised site, plus a cloudId given with it (it changes what detection asks).
    const key = profile.cloudId ? `${profile.site} cloudId=${profile.cloudId}` : profile.site;
    let detection = options.freshDetection ? undefined : await readCachedDetection(ctx.env, key);
    if (detection) {
      ctx.debug(`detect: ${detection.deployment} at ${detection.apiBase} (${detection.evidence})`);
      cachedDetection = { key };
    } else {
      detection = await detectSite(profile.site, {
        env: ctx.env,
        probe: createProbe(ctx, profile.tls, options.tlsOverrides),
        ...(profile.cloudId ? { cloudId: profile.cloudId } : {}),
        debug: (line) => ctx.debug(line),
      });
      // an answer got without verifying TLS (--insecure) may have come from anyone: it is not kept for
      // later runs that do verify
      if (!effectiveTlsSettings(profile.tls, ctx.env, options.tlsOverrides).insecure)
        await writeCachedDetection(ctx.env, key, detection);
    }
    profile = applyDetection(profile, detection, ctx.env);
    // A .netrc entry for a host that turned out to be Cloud (a custom domain) holds an API token, not a
    // password: Cloud has no passwords for the API.
    if (
      profile.deployment === "cloud" &&
      profile.kind === "password" &&
      resolved.sources.secret.type === "netrc" &&
      resolved.secret?.kind === "password"
    ) {
      const email = profile.username ?? profile.email;
      profile = { ...profile, kind: "api-token", ...(email ? { email } : {}) };
      delete profile.username;
      resolved.secret = { kind: "api-token", token: resolved.secret.password };
    }
    resolved.profile = profile;
  }
  const secretSource = resolved.sources.secret;
  const variable = secretSource.type === "env" ? secretSource.name : undefined;
  const stored = resolved.fromEnvironment ? undefined : config.profiles[profile.name];
  const envOverride =
    variable && stored && stored.secretStore !== "none" ? { variable, profile: stored.name } : undefined;
  // Cloud has no personal access tokens: a Bearer PAT gets 403 "Failed to parse Connect Session Auth Token"
  // (atlassian-python-api #1199). Say so before sending it.
  if (profile.kind === "pat" && profile.deployment === "cloud") {
    // a cached "Cloud" for a site a PAT is used with may be stale: ask the site before refusing
    if (cachedDetection) return resolveSession(ctx, { ...options, freshDetection: true });
    const refusal = patOnCloud({
      kind: "pat",
      deployment: "cloud",
      site: profile.site,
      apiBase: profile.apiBase,
      onGateway: false,
      phase: "identity",
      ...(resolved.fromEnvironment ? {} : { profileName: profile.name }),
      ...(variable?.includes("CONFLUENCE_PERSONAL_TOKEN")
        ? { secretSource: "CONFLUENCE_PERSONAL_TOKEN" }
        : {}),
    });
    throw envOverride ? withOverrideHint(refusal, envOverride) : refusal;
  }
  const store = secretSource.type === "store" ? await openProfileStore(profile, ctx) : undefined;
  const strategy = await createStrategyAsync(profile, resolved.secret, { ctx, ...(store ? { store } : {}) });
  const fallback =
    (secretSource.type === "env" || secretSource.type === "netrc") &&
    profile.kind === "api-token" &&
    profile.deployment === "cloud" &&
    resolved.secret?.kind === "api-token" &&
    !isGatewayUrl(profile.apiBase)
      ? {
          source:
            secretSource.type === "env" ? secretSource.name : `the token in ${secretSource.path ?? ".netrc"}`,
          token: resolved.secret.token,
        }
      : undefined;
  return {
    resolved,
    profile,
    strategy,
    ...(store ? { store } : {}),
    ...(fallback ? { gatewayFallback: fallback } : {}),
    ...(envOverride ? { envOverride } : {}),
    ...(cachedDetection ? { cachedDetection } : {}),
  };
}

/** An auth failure while a leftover environment variable stands in for a stored profile: say which. */
function withOverrideHint(error: ConflError, override: { variable: string; profile: string }): ConflError {
  const hint = `${override.variable} overrides profile "${override.profile}": unset it to use the profile's stored credential`;
  return new AuthError(`${error.message} (${override.variable} overrides profile "${override.profile}")`, {
    code: error.code,
    hint: error.hint ? `${hint}; or ${error.hint}` : hint,
    cause: error,
  });
}

/** What a Cloud site answers a scoped API token: Tomcat's 401 page (Atlassian Community, 2025-06). */
function isScopedTokenRefusal(status: number, headers: Headers, body: string): boolean {
  return (
    status === 401 &&
    looksLikeHtml(headers.get("content-type"), body) &&
    /lacks valid authentication credentials/i.test(body)
  );
}

function bodyText(data: unknown): string {
  if (typeof data === "string") return data.slice(0, 4096);
  if (data instanceof Uint8Array) return new TextDecoder().decode(data.subarray(0, 4096));
  return "";
}

/** The API root for a product: Confluence's is the profile's; Jira's is the site (Cloud) or its gateway path. */
export function productApiBase(
  profile: Profile,
  product: "confluence" | "jira",
  env: NodeJS.ProcessEnv,
): string {
  if (product === "confluence") return profile.apiBase;
  if (profile.deployment !== "cloud") {
    // Data Center: Jira's own base URL, added by `confl auth login --product jira` (src/jira/session.ts)
    if (profile.jira) return profile.jira.apiBase;
    throw new UsageError(
      `profile "${profile.name}" is Data Center and has no Jira: Jira has its own URL and token there`,
      {
        code: "usage.jira_on_dc",
        hint: `add one: confl auth login${profile.name === "default" || profile.name.startsWith("(") ? "" : ` --profile ${profile.name}`} --product jira --site https://jira.example.com --type pat --with-token`,
      },
    );
  }
  if (isGatewayUrl(profile.apiBase)) {
    if (!profile.cloudId)
      throw new UsageError(`profile "${profile.name}" has no cloud id`, {
        hint: `run \`confl auth login${profileFlagFor(profile)}\` again`,
      });
    return jiraGatewayApiBase(env, profile.cloudId);
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
  const envTimeoutMs = timeoutFromEnv(ctx.env);
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
    ...(envTimeoutMs !== undefined ? { timeoutMs: envTimeoutMs } : {}),
    ...options,
    // After the overrides, so no caller can switch it off: the flag, the variable or the profile's setting.
    readOnly: readOnlyReason(ctx, session.profile),
  });
}

/** CONFL_TIMEOUT: every command's per-attempt timeout in seconds (`confl api --timeout` wins over it). */
export function timeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.CONFL_TIMEOUT?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError("CONFL_TIMEOUT must be a positive number of seconds", {
      hint: "unset it for the default (30), or give a number such as CONFL_TIMEOUT=60",
    });
  return Math.round(seconds * 1000);
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
  const client = await sessionClient(ctx, session, overrides, flags);
  return session.cachedDetection ? withDetectionRecheck(ctx, session, overrides, client, flags) : client;
}

async function sessionClient(
  ctx: Context,
  session: Session,
  overrides: ClientOverrides,
  flags: TlsSettings | undefined,
): Promise<HttpClient> {
  if (overrides.product === "jira" && session.profile.deployment === "dc") {
    // Jira Data Center has a credential of its own; its client may send it to Jira's base only
    const { jiraClient } = await import("../jira/session.js");
    return (await jiraClient(ctx, session, overrides)).client;
  }
  let client = clientForSession(ctx, session, overrides);
  if (session.gatewayFallback && (overrides.product ?? "confluence") === "confluence")
    client = withGatewayFallback(ctx, session, overrides, client, flags);
  if (session.envOverride) client = withOverrideHints(ctx, client, session.envOverride);
  return client;
}

/**
 * What a cached detection answer looks like once it is wrong: the API root is not there (404), or an error
 * that is a web page rather than the REST API's JSON (another product, or the other deployment's paths,
 * answering). A genuine 404 matches too; then detection runs again, finds the same answer, and the response
 * stands: one probe more, once per process.
 */
function suggestsWrongDetection(status: number, headers: Headers, body: string): boolean {
  return status === 404 || (status >= 400 && looksLikeHtml(headers.get("content-type"), body));
}

/**
 * May this request be sent again to the newly detected API root? Never a stream body (it is spent). A
 * request that is not idempotent (POST, PATCH, or `idempotent: false`) only after a 4xx: the server refused
 * it, whereas behind a 5xx (an HTML page from a proxy) it may already have acted.
 */
function replayable(options: RequestOptions, status: number): boolean {
  const body = options.body;
  const bytes = body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
  if (!bytes) return false;
  const idempotent = options.idempotent ?? IDEMPOTENT_METHODS.has((options.method ?? "GET").toUpperCase());
  return idempotent || status < 500;
}

/**
 * A session whose site came from the detection cache: the first response that says the cached answer may be
 * wrong forgets it and detects the site again; when the answer changed, this request (and every later one)
 * goes to the new API root, else the response stands.
 */
export function withDetectionRecheck(
  ctx: Context,
  session: Session,
  overrides: ClientOverrides,
  primary: HttpClient,
  flags: TlsSettings | undefined,
  /**
   * false for a client whose caller picked its API paths by deployment (the Confluence client: v2 on Cloud,
   * v1 on DC): a changed deployment cannot be retried under it, so the error says to run the command again
   */
  canSwitchDeployment = true,
): HttpClient {
  const key = (session.cachedDetection as NonNullable<Session["cachedDetection"]>).key;
  let redetected: Promise<HttpClient | undefined> | undefined;
  let current: HttpClient | undefined;
  const redetect = () => {
    redetected ??= (async () => {
      ctx.debug(`detect: the cached answer for ${key} may be stale; detecting again`);
      await forgetCachedDetection(ctx.env, key);
      const fresh = await resolveSession(ctx, {
        ...(flags ? { tlsOverrides: flags } : {}),
        freshDetection: true,
      });
      if (
        fresh.profile.apiBase === session.profile.apiBase &&
        fresh.profile.deployment === session.profile.deployment
      )
        return undefined;
      ctx.debug(`detect: now ${fresh.profile.deployment} at ${fresh.profile.apiBase}`);
      if (!canSwitchDeployment && fresh.profile.deployment !== session.profile.deployment) {
        throw new ConflError(
          `${fresh.profile.site} is ${fresh.profile.deployment === "dc" ? "Data Center" : "Cloud"}, not ${session.profile.deployment === "dc" ? "Data Center" : "Cloud"} as detected earlier; confl now knows`,
          { code: "detect.changed", hint: "run the command again" },
        );
      }
      current = await sessionClient(ctx, fresh, overrides, flags);
      return current;
    })();
    return redetected;
  };
  const request = async <T>(options: RequestOptions): Promise<HttpResponse<T>> => {
    const switched = redetected ? await redetected : undefined;
    if (switched) return switched.request<T>(options);
    try {
      const response = await primary.request<T>(options);
      if (redetected || !suggestsWrongDetection(response.status, response.headers, bodyText(response.data)))
        return response;
      const via = await redetect();
      return via && replayable(options, response.status) ? via.request<T>(options) : response;
    } catch (error) {
      if (
        redetected ||
        !(error instanceof HttpError) ||
        !suggestsWrongDetection(error.status, error.headers, error.bodySnippet)
      )
        throw error;
      const via = await redetect();
      if (!via || !replayable(options, error.status)) throw error;
      return via.request<T>(options);
    }
  };
  return {
    get apiBase() {
      return (current ?? primary).apiBase;
    },
    request,
    paginate: <T>(options: Parameters<HttpClient["paginate"]>[0]) =>
      paginateSwitching<T>(primary, options, {
        switched: () => redetected,
        // only the first failure that looks like a wrong detection starts one
        wrongClient: (error) =>
          !redetected && suggestsWrongDetection(error.status, error.headers, error.bodySnippet),
        switchTo: redetect,
      }),
  };
}

/**
 * Pagination for a client that may hand over to another one (a re-detected API root, the API gateway): once
 * the other client exists every page comes from it; before, a failure of the first page that says the client
 * is the wrong one starts the switch and the listing is asked of the new client from the beginning. A failure
 * after items were yielded stands (they cannot be taken back).
 */
async function* paginateSwitching<T>(
  primary: HttpClient,
  options: Parameters<HttpClient["paginate"]>[0],
  how: {
    switched: () => Promise<HttpClient | undefined> | undefined;
    wrongClient: (error: HttpError) => boolean;
    switchTo: () => Promise<HttpClient | undefined>;
  },
): AsyncIterable<T> {
  const started = how.switched();
  const switched = started ? await started : undefined;
  if (switched) {
    yield* switched.paginate<T>(options);
    return;
  }
  let yielded = false;
  try {
    for await (const item of primary.paginate<T>(options)) {
      yielded = true;
      yield item;
    }
    return;
  } catch (error) {
    if (yielded || !(error instanceof HttpError) || !how.wrongClient(error)) throw error;
    const via = await how.switchTo();
    if (!via) throw error;
    yield* via.paginate<T>(options);
  }
}

/**
 * A Cloud API token from the environment or .netrc that the site refuses the way it refuses scoped tokens goes
 * through the API gateway instead, once, for this and every later request, and says so once on stderr. Login
 * does the same for typed-in tokens (verifyLogin); this covers credentials that are never stored.
 */
function withGatewayFallback(
  ctx: Context,
  session: Session,
  overrides: ClientOverrides,
  primary: HttpClient,
  flags: TlsSettings | undefined,
): HttpClient {
  const fallback = session.gatewayFallback as NonNullable<Session["gatewayFallback"]>;
  let gateway: Promise<HttpClient | undefined> | undefined;
  const switchToGateway = () => {
    gateway ??= (async () => {
      let cloudId = session.profile.cloudId;
      if (!cloudId) {
        const probe = createProbe(ctx, session.profile.tls, flags);
        cloudId = await fetchCloudId(new URL(session.profile.site).origin, { env: ctx.env, probe }).catch(
          () => undefined,
        );
      }
      if (!cloudId) return undefined;
      const profile: Profile = {
        ...session.profile,
        kind: "scoped-token",
        cloudId,
        apiBase: gatewayApiBase(ctx.env, cloudId),
      };
      const strategy = createStrategy(profile, { kind: "scoped-token", token: fallback.token }, { ctx });
      ctx.io.err(
        `note: ${session.profile.site} refused ${fallback.source} the way it refuses a scoped API token, so confl ` +
          `sends it through the Atlassian API gateway (${profile.apiBase}); set CONFLUENCE_URL=${gatewaySite(ctx.env, cloudId)} to skip the detour`,
      );
      return clientForSession(ctx, { profile, strategy }, overrides);
    })();
    return gateway;
  };
  const request = async <T>(options: RequestOptions): Promise<HttpResponse<T>> => {
    const switched = gateway ? await gateway : undefined;
    if (switched) return switched.request<T>(options);
    try {
      const response = await primary.request<T>(options);
      if (!isScopedTokenRefusal(response.status, response.headers, bodyText(response.data))) return response;
      if (options.responseType === "stream") return response;
      const via = await switchToGateway();
      return via ? via.request<T>(options) : response;
    } catch (error) {
      if (
        !(error instanceof HttpError) ||
        !isScopedTokenRefusal(error.status, error.headers, error.bodySnippet)
      )
        throw error;
      const via = await switchToGateway();
      if (!via) throw error;
      return via.request<T>(options);
    }
  };
  return {
    get apiBase() {
      return primary.apiBase;
    },
    request,
    paginate: <T>(options: Parameters<HttpClient["paginate"]>[0]) =>
      paginateSwitching<T>(primary, options, {
        switched: () => gateway,
        wrongClient: (error) => isScopedTokenRefusal(error.status, error.headers, error.bodySnippet),
        switchTo: switchToGateway,
      }),
  };
}

/**
 * 401/403 from a client whose secret came from a variable that overrides a stored profile: name it, in the
 * error, or (a command that reads failures itself, like `confl api`) in one line on stderr.
 */
function withOverrideHints(
  ctx: Context,
  client: HttpClient,
  override: { variable: string; profile: string },
): HttpClient {
  const hinted = (error: unknown): unknown =>
    error instanceof HttpError && (error.status === 401 || error.status === 403)
      ? withOverrideHint(error, override)
      : error;
  let said = false;
  return {
    get apiBase() {
      return client.apiBase;
    },
    request: async <T>(options: RequestOptions) => {
      const response = await client.request<T>(options).catch((error: unknown) => {
        throw hinted(error);
      });
      if ((response.status === 401 || response.status === 403) && !said) {
        said = true;
        ctx.io.err(
          `note: ${override.variable} overrides profile "${override.profile}": unset it to use the profile's stored credential`,
        );
      }
      return response;
    },
    async *paginate(options) {
      try {
        yield* client.paginate(options);
      } catch (error) {
        throw hinted(error);
      }
    },
  };
}
