/**
 * Every command line confl prints (in a hint, an error message, a note) must be a command that runs:
 * it parses with the real command tree, it has no placeholder (`<id>`, `...`, `(environment)`), it names
 * no example host or address where the error knew the real one, and an `auth login` line has what a
 * login without a terminal needs (--site, --email for API tokens, --username for passwords).
 *
 * `commandsIn` finds the command lines in text; `checkCommand` says what is wrong with one.
 */
import { type Command, CommanderError } from "@commander-js/extra-typings";
import { ALL_NOUNS } from "../../src/commands/all.js";
import { buildProgram } from "../../src/main.js";

/** A command line as printed, and its words after `confl`. */
export interface FoundCommand {
  text: string;
  words: string[];
  /** the whole line it was found in */
  line: string;
}

let topLevel: Set<string> | undefined;

/** The real command tree, every action replaced by a no-op and every write swallowed. */
function parser(): Command {
  const root = buildProgram(() => {
    throw new Error("hint check: no command runs");
  }, ALL_NOUNS) as unknown as Command;
  const quiet = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
    if (cmd.commands.length === 0) cmd.action(() => {});
    for (const sub of cmd.commands) quiet(sub as Command);
  };
  quiet(root);
  return root;
}

function commandNames(): Set<string> {
  topLevel ??= new Set(parser().commands.map((c) => c.name()));
  return topLevel;
}

/** Splits a command line as a POSIX shell would, for the quoting hints use; redirections and pipes end it. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\|\||&&|[|;<>]|[^\s"'|;<>]+)/g;
  let current: string | undefined;
  let lastEnd = -1;
  const tokens: Array<{ value: string; op: boolean; glued: boolean }> = [];
  for (const match of line.matchAll(pattern)) {
    const glued = match.index === lastEnd;
    lastEnd = match.index + match[0].length;
    if (match[3] !== undefined && /^(\|\||&&|[|;<>])$/.test(match[3])) {
      tokens.push({ value: match[3], op: true, glued: false });
      continue;
    }
    const value = match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : (match[2] ?? match[3]!);
    tokens.push({ value, op: false, glued });
  }
  for (const token of tokens) {
    if (token.op) {
      if (current !== undefined) words.push(current);
      current = undefined;
      words.push(`\0${token.value}`);
    } else if (token.glued && current !== undefined) {
      current += token.value;
    } else {
      if (current !== undefined) words.push(current);
      current = token.value;
    }
  }
  if (current !== undefined) words.push(current);
  // up to the first pipe or list operator; a redirection drops its file name
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === "\0<" || word === "\0>") {
      i++;
      continue;
    }
    if (word.startsWith("\0")) break;
    out.push(word);
  }
  return out;
}

/**
 * The confl command lines in some text (stderr, a hint). A command quoted in backticks or single quotes
 * ends at the closing quote (one in parentheses at the closing one); an unquoted one runs to the end of the line, or to two spaces, " (", "; ".
 * `confl` counts only when a command name or an option follows it ("another confl process" is prose).
 */
