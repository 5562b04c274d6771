/**
 * What a profile name may be. Its own small module because the CLI checks --profile / CONFL_PROFILE
 * before any command runs, and start-up should not load the config store for that.
 */
import { UsageError } from "../errors.js";
import { PROTOTYPE_NAMES } from "./dict.js";

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * 1-64 of A-Z a-z 0-9 . _ - ; not "." or ".." (a profile name becomes part of file and lock names), and
 * not a name every JavaScript object already has (__proto__, constructor, prototype, toString, ...).
 */
export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME_PATTERN.test(name) && name !== "." && name !== ".." && !PROTOTYPE_NAMES.has(name);
}

/** Throws UsageError (exit 2) unless isValidProfileName(name). */
export function validateProfileName(name: string): void {
  if (!isValidProfileName(name)) {
    throw new UsageError(`invalid profile name ${quoteName(name)}`, {
      hint: "Use 1-64 characters from A-Z, a-z, 0-9, '.', '_' and '-' (not __proto__, constructor or prototype), e.g. --profile work.",
      code: "config.invalid_profile_name",
    });
  }
}

/** JSON-quoted with every control character escaped and cut at 80, so a hostile name stays one short line. */
function quoteName(name: string): string {
  const cut = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  return JSON.stringify(cut).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The profile a login without --profile writes, like gh's per-host entries: the site's host name
 * (`acme.atlassian.net`, `wiki.corp.example`), with `-<port>` for a port in the URL. Logging in to the same
 * site again updates it; another site adds its own.
 */
export function profileNameForSite(site: string): string {
  let url: URL;
  try {
    url = new URL(site.includes("://") ? site : `https://${site}`);
  } catch {
    return "default";
  }
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/[^a-z0-9._-]/g, "-");
  const name = `${host}${url.port ? `-${url.port}` : ""}`.slice(0, 64);
  return isValidProfileName(name) ? name : "default";
}

/**
 * The `--profile NAME` part of a login command line for a profile: empty when a login to its site without
 * --profile would write that profile anyway.
 */
export function profileFlagFor(profile: { name: string; site?: string | undefined }): string {
  if (profile.site !== undefined && profileNameForSite(profile.site) === profile.name) return "";
  return ` --profile ${profile.name}`;
}
