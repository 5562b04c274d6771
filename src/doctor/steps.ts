/**
 * `confl auth doctor`'s checks (issue 13): each step is a plain function over what the earlier steps found,
 * returning {name, status, detail, fix?}. They run in order; a hard failure makes the steps that need it
 * "skip" (saying which failure), while the steps that can still learn something (proxy, token expiry,
 * keychain) run anyway. Nothing here prints: the command renders the steps (src/commands/auth/doctor.ts).
 */
import { lookup } from "node:dns/promises";
import { connect as netConnect } from "node:net";
import { type Detection, detectSite } from "../auth/detect.js";
import {
  type DiagnoseContext,
  diagnoseError,
  diagnoseResponse,
  type ObservedResponse,
} from "../auth/diagnose.js";
import { createStrategyAsync } from "../auth/kinds/index.js";
import { describeSource, type ResolvedCredential, resolveCredential } from "../auth/resolve.js";
import {
  applyDetection,
  clientForSession,
  createProbe,
  defaultResolveDeps,
  openProfileStore,
} from "../auth/session.js";
import { isGatewayUrl } from "../auth/site-url.js";
import type { AuthStrategy } from "../auth/types.js";
import {
  diagnoseContext,
  IDENTITY_PATH,
  type Identity,
  identityFromResponse,
  observe,
} from "../auth/verify.js";
import type { Profile } from "../config/types.js";
import type { Context } from "../context.js";
import { AuthError, ConflError, ExitCode, type ExitCodeValue } from "../errors.js";
import { effectiveTlsSettings, proxyFor } from "../http/transport.js";
import type { HttpClient } from "../http/types.js";
import { jiraIdentityFromResponse, jiraMyselfPath } from "../jira/verify.js";
import { redactText } from "../redact.js";
import { probeTls } from "./tls-probe.js";

export type StepStatus = "pass" | "fail" | "warn" | "skip";

export interface StepResult {
  id: string;
  name: string;
  status: StepStatus;
  detail: string;
  fix?: string;
  /** the error's stable code, for scripts and bug reports */
  code?: string;
  /** facts for --json (never a secret) */
  data?: Record<string, unknown>;
}

/** What the steps learn, for the steps after them. */
export interface DoctorState {
  ctx: Context;
  env: NodeJS.ProcessEnv;
  resolved?: ResolvedCredential;
  profile?: Profile;
  /** where the selected stored profile keeps its secret (known even when loading it failed) */
  storedSecretStore?: string;
  /** a secret store that failed while loading the profile's secret */
  storeError?: unknown;
  /** the hosts requests go to: the site and, through the gateway, api.atlassian.com */
  targets: URL[];
  /** true when every target goes through a proxy (DNS is then the proxy's business) */
  allProxied?: boolean;
  detection?: Detection;
  client?: HttpClient;
  strategy?: AuthStrategy;
  identity?: Identity;
  /** answers seen, for the rate-limit step */
  observed: ObservedResponse[];
  /** exit code of each failed step */
  exitCodes: Map<string, ExitCodeValue>;
  /** which steps failed hard */
  failed: Set<string>;
}

type StepFn = (state: DoctorState) => Promise<Omit<StepResult, "id" | "name">>;

interface StepDef {
  id: string;
  name: string;
  /** steps whose failure makes this one meaningless */
  needs: string[];
  run: StepFn;
}

const pass = (detail: string, data?: Record<string, unknown>) => ({
  status: "pass" as const,
  detail,
  ...(data ? { data } : {}),
});
const warn = (detail: string, fix?: string, data?: Record<string, unknown>) => ({
  status: "warn" as const,
  detail,
  ...(fix ? { fix } : {}),
  ...(data ? { data } : {}),
});
const skip = (detail: string) => ({ status: "skip" as const, detail });

/** Thrown inside a step: the failure with its fix and exit code. */
function failure(error: unknown, state: DoctorState, id: string): Omit<StepResult, "id" | "name"> {
  const e =
    error instanceof ConflError
      ? error
      : new ConflError(error instanceof Error ? error.message : String(error), { code: "error" });
  state.exitCodes.set(id, e.exitCode);
  return {
    status: "fail",
    detail: e.message,
    ...(e.hint ? { fix: e.hint } : {}),
    code: e.code,
  };
}

