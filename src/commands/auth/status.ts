/**
 * `confl auth status`: every profile (and credentials from the environment) with where each piece
 * comes from, and a live verification. Exit 4 when the profile commands would use does not work.
 */
import { type Command, Option } from "@commander-js/extra-typings";
// Registration imports nothing heavy (issue 14): what run() needs is imported inside it.
import type { CredentialSource, ResolvedCredential } from "../../auth/resolve.js";
import type { StoredSecret } from "../../auth/types.js";
import type { Identity } from "../../auth/verify.js";
import type { ConfigFile } from "../../config/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { AuthError, ConflError, ExitCode, type ExitCodeValue } from "../../errors.js";
import type { PatExpiry } from "../../jira/pat.js";
import { redactText } from "../../redact.js";
import type { JiraStatus } from "./status-jira.js";

export interface StatusOptions {
  /** false with --no-verify: skip the live check */
  verify?: boolean;
  /** which product to verify (default confluence); --all-products: both */
  product?: "confluence" | "jira";
  allProducts?: boolean;
}

export interface ProfileStatus {
  name: string;
  /** the profile a command would use now */
  active: boolean;
  site?: string;
  deployment?: string;
  kind?: string;
  apiBase?: string;
  cloudId?: string;
  email?: string;
  username?: string;
  /** where the secret comes from: "OS keychain", "environment variable CONFLUENCE_API_TOKEN", ... */
  secretSource?: string;
  secretSourceType?: CredentialSource["type"];
  identitySource?: string;
  plaintext?: boolean;
  expiresAt?: string;
  scopes?: string[];
  identity?: Identity;
  verified?: boolean;
  error?: { code: string; message: string; hint?: string };
  /** set on a stored profile that environment credentials currently override */
  overriddenBy?: string;
  /** Jira access (with --product jira or --all-products) */
  jira?: JiraStatus;
}

export interface StatusResult {
  profiles: ProfileStatus[];
  activeName?: string;
}

const CREDENTIAL_ENV_PATTERN =
  /^(CONFLUENCE_(URL|EMAIL|USERNAME|API_TOKEN|PERSONAL_TOKEN|PASSWORD|COOKIE)|ATLASSIAN_(API_TOKEN|EMAIL)|JIRA_(API_TOKEN|URL|PERSONAL_TOKEN))$/;

function withoutCredentialEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !CREDENTIAL_ENV_PATTERN.test(name)));
}

function expiry(secret: StoredSecret | undefined): { expiresAt?: string; scopes?: string[] } {
  if (!secret || (secret.kind !== "oauth" && secret.kind !== "client-credentials")) return {};
  return {
    ...(secret.expiresAt ? { expiresAt: new Date(secret.expiresAt).toISOString() } : {}),
    ...(secret.scopes ? { scopes: secret.scopes } : {}),
  };
}

/** Each failed status's exit code (not part of the JSON): the active profile's failure exits with it. */
const exitCodes = new WeakMap<object, ExitCodeValue>();

function rememberExitCode(status: ProfileStatus, error: unknown): void {
  exitCodes.set(status, error instanceof ConflError ? error.exitCode : ExitCode.FAILURE);
}

function errorInfo(error: unknown): ProfileStatus["error"] {
  if (error instanceof ConflError) {
    return {
      code: error.code,
      message: redactText(error.message),
      ...(error.hint ? { hint: redactText(error.hint) } : {}),
    };
  }
  return { code: "error", message: redactText(error instanceof Error ? error.message : String(error)) };
}

type Products = { confluence: boolean; jira: boolean };

