/**
 * `confl auth login`: interactive on a TTY (URL → detection → kind → masked secret → verification), or
 * fully by flags with the secret on stdin (`--with-token`). A secret is never taken from argv.
 */
import { access } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { Option } from "@commander-js/extra-typings";
import { type Detection, detectSite, type Probe } from "../../auth/detect.js";
import {
  isOAuthKind,
  KIND_EXPLANATIONS,
  kindDescriptor,
  parseCredentialKind,
  registerStoredSecret,
  secretForKind,
} from "../../auth/kinds/index.js";
import type { SavedLogin, StorageQuestions } from "../../auth/login.js";
import { assertNoUserinfo, isGatewayUrl } from "../../auth/site-url.js";
import type { CredentialKind, StoredSecret } from "../../auth/types.js";
import { isValidProfileName, profileNameForSite } from "../../config/profile-name.js";
import type { Deployment, Profile, SecretStoreKind, TlsSettings } from "../../config/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { AuthError, InterruptedError, UsageError } from "../../errors.js";
import { terminalColumns, wrapDefinition } from "../../output/wrap.js";
import { registerSecret } from "../../redact.js";
import { type Confirm, clackConfirm, clackPrompter, type KindChoice, type LoginPrompter } from "./prompts.js";

export interface LoginOptions {
  site?: string;
  type?: string;
  email?: string;
  username?: string;
  withToken?: boolean;
  cloudId?: string;
  deployment?: string;
  storage?: string;
  insecureStorage?: boolean;
  caFile?: string;
  clientCert?: string;
  clientKey?: string;
  /** false with --no-verify */
  verify?: boolean;
  clientId?: string;
  scopes?: string;
  callbackPort?: string | number;
  /** false with --no-browser */
  browser?: boolean;
  /** OAuth: read the app's client secret from the first line of stdin */
  clientSecretStdin?: boolean;
  /** --product jira: add Jira Data Center's own URL and credential to the profile (login-jira.ts) */
  product?: "confluence" | "jira";
  /** replace a profile (--profile NAME) that belongs to another site without asking */
  force?: boolean;
  /** not an option confl takes: caught to point at --with-token */
  token?: string | boolean;
}

export interface LoginDeps {
  prompter?: LoginPrompter;
  /** the yes/no question on a terminal (default: @clack/prompts) */
  confirm?: Confirm;
  readStdin?: () => Promise<string>;
  probe?: Probe;
}

export type LoginResult = SavedLogin;

const MAX_STDIN_BYTES = 1024 * 1024;

async function readAllStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError("standard input is larger than 1 MiB; expected a token");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The same site, whatever the spelling (a trailing slash, the case of the host). */
function sameSite(a: string, b: string): boolean {
  const norm = (site: string) => {
    try {
      const url = new URL(site);
      return `${url.origin}${url.pathname.replace(/\/+$/, "")}`.toLowerCase();
    } catch {
      return site.replace(/\/+$/, "").toLowerCase();
    }
  };
  return norm(a) === norm(b);
}

/**
 * The profile a login writes. With --profile (or CONFL_PROFILE), that one; a name that belongs to another site
 * is replaced only after a yes on a terminal, or with --force. Without, the site's own profile, named after
 * its host like gh's per-host entries (asked on a terminal when other profiles exist, with that as the
 * answer to accept); the same site again updates it, another site adds its own.
 */
async function chooseProfileName(
  ctx: Context,
  site: string,
  options: LoginOptions,
  prompter: LoginPrompter | undefined,
  deps: LoginDeps,
): Promise<string> {
  const { loadConfig, validateProfileName } = await import("../../config/store.js");
  const config = await loadConfig(ctx.env);
  const explicit = ctx.globals.profile;
  let name = explicit ?? siteProfileName(site, config.profiles);
  if (!explicit && prompter?.profileName && Object.keys(config.profiles).length > 0)
    name = await prompter.profileName(name);
  validateProfileName(name);
  const existing = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  if (!existing || sameSite(existing.site, site) || options.force) return name;
  const question = `Profile ${name} is for ${existing.site}. Replace it with ${site}?`;
  if (ctx.io.canPrompt) {
    const confirm = deps.confirm ?? prompter?.confirm ?? clackConfirm(ctx);
    if (await confirm(question)) return name;
    throw new InterruptedError(`profile ${name} was left as it is`);
  }
  throw new UsageError(`profile ${name} is for ${existing.site}, not ${site}`, {
    code: "usage.profile_other_site",
    hint: `add --force to replace it, or leave out --profile to use ${siteProfileName(site, config.profiles)}: ${commandLine(ctx, { ...options, site }, [...(options.withToken ? ["--with-token"] : []), "--force"])}`,
  });
}