function dctx(state: DoctorState, phase: DiagnoseContext["phase"] = "identity"): DiagnoseContext {
  return diagnoseContext(state.profile as Profile, phase);
}

/** A URL with any user:password@ taken out (proxy URLs may carry them). */
export function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "***";
    parsed.password = "";
    return parsed.href;
  } catch {
    return url;
  }
}

// ---- steps ------------------------------------------------------------------------------------------------

const profileStep: StepFn = async (state) => {
  const { ctx } = state;
  const { loadConfig } = await import("../config/store.js");
  const config = await loadConfig(ctx.env);
  const deps = defaultResolveDeps(ctx);
  const name = ctx.globals.profile ?? ctx.env.CONFL_PROFILE ?? config.activeProfile;
  if (name && Object.hasOwn(config.profiles, name))
    state.storedSecretStore = config.profiles[name]?.secretStore;
  const resolved = await resolveCredential(
    { env: ctx.env, config, ...(ctx.globals.profile ? { requestedProfile: ctx.globals.profile } : {}) },
    {
      ...deps,
      async loadSecret(profile) {
        try {
          return await deps.loadSecret(profile);
        } catch (error) {
          state.storeError = error;
          throw error;
        }
      },
    },
  );
  state.resolved = resolved;
  state.profile = resolved.profile;
  const p = resolved.profile;
  state.targets = [new URL(p.site)];
  if (new URL(p.apiBase).origin !== new URL(p.site).origin) state.targets.push(new URL(p.apiBase));
  const who = p.email ?? p.username;
  const source = describeSource(resolved.sources.secret);
  if (!resolved.secret && p.kind !== "none") {
    throw new AuthError(`profile "${p.name}" has no ${p.kind} secret (${source})`, {
      code: "auth.no_secret",
      hint: `run: confl auth login${p.name === "default" || p.name.startsWith("(") ? "" : ` --profile ${p.name}`}`,
    });
  }
  return pass(`${p.name}: ${p.kind}${who ? ` for ${who}` : ""} on ${p.site}; secret from ${source}`, {
    profile: p.name,
    site: p.site,
    kind: p.kind,
    secretSource: source,
    ...(resolved.fromEnvironment ? { fromEnvironment: true } : {}),
  });
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`${what} timed out`), { code: "ETIMEDOUT" })),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

