/**
 * `confl auth login --product jira` (issue 13): on Data Center, Jira has its own base URL and its PATs are
 * product-specific, so a profile can hold a Jira base URL and a credential of its own. The secret is verified
 * (`rest/api/2/myself`, judged like Confluence's identity call), written to the secret store under a fresh entry
 * of its own (`<profile>#jira-<8 hex>`, never over the one in use), config.json is switched to it in one
 * atomic write, and only then the old Jira secret is removed. On Cloud, Jira shares the profile's credential:
 * there is nothing to log in. On a terminal without --with-token it asks for what the flags did not give (Jira's
 * URL, pat or password, the username, the masked secret) through the same prompter as Confluence's login.
 */
import { randomBytes } from "node:crypto";
import { registerStoredSecret } from "../../auth/kinds/index.js";
import { clackPrompter, type KindChoice, type LoginPrompter } from "../../auth/login-prompter.js";
import { clientForSession, openProfileStore } from "../../auth/session.js";
import type { StoredSecret } from "../../auth/types.js";
import type { JiraSettings, Profile } from "../../config/types.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { jiraProfile, jiraSecretEntryOf, jiraSite } from "../../jira/session.js";
import { type JiraIdentity, verifyJira } from "../../jira/verify.js";
import type { LoginOptions } from "./login.js";

export interface JiraLoginResult {
  profile: string;
  jira: {
    site: string;
    kind: JiraSettings["kind"];
    username?: string;
    storage: string;
    identity?: JiraIdentity;
  };
}

/** What Jira Data Center accepts, as the interactive login offers it. */
export const jiraKindChoices: KindChoice[] = [
  {
    kind: "pat",
    label: "Personal access token",
    hint: "Jira 8.14+: Profile → Personal Access Tokens; Jira's own, a Confluence PAT does not work",
  },
  {
    kind: "password",
    label: "Username and password",
    hint: "Basic auth; after a few failures Jira asks for a CAPTCHA in the browser",
  },
];

