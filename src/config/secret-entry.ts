/**
 * Where a profile's secret sits in its store. Each login writes its secret under a fresh key,
 * `<profile>#<8 hex>`, then switches config.json to that key in one atomic write, and only then deletes the
 * old secret. A login killed at any moment therefore leaves either the old pair (config → old key, still
 * there) or the new one intact, never a profile whose secret was overwritten by a login that did not finish.
 * Profiles written before this scheme have no key: their secret is under the profile's name.
 * (`#` cannot appear in a profile name, so a generated key never collides with a name-keyed entry.)
 */
import { randomBytes } from "node:crypto";
import type { Profile } from "./types.js";

export function secretEntryOf(profile: Pick<Profile, "name" | "secretEntry">): string {
  const key = profile.secretEntry;
  // only a key this scheme could have made for this very profile; anything else in a hand-edited file is ignored
  if (key?.startsWith(`${profile.name}#`) && /^[0-9a-f]{8}$/.test(key.slice(profile.name.length + 1)))
    return key;
  return profile.name;
}

export function newSecretEntry(profileName: string): string {
  return `${profileName}#${randomBytes(4).toString("hex")}`;
}