const dnsStep: StepFn = async (state) => {
  const lines: string[] = [];
  const data: Record<string, string[]> = {};
  const proxied = state.targets.map((t) => proxyFor(t, state.env) !== undefined);
  state.allProxied = proxied.every(Boolean);
  for (const [i, target] of state.targets.entries()) {
    const host = target.hostname.replace(/^\[|\]$/g, "");
    try {
      const addresses = await withTimeout(lookup(host, { all: true }), 10_000, `looking up ${host}`);
      data[host] = addresses.map((a) => a.address);
      lines.push(`${host} → ${data[host].join(", ")}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      if (proxied[i]) {
        lines.push(`${host} does not resolve here (${code}), but the proxy resolves it`);
        continue;
      }
      state.failed.add("dns");
      throw new ConflError(`cannot resolve ${host} (${code})`, {
        code: "auth.dns",
        hint: "check the site URL for typos, and your network, DNS or VPN connection",
      });
    }
  }
  return pass(lines.join("; "), { addresses: data });
};

const PROXY_NAMES = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"] as const;

function proxyVariable(url: URL, env: NodeJS.ProcessEnv, proxy: string): string {
  const order = url.protocol === "https:" ? PROXY_NAMES : (["http_proxy", "HTTP_PROXY"] as const);
  return order.find((name) => env[name] === proxy) ?? "the proxy settings";
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const proxyStep: StepFn = async (state) => {
  const env = state.env;
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? "";
  const lines: string[] = [];
  const used = new Map<string, string>();
  for (const target of state.targets) {
    const proxy = proxyFor(target, env);
    const configured =
      target.protocol === "https:"
        ? (env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY)
        : (env.http_proxy ?? env.HTTP_PROXY);
    if (proxy) {
      used.set(proxy, proxyVariable(target, env, proxy));
      lines.push(`${target.host} via ${withoutUserinfo(proxy)} (from ${used.get(proxy)})`);
    } else if (configured) lines.push(`${target.host} direct (NO_PROXY=${noProxy} excludes it)`);
    else lines.push(`${target.host} direct (no proxy configured)`);
  }
  for (const [proxy, variable] of used) {
    let url: URL;
    try {
      url = new URL(proxy);
    } catch {
      throw new ConflError(`${variable} is not a URL: ${withoutUserinfo(proxy)}`, {
        code: "auth.proxy",
        hint: `set ${variable} to a URL such as http://proxy.example.com:3128`,
      });
    }
    try {
      await canConnect(
        url.hostname.replace(/^\[|\]$/g, ""),
        Number(url.port) || (url.protocol === "https:" ? 443 : 80),
        5_000,
      );
    } catch (error) {
      throw new ConflError(
        `the proxy ${withoutUserinfo(proxy)} (from ${variable}) cannot be reached: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
        {
          code: "auth.proxy",
          hint: `check ${variable}, or add the site's host to NO_PROXY if it must be reached directly`,
        },
      );
    }
  }
  return pass(lines.join("; "), {
    proxies: [...used].map(([proxy, variable]) => ({ proxy: withoutUserinfo(proxy), variable })),
    ...(noProxy ? { noProxy } : {}),
  });
};

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

const TLS_FIXES: Record<string, string> = {
  CERT_HAS_EXPIRED: "the server's certificate has expired: ask its admin to renew it",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "check the site URL (the certificate is for another name); if it is right, ask the server's admin to fix the certificate",
};

const tlsStep: StepFn = async (state) => {
  const profile = state.profile as Profile;
  const tls = effectiveTlsSettings(profile.tls, state.env, undefined);
  const lines: string[] = [];
  const reports: unknown[] = [];
  let warning: string | undefined;
  for (const target of state.targets) {
    if (target.protocol !== "https:") {
      lines.push(`${target.host}: plain http, no TLS`);
      continue;
    }
    const proxy = proxyFor(target, state.env);
    let report: Awaited<ReturnType<typeof probeTls>>;
    try {
      report = await probeTls(target, { tls, env: state.env, ...(proxy ? { proxy } : {}) });
    } catch (error) {
      if (proxy) {
        lines.push(
          `${target.host}: through ${withoutUserinfo(proxy)}, not inspected here (${(error as Error).message}); requests check the certificate end to end`,
        );
        continue;
      }
      throw diagnoseError(error, { ...dctx(state), apiBase: target.href }, state.env);
    }
    reports.push({
      host: target.host,
      ...report,
      ...(report.viaProxy ? { viaProxy: withoutUserinfo(report.viaProxy) } : {}),
    });
    const where = `${target.host}${proxy ? ` (through ${withoutUserinfo(proxy)})` : ""}`;
    const facts = `${report.protocol ?? "TLS"}, certificate for ${report.subject} issued by ${report.issuer}, valid ${report.validFrom.slice(0, 10)} to ${report.validTo.slice(0, 10)} (${days(report.daysLeft)} left), chain ${report.chain.join(" → ")}; trusting ${report.trust}`;
    if (report.problem) {
      if (tls.insecure) {
        warning = `${where}: ${report.problem}, ignored because of --insecure/insecure in the profile`;
        lines.push(`${where}: ${facts}`);
        continue;
      }
      state.failed.add("tls");
      const unknownCa = !TLS_FIXES[report.problem];
      throw new ConflError(`${where}: the certificate is not accepted (${report.problem}): ${facts}`, {
        code: "auth.tls",
        hint:
          TLS_FIXES[report.problem] ??
          (unknownCa
            ? `give your company's CA certificate (a PEM file, issuer "${report.chain.at(-1) ?? report.issuer}") with --ca-file when you log in, or set CONFL_CA_FILE or NODE_EXTRA_CA_CERTS to it`
            : "ask the server's admin"),
      });
    }
    lines.push(`${where}: ${facts}`);
    if (report.daysLeft < 14) warning = `${where}: the certificate expires in ${days(report.daysLeft)}`;
  }
  if (reports.length === 0 && lines.every((l) => l.includes("plain http"))) return skip(lines.join("; "));
  if (warning) return warn(`${lines.join("; ")}; ${warning}`, undefined, { certificates: reports });
  return pass(lines.join("; "), { certificates: reports });
};

