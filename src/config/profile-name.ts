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
