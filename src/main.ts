/**
 * The thin CLI layer: builds the commander program, turns argv into a Context and typed options, runs
 * the command, and maps whatever was thrown to one line on stderr and an exit code.
 */

import { Writable } from "node:stream";
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import picocolors from "picocolors";
import { registerEnvironmentSecrets } from "./auth/env-secrets.js";
import { loadNouns, type NounRegistry, nounsFor, registerCommands } from "./commands/index.js";
import { validateProfileName } from "./config/profile-name.js";
import { type Context, createContext, type GlobalOptions } from "./context.js";
import { ConflError, ExitCode, isConflError, UsageError } from "./errors.js";
import { createIOStreams, type IOStreams, isTruthy } from "./io/streams.js";
import { errorJson } from "./output/json.js";
import { MIN_SECRET_LENGTH, onShortSecret, redactText } from "./redact.js";
import { VERSION } from "./version.js";

const { createColors } = picocolors;

export interface MainOptions {
  io?: IOStreams;
  env?: NodeJS.ProcessEnv;
}

const GLOBAL_FLAGS = new Set([
  "--profile",
  "--json",
  "--jq",
  "--debug",
  "--no-color",
  "--no-input",
  "--read-only",
]);

/** The root's flags; every subcommand accepts them too (hidden in its help), after its own name. */
function addGlobalOptions<C extends Command<unknown[], Record<string, unknown>, Record<string, unknown>>>(
  cmd: C,
  hidden: boolean,
): void {
  const options = [
    new Option("--profile <name>", "use this profile instead of the active one").env("CONFL_PROFILE"),
    new Option("--json", "print machine-readable JSON on stdout"),
    new Option("--jq <expression>", "filter the JSON output with a jq expression (implies --json)"),
    new Option("--debug", "log requests and stack traces to stderr (secrets redacted)"),
    new Option("--no-color", "disable colour (also NO_COLOR)"),
    new Option("--no-input", "never prompt; fail instead (also CONFL_NO_INPUT=1)"),
    new Option("--read-only", "refuse every write before it is sent (also CONFL_READ_ONLY=1)"),
  ];
  for (const option of options) cmd.addOption(hidden ? option.hideHelp() : option);
}

/**
 * The command tree. `nouns` are built for real; every other noun is a stub that only names itself (enough
 * for the root's --help and "did you mean"): main() builds the noun its command line names, completion and
 * the tests build them all (commands/all.ts, ALL_NOUNS).
 */
