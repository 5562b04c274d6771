/**
 * What a command may do with the terminal: whether a person is watching (TTY), whether colour is
 * allowed, whether it may prompt. Commands get an IOStreams from the context and never touch
 * process.stdout directly, so tests can swap in buffers (the gh IOStreams model), and so every byte
 * they write passes the redactor (guarded-stream.ts).
 */
import type { Readable, Writable } from "node:stream";
import picocolors from "picocolors";
import { escMarker, type Guarded, guardStream } from "./guarded-stream.js";

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
  /**
   * Where @clack/prompts draws: stderr, redacted, but with its cursor-control sequences left alone.
   * Only confl's own prompt text belongs here; server text goes through err().
   */
  prompt: Writable & { isTTY?: boolean };
  /** Writes out what the redactor holds back (a possible secret prefix at the end of a write). */
  flush(): void;
  /**
   * The one unredacted write: `confl auth token` exists to print the secret. Nothing else may use it.
   */
  printSecret(value: string): void;
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
  const rawStdout = options.stdout ?? process.stdout;
  const rawStderr = options.stderr ?? process.stderr;
  const stdoutIsTTY = rawStdout.isTTY === true;
  const stderrIsTTY = rawStderr.isTTY === true;
  // stderr is for people (and CI logs that render escapes): always stripped. stdout only on a terminal:
  // piped, it carries data (JSON, downloads) that must stay byte-exact.
  const stdout = guardStream(rawStdout, { stripControls: stdoutIsTTY, holdBack: true });
  const stderr = guardStream(rawStderr, { stripControls: true, holdBack: true });
  const prompt = guardStream(rawStderr, { stripControls: false, holdBack: false });
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
    colors: markColors(createColors(colorEnabled)),
    errColors: markColors(createColors(errColorEnabled)),
    out(line) {
      stdout.write(line.endsWith("\n") ? line : `${line}\n`);
    },
    err(line) {
      stderr.write(line.endsWith("\n") ? line : `${line}\n`);
    },
    prompt,
    flush() {
      flushAll(stdout, stderr);
    },
    printSecret(value) {
      stdout.flush();
      rawStdout.write(value.endsWith("\n") ? value : `${value}\n`);
    },
  };
}

function flushAll(...streams: Guarded<unknown>[]): void {
  for (const stream of streams) stream.flush();
}

/**
 * Colour functions whose escape codes carry escMarker() instead of ESC: the guarded stream strips every
 * real ESC (server text) and only then turns markers into ESC. The text inside is left as it is.
 */
function markColors(colors: Colors): Colors {
  const marked: Record<string, unknown> = { ...colors };
  const probe = "\u{E002}";
  for (const [name, value] of Object.entries(colors)) {
    if (typeof value !== "function") continue;
    const [open = "", close = ""] = String((value as (s: string) => string)(probe)).split(probe);
    // colours off: the codes are empty, and the marker (node:crypto, ~2 ms of CPU) is never made (issue 14)
    const mark = (code: string) => (code.includes("\x1b") ? code.replaceAll("\x1b", escMarker()) : code);
    marked[name] = (text: unknown) => `${mark(open)}${String(text)}${mark(close)}`;
  }
  return marked as unknown as Colors;
}

export function isTruthy(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !["", "0", "false", "no", "off"].includes(value.trim().toLowerCase());
}