async function check(
  ctx: Context,
  resolved: ResolvedCredential,
  verify: boolean,
  products: Products = { confluence: true, jira: false },
  jiraEnv: NodeJS.ProcessEnv = ctx.env,
): Promise<ProfileStatus> {
  const { describeSource } = await import("../../auth/resolve.js");
  let profile = resolved.profile;
  const status: ProfileStatus = {
    name: profile.name,
    active: false,
    site: profile.site,
    deployment: profile.deployment,
    kind: profile.kind,
    apiBase: profile.apiBase,
    ...(profile.cloudId ? { cloudId: profile.cloudId } : {}),
    ...(profile.email ? { email: profile.email } : {}),
    ...(profile.username ? { username: profile.username } : {}),
    secretSource: describeSource(resolved.sources.secret),
    secretSourceType: resolved.sources.secret.type,
    ...(resolved.sources.identity ? { identitySource: describeSource(resolved.sources.identity) } : {}),
    plaintext: resolved.sources.secret.type === "store" && resolved.sources.secret.store === "plaintext",
    ...expiry(resolved.secret),
    ...(profile.identity ? { identity: profile.identity } : {}),
  };
  if (!verify) return status;
  const [{ detectSite }, { createStrategyAsync }, session, { verifyProfile }, { checkJira, jiraExitCodes }] =
    await Promise.all([
      import("../../auth/detect.js"),
      import("../../auth/kinds/index.js"),
      import("../../auth/session.js"),
      import("../../auth/verify.js"),
      import("./status-jira.js"),
    ]);
  const { applyDetection, clientForSession, createProbe, openProfileStore } = session;
  try {
    if (resolved.needsDetection) {
      const detection = await detectSite(profile.site, {
        env: ctx.env,
        probe: createProbe(ctx, profile.tls),
      });
      profile = applyDetection(profile, detection, ctx.env);
      Object.assign(status, { deployment: profile.deployment, apiBase: profile.apiBase, site: profile.site });
    }
    const store = resolved.sources.secret.type === "store" ? await openProfileStore(profile, ctx) : undefined;
    const strategy = await createStrategyAsync(profile, resolved.secret, {
      ctx,
      ...(store ? { store } : {}),
    });
    if (products.jira)
      status.jira = await checkJira(ctx, { profile, strategy }, products.confluence, jiraEnv);
    if (products.confluence) {
      const client = clientForSession(ctx, { profile, strategy }, { maxRetries: 1 });
      const result = await verifyProfile(client, profile, ctx.env);
      status.identity = result.identity;
    }
    status.verified = true;
    if (status.jira?.verified === false && status.jira.error && !status.jira.notConfigured) {
      status.verified = false;
      status.error = status.jira.error;
      exitCodes.set(status, jiraExitCodes.get(status.jira) ?? ExitCode.AUTH);
    }
  } catch (error) {
    status.verified = false;
    status.error = errorInfo(error);
    rememberExitCode(status, error);
  }
  return status;
}