const deploymentStep: StepFn = async (state) => {
  const profile = state.profile as Profile;
  const resolved = state.resolved as ResolvedCredential;
  let detection: Detection;
  try {
    detection = await detectSite(profile.site, {
      env: state.env,
      probe: createProbe(state.ctx, profile.tls),
      ...(profile.cloudId ? { cloudId: profile.cloudId } : {}),
    });
  } catch (error) {
    throw diagnoseError(error, dctx(state), state.env);
  }
  state.detection = detection;
  if (resolved.needsDetection) {
    state.profile = applyDetection(profile, detection, state.env);
    resolved.profile = state.profile;
  }
  const p = state.profile as Profile;
  const route =
    p.deployment === "dc"
      ? "Data Center"
      : isGatewayUrl(p.apiBase)
        ? "Cloud, through the API gateway"
        : "Cloud, on the site";
  const detail = `${detection.deployment === "cloud" ? "Cloud" : "Data Center"} (${detection.evidence})${detection.cloudId ? `, cloud id ${detection.cloudId}` : ""}; requests go to ${p.apiBase} (${route})`;
  const data = {
    deployment: detection.deployment,
    evidence: detection.evidence,
    apiBase: p.apiBase,
    ...(detection.cloudId ? { cloudId: detection.cloudId } : {}),
  };
  if (!resolved.needsDetection && detection.deployment !== profile.deployment) {
    return warn(
      `${detail}; but the profile says ${profile.deployment === "cloud" ? "Cloud" : "Data Center"}`,
      `log in again so the profile matches: confl auth login${profile.name === "default" ? "" : ` --profile ${profile.name}`} --site ${profile.site}`,
      data,
    );
  }
  return pass(detail, data);
};

async function sessionClient(state: DoctorState): Promise<HttpClient> {
  if (state.client) return state.client;
  const profile = state.profile as Profile;
  const resolved = state.resolved as ResolvedCredential;
  const store =
    resolved.sources.secret.type === "store" ? await openProfileStore(profile, state.ctx) : undefined;
  const strategy = await createStrategyAsync(profile, resolved.secret, {
    ctx: state.ctx,
    ...(store ? { store } : {}),
  });
  state.strategy = strategy;
  state.client = clientForSession(state.ctx, { profile, strategy }, { maxRetries: 0, timeoutMs: 15_000 });
  return state.client;
}

function rateLimited(res: ObservedResponse): ConflError | undefined {
  if (res.status !== 429) return undefined;
  const after = res.headers.get("retry-after");
  const reset = res.headers.get("x-ratelimit-reset");
  return new ConflError(`${res.url} answered 429: rate limited${after ? ` (Retry-After: ${after} s)` : ""}`, {
    code: "http.rate_limited",
    hint: after
      ? `wait ${after} seconds and run it again`
      : reset
        ? `wait until ${reset} and run it again`
        : "wait a minute and run it again",
  });
}

const identityStep: StepFn = async (state) => {
  const profile = state.profile as Profile;
  const client = await sessionClient(state);
  const res = await observe(client, IDENTITY_PATH, dctx(state), state.env);
  state.observed.push(res);
  const limited = rateLimited(res);
  if (limited) throw limited;
  const identity = identityFromResponse(res, profile);
  state.identity = identity;
  const id = identity.accountId ?? identity.username ?? identity.userKey;
  return pass(
    `${identity.displayName ?? id ?? "a user"}${id && identity.displayName ? ` (${id})` : ""}, from ${IDENTITY_PATH}`,
    {
      identity,
    },
  );
};