/** The host-named profile for a site; when that name is another site's (another context path), the path joins it. */
function siteProfileName(site: string, profiles: Record<string, Profile>): string {
  const base = profileNameForSite(site);
  const taken = Object.hasOwn(profiles, base) ? profiles[base] : undefined;
  if (!taken || sameSite(taken.site, site)) return base;
  let path = "";
  try {
    path = new URL(site).pathname;
  } catch {}
  const suffix = path.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  const withPath = `${base}-${suffix || "2"}`.slice(0, 64);
  return isValidProfileName(withPath) ? withPath : base;
}

/** A login command line built from what this run was given (for hints: it runs as printed). */
function commandLine(
  ctx: Context,
  options: Pick<LoginOptions, "site" | "type" | "email" | "username">,
  extra: string[] = [],
): string {
  const quote = (value: string) =>
    /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
  const words = ["confl", "auth", "login"];
  if (ctx.globals.profile) words.push("--profile", quote(ctx.globals.profile));
  for (const [flag, value] of [
    ["--site", options.site],
    ["--type", options.type],
    ["--email", options.email],
    ["--username", options.username],
  ] as const) {
    if (value) words.push(flag, quote(value));
  }
  return [...words, ...extra].join(" ");
}

async function tlsSettings(options: LoginOptions): Promise<TlsSettings | undefined> {
  const tls: TlsSettings = {};
  for (const [flag, key] of [
    ["--ca-file", "caFile"],
    ["--client-cert", "clientCert"],
    ["--client-key", "clientKey"],
  ] as const) {
    const value = options[key];
    if (!value) continue;
    const path = resolvePath(value);
    try {
      await access(path);
    } catch {
      throw new UsageError(`${flag} ${value}: no such file`, { hint: "give the path of a PEM file" });
    }
    tls[key] = path;
  }
  if (Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    throw new UsageError("--client-cert and --client-key go together", {
      hint: "give both PEM files for mTLS",
    });
  }
  return Object.keys(tls).length > 0 ? tls : undefined;
}

function parseDeployment(value: string | undefined): Deployment | undefined {
  if (value === undefined) return undefined;
  if (value === "cloud" || value === "dc") return value;
  if (value === "server" || value === "datacenter" || value === "data-center") return "dc";
  throw new UsageError(`--deployment ${value}: expected cloud or dc`);
}

function parseStorage(value: string | undefined): Exclude<SecretStoreKind, "none"> | undefined {
  if (value === undefined) return undefined;
  if (value === "keychain" || value === "encrypted-file" || value === "plaintext") return value;
  throw new UsageError(`--storage ${value}: expected keychain, encrypted-file or plaintext`);
}

/** Detection, with a network or TLS failure turned into one diagnosed AuthError. */
async function detectOrDiagnose(
  site: string,
  kind: CredentialKind | undefined,
  ctx: Context,
  deps: LoginDeps,
  tls: TlsSettings | undefined,
  cloudId: string | undefined,
  deployment?: Deployment,
): Promise<Detection> {
  const probe = deps.probe ?? (await import("../../auth/session.js")).createProbe(ctx, tls, tls);
  try {
    return await detectSite(site, {
      env: ctx.env,
      probe,
      ...(deployment ? { deployment } : {}),
      ...(cloudId ? { cloudId } : {}),
      debug: (line) => ctx.debug(line),
    });
  } catch (error) {
    if (error instanceof UsageError || error instanceof AuthError) throw error;
    const { diagnoseError } = await import("../../auth/diagnose.js");
    throw diagnoseError(
      error,
      {
        kind: kind ?? "none",
        deployment: deployment ?? "dc",
        site,
        apiBase: site,
        onGateway: false,
        phase: "identity",
      },
      ctx.env,
    );
  }
}

function describeDetection(d: Detection): string {
  const what = d.deployment === "cloud" ? "Confluence Cloud" : "Confluence Data Center";
  return `${what} at ${d.site} (from ${d.evidence})${d.cloudId ? `, cloud id ${d.cloudId}` : ""}`;
}

function defaultKind(detection: Detection, identity: { email?: string; username?: string }): CredentialKind {
  if (detection.deployment === "cloud") return isGatewayUrl(detection.apiBase) ? "scoped-token" : "api-token";
  return identity.username || identity.email ? "password" : "pat";
}

