/**
 * What a command may do with the terminal: whether a person is watching (TTY), whether colour is
 * allowed, whether it may prompt. Commands get an IOStreams from the context and never touch
 * process.stdout directly, so tests can swap in buffers (the gh IOStreams model).
 */
import type { Readable, Writable } from "node:stream";
import picocolors from "picocolors";

export type Colors = ReturnType<typeof picocolors.createColors>;
const { createColors } = picocolors;

export interface IOStreams {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  /** stdout is a terminal: human tables and colour are fine. */
  readonly stdoutIsTTY: boolean;
  /** stderr is a terminal: progress, spinners and "waiting 5 s" notices are fine. */
  readonly stderrIsTTY: boolean;
  /** A person can answer a prompt: stdin and stderr are TTYs and prompting is not disabled. */
  readonly canPrompt: boolean;
  /** Colour on stdout: a TTY (or FORCE_COLOR), and neither --no-color, NO_COLOR nor TERM=dumb. */
  readonly colorEnabled: boolean;
  /** The same rule for stderr, which may be a terminal when stdout is piped. */
  readonly errColorEnabled: boolean;
  /** Colour functions for stdout text: plain strings when colour is off. */
  readonly colors: Colors;
  /** Colour functions for stderr text. */
  readonly errColors: Colors;
  /** Write a line to stdout. */
  out(line: string): void;
  /** Write a line to stderr (diagnostics, warnings, progress). */
  err(line: string): void;
}

export interface IOStreamsOptions {
  stdin?: IOStreams["stdin"];
  stdout?: IOStreams["stdout"];
  stderr?: IOStreams["stderr"];
  env?: NodeJS.ProcessEnv;
  /** --no-color given on the command line. */
  noColor?: boolean;
  /** --no-input / CONFL_NO_INPUT: never prompt. */
  noInput?: boolean;
}

export function createIOStreams(options: IOStreamsOptions = {}): IOStreams {
  const env = options.env ?? process.env;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const stdoutIsTTY = stdout.isTTY === true;
  const stderrIsTTY = stderr.isTTY === true;
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const colorAllowed = !options.noColor && !noColorEnv && env.TERM !== "dumb";
  const colorEnabled = colorAllowed && (forceColor || stdoutIsTTY);
  const errColorEnabled = colorAllowed && (forceColor || stderrIsTTY);
  const noInput = options.noInput === true || isTruthy(env.CONFL_NO_INPUT);
  const canPrompt = !noInput && stdin.isTTY === true && stderrIsTTY;
  return {
    stdin,
    stdout,
    stderr,
    stdoutIsTTY,
    stderrIsTTY,
    canPrompt,
    colorEnabled,
    errColorEnabled,
    colors: createColors(colorEnabled),
    errColors: createColors(errColorEnabled),
    out(line) {
      stdout.write(line.endsWith("\n") ? line : `${line}\n`);
    },
    err(line) {
      stderr.write(line.endsWith("\n") ? line : `${line}\n`);
    },
  };
}

export function isTruthy(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !["", "0", "false", "no", "off"].includes(value.trim().toLowerCase());
}