const contentStep: StepFn = async (state) => {
  const profile = state.profile as Profile;
  const client = await sessionClient(state);
  const where =
    profile.deployment === "dc"
      ? "Data Center"
      : isGatewayUrl(profile.apiBase)
        ? "through the gateway"
        : "on the site";
  const routes =
    profile.deployment === "dc"
      ? [{ api: "v1", path: "rest/api/space?limit=1", needed: true }]
      : [
          { api: "v2", path: "api/v2/spaces?limit=1", needed: true },
          // v1 survives on Cloud for CQL search, user/current, attachment upload and labels (§1.1)
          { api: "v1", path: "rest/api/search?cql=type%3Dspace&limit=1", needed: false },
        ];
  const results: Array<{
    api: string;
    path: string;
    ok: boolean;
    status: number;
    error?: string;
    code?: string;
  }> = [];
  let firstNeeded: ConflError | undefined;
  let firstOptional: ConflError | undefined;
  for (const route of routes) {
    const res = await observe(client, route.path, dctx(state, "content"), state.env);
    state.observed.push(res);
    const problem = rateLimited(res) ?? diagnoseResponse(res, dctx(state, "content"));
    results.push({
      api: route.api,
      path: route.path,
      ok: !problem,
      status: res.status,
      ...(problem ? { error: problem.message, code: problem.code } : {}),
    });
    if (problem && route.needed) firstNeeded ??= problem;
    if (problem && !route.needed) firstOptional ??= problem;
  }
  const summary = results
    .map((r) => `${r.api} ${r.path.split("?")[0]} ${r.ok ? "✓" : `✗ ${r.status}`}`)
    .join(", ");
  if (firstNeeded) {
    throw new ConflError(`${summary} (${where}): ${firstNeeded.message}`, {
      code: firstNeeded.code,
      exitCode: firstNeeded.exitCode,
      ...(firstNeeded.hint ? { hint: firstNeeded.hint } : {}),
    });
  }
  if (firstOptional) {
    return warn(
      `${summary} (${where}): pages and spaces work; CQL search, labels and attachment uploads (v1) will not: ${firstOptional.message}`,
      firstOptional.hint,
      { routes: results },
    );
  }
  return pass(`${summary} (${where})`, { routes: results });
};

const jiraStep: StepFn = async (state) => {
  const profile = state.profile as Profile;
  if (profile.deployment === "dc" && !profile.jira)
    return skip("no Jira configured for this Data Center profile (confl auth login --product jira adds one)");
  await sessionClient(state);
  const { jiraClient } = await import("../jira/session.js");
  const { client, target } = await jiraClient(
    state.ctx,
    { profile, strategy: state.strategy as AuthStrategy },
    { maxRetries: 0, timeoutMs: 15_000 },
  );
  const res = await observe(client, jiraMyselfPath(target.deployment), dctx(state), state.env);
  state.observed.push(res);
  const limited = rateLimited(res);
  if (limited) throw limited;
  try {
    const identity = jiraIdentityFromResponse(res, target);
    return pass(
      `${identity.displayName ?? identity.accountId ?? identity.username} at ${target.apiBase} (${jiraMyselfPath(target.deployment)})`,
      { apiBase: target.apiBase, identity },
    );
  } catch (error) {
    // Data Center's Jira was added on purpose: its failure is a failure. On Cloud, Jira comes with the
    // Confluence credential whether or not the person uses it: its absence is worth knowing, not a failure.
    if (target.deployment === "dc") throw error;
    const e = error instanceof ConflError ? error : new ConflError(String(error));
    return warn(`Jira at ${target.apiBase}: ${e.message}`, e.hint, { apiBase: target.apiBase, code: e.code });
  }
};

