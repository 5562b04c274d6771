/**
 * Shell completion, the way cobra (gh, kubectl) does it: the script `confl completion <shell>` prints is
 * a thin shim that calls back `confl __complete <words before the cursor> <word at the cursor>` on every
 * TAB, and this module answers from the real command tree. There is no second list of commands or flags
 * to keep in sync, and values that live elsewhere (profile names in config.json) are always current.
 *
 * The answer is one candidate per line, `value<TAB>description`, then one directive line: `:file` asks the
 * shell to complete file names instead, `:none` means the candidates are all there is.
 */
import type { Command, Option } from "@commander-js/extra-typings";

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  /** complete file names (the shell does it) rather than the candidates */
  files: boolean;
}

export interface CompletionSources {
  /** profile names from config.json (empty when there is none) */
  profiles(): Promise<string[]>;
  /** credential kinds with their one-line explanation, for `auth login --type` */
  kinds(): Promise<Candidate[]>;
}

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

/** Commands a user may type: not hidden ones such as __complete, not commander's implicit help. */
function visibleSubcommands(cmd: AnyCommand): AnyCommand[] {
  return (cmd.commands as AnyCommand[]).filter(
    (c) => !(c as unknown as { _hidden?: boolean })._hidden && c.name() !== "__complete",
  );
}

function findOption(cmd: AnyCommand, flag: string): Option | undefined {
  const name = flag.split("=")[0]!;
  return (cmd.options as readonly Option[]).find((o) => o.long === name || o.short === name);
}

/** An option whose value is a path on disk: its placeholder says so (`<file>`, `<pem>`, `<dir>`). */
function takesPath(option: Option): boolean {
  return /<(?:[^>]*(?:file|pem|path|dir)[^>]*)>|\[(?:[^\]]*(?:file|pem|path|dir)[^\]]*)\]/i.test(
    option.flags,
  );
}

/** The flags a user can give at this point: the command's own, then the global ones it accepts. */
function flagCandidates(cmd: AnyCommand): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const option of cmd.options as readonly Option[]) {
    const flag = option.long ?? option.short;
    if (!flag || seen.has(flag)) continue;
    seen.add(flag);
    out.push({ value: flag, description: option.description });
  }
  out.push({ value: "--help", description: "show help for this command" });
  return out;
}

async function valueCandidates(
  command: AnyCommand,
  option: Option,
  sources: CompletionSources,
): Promise<Completion> {
  if (option.argChoices) return { candidates: option.argChoices.map((value) => ({ value })), files: false };
  if (option.long === "--profile")
    return { candidates: (await sources.profiles()).map((value) => ({ value })), files: false };
  if (option.long === "--type" && command.name() === "login")
    return { candidates: await sources.kinds(), files: false };
  if (takesPath(option)) return { candidates: [], files: true };
  return { candidates: [], files: false };
}

/**
 * What may come at the cursor, given the words typed before it (after `confl`) and the partial word
 * under it.
 */
export async function complete(
  program: AnyCommand,
  before: readonly string[],
  current: string,
  sources: CompletionSources,
): Promise<Completion> {
  let command = program;
  let pendingOption: Option | undefined;
  let afterDoubleDash = false;
  for (const word of before) {
    if (pendingOption) {
      pendingOption = undefined;
      continue;
    }
    if (afterDoubleDash) continue;
    if (word === "--") {
      afterDoubleDash = true;
      continue;
    }
    if (word.startsWith("-") && word.length > 1) {
      const option = findOption(command, word);
      // `--flag value` (not `--flag=value`, not a boolean): the next word is the value
      if (option && (option.required || option.optional) && !word.includes("=")) pendingOption = option;
      continue;
    }
    const sub = visibleSubcommands(command).find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) command = sub;
  }

  let result: Completion;
  if (pendingOption) {
    result = await valueCandidates(command, pendingOption, sources);
  } else if (current.startsWith("--") && current.includes("=")) {
    // `--type=pa`: complete the value after the `=`, keeping the flag in front
    const [flag, partial] = [current.slice(0, current.indexOf("=")), current.slice(current.indexOf("=") + 1)];
    const option = findOption(command, flag);
    const values = option
      ? await valueCandidates(command, option, sources)
      : { candidates: [], files: false };
    result = {
      files: false,
      candidates: values.candidates
        .filter((c) => c.value.startsWith(partial))
        .map((c) => ({ ...c, value: `${flag}=${c.value}` })),
    };
    return result;
  } else if (current.startsWith("-") && !afterDoubleDash) {
    result = { candidates: flagCandidates(command), files: false };
  } else {
    const subs = visibleSubcommands(command);
    result =
      subs.length > 0
        ? { candidates: subs.map((c) => ({ value: c.name(), description: c.description() })), files: false }
        : // a command's own arguments: file names are the useful default (`convert page.md`, uploads)
          { candidates: [], files: true };
  }
  return { ...result, candidates: result.candidates.filter((c) => c.value.startsWith(current)) };
}

/** The wire format the shell scripts read. Tabs and newlines inside a description are flattened. */
export function formatCompletion(result: Completion): string {
  const lines = result.candidates.map((c) =>
    c.description ? `${c.value}\t${c.description.replace(/\s+/g, " ").trim()}` : c.value,
  );
  lines.push(result.files ? ":file" : ":none");
  return `${lines.join("\n")}\n`;
}
