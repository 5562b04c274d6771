/**
 * A client for a profile's Jira (issue 13). Cloud: the site (or `/ex/jira/{cloudId}/` through the gateway) with the
 * profile's own credential. Data Center: Jira's own base URL and its own credential (profile.jira), loaded from
 * the same secret store under its own entry; the client's credential scope is the Jira base only, so the Jira
 * PAT never reaches Confluence and Confluence's never reaches Jira.
 */
import { createStrategy, createStrategyAsync, registerStoredSecret } from "../auth/kinds/index.js";
import {
  type ClientOverrides,
  clientForSession,
  openProfileStore,
  parseStoredSecret,
  productApiBase,
} from "../auth/session.js";
import { assertNoUserinfo, isGatewayUrl } from "../auth/site-url.js";
import type { AuthStrategy, StoredSecret } from "../auth/types.js";
import type { JiraSettings, Profile } from "../config/types.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import type { HttpClient } from "../http/types.js";
import type { JiraTarget } from "./verify.js";

/** Jira's base URL from what a person gives: a base, a page or a REST URL (its context path kept). */
export function jiraSite(input: string): string {
  assertNoUserinfo(input);
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`);
  } catch {
    throw new UsageError(`not a URL: ${input}`, {
      hint: "give Jira's base URL, e.g. https://jira.corp.example/jira",
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new UsageError(`not an http(s) URL: ${input}`, {
      hint: "give Jira's base URL, e.g. https://jira.corp.example",
    });
  // a page or REST URL pasted whole: keep the context path before Jira's own paths
  const path = url.pathname.replace(/\/(rest|browse|secure|projects|issues)(\/.*)?$/, "").replace(/\/+$/, "");
  return `${url.origin}${path}`;
}

/** A Data Center Jira given by the environment: never stored, used as it is. */
export interface EnvironmentJira {
  settings: JiraSettings;
  secret: StoredSecret;
  variable: "JIRA_PERSONAL_TOKEN";
}

const nonEmpty = (value: string | undefined) =>
  value !== undefined && value.trim() !== "" ? value.trim() : undefined;

/**
 * JIRA_URL + JIRA_PERSONAL_TOKEN: Jira Data Center's base URL and a Jira PAT, the Jira counterpart of
 * CONFLUENCE_URL + CONFLUENCE_PERSONAL_TOKEN. Used for a Data Center profile (stored or from the environment)
 * ahead of the Jira credential stored with it, as environment credentials come before stored ones. Undefined
 * when neither is set; one without the other is a usage error rather than a silent fallback.
 */
export function environmentJira(env: NodeJS.ProcessEnv): EnvironmentJira | undefined {
  const url = nonEmpty(env.JIRA_URL);
  const token = nonEmpty(env.JIRA_PERSONAL_TOKEN);
  if (!url && !token) return undefined;
  if (!url)
    throw new UsageError("JIRA_PERSONAL_TOKEN is set but JIRA_URL is not: Jira Data Center needs both", {
      code: "usage.jira_env",
      hint: "set JIRA_URL to Jira's base URL as well, e.g. JIRA_URL=https://jira.corp.example/jira",
    });
  if (!token)
    throw new UsageError("JIRA_URL is set but JIRA_PERSONAL_TOKEN is not: Jira Data Center needs both", {
      code: "usage.jira_env",
      hint: "set JIRA_PERSONAL_TOKEN to a Jira personal access token (Jira → Profile → Personal Access Tokens), or unset JIRA_URL",
    });
  const site = jiraSite(url);
  return {
    settings: { site, apiBase: `${site}/`, kind: "pat", secretStore: "none" },
    secret: { kind: "pat", token },
    variable: "JIRA_PERSONAL_TOKEN",
  };
}

/** The store entry of a profile's Jira secret: only a key this scheme could have made for this profile. */
export function jiraSecretEntryOf(
  profile: Pick<Profile, "name">,
  jira: Pick<JiraSettings, "secretEntry">,
): string {
  const key = jira.secretEntry;
  if (key?.startsWith(`${profile.name}#jira-`) && /^[0-9a-f]{8}$/.test(key.slice(profile.name.length + 6)))
    return key;
  return `${profile.name}#jira`;
}