const rateLimitStep: StepFn = async (state) => {
  const seen = state.observed;
  if (seen.length === 0) return skip("no answer to read rate-limit headers from");
  const limited = seen.find((r) => r.status === 429);
  const withHeaders = [...seen]
    .reverse()
    .find((r) => r.headers.get("x-ratelimit-limit") || r.headers.get("x-ratelimit-remaining"));
  const h = (limited ?? withHeaders)?.headers;
  const facts: Record<string, string> = {};
  for (const name of [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-nearlimit",
    "ratelimit-reason",
    "retry-after",
    "beta-ratelimit-policy",
    "beta-ratelimit",
  ]) {
    const value = h?.get(name);
    if (value) facts[name] = value;
  }
  if (limited) {
    throw new ConflError(
      `rate limited: ${limited.url} answered 429${facts["retry-after"] ? ` (Retry-After ${facts["retry-after"]} s)` : ""}${facts["x-ratelimit-reset"] ? `, quota resets ${facts["x-ratelimit-reset"]}` : ""}`,
      {
        code: "http.rate_limited",
        hint: facts["retry-after"]
          ? `wait ${facts["retry-after"]} seconds; confl waits for Retry-After by itself on other commands`
          : "wait for the reset; confl backs off by itself on other commands",
      },
    );
  }
  if (!withHeaders) {
    return pass(
      "no rate-limit headers in the answers (API-token traffic has only unannounced burst limits)",
      {
        headers: facts,
      },
    );
  }
  const limit = Number(facts["x-ratelimit-limit"]);
  const remaining = Number(facts["x-ratelimit-remaining"]);
  const text = `${Number.isFinite(remaining) ? remaining : "?"} of ${Number.isFinite(limit) ? limit : "?"} requests left${facts["x-ratelimit-reset"] ? `, resets ${facts["x-ratelimit-reset"]}` : ""}${facts["ratelimit-reason"] ? ` (${facts["ratelimit-reason"]})` : ""}`;
  const near =
    facts["x-ratelimit-nearlimit"] === "true" ||
    (Number.isFinite(limit) && Number.isFinite(remaining) && remaining < limit * 0.2);
  if (near)
    return warn(
      `${text}: less than 20 % left`,
      "slow down scripts (confl api --rate-limit) until the reset",
      { headers: facts },
    );
  return pass(text, { headers: facts });
};

const tokenExpiryStep: StepFn = async (state) => {
  const secret = state.resolved?.secret;
  const profile = state.profile;
  if (!secret || (secret.kind !== "oauth" && secret.kind !== "client-credentials")) {
    const kind = profile?.kind;
    if (kind === "api-token" || kind === "scoped-token")
      return skip(
        "an API token's expiry is not visible through the API (set when it was created, at most a year)",
      );
    if (kind === "pat")
      return skip(
        "a personal access token's expiry is shown in Data Center's profile page, not to the token itself",
      );
    return skip(`no expiry is known for ${kind ?? "this credential"}`);
  }
  const expiresAt = secret.expiresAt;
  const refreshable = secret.kind === "client-credentials" || secret.refreshToken !== undefined;
  if (expiresAt === undefined)
    return pass(`no expiry recorded${refreshable ? "; renewed automatically" : ""}`);
  const ms = expiresAt - Date.now();
  const when = new Date(expiresAt).toISOString();
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const data = { expiresAt: when, refreshable };
  if (ms > 0)
    return pass(
      `the access token expires ${when} (in ${minutes} min)${refreshable ? "; refreshed automatically" : ""}`,
      data,
    );
  if (refreshable)
    return pass(`the access token expired ${when} (${minutes} min ago); it is refreshed on next use`, data);
  throw new AuthError(
    `the OAuth access token expired ${when} (${minutes} min ago) and there is no refresh token`,
    {
      code: "auth.token_expired",
      hint: `log in again: confl auth login${profile && profile.name !== "default" && !profile.name.startsWith("(") ? ` --profile ${profile.name}` : ""} --type oauth (with offline_access, confl refreshes by itself)`,
    },
  );
};

