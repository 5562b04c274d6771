/**
 * The thin CLI layer: builds the commander program, turns argv into a Context and typed options, runs
 * the command, and maps whatever was thrown to one line on stderr and an exit code.
 */
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import { registerEnvironmentSecrets } from "./auth/resolve.js";
import { registerCommands } from "./commands/index.js";
import type { Context, GlobalOptions } from "./context.js";
import { ConflError, ExitCode, InterruptedError, isConflError } from "./errors.js";
import { createIOStreams, type IOStreams, isTruthy } from "./io/streams.js";
import { MIN_SECRET_LENGTH, onShortSecret, redactText } from "./redact.js";
import { VERSION } from "./version.js";

export interface MainOptions {
  io?: IOStreams;
  env?: NodeJS.ProcessEnv;
}

export function buildProgram(getContext: (cmd: Command) => Context): Command {
  const program = new Command()
    .name("confl")
    .description("Confluence Cloud and Data Center from the command line.")
    .version(`confl ${VERSION}`, "-V, --version", "print the version")
    .addOption(
      new Option("--profile <name>", "use this profile instead of the active one").env("CONFL_PROFILE"),
    )
    .option("--json", "print machine-readable JSON on stdout")
    .option("--debug", "log requests and stack traces to stderr (secrets redacted)")
    .option("--no-color", "disable colour (also NO_COLOR)")
    .option("--no-input", "never prompt; fail instead (also CONFL_NO_INPUT=1)")
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ confl auth login                      # interactive: paste a URL, confl detects the rest
  $ confl auth status
  $ confl api rest/api/user/current

Exit codes: 0 ok, 1 failure, 2 usage or bad input, 4 authentication or permission, 130 interrupted.`,
    );
  registerCommands(program, getContext);
  // Every subcommand inherits strictness: unknown flags and stray arguments are errors (exit 2).
  const strict = (cmd: Command<unknown[], Record<string, unknown>, Record<string, unknown>>) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().showSuggestionAfterError(true).allowExcessArguments(false);
      strict(sub as never);
    }
  };
  strict(program as never);
  return program;
}

export function makeContext(cmd: Command, io: IOStreams | undefined, env: NodeJS.ProcessEnv): Context {
  const raw = (cmd as unknown as { optsWithGlobals(): Record<string, unknown> }).optsWithGlobals();
  const globals: GlobalOptions = {
    profile: typeof raw.profile === "string" ? raw.profile : undefined,
    json: raw.json === true,
    debug: raw.debug === true || isTruthy(env.CONFL_DEBUG),
    color: raw.color !== false,
    input: raw.input !== false && !isTruthy(env.CONFL_NO_INPUT),
  };
  const streams = io ?? createIOStreams({ env, noColor: !globals.color, noInput: !globals.input });
  return {
    io: streams,
    env,
    globals,
    debug(line) {
      if (globals.debug) streams.err(`[debug] ${line}`);
    },
  };
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  let io = options.io;
  let debug = isTruthy(env.CONFL_DEBUG) || argv.includes("--debug");
  const errStream = () => io ?? createIOStreams({ env });
  const program = buildProgram((cmd) => {
    const ctx = makeContext(cmd, io, env);
    io = ctx.io;
    debug = ctx.globals.debug;
    return ctx;
  });
  // Subcommands hold their own copy of the output settings, so every command in the tree gets them,
  // each with its own path for the "see --help" hint.
  const configure = (
    cmd: Command<unknown[], Record<string, unknown>, Record<string, unknown>>,
    path: string,
  ) => {
    cmd.configureOutput({
      writeOut: (s) => (io ?? createIOStreams({ env })).stdout.write(s),
      writeErr: (s) => (io ?? createIOStreams({ env })).stderr.write(s),
      outputError: (s, write) => write(formatUsageError(s, path)),
    });
    for (const sub of cmd.commands) configure(sub as never, `${path} ${sub.name()}`);
  };
  configure(program as never, "confl");

  const onSigint = () => {
    errStream().err("confl: interrupted");
    process.exit(ExitCode.INTERRUPTED);
  };
  process.once("SIGINT", onSigint);
  // A secret too short to be a redaction pattern ("wrong" would vanish from every sentence) is not
  // hidden from output; say so once, instead of pretending.
  onShortSecret((label) =>
    errStream().err(
      `confl: warning: ${label} is shorter than ${MIN_SECRET_LENGTH} characters, too short to be protected: it is not redacted from output`,
    ),
  );
  registerEnvironmentSecrets(env);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.OK;
  } catch (error) {
    // what the command printed comes before the error
    io?.flush();
    return reportError(error, errStream(), debug);
  } finally {
    // the redactor may hold back the tail of the last write (a possible secret prefix): release it
    io?.flush();
    onShortSecret(undefined);
    process.removeListener("SIGINT", onSigint);
  }
}

/**
 * Commander's usage errors in confl's shape: `confl: <message>` and one hint line, either its
 * "did you mean" suggestion or where to read the usage.
 */
export function formatUsageError(text: string, commandPath: string): string {
  const lines = text.trimEnd().split("\n");
  const message = (lines[0] ?? "").replace(/^error:\s*/, "");
  const suggestion = lines
    .slice(1)
    .join(" ")
    .match(/\(Did you mean (.+?)\?\)/);
  const hint = suggestion
    ? `did you mean ${suggestion[1]}? (see '${commandPath} --help')`
    : `see '${commandPath} --help' for usage`;
  return `confl: ${message}\nhint: ${hint}\n`;
}

/** One line `confl: <what went wrong>`, a hint line where there is a fix; a stack only with --debug. */
export function reportError(error: unknown, io: IOStreams, debug: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.OK;
    if (error.code === "commander.help") return ExitCode.OK;
    // commander already printed its message through outputError.
    return ExitCode.USAGE;
  }
  if (isConflError(error)) {
    io.err(`confl: ${redactText(error.message)}`);
    if (error.hint) io.err(`hint: ${redactText(error.hint)}`);
    if (debug && error.stack) io.err(redactText(error.stack));
    return error.exitCode;
  }
  if (error instanceof InterruptedError) return ExitCode.INTERRUPTED;
  const message = error instanceof Error ? error.message : String(error);
  io.err(`confl: ${redactText(message)}`);
  if (debug && error instanceof Error && error.stack) io.err(redactText(error.stack));
  else io.err("hint: run again with --debug for details, and report it if it looks like a bug");
  return ExitCode.FAILURE;
}

export { ConflError };