function profileFlag(name: string): string {
  return name === "default" || name.startsWith("(") ? "" : ` --profile ${name}`;
}

export function noJiraError(profile: Pick<Profile, "name">): UsageError {
  return new UsageError(
    `profile "${profile.name}" is Data Center and has no Jira: Jira has its own URL and token there`,
    {
      code: "usage.jira_on_dc",
      hint: `add one: confl auth login${profileFlag(profile.name)} --product jira --site https://jira.example.com --type pat --with-token`,
    },
  );
}

/** The profile Jira's requests are made as: Jira's base and credential kind, the profile's name and TLS. */
export function jiraProfile(profile: Profile, jira: JiraSettings): Profile {
  const p: Profile = {
    name: profile.name,
    site: jira.site,
    deployment: "dc",
    apiBase: jira.apiBase,
    kind: jira.kind,
    secretStore: jira.secretStore,
    ...(jira.username ? { username: jira.username } : {}),
    ...(profile.tls ? { tls: profile.tls } : {}),
    ...(profile.readOnly ? { readOnly: profile.readOnly } : {}),
  };
  return p;
}

export function jiraTarget(profile: Profile, env: NodeJS.ProcessEnv): JiraTarget {
  if (profile.deployment === "dc") {
    const jira = environmentJira(env)?.settings ?? profile.jira;
    if (!jira) throw noJiraError(profile);
    return {
      site: jira.site,
      apiBase: jira.apiBase,
      deployment: "dc",
      kind: jira.kind,
      onGateway: false,
      profileName: profile.name,
      ...(jira.username ? { username: jira.username } : {}),
    };
  }
  const apiBase = productApiBase(profile, "jira", env);
  return {
    site: new URL(profile.site).origin,
    apiBase,
    deployment: "cloud",
    kind: profile.kind,
    onGateway: isGatewayUrl(apiBase),
    profileName: profile.name,
    ...(profile.email ? { email: profile.email } : {}),
  };
}

/** The Data Center Jira strategy: the Jira secret from its own entry. */
export async function jiraDcStrategy(
  ctx: Context,
  profile: Profile,
  jira: JiraSettings,
): Promise<AuthStrategy> {
  const asJira = jiraProfile(profile, jira);
  const store = await openProfileStore(asJira, ctx);
  const raw = store ? await store.get(jiraSecretEntryOf(profile, jira)) : undefined;
  if (raw === undefined) {
    throw new AuthError(`no Jira secret is stored for profile "${profile.name}"`, {
      code: "auth.no_secret",
      hint: `run: confl auth login${profileFlag(profile.name)} --product jira --site ${jira.site} --type ${jira.kind}${jira.kind === "password" ? ` --username ${jira.username ?? "NAME"}` : ""} --with-token`,
    });
  }
  const secret = parseStoredSecret(raw, profile.name);
  return createStrategyAsync(asJira, secret, { ctx, ...(store ? { store } : {}) });
}

/**
 * The client for the profile's Jira. `strategy` is the profile's own (Cloud reuses it); Data Center loads Jira's.
 */
export async function jiraClient(
  ctx: Context,
  session: { profile: Profile; strategy: AuthStrategy },
  overrides: ClientOverrides = {},
): Promise<{ client: HttpClient; target: JiraTarget }> {
  const { profile } = session;
  const target = jiraTarget(profile, ctx.env);
  if (profile.deployment === "cloud")
    return { client: clientForSession(ctx, session, { ...overrides, product: "jira" }), target };
  const { product: _product, ...rest } = overrides;
  const fromEnv = environmentJira(ctx.env);
  if (fromEnv) {
    registerStoredSecret(fromEnv.secret);
    const asJira = jiraProfile(profile, fromEnv.settings);
    const strategy = createStrategy(asJira, fromEnv.secret, { ctx });
    return { client: clientForSession(ctx, { profile: asJira, strategy }, rest), target };
  }
  const jira = profile.jira as JiraSettings;
  const strategy = await jiraDcStrategy(ctx, profile, jira);
  return { client: clientForSession(ctx, { profile: jiraProfile(profile, jira), strategy }, rest), target };
}