export async function run(options: StatusOptions, ctx: Context): Promise<StatusResult> {
  const [
    { loadConfig },
    { ENVIRONMENT_PROFILE_NAME, environmentSecret, resolveCredential },
    { defaultResolveDeps, presenceResolveDeps },
  ] = await Promise.all([
    import("../../config/store.js"),
    import("../../auth/resolve.js"),
    import("../../auth/stored-secret.js"),
  ]);
  const config: ConfigFile = await loadConfig(ctx.env);
  const verify = options.verify !== false;
  const products: Products = options.allProducts
    ? { confluence: true, jira: true }
    : { confluence: options.product !== "jira", jira: options.product === "jira" };
  // --no-verify shows where a secret is, not the secret: only OAuth's expiry needs the secret read
  const deps = verify ? defaultResolveDeps(ctx) : presenceResolveDeps(ctx);
  const storedEnv = withoutCredentialEnv(ctx.env);
  const requested = ctx.globals.profile;
  const effectiveName = requested ?? config.activeProfile;
  const envSecret = environmentSecret(ctx.env);
  const profiles: ProfileStatus[] = [];

  for (const name of Object.keys(config.profiles).sort()) {
    let status: ProfileStatus;
    try {
      const resolved = await resolveCredential({ env: storedEnv, config, requestedProfile: name }, deps);
      // JIRA_URL + JIRA_PERSONAL_TOKEN stand in for the Jira of the profile commands use, not of the others
      const jiraEnv = name === effectiveName && !envSecret ? ctx.env : storedEnv;
      status = await check(ctx, resolved, verify, products, jiraEnv);
    } catch (error) {
      const p = config.profiles[name]!;
      status = {
        name,
        active: false,
        site: p.site,
        deployment: p.deployment,
        kind: p.kind,
        apiBase: p.apiBase,
        secretSource: p.secretStore,
        plaintext: p.secretStore === "plaintext",
        verified: false,
        error: errorInfo(error),
      };
      rememberExitCode(status, error);
    }
    status.active = name === effectiveName && !envSecret;
    if (name === effectiveName && envSecret) status.overriddenBy = envSecret.variable;
    profiles.push(status);
  }

  // Credentials from the environment (or CONFLUENCE_URL + .netrc) form an "(environment)" pseudo-profile.
  if (envSecret || ctx.env.CONFLUENCE_URL?.trim()) {
    try {
      const resolved = await resolveCredential(
        { env: ctx.env, config, ...(requested ? { requestedProfile: requested } : {}) },
        deps,
      );
      if (envSecret || resolved.fromEnvironment) {
        const status = await check(ctx, resolved, verify, products);
        status.name = ENVIRONMENT_PROFILE_NAME;
        status.active = true;
        for (const p of profiles) {
          if (p.active) {
            p.active = false;
            p.overriddenBy = envSecret?.variable ?? "CONFLUENCE_URL";
          }
        }
        profiles.unshift(status);
      }
    } catch (error) {
      if (envSecret) {
        const status: ProfileStatus = {
          name: ENVIRONMENT_PROFILE_NAME,
          active: true,
          secretSource: `environment variable ${envSecret.variable}`,
          verified: false,
          error: errorInfo(error),
        };
        rememberExitCode(status, error);
        profiles.unshift(status);
      }
    }
  }

  if (profiles.length === 0) {
    // --json always prints JSON on stdout, even with nothing to list (the error goes to stderr as usual)
    if (ctx.globals.json) ctx.io.out(JSON.stringify({ profiles: [], active: null }, null, 2));
    throw new AuthError("not logged in: no profile, and no credential in the environment", {
      code: "auth.not_logged_in",
      hint: "run: confl auth login",
    });
  }
  const active = profiles.find((p) => p.active);
  print(ctx, profiles, verify);
  if (active && verify && active.verified === false) {
    // the exit code of what went wrong: 4 for the credential, 1 for an unreachable site, 2 for a bad URL
    const exitCode = exitCodes.get(active) ?? ExitCode.AUTH;
    const message = `the active profile "${active.name}" does not work: ${active.error?.message ?? "verification failed"}`;
    const options = {
      code: active.error?.code ?? "auth.failed",
      ...(active.error?.hint ? { hint: active.error.hint } : {}),
    };
    throw exitCode === ExitCode.AUTH
      ? new AuthError(message, options)
      : new ConflError(message, { ...options, exitCode });
  }
  return { profiles, ...(active ? { activeName: active.name } : {}) };
}

function relative(iso: string): string {
  const ms = Date.parse(iso) - Date.now();
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span =
    minutes < 120
      ? `${minutes} min`
      : minutes < 2880
        ? `${Math.round(minutes / 60)} h`
        : `${Math.round(minutes / 1440)} days`;
  return ms >= 0 ? `in ${span}` : `${span} ago (refreshed on next use if possible)`;
}

/** Atlassian shows a PAT as EXPIRES SOON 5 days before its end (using-personal-access-tokens-1026032365). */
const PAT_EXPIRES_SOON_MS = 5 * 24 * 3600_000;

function patLine(pat: PatExpiry, c: Context["io"]["colors"]): string {
  if (pat.neverExpires) return "never expires";
  if (!pat.expiresAt)
    return `one of ${pat.tokens} tokens, and Jira does not say which one this is: expiry unknown`;
  const left = Date.parse(pat.expiresAt) - Date.now();
  const days = Math.floor(Math.abs(left) / 86_400_000);
  if (left <= 0) return c.red(`expired on ${pat.expiresAt}`);
  const line = `expires ${pat.expiresAt} (in ${days < 1 ? "less than a day" : `${days} days`})`;
  return left <= PAT_EXPIRES_SOON_MS
    ? c.yellow(`${line}: create a new one in Jira (Profile → Personal Access Tokens)`)
    : line;
}