function kindChoices(deployment: Deployment): KindChoice[] {
  const order: CredentialKind[] =
    deployment === "cloud"
      ? ["api-token", "scoped-token", "oauth", "client-credentials", "none"]
      : ["pat", "password", "cookie", "oauth", "client-credentials", "none"];
  return order.map((kind) => ({ kind, label: kind, hint: KIND_EXPLANATIONS[kind] }));
}

/** Splits what --with-token read: the first line is the secret; for pat/cookie a second line is the other half. */
function secretFromInput(kind: CredentialKind, input: string): StoredSecret {
  const lines = input
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const first = lines[0];
  if (!first)
    throw new UsageError("no secret on standard input", {
      hint: "pipe the secret into the same command: printf '%s' \"$TOKEN\" | …, or < token.txt",
    });
  for (const line of lines) registerSecret(line);
  const secret = secretForKind(kind, first, lines[1]);
  if (!secret) throw new UsageError(`--type ${kind} takes no secret on standard input`);
  return secret;
}

export async function run(options: LoginOptions, ctx: Context, deps: LoginDeps = {}): Promise<LoginResult> {
  if (options.token !== undefined) {
    // Never echo the value: it is a secret that is already in argv and probably in shell history.
    if (typeof options.token === "string") registerSecret(options.token);
    throw new UsageError("unknown option --token: did you mean --with-token, with the secret on stdin?", {
      code: "usage.token_argument",
      hint:
        "a secret given as an argument is visible to other processes and kept in shell history (rotate this one if it was real): " +
        `printf '%s' "$TOKEN" | ${commandLine(ctx, options, ["--with-token"])}`,
    });
  }
  const [
    { validateProfileName, getProfile },
    { API_TOKEN_URL },
    { SECRET_ATTEMPTS, saveLoginAsking },
    { applyDetection },
  ] = await Promise.all([
    import("../../config/store.js"),
    import("../../auth/diagnose.js"),
    import("../../auth/login.js"),
    import("../../auth/session.js"),
  ]);
  if (ctx.globals.profile !== undefined) validateProfileName(ctx.globals.profile);
  let kind = options.type ? parseCredentialKind(options.type) : undefined;
  const deployment = parseDeployment(options.deployment);
  const requestedStorage = parseStorage(options.storage);
  if (kind === "pat" && (options.email || options.username)) {
    throw new UsageError(
      "a personal access token is sent alone (Bearer): it takes no --email or --username",
      {
        code: "usage.pat_with_identity",
        hint: "drop --email/--username, or use --type password for a username and password",
      },
    );
  }
  // Before anything is sent or stored: no path below may keep or print a user:password@ part.
  if (options.site !== undefined) assertNoUserinfo(options.site);
  const tls = await tlsSettings(options);
  const interactive = ctx.io.canPrompt && !options.withToken;
  const prompter = interactive ? (deps.prompter ?? clackPrompter(ctx)) : undefined;
  const readStdin = deps.readStdin ?? (() => readAllStdin(ctx.io.stdin));

  if (kind && isOAuthKind(kind)) {
    // Which authorization server depends on the deployment: a DC site must never be sent to auth.atlassian.com,
    // and client credentials on DC use the instance's own token endpoint (issue 10 item 2).
    let oauthDeployment = deployment;
    let oauthSite = options.site;
    if (oauthSite && !oauthDeployment) {
      const detection = await detectOrDiagnose(oauthSite, kind, ctx, deps, tls, options.cloudId);
      ctx.io.err(`Detected ${describeDetection(detection)}`);
      oauthDeployment = detection.deployment;
      if (detection.deployment === "dc") oauthSite = detection.site;
    }
    return loginWithOAuth(kind, { ...options, ...(oauthSite ? { site: oauthSite } : {}) }, ctx, {
      deps,
      prompter,
      deployment: oauthDeployment,
      tls,
      requestedStorage,
      readStdin,
    });
  }

  let site = options.site;
  if (!site) {
    if (!prompter)
      throw new UsageError("--site is required without a terminal", {
        hint: "give the site's URL with --site and pipe the secret in with --with-token (examples: 'confl auth login --help')",
      });
    site = await prompter.site();
    assertNoUserinfo(site);
  }
  const detection = await detectOrDiagnose(site, kind, ctx, deps, tls, options.cloudId, deployment);
  ctx.io.err(`Detected ${describeDetection(detection)}`);
  // A kind that cannot work on this deployment is refused before anything is sent (issue 10).
  if (detection.deployment === "cloud" && kind === "pat") {
    throw new UsageError("PATs are Data Center only: use api-token with --email", {
      code: "usage.pat_on_cloud",
      hint: `${detection.site} is Confluence Cloud (Cloud answers a Bearer PAT with 403 "Failed to parse Connect Session Auth Token"); create an API token at ${API_TOKEN_URL} and log in with --type api-token and --email (the Atlassian account that created the token) instead of --type pat`,
    });
  }
  if (detection.deployment === "dc" && kind === "api-token") {
    throw new UsageError("API tokens are Cloud only: use a PAT", {
      code: "usage.api_token_on_dc",
      hint: `${detection.site} is Confluence Data Center: create a personal access token (Profile → Personal Access Tokens) and run: ${commandLine(ctx, { site: detection.site, type: "pat" }, ["--with-token"])}`,
    });
  }

  if (!kind) {
    const initial = defaultKind(detection, options);
    kind = prompter ? await prompter.kind(kindChoices(detection.deployment), initial) : initial;
    if (isOAuthKind(kind)) {
      return loginWithOAuth(kind, { ...options, site }, ctx, {
        deps,
        prompter,
        deployment: detection.deployment,
        tls,
        requestedStorage,
        readStdin,
      });
    }
  }
  if (detection.deployment === "dc" && kind === "scoped-token") {
    throw new UsageError("scoped API tokens exist only on Atlassian Cloud", {
      hint: "on Data Center use --type pat",
    });
  }

  // --email and --username are one identity flag spelled two ways (like CONFLUENCE_EMAIL/CONFLUENCE_USERNAME):
  // a Cloud account is an email, a Data Center one a username, and people type whichever comes to mind.
  let email =
    options.email ?? (kind === "api-token" || kind === "scoped-token" ? options.username : undefined);
  let username = options.username;
  if ((kind === "api-token" || kind === "scoped-token") && !email) {
    if (!prompter)
      throw new UsageError(`--type ${kind} needs --email (the Atlassian account that created the token)`);
    email = await prompter.identity("Email of your Atlassian account", "email");
  }
  if (kind === "password" && !username) {
    username = email;
    if (!username) {
      if (!prompter) throw new UsageError("--type password needs --username");
      username = await prompter.identity("Username");
    }
  }

  let secret: StoredSecret | undefined;
  const input = kindDescriptor(kind).input;
  if (input) {
    if (options.withToken) {
      secret = secretFromInput(kind, await readStdin());
    } else if (prompter) {
      secret = secretFromInput(kind, await prompter.secret(input.label));
    } else {
      throw new UsageError(`--type ${kind} needs a secret: pass --with-token and pipe it on standard input`, {
        code: "usage.no_secret",
        hint: `printf '%s' "$TOKEN" | ${commandLine(ctx, { site, type: kind, ...(kind === "password" ? { username } : { email }) }, ["--with-token"])}`,
      });
    }
  }
  registerStoredSecret(secret);

  const profileName = await chooseProfileName(ctx, detection.site, options, prompter, deps);
  const previous = await getProfile(profileName, ctx.env);
  const profile: Profile = applyDetection(
    {
      name: profileName,
      site: detection.site,
      deployment: detection.deployment,
      apiBase: detection.apiBase,
      kind,
      secretStore: "none",
      ...(kind === "api-token" || kind === "scoped-token" ? { email: email! } : {}),
      ...(kind === "password" ? { username: username! } : {}),
      ...(tls ? { tls } : {}),
      createdAt: previous?.createdAt ?? new Date().toISOString(),
    },
    detection,
    ctx.env,
  );

  // On a terminal, a secret the server rejects is asked again (up to SECRET_ATTEMPTS), not the whole login.
  const askAgain =
    prompter && input && !options.withToken
      ? async (rejection: AuthError, attempt: number) => {
          prompter.note(
            `${ctx.io.errColors.red("✗")} ${rejection.message}. Type it again (attempt ${attempt} of ${SECRET_ATTEMPTS}).`,
          );
          const again = secretFromInput(kind, await prompter.secret(input.label));
          registerStoredSecret(again);
          return again;
        }
      : undefined;
  const saved = await saveLoginAsking(
    ctx,
    {
      profile,
      secret,
      previous,
      verify: options.verify !== false,
      ...(requestedStorage ? { requestedStorage } : {}),
      insecureStorage: options.insecureStorage === true,
      ...storageQuestions(prompter),
    },
    askAgain,
  );
  report(ctx, saved, options.verify !== false);
  return saved;
}