export function buildProgram(getContext: (cmd: Command) => Context, nouns: NounRegistry): Command {
  const program = new Command()
    .name("confl")
    .description("Confluence Cloud and Data Center from the command line.")
    .version(`confl ${VERSION}`, "-V, --version", "print the version")
    // Root flags are read only before the command name, so `confl page view 1 --version 3` reaches
    // `page view`'s own --version; each subcommand declares the global flags itself (hidden) instead.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ confl auth login                      # interactive: paste a URL, confl detects the rest
  $ confl auth status
  $ confl page view https://acme.atlassian.net/wiki/spaces/DOC/pages/65538
  $ confl api rest/api/user/current

Exit codes: 0 ok, 1 failure, 2 usage or bad input, 4 authentication or permission, 130 interrupted.`,
    );
  addGlobalOptions(program as never, false);
  registerCommands(program, getContext, nouns);
  // Every subcommand inherits strictness: unknown flags and stray arguments are errors (exit 2).
  const strict = (cmd: Command<unknown[], Record<string, unknown>, Record<string, unknown>>) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().showSuggestionAfterError(true).allowExcessArguments(false);
      // gh's INHERITED FLAGS: every subcommand's help lists the global options it accepts (its own
      // hidden copies, which are what parses them after the command name; not the root's --version)
      sub.configureHelp({
        showGlobalOptions: true,
        visibleGlobalOptions: (c) => c.options.filter((o) => o.hidden && GLOBAL_FLAGS.has(o.long ?? "")),
      });
      addGlobalOptions(sub as never, true);
      strict(sub as never);
    }
  };
  strict(program as never);
  return program;
}

/**
 * With --jq, a command writes its JSON into this buffer instead of stdout; once the command has
 * succeeded, main() filters the whole document through jq and writes the result to the real stdout.
 * One choke point, so every command with --json output takes --jq without knowing about it.
 */
export interface JqCapture {
  expression: string;
  chunks: Buffer[];
  /** the streams the filtered result goes to */
  real: IOStreams;
  /** the output was the secret (`auth token --jq`): the result is printed unredacted, as it was */
  secret?: boolean;
}

function captureStdout(real: IOStreams, capture: JqCapture): IOStreams {
  const stdout = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      capture.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
      done();
    },
  });
  return {
    ...real,
    stdout,
    stdoutIsTTY: false,
    colorEnabled: false,
    colors: createColors(false),
    out(line) {
      stdout.write(line.endsWith("\n") ? line : `${line}\n`);
    },
    printSecret(value) {
      capture.secret = true;
      stdout.write(value.endsWith("\n") ? value : `${value}\n`);
    },
  };
}

export function makeContext(
  cmd: Command,
  io: IOStreams | undefined,
  env: NodeJS.ProcessEnv,
  onJq?: (capture: JqCapture) => void,
): Context {
  // The global flags may sit on the root or on any command down to this one: a negation anywhere wins
  // (a subcommand's own --no-color default must not undo `confl --no-color …`), the nearest profile wins.
  const commands: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent as Command | null) commands.push(c);
  const chain = commands.map((c) => c.opts() as Record<string, unknown>);
  const any = (key: string, value: unknown) => chain.some((opts) => opts[key] === value);
  // --profile on the command line beats CONFL_PROFILE, which every command in the chain also reads.
  const fromCli = commands.find((c) => c.getOptionValueSource("profile") === "cli");
  const profile =
    (fromCli?.opts() as { profile?: string } | undefined)?.profile ??
    (chain.map((opts) => opts.profile).find((p) => typeof p === "string") as string | undefined);
  // --profile / CONFL_PROFILE is checked before any command sees it: a name like "__proto__" or "../x"
  // is a usage error (exit 2) everywhere, not a lookup that quietly finds nothing.
  if (profile !== undefined) validateProfileName(profile);
  const jq = chain.map((opts) => opts.jq).find((e): e is string => typeof e === "string");
  if (jq !== undefined && jq.trim() === "")
    throw new UsageError("--jq needs an expression, such as '.[].title'");
  const globals: GlobalOptions = {
    profile,
    json: any("json", true) || jq !== undefined,
    ...(jq !== undefined ? { jq } : {}),
    debug: any("debug", true) || isTruthy(env.CONFL_DEBUG),
    color: !any("color", false),
    input: !any("input", false) && !isTruthy(env.CONFL_NO_INPUT),
    readOnly: any("readOnly", true)
      ? "--read-only"
      : isTruthy(env.CONFL_READ_ONLY)
        ? "CONFL_READ_ONLY"
        : undefined,
  };
  let streams = io ?? createIOStreams({ env, noColor: !globals.color, noInput: !globals.input });
  if (jq !== undefined) {
    const capture: JqCapture = { expression: jq, chunks: [], real: streams };
    streams = captureStdout(streams, capture);
    onJq?.(capture);
  }
  return createContext({ io: streams, env, globals });
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  // The shell's callback on every TAB (src/completion): answered from the command tree, never parsed.
  if (argv[0] === "__complete") return runCompletion(argv.slice(1), env, options.io);
  let io = options.io;
  let debug = isTruthy(env.CONFL_DEBUG) || argv.includes("--debug");
  // Until a command's context exists (usage errors while parsing), --json anywhere asks for JSON errors.
  let json = argv.includes("--json");
  const errStream = () => io ?? createIOStreams({ env });
  let jqCapture: JqCapture | undefined;
  const nouns = await loadNouns(nounsFor(argv));
  const program = buildProgram((cmd) => {
    const ctx = makeContext(cmd, io, env, (capture) => {
      jqCapture = capture;
    });
    io = jqCapture?.real ?? ctx.io;
    debug = ctx.globals.debug;
    // --jq implies JSON output, but its errors stay human unless --json was asked for too
    json = ctx.globals.jq === undefined ? ctx.globals.json : argv.includes("--json");
    return ctx;
  }, nouns);
  // Subcommands hold their own copy of the output settings, so every command in the tree gets them,
  // each with its own path for the "see --help" hint.
  const configure = (
    cmd: Command<unknown[], Record<string, unknown>, Record<string, unknown>>,
    path: string,
  ) => {
    cmd.configureOutput({
      writeOut: (s) => (io ?? createIOStreams({ env })).stdout.write(s),
      writeErr: (s) => (io ?? createIOStreams({ env })).stderr.write(s),
      outputError: (s, write) =>
        write(json ? `${JSON.stringify(usageErrorJson(s, path))}\n` : formatUsageError(s, path)),
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
    if (jqCapture) {
      const { runJq } = await import("./output/jq.js");
      const text = Buffer.concat(jqCapture.chunks).toString("utf8");
      const result = await runJq(text, jqCapture.expression, jqCapture.real.stdoutIsTTY);
      if (jqCapture.secret) jqCapture.real.printSecret(result);
      else jqCapture.real.stdout.write(result);
    }
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.OK;
  } catch (error) {
    // what the command printed comes before the error
    io?.flush();
    return reportError(error, errStream(), debug, json);
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

/** The usage error commander printed, as the `--json` error object. */
function usageErrorJson(text: string, commandPath: string) {
  const [message, hint] = formatUsageError(text, commandPath)
    .trimEnd()
    .split("\n")
    .map((line) => line.replace(/^(confl|hint): /, ""));
  return errorJson({ code: "usage", message: message ?? "", hint, exitCode: ExitCode.USAGE });
}

/**
 * One line `confl: <what went wrong>`, a hint line where there is a fix; a stack only with --debug.
 * With --json the same facts go to stderr as one object {"error":{code,message,hint,exitCode}}.
 */
export function reportError(error: unknown, io: IOStreams, debug: boolean, json = false): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.OK;
    if (error.code === "commander.help") return ExitCode.OK;
    // commander already printed its message through outputError.
    return ExitCode.USAGE;
  }
  const known = isConflError(error);
  const message = redactText(error instanceof Error ? error.message : String(error));
  const hint = known
    ? error.hint && redactText(error.hint)
    : debug
      ? undefined
      : "run again with --debug for details, and report it if it looks like a bug";
  const exitCode = known ? error.exitCode : ExitCode.FAILURE;
  if (json) {
    const details = known ? error.details : undefined;
    io.err(
      JSON.stringify(errorJson({ code: known ? error.code : "internal", message, hint, exitCode, details })),
    );
  } else {
    io.err(`confl: ${message}`);
    if (hint) io.err(`hint: ${hint}`);
  }
  if (debug && error instanceof Error && error.stack) io.err(redactText(error.stack));
  return exitCode;
}

export { ConflError };

/** `confl __complete <words before the cursor…> <word at the cursor>`; quiet and exit 0 on any failure. */
async function runCompletion(
  args: string[],
  env: NodeJS.ProcessEnv,
  io: IOStreams | undefined,
): Promise<number> {
  const [{ complete, formatCompletion }, { ALL_NOUNS }] = await Promise.all([
    import("./completion/complete.js"),
    import("./commands/all.js"),
  ]);
  const program = buildProgram(() => {
    throw new Error("completion runs no command");
  }, ALL_NOUNS);
  const current = args.length > 0 ? args[args.length - 1]! : "";
  const result = await complete(program as never, args.slice(0, -1), current, {
    async profiles() {
      try {
        const { loadConfig } = await import("./config/store.js");
        return Object.keys((await loadConfig(env)).profiles).sort();
      } catch {
        return [];
      }
    },
    async kinds() {
      const { CREDENTIAL_KINDS, KIND_EXPLANATIONS } = await import("./auth/kinds/index.js");
      return CREDENTIAL_KINDS.map((value) => ({ value, description: KIND_EXPLANATIONS[value] }));
    },
  }).catch(() => ({ candidates: [], files: false }));
  (io ?? createIOStreams({ env })).stdout.write(formatCompletion(result));
  return ExitCode.OK;
}
