/**
 * What detection learned about a site known only from CONFLUENCE_URL (or --site), kept for a day so that a
 * script calling confl in a loop probes the site once, not on every call (issue 14): Cloud costs one
 * `/_edge/tenant_info` request, Data Center two (`tenant_info`, then `rest/api/server-information`;
 * confluence-api.md §5.4). Only facts anyone may fetch without a credential are kept: the deployment, the API
 * root, the cloudId (public at https://{site}/_edge/tenant_info,
 * https://developer.atlassian.com/cloud/automation/api/base-paths). Never a secret, an identity or a user.
 *
 * `detection-cache.json` in the config directory, 0600 in a 0700 directory, replaced atomically
 * (private-files.ts). Entries are keyed by the normalised site URL; a gateway URL never needs detection and is
 * never cached. A cached answer that later proves wrong is forgotten and detection runs again (session.ts).
 * Anything unreadable counts as no entry: a cache never makes a command fail.
 */
import { join } from "node:path";
import { isObject } from "../config/dict.js";
import { configDir } from "../config/paths.js";
import { readPrivateFileIfExists, writePrivateFileAtomic } from "../config/private-files.js";
import type { Detection } from "./detect.js";

export const DETECTION_CACHE_FILE = "detection-cache.json";
/** How long an entry is trusted: a site rarely moves between Cloud and Data Center, but it can. */
export const DETECTION_TTL_MS = 24 * 60 * 60 * 1000;
const FORMAT = "confl-detection-cache";
/** Entries kept at most (the most recent), so a loop over many hosts cannot grow the file without end. */
const MAX_ENTRIES = 50;

interface CacheEntry {
  deployment: "cloud" | "dc";
  site: string;
  apiBase: string;
  cloudId?: string;
  evidence: string;
  /** ms since epoch */
  detectedAt: number;
}

export function detectionCachePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), DETECTION_CACHE_FILE);
}

async function readEntries(env: NodeJS.ProcessEnv): Promise<Record<string, CacheEntry>> {
  const entries: Record<string, CacheEntry> = Object.create(null);
  let data: unknown;
  try {
    const text = await readPrivateFileIfExists(detectionCachePath(env));
    if (text === undefined) return entries;
    data = JSON.parse(text);
  } catch {
    return entries;
  }
  if (!isObject(data) || data.format !== FORMAT || !isObject(data.entries)) return entries;
  for (const [key, value] of Object.entries(data.entries)) {
    if (
      isObject(value) &&
      (value.deployment === "cloud" || value.deployment === "dc") &&
      typeof value.site === "string" &&
      typeof value.apiBase === "string" &&
      typeof value.evidence === "string" &&
      typeof value.detectedAt === "number" &&
      (value.cloudId === undefined || typeof value.cloudId === "string")
    )
      entries[key] = value as unknown as CacheEntry;
  }
  return entries;
}

async function writeEntries(env: NodeJS.ProcessEnv, entries: Record<string, CacheEntry>): Promise<void> {
  const kept = Object.entries(entries)
    .sort(([, a], [, b]) => b.detectedAt - a.detectedAt)
    .slice(0, MAX_ENTRIES);
  const body = { format: FORMAT, version: 1, entries: Object.fromEntries(kept) };
  try {
    await writePrivateFileAtomic(detectionCachePath(env), `${JSON.stringify(body, null, 2)}\n`);
  } catch {
    // a read-only or full config directory: detection simply runs again next time
  }
}

/** The cached detection of a site, or undefined when there is none, it is older than the TTL, or unreadable. */
export async function readCachedDetection(
  env: NodeJS.ProcessEnv,
  key: string,
  now = Date.now(),
): Promise<Detection | undefined> {
  const entry = (await readEntries(env))[key];
  if (!entry || now - entry.detectedAt > DETECTION_TTL_MS || entry.detectedAt > now + 60_000)
    return undefined;
  if (!consistent(key, entry)) return undefined;
  const age = Math.max(0, Math.round((now - entry.detectedAt) / 60_000));
  return {
    deployment: entry.deployment,
    site: entry.site,
    apiBase: entry.apiBase,
    ...(entry.cloudId ? { cloudId: entry.cloudId } : {}),
    evidence: `${entry.evidence}, cached ${age} min ago`,
  };
}

/**
 * An entry is used only for the site it is filed under, with its API root on that site's origin: what a
 * fresh detection of that site could have answered (the gateway is never cached). Anything else is ignored.
 */
function consistent(key: string, entry: CacheEntry): boolean {
  const site = key.split(" cloudId=")[0];
  if (entry.site !== site) return false;
  try {
    return new URL(entry.apiBase).origin === new URL(entry.site).origin;
  } catch {
    return false;
  }
}

export async function writeCachedDetection(
  env: NodeJS.ProcessEnv,
  key: string,
  detection: Detection,
  now = Date.now(),
): Promise<void> {
  // a Cloud answer without its cloudId came from a tenant_info that failed this time: a day of it would
  // refuse a scoped token (which needs the cloudId for the gateway) before any request could correct it
  if (detection.deployment === "cloud" && !detection.cloudId) return;
  const entries = await readEntries(env);
  entries[key] = {
    deployment: detection.deployment,
    site: detection.site,
    apiBase: detection.apiBase,
    ...(detection.cloudId ? { cloudId: detection.cloudId } : {}),
    evidence: detection.evidence,
    detectedAt: now,
  };
  await writeEntries(env, entries);
}

export async function forgetCachedDetection(env: NodeJS.ProcessEnv, key: string): Promise<void> {
  const entries = await readEntries(env);
  if (!(key in entries)) return;
  delete entries[key];
  await writeEntries(env, entries);
}