/** On a terminal, where the secret goes without a keychain is asked (the prompter's own questions). */
function storageQuestions(prompter: LoginPrompter | undefined): { ask?: StorageQuestions } {
  const store = prompter?.storage?.bind(prompter);
  if (!prompter || !store) return {};
  return { ask: { store, passphrase: (message) => prompter.secret(message) } };
}

function storageLabel(storage: SecretStoreKind): string {
  return storage === "keychain"
    ? "the OS keychain"
    : storage === "encrypted-file"
      ? "an encrypted file"
      : storage === "plaintext"
        ? "a PLAINTEXT file"
        : "nowhere (no secret)";
}

function report(ctx: Context, result: LoginResult, verified: boolean): void {
  const { profile, identity, storage } = result;
  if (ctx.globals.json) {
    ctx.io.out(
      JSON.stringify({
        profile: profile.name,
        site: profile.site,
        deployment: profile.deployment,
        kind: profile.kind,
        apiBase: profile.apiBase,
        ...(profile.cloudId ? { cloudId: profile.cloudId } : {}),
        storage,
        verified,
        ...(identity ? { identity } : {}),
        ...(result.rerouted ? { rerouted: result.rerouted } : {}),
      }),
    );
    return;
  }
  const who = identity
    ? ` as ${identity.displayName ?? identity.username ?? identity.accountId}${identity.accountId ? ` (${identity.accountId})` : identity.username ? ` (${identity.username})` : ""}`
    : "";
  ctx.io.err(
    verified
      ? `${ctx.io.errColors.green("✓")} Logged in to ${profile.site}${who}`
      : `${ctx.io.errColors.yellow("!")} Saved profile for ${profile.site} (not verified: --no-verify)`,
  );
  ctx.io.err(`  profile ${profile.name}, ${profile.kind}, secret in ${storageLabel(storage)}`);
}