export function commandsIn(text: string): FoundCommand[] {
  const names = commandNames();
  const found: FoundCommand[] = [];
  for (const line of text.split("\n")) {
    const start = /(^|[\s`'(|:=$])confl (?=(-|[a-z]))/g;
    for (const match of line.matchAll(start)) {
      const from = match.index + match[1]!.length;
      const rest = line.slice(from + "confl ".length);
      const first = rest.split(/\s/, 1)[0]!.replace(/[`'.,;:)]+$/, "");
      if (!first.startsWith("-") && !names.has(first)) continue;
      const quote = match[1] === "`" || match[1] === "'" ? match[1] : match[1] === "(" ? ")" : undefined;
      let body: string;
      if (quote) {
        const end = rest.indexOf(quote);
        body = end === -1 ? rest : rest.slice(0, end);
      } else {
        body = rest.split(/ {2,}| \(|; |\)$/, 1)[0]!.replace(/[.,]$/, "");
      }
      found.push({ text: `confl ${body}`.trim(), words: shellWords(body), line });
    }
  }
  return found;
}

/** Values documentation uses as examples: a hint that names one where the error knew the real value is wrong. */
const EXAMPLE_VALUES = [
  /(^|[/@.])acme\.atlassian\.net\b/i,
  /(^|[/@.])(wiki|wiki-proxy)\.corp\.example\b/i,
  /^(you@example\.com|me@acme\.com)$/i,
];

/** Words that stand for something to fill in. */
const PLACEHOLDER_WORDS = new Set([
  "X",
  "N",
  "ID",
  "NAME",
  "KEY",
  "URL",
  "SITE",
  "EMAIL",
  "TOKEN",
  "PROFILE",
]);

export interface CheckOptions {
  /** the profile the run used (--profile or CONFL_PROFILE), when not "default" */
  profile?: string | undefined;
}

/** What is wrong with one command line (empty when it runs). */
export function checkCommand(found: FoundCommand, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const { words, text } = found;
  // `<you@example.com>` before the shell reads it as a redirection
  for (const placeholder of text.match(/<[^\s<>]+>/g) ?? [])
    problems.push(`placeholder ${JSON.stringify(placeholder)}`);
  for (const word of words) {
    if (/<[^>]*>|\.\.\.|…|\(environment\)|\{[a-zA-Z]+\}/.test(word))
      problems.push(`placeholder ${JSON.stringify(word)}`);
    else if (PLACEHOLDER_WORDS.has(word)) problems.push(`placeholder ${JSON.stringify(word)}`);
    else if (EXAMPLE_VALUES.some((re) => re.test(word)))
      problems.push(`example value ${JSON.stringify(word)}`);
  }
  // "(environment)" is the name of no profile; an unquoted command is cut before " (", so look at the line
  if (/confl [^`']*--profile \(environment\)/.test(found.line)) problems.push('placeholder "(environment)"');
  if (text.includes("...") || text.includes("…")) {
    if (!problems.some((p) => p.startsWith("placeholder"))) problems.push("placeholder ...");
  }
  // commander keeps option values on the command objects between parses: a fresh tree each time
  const fresh = parser();
  let leaf: Command = fresh;
  try {
    fresh.parse(words, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // a group without its subcommand prints its help and fails ("commander.help"); --help is fine
      if (error.code === "commander.help")
        problems.push("names a group, not a command: it prints help and fails");
      else if (error.code !== "commander.helpDisplayed")
        problems.push(`does not parse: ${error.message.replace(/^error: /, "").split("\n")[0]}`);
    } else {
      problems.push(`does not parse: ${error instanceof Error ? error.message : String(error)}`);
    }
    return problems;
  }
  // the command that was reached
  const path: string[] = [];
  for (const word of words) {
    const next = leaf.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (next) {
      leaf = next as Command;
      path.push(word);
    } else if (!word.startsWith("-") && leaf.commands.length > 0 && path.length > 0) {
      break;
    }
  }
  const verb = path.join(" ");
  if (verb === "auth login" && !words.includes("--help")) problems.push(...checkLogin(leaf));
  // a hint that logs in, refreshes or logs out again must do it for the profile the run was about
  if (
    options.profile &&
    ["auth login", "auth refresh", "auth logout"].includes(verb) &&
    !words.includes("--profile")
  )
    problems.push(`drops --profile ${options.profile} (it would act on the default profile)`);
  return problems;
}

/**
 * What `confl auth login` needs. Bare `confl auth login [--profile P]` is the interactive login, fine at a
 * terminal. Anything scripted (--with-token, or --type with a kind that has a secret) must run without a
 * terminal (src/commands/auth/login.ts): --site, --email for API tokens, --username for passwords.
 */
function checkLogin(cmd: Command): string[] {
  const opts = cmd.opts() as Record<string, unknown>;
  const problems: string[] = [];
  const type = opts.type as string | undefined;
  const oauth = type === "oauth" || type === "client-credentials";
  const scripted = opts.withToken === true || (type !== undefined && !oauth);
  if (!scripted) return problems;
  if (!opts.site && !oauth) problems.push("fails without a terminal: --site is required");
  if ((type === "api-token" || type === "scoped-token") && !opts.email && !opts.username)
    problems.push(`--type ${type} needs --email`);
  if (type === "password" && !opts.username && !opts.email) problems.push("--type password needs --username");
  if (type === "pat" && (opts.email || opts.username))
    problems.push("--type pat takes no --email/--username");
  return problems;
}
