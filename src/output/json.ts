/**
 * `--json`: one JSON document on stdout — an object for a single thing, an array for a list — with the
 * field names documented in the README ("JSON output"). Errors never go to stdout: with --json they are
 * one JSON object on stderr (errorJson), so `confl … --json | jq` only ever parses data.
 */
import type { ConflError } from "../errors.js";
import type { IOStreams } from "../io/streams.js";

export function printJson(io: IOStreams, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export interface ErrorJson {
  error: {
    code: string;
    message: string;
    hint: string | null;
    exitCode: number;
    /** only for errors that carry facts to act on (a version conflict names both versions) */
    details?: Record<string, unknown>;
  };
}

/** The `--json` error object (message and hint already redacted by the caller). */
export function errorJson(
  error: Pick<ConflError, "code" | "exitCode"> & {
    message: string;
    hint?: string | undefined;
    details?: Record<string, unknown> | undefined;
  },
): ErrorJson {
  return {
    error: {
      code: error.code,
      message: error.message,
      hint: error.hint ?? null,
      exitCode: error.exitCode,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}