async function loginWithOAuth(
  kind: "oauth" | "client-credentials",
  options: LoginOptions,
  ctx: Context,
  extra: {
    deps: LoginDeps;
    prompter: LoginPrompter | undefined;
    deployment: Deployment | undefined;
    tls: TlsSettings | undefined;
    requestedStorage: Exclude<SecretStoreKind, "none"> | undefined;
    readStdin: () => Promise<string>;
  },
): Promise<LoginResult> {
  const { loginOAuth } = await import("../../auth/oauth/index.js");
  const { getProfile } = await import("../../config/store.js");
  const callbackPort = options.callbackPort === undefined ? undefined : Number(options.callbackPort);
  if (
    callbackPort !== undefined &&
    !(Number.isInteger(callbackPort) && callbackPort > 0 && callbackPort < 65536)
  ) {
    throw new UsageError(`--callback-port ${options.callbackPort}: expected a port number`);
  }
  // on a terminal the app's client id is asked like everything else (the secret is asked by the flow)
  if (!options.clientId && !options.withToken && extra.prompter)
    options = { ...options, clientId: await extra.prompter.identity("OAuth client ID") };
  let accessToken: string | undefined;
  if (options.withToken) {
    accessToken = (await extra.readStdin()).split(/\r?\n/)[0]?.trim();
    registerSecret(accessToken);
  }
  // the profile's name for the flow's own hints; the one written is chosen once the site is known
  const provisionalName =
    ctx.globals.profile ?? (options.site ? profileNameForSite(options.site) : undefined);
  const result = await loginOAuth(
    {
      type: kind,
      profileName: provisionalName ?? "",
      ...(options.site ? { site: options.site } : {}),
      ...(extra.deployment ? { deployment: extra.deployment } : {}),
      ...(options.clientId ? { clientId: options.clientId } : {}),
      ...(options.scopes ? { scopes: options.scopes.split(/[\s,]+/).filter(Boolean) } : {}),
      ...(callbackPort !== undefined ? { callbackPort } : {}),
      browser: options.browser !== false,
      ...(accessToken ? { accessToken } : {}),
      ...(options.clientSecretStdin ? { clientSecretStdin: true } : {}),
      ...(extra.tls ? { tls: extra.tls } : {}),
    },
    ctx,
  );
  registerStoredSecret(result.secret);
  const profileName = await chooseProfileName(ctx, result.profile.site, options, extra.prompter, extra.deps);
  const previous = await getProfile(profileName, ctx.env);
  const profile: Profile = {
    ...result.profile,
    name: profileName,
    ...(extra.tls ? { tls: extra.tls } : {}),
  };
  // Verified before anything is stored, like every other kind: a bring-your-own token included.
  const verify = options.verify !== false;
  const { saveLogin } = await import("../../auth/login.js");
  const saved = await saveLogin(ctx, {
    profile,
    secret: result.secret,
    previous,
    verify,
    ...(extra.requestedStorage ? { requestedStorage: extra.requestedStorage } : {}),
    insecureStorage: options.insecureStorage === true,
    ...storageQuestions(extra.prompter),
  });
  report(ctx, saved, verify);
  return saved;
}

