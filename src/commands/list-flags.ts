/** `--limit N` and `--all`, shared by every list command (issue 11: lists take both). */
import { type Command, InvalidArgumentError, type OptionValues } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";

export const DEFAULT_LIST_LIMIT = 30;

export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

export function parseWholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError("expected a whole number ≥ 0");
  return n;
}

/** The flags as commander declares them (each list command adds both). */
export const LIMIT_FLAG = "-L, --limit <n>";
export const LIMIT_HELP = `list at most this many (default ${DEFAULT_LIST_LIMIT})`;
export const ALL_FLAG = "--all";
export const ALL_HELP = "list everything (follows every page of results)";

/** The item limit the flags ask for: a number, or undefined for --all. */
export function listLimit(flags: {
  limit?: number | undefined;
  all?: boolean | undefined;
}): number | undefined {
  if (flags.all && flags.limit !== undefined)
    throw new UsageError("--limit and --all cannot be used together", { hint: "use one of them" });
  if (flags.all) return undefined;
  return flags.limit ?? DEFAULT_LIST_LIMIT;
}

/** Declares `--limit` and `--all` on a list command, keeping commander's inferred option types. */
export function withListFlags<
  Args extends unknown[],
  Opts extends OptionValues,
  GlobalOpts extends OptionValues,
>(command: Command<Args, Opts, GlobalOpts>) {
  return command.option(LIMIT_FLAG, LIMIT_HELP, parsePositiveInteger).option(ALL_FLAG, ALL_HELP);
}
