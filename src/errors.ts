/**
 * Error classes shared by every layer. The CLI maps them to exit codes and one-line messages;
 * callers branch on the class (or `code`), never on message text.
 */

export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  AUTH: 4,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ConflErrorOptions {
  /** A line telling the user how to fix it, printed under the message. */
  hint?: string;
  exitCode?: ExitCodeValue;
  cause?: unknown;
  /** A stable machine-readable code, e.g. "auth.scope_mismatch"; shown in --json error output. */
  code?: string;
  /** Facts a script may act on (e.g. both versions of a conflict); shown in --json error output. */
  details?: Record<string, unknown>;
}

export class ConflError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: ConflErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.FAILURE;
    this.code = options.code ?? "error";
  }
}

/** Bad flags, bad arguments, bad input files: exit 2. */
export class UsageError extends ConflError {
  constructor(message: string, options: Omit<ConflErrorOptions, "exitCode"> = {}) {
    super(message, { code: "usage", ...options, exitCode: ExitCode.USAGE });
  }
}

/** The credential is missing, wrong, expired, or lacks permission: exit 4. */
export class AuthError extends ConflError {
  constructor(message: string, options: Omit<ConflErrorOptions, "exitCode"> = {}) {
    super(message, { code: "auth", ...options, exitCode: ExitCode.AUTH });
  }
}

/**
 * A write refused because confl runs read-only (--read-only, CONFL_READ_ONLY=1 or the profile's
 * `readOnly`): exit 2 like other invocations that ask for something confl will not do; the --json error
 * code `read_only` tells it apart. Nothing was sent.
 */
export class ReadOnlyError extends ConflError {
  constructor(what: string, reason: string) {
    super(`${what} refused: confl is read-only (${reason}); nothing was sent`, {
      code: "read_only",
      exitCode: ExitCode.USAGE,
      hint:
        reason === "--read-only"
          ? "drop --read-only to allow writes"
          : reason === "CONFL_READ_ONLY"
            ? "unset CONFL_READ_ONLY to allow writes"
            : `set "readOnly": false in the profile (confl's config.json) to allow writes`,
    });
  }
}

/** Ctrl-C or a cancelled prompt: exit 130. */
export class InterruptedError extends ConflError {
  constructor(message = "interrupted") {
    super(message, { code: "interrupted", exitCode: ExitCode.INTERRUPTED });
  }
}

export function isConflError(error: unknown): error is ConflError {
  return error instanceof ConflError;
}