const keychainStep: StepFn = async (state) => {
  const { probeKeychain } = await import("../secrets/index.js");
  const store = state.profile?.secretStore ?? state.storedSecretStore;
  const uses = store === "keychain";
  const result = await probeKeychain(state.env);
  if (result.ok)
    return pass(
      `the OS keychain answers (a throw-away entry was saved, read and deleted)${uses ? "; it holds this profile's secret" : ""}`,
    );
  const message = redactText(result.reason);
  if (uses) {
    throw new ConflError(`the OS keychain holds this profile's secret but does not answer: ${message}`, {
      code: `secrets.${result.failure}`,
      exitCode: result.error.exitCode,
      ...(result.error.hint ? { hint: result.error.hint } : {}),
    });
  }
  return warn(
    `the OS keychain does not answer (${message}); this credential is not kept in it (${store === "none" || !store ? "it is not stored" : `it is in the ${store} store`})`,
    result.error.hint,
  );
};

const STEPS: StepDef[] = [
  { id: "profile", name: "profile", needs: [], run: profileStep },
  { id: "dns", name: "name resolution", needs: ["profile"], run: dnsStep },
  { id: "proxy", name: "proxy", needs: ["profile"], run: proxyStep },
  { id: "tls", name: "TLS", needs: ["profile", "dns", "proxy"], run: tlsStep },
  { id: "deployment", name: "deployment", needs: ["profile", "dns", "proxy", "tls"], run: deploymentStep },
  {
    id: "identity",
    name: "identity",
    needs: ["profile", "dns", "proxy", "tls", "deployment"],
    run: identityStep,
  },
  {
    id: "content",
    name: "content access",
    needs: ["identity", "dns", "proxy", "tls", "deployment", "profile"],
    run: contentStep,
  },
  {
    id: "jira",
    name: "Jira access",
    needs: ["profile", "dns", "proxy", "tls", "deployment", "identity"],
    run: jiraStep,
  },
  { id: "rate-limit", name: "rate limit", needs: ["profile"], run: rateLimitStep },
  { id: "token-expiry", name: "token expiry", needs: ["profile"], run: tokenExpiryStep },
  { id: "keychain", name: "keychain", needs: [], run: keychainStep },
];

export interface DoctorReport {
  profile?: string;
  steps: StepResult[];
  ok: boolean;
  exitCode: ExitCodeValue;
}

export async function runDoctor(ctx: Context, onStep?: (step: StepResult) => void): Promise<DoctorReport> {
  const state: DoctorState = {
    ctx,
    env: ctx.env,
    targets: [],
    observed: [],
    exitCodes: new Map(),
    failed: new Set(),
  };
  const steps: StepResult[] = [];
  for (const def of STEPS) {
    const blocker = def.needs.find((id) => state.failed.has(id));
    let result: Omit<StepResult, "id" | "name">;
    if (blocker) {
      result = skip(`skipped: ${STEPS.find((s) => s.id === blocker)?.name ?? blocker} failed`);
    } else {
      try {
        result = await def.run(state);
      } catch (error) {
        const thrown =
          error instanceof ConflError
            ? error
            : diagnoseError(error, state.profile ? dctx(state) : fallbackContext(), state.env);
        result = failure(thrown, state, def.id);
      }
    }
    // the DNS step fails softly when a proxy resolves names; anything else that failed blocks what needs it
    if (result.status === "fail") state.failed.add(def.id);
    const step: StepResult = {
      id: def.id,
      name: def.name,
      status: result.status,
      detail: redactText(result.detail),
      ...(result.fix ? { fix: redactText(result.fix) } : {}),
      ...(result.code ? { code: result.code } : {}),
      ...(result.data
        ? { data: JSON.parse(redactText(JSON.stringify(result.data))) as Record<string, unknown> }
        : {}),
    };
    steps.push(step);
    onStep?.(step);
  }
  const first = steps.find((s) => s.status === "fail");
  return {
    ...(state.profile ? { profile: state.profile.name } : {}),
    steps,
    ok: !first,
    exitCode: first ? (state.exitCodes.get(first.id) ?? ExitCode.FAILURE) : ExitCode.OK,
  };
}

function fallbackContext(): DiagnoseContext {
  return { kind: "none", deployment: "cloud", site: "", apiBase: "", onGateway: false, phase: "identity" };
}