export async function runJiraLogin(
  options: LoginOptions,
  ctx: Context,
  readStdin: () => Promise<string>,
  deps: { prompter?: LoginPrompter } = {},
): Promise<JiraLoginResult> {
  const { loadConfig, upsertProfile } = await import("../../config/store.js");
  const config = await loadConfig(ctx.env);
  const name = ctx.globals.profile ?? config.activeProfile;
  const profile: Profile | undefined =
    name && Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  if (!name || !profile) {
    throw new UsageError("a Jira credential belongs to a Confluence profile, and there is none yet", {
      code: "usage.no_profile",
      hint: "log in to Confluence first (confl auth login), then add Jira with --product jira",
    });
  }
  const flag = name === "default" ? "" : ` --profile ${name}`;
  if (profile.deployment === "cloud") {
    throw new UsageError(
      `profile "${name}" is Cloud: Jira on ${profile.site} takes the same credential, so there is nothing to log in`,
      { code: "usage.jira_on_cloud", hint: `check it: confl${flag} auth status --product jira` },
    );
  }
  const prompter = ctx.io.canPrompt && !options.withToken ? (deps.prompter ?? clackPrompter(ctx)) : undefined;
  let siteInput = options.site;
  if (!siteInput) {
    if (!prompter)
      throw new UsageError("--product jira needs Jira's base URL in --site", {
        hint: `confl auth login${flag} --product jira --site https://jira.corp.example --type pat --with-token`,
      });
    siteInput = await prompter.site(
      "Jira URL (Jira's base URL, or paste any Jira page)",
      "https://jira.corp.example",
    );
  }
  const site = jiraSite(siteInput);
  const kind = (options.type ?? (prompter ? await prompter.kind(jiraKindChoices, "pat") : "pat"))
    .trim()
    .toLowerCase();
  if (kind !== "pat" && kind !== "password") {
    throw new UsageError(`--product jira takes --type pat or --type password, not ${kind}`, {
      hint: "Jira Data Center: a personal access token (Profile → Personal Access Tokens) or a username and password",
    });
  }
  if (kind === "pat" && (options.username || options.email))
    throw new UsageError("a personal access token is sent without a username: drop --username", {
      hint: `confl auth login${flag} --product jira --site ${site} --type pat --with-token`,
    });
  let username = options.username ?? options.email;
  if (kind === "password" && !username) {
    if (!prompter)
      throw new UsageError("--type password needs --username", {
        hint: `confl auth login${flag} --product jira --site ${site} --type password --username NAME --with-token`,
      });
    username = await prompter.identity("Jira username");
  }
  let value: string;
  if (options.withToken) {
    value = (await readStdin()).split(/\r?\n/)[0]?.trim() ?? "";
    if (!value) throw new UsageError("standard input is empty: expected the Jira secret");
  } else if (prompter) {
    value = (await prompter.secret(kind === "pat" ? "Jira personal access token" : "Jira password")).trim();
    if (!value) throw new UsageError("no Jira secret was given");
  } else {
    throw new UsageError("give the Jira secret on standard input with --with-token", {
      hint: `confl auth login${flag} --product jira --site ${site} --type ${kind}${kind === "password" ? ` --username ${username}` : ""} --with-token`,
    });
  }
  const secret: StoredSecret =
    kind === "pat" ? { kind: "pat", token: value } : { kind: "password", password: value };
  registerStoredSecret(secret);

  const settings: JiraSettings = {
    site,
    apiBase: `${site}/`,
    kind,
    ...(username && kind === "password" ? { username } : {}),
    secretStore: "none",
  };
  let identity: JiraIdentity | undefined;
  if (options.verify !== false) {
    const { createStrategy } = await import("../../auth/kinds/index.js");
    const asJira = jiraProfile(profile, settings);
    const strategy = createStrategy(asJira, secret, { ctx });
    const client = clientForSession(ctx, { profile: asJira, strategy }, { maxRetries: 1 });
    ({ identity } = await verifyJira(
      client,
      {
        site,
        apiBase: settings.apiBase,
        deployment: "dc",
        kind,
        onGateway: false,
        profileName: name,
        ...(settings.username ? { username: settings.username } : {}),
      },
      ctx.env,
    ));
    settings.identity = {
      ...(identity.displayName ? { displayName: identity.displayName } : {}),
      ...(identity.username ? { username: identity.username } : {}),
      verifiedAt: new Date().toISOString(),
    };
  }

  // New secret under a new key, then config.json switched to it, then the old Jira secret removed.
  const { chooseDefaultStore } = await import("../../secrets/index.js");
  const chosen = await chooseDefaultStore({
    env: ctx.env,
    io: ctx.io,
    ...(options.storage ? { requested: options.storage as "keychain" | "encrypted-file" | "plaintext" } : {}),
    insecureStorage: options.insecureStorage === true,
  });
  if (chosen.notice) ctx.io.err(`note: ${chosen.notice}`);
  if (chosen.warning)
    ctx.io.err(`${ctx.io.errColors.bold(ctx.io.errColors.yellow("WARNING:"))} ${chosen.warning}`);
  const key = `${name}#jira-${randomBytes(4).toString("hex")}`;
  await chosen.store.set(key, JSON.stringify(secret));
  settings.secretStore = chosen.kind;
  settings.secretEntry = key;
  const previous = profile.jira;
  await upsertProfile({ ...profile, jira: settings }, ctx.env);
  if (previous && previous.secretStore !== "none") {
    try {
      await (await openProfileStore({ ...profile, secretStore: previous.secretStore }, ctx))?.delete(
        jiraSecretEntryOf(profile, previous),
      );
    } catch (error) {
      ctx.io.err(`warning: could not remove the old Jira secret: ${(error as Error).message}`);
    }
  }
  ctx.io.err(
    `${ctx.io.errColors.green("✓")} Jira at ${site} added to profile ${name}${identity?.displayName ? ` as ${identity.displayName}` : ""} (${kind}, ${chosen.kind} store)`,
  );
  const result: JiraLoginResult = {
    profile: name,
    jira: {
      site,
      kind,
      ...(settings.username ? { username: settings.username } : {}),
      storage: chosen.kind,
      ...(identity ? { identity } : {}),
    },
  };
  if (ctx.globals.json) ctx.io.out(JSON.stringify(result));
  return result;
}
