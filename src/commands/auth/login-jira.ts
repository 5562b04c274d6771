/**
 * `confl auth login --product jira` (issue 13): on Data Center, Jira has its own base URL and its PATs are
 * product-specific, so a profile can hold a Jira base URL and a credential of its own. The secret is verified
 * (`rest/api/2/myself`, judged like Confluence's identity call), written to the secret store under a fresh entry
 * of its own (`<profile>#jira-<8 hex>`, never over the one in use), config.json is switched to it in one
 * atomic write, and only then the old Jira secret is removed. On Cloud, Jira shares the profile's credential:
 * there is nothing to log in.
 */
import { randomBytes } from "node:crypto";
import { registerStoredSecret } from "../../auth/kinds/index.js";
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

export async function runJiraLogin(
  options: LoginOptions,
  ctx: Context,
  readStdin: () => Promise<string>,
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
  if (!options.site)
    throw new UsageError("--product jira needs Jira's base URL in --site", {
      hint: `confl auth login${flag} --product jira --site https://jira.corp.example --type pat --with-token`,
    });
  const site = jiraSite(options.site);
  const kind = (options.type ?? "pat").trim().toLowerCase();
  if (kind !== "pat" && kind !== "password") {
    throw new UsageError(`--product jira takes --type pat or --type password, not ${kind}`, {
      hint: "Jira Data Center: a personal access token (Profile → Personal Access Tokens) or a username and password",
    });
  }
  if (kind === "pat" && (options.username || options.email))
    throw new UsageError("a personal access token is sent without a username: drop --username", {
      hint: `confl auth login${flag} --product jira --site ${site} --type pat --with-token`,
    });
  const username = options.username ?? options.email;
  if (kind === "password" && !username)
    throw new UsageError("--type password needs --username", {
      hint: `confl auth login${flag} --product jira --site ${site} --type password --username NAME --with-token`,
    });
  if (!options.withToken)
    throw new UsageError("give the Jira secret on standard input with --with-token", {
      hint: `confl auth login${flag} --product jira --site ${site} --type ${kind}${kind === "password" ? ` --username ${username}` : ""} --with-token`,
    });
  const value = (await readStdin()).split(/\r?\n/)[0]?.trim() ?? "";
  if (!value) throw new UsageError("standard input is empty: expected the Jira secret");
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
