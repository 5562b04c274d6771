/**
 * When a Jira Data Center personal access token expires (issue 13). Jira DC 8.14+ has a PAT REST API under
 * `rest/pat/latest/tokens`: Atlassian documents creating a token there (`POST` with `{name, expirationDuration}`
 * in days, and the EXPIRES SOON state 5 days before the end) at
 * https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html. `GET` on the same
 * path lists the caller's tokens as `[{id, name, createdAt, expiringAt?}]`: that is how public Jira DC clients
 * read it, not a shape Atlassian's page spells out, so every other answer (an older Jira's 404, a refusal, an
 * unexpected body) means "unknown" and never an error.
 *
 * The list never contains the token itself, so when the user has several, which one confl is using cannot be
 * told: confl then says so instead of picking one. With exactly one token, the call was made with it, so its
 * expiry is the expiry.
 */
import type { HttpClient } from "../http/types.js";
import { stripControls } from "../redact.js";

export interface PatExpiry {
  /** how many tokens the user has */
  tokens: number;
  /** ISO time the token in use expires; set only when that token is known (the user has one) */
  expiresAt?: string;
  /** the token in use is known and has no expiry */
  neverExpires?: boolean;
  /** its name, when known */
  name?: string;
}

export const PAT_TOKENS_PATH = "rest/pat/latest/tokens";

/** Jira writes `+0000`; ISO 8601 as Date.parse reads it everywhere wants `+00:00`. */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The expiry of the PAT `client` authenticates with, or undefined when Jira does not say. */
export async function jiraPatExpiry(client: HttpClient): Promise<PatExpiry | undefined> {
  let data: unknown;
  try {
    data = (await client.request<unknown>({ path: PAT_TOKENS_PATH })).data;
  } catch {
    return undefined;
  }
  if (!Array.isArray(data)) return undefined;
  const tokens = data.filter((t): t is Record<string, unknown> => typeof t === "object" && t !== null);
  if (tokens.length !== data.length || tokens.length === 0) return undefined;
  if (tokens.length > 1) return { tokens: tokens.length };
  const only = tokens[0]!;
  const name = typeof only.name === "string" ? stripControls(only.name) : undefined;
  const expiresAt = isoTime(only.expiringAt);
  if (only.expiringAt !== undefined && only.expiringAt !== null && !expiresAt) return undefined;
  return {
    tokens: 1,
    ...(name ? { name } : {}),
    ...(expiresAt ? { expiresAt } : { neverExpires: true }),
  };
}