/** `auth login --help`'s list of kinds, each explanation wrapped to the terminal's width. */
export function kindsHelp(columns: number): string {
  const termWidth = Math.max(...Object.keys(KIND_EXPLANATIONS).map((kind) => kind.length));
  return Object.entries(KIND_EXPLANATIONS)
    .flatMap(([kind, text]) => wrapDefinition(kind, text, { columns, termWidth, indent: "  " }))
    .join("\n");
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("login")
    .description("Log in to a Confluence site and store the credential securely")
    .option("--site <url>", "the site: any Confluence URL (a page URL works too)")
    .addOption(
      new Option(
        "--type <kind>",
        "credential kind: api-token, scoped-token, pat, password, cookie, none, oauth, client-credentials",
      ),
    )
    .option("--email <email>", "Cloud: the Atlassian account email (for api-token / scoped-token)")
    .option("--username <name>", "Data Center: the username (for password); an alias of --email on Cloud")
    .option("--with-token", "read the secret from standard input (never give it as an argument)")
    // gh and others take --token <value>; confl never takes a secret as an argument (argv is visible to
    // every process on the machine and lands in shell history), so it is caught here and pointed at stdin.
    .addOption(new Option("--token [value]").hideHelp())
    .option("--cloud-id <id>", "Cloud: the site's cloud id (default: discovered from /_edge/tenant_info)")
    .addOption(new Option("--deployment <where>", "skip detection").choices(["cloud", "dc"]))
    .addOption(
      new Option("--storage <store>", "where to keep the secret").choices([
        "keychain",
        "encrypted-file",
        "plaintext",
      ]),
    )
    .option("--insecure-storage", "allow storing the secret in a plain-text file")
    .option("--force", "replace a --profile that belongs to another site without asking")
    .option("--ca-file <pem>", "trust this CA bundle (self-signed or company CA)")
    .option("--client-cert <pem>", "client certificate for mTLS")
    .option("--client-key <pem>", "client private key for mTLS")
    .option("--no-verify", "save without checking the credential against the server")
    .option("--client-id <id>", "OAuth: the app's client id")
    .option(
      "--scopes <scopes>",
      "OAuth: read (default: what confl's read commands need), write (read + writes), or scope names",
    )
    .option("--callback-port <port>", "OAuth: local port for the browser redirect")
    .option("--no-browser", "OAuth: print the URL instead of opening a browser")
    .addOption(
      new Option(
        "--product <product>",
        "jira: add Jira Data Center's own URL and token to the profile (Cloud needs none)",
      ).choices(["confluence", "jira"] as const),
    )
    .option(
      "--client-secret-stdin",
      "OAuth: read the app's client secret from standard input (or set CONFL_OAUTH_CLIENT_SECRET)",
    )
    .addHelpText(
      "after",
      () => `
Kinds:
${kindsHelp(terminalColumns())}

Examples:
  $ confl auth login                                    # interactive
  $ printf '%s' "$TOKEN" | confl auth login --site acme.atlassian.net --type api-token --email me@acme.com --with-token
  $ confl auth login --site https://wiki.corp.example/confluence --type pat --with-token < pat.txt
  $ printf '%s' "$PASSWORD" | confl auth login --profile ci --site https://wiki.corp.example --type password --username svc --with-token --storage encrypted-file
  $ confl --profile dc auth login --product jira --site https://jira.corp.example/jira --type pat --with-token < jira-pat.txt
  $ confl --profile dc auth login --product jira          # interactive: Jira's URL, pat or password, the secret`,
    )
    .action(async (opts, cmd) => {
      const ctx = getContext(cmd as unknown as Command);
      if ((opts as LoginOptions).product === "jira") {
        const { runJiraLogin } = await import("./login-jira.js");
        await runJiraLogin(opts as LoginOptions, ctx, () => readAllStdin(ctx.io.stdin));
        return;
      }
      await run(opts as LoginOptions, ctx);
    });
}