function print(ctx: Context, profiles: ProfileStatus[], verify: boolean): void {
  const active = profiles.find((p) => p.active)?.name;
  const c = ctx.io.colors;
  const ec = ctx.io.errColors;
  for (const p of profiles.filter((x) => x.plaintext)) {
    ctx.io.err(
      `${ec.bold(ec.yellow("WARNING:"))} profile "${p.name}" keeps its secret in a PLAINTEXT file; move it with: confl auth login --profile ${p.name} (keychain or --storage encrypted-file)`,
    );
  }
  if (ctx.globals.json) {
    ctx.io.out(JSON.stringify({ profiles, active: active ?? null }, null, 2));
    return;
  }
  const lines: string[] = [];
  for (const p of profiles) {
    lines.push(
      `${p.active ? c.green("* ") : "  "}${c.bold(p.name)}${p.active ? c.green(" (active)") : ""}${p.overriddenBy ? ` (overridden by ${p.overriddenBy})` : ""}`,
    );
    const row = (label: string, value: string) => lines.push(`    ${label.padEnd(11)}${value}`);
    if (p.site) row("site:", `${p.site} (${p.deployment === "cloud" ? "Cloud" : "Data Center"})`);
    if (p.apiBase && p.apiBase !== `${p.site}/` && p.apiBase !== `${p.site}/wiki/`) row("api:", p.apiBase);
    if (p.kind)
      row("kind:", `${p.kind}${p.email ? ` for ${p.email}` : p.username ? ` for ${p.username}` : ""}`);
    if (p.secretSource)
      row("secret:", `${p.secretSource}${p.plaintext ? c.yellow("  ← WARNING: not encrypted") : ""}`);
    if (p.identitySource && p.identitySource !== `profile ${p.name}`)
      row("identity:", `from ${p.identitySource}`);
    if (p.expiresAt) row("expires:", `${p.expiresAt} (${relative(p.expiresAt)})`);
    if (p.scopes) row("scopes:", p.scopes.join(" "));
    if (p.identity && (p.identity.displayName || p.identity.accountId || p.identity.username)) {
      const id = p.identity.accountId ?? p.identity.username;
      row("user:", `${p.identity.displayName ?? id}${id && p.identity.displayName ? ` (${id})` : ""}`);
    }
    if (p.jira) {
      if (p.jira.verified)
        row("jira:", c.green(`✓ ${p.jira.identity?.displayName ?? "working"} at ${p.jira.apiBase}`));
      else if (p.jira.notConfigured) row("jira:", c.dim(p.jira.error?.message ?? "not configured"));
      else row("jira:", c.red(`✗ ${p.jira.error?.message ?? "not working"}`));
      if (p.jira.pat) row("jira pat:", patLine(p.jira.pat, c));
      if (p.jira.secretSource?.startsWith("environment"))
        row("", `Jira credential from ${p.jira.secretSource}`);
      if (p.jira.error?.hint && !p.jira.verified && p.error?.code !== p.jira.error.code)
        row("", `hint: ${p.jira.error.hint}`);
    }
    if (!verify) row("status:", c.dim("not checked (--no-verify)"));
    else if (p.verified) row("status:", c.green("✓ working (user and content call verified)"));
    else {
      row("status:", c.red(`✗ ${p.error?.message ?? "not working"}`));
      if (p.error?.hint) row("", `hint: ${p.error.hint}`);
    }
  }
  if (!active) lines.push("", "No profile is active: choose one with confl auth switch");
  ctx.io.out(lines.join("\n"));
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("status")
    .description("Show every profile, where its credential comes from, and whether it works")
    .option("--no-verify", "do not contact the servers")
    .addOption(
      new Option("--product <product>", "which product's access to verify")
        .choices(["confluence", "jira"] as const)
        .default("confluence" as const),
    )
    .option("--all-products", "verify Confluence and Jira")
    .addHelpText(
      "after",
      `
Exits 4 when the active profile does not work (bad, expired or locked credential).

Examples:
  $ confl auth status
  $ confl auth status --json            # for scripts
  $ confl auth status --no-verify       # offline: what is stored, without asking the servers
  $ confl auth status --product jira    # Jira with the same credential (Cloud) or the profile's own (Data Center)
  $ confl auth status --all-products`,
    )
    .action(async (opts, cmd) => {
      await run(opts as StatusOptions, getContext(cmd as unknown as Command));
    });
}
