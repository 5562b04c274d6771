/**
 * Called by the helpers that spawn the built CLI with each run's stderr: every confl command line in it
 * (hints, messages, notes) is checked with the real command tree (test/hints/check.ts). A problem fails
 * the test that printed it (test/setup.ts, afterEach); every line checked is also appended to the JSONL
 * file in CONFL_HINT_LOG (set by test/global-setup.ts), which the global teardown counts.
 */
import { appendFileSync } from "node:fs";
import { checkCommand, commandsIn } from "./check.js";
import { reportHintProblem } from "./log.js";

export interface RecordedRun {
  args: readonly string[];
  stderr: string;
  /** the environment the run had, for CONFL_PROFILE */
  env?: NodeJS.ProcessEnv | Record<string, string | undefined>;
}

/** The non-default profile named on the command line, if any. */
function profileOf(args: readonly string[]): string | undefined {
  let profile: string | undefined;
  args.forEach((arg, i) => {
    if (arg === "--profile") profile = args[i + 1];
    else if (arg.startsWith("--profile=")) profile = arg.slice("--profile=".length);
  });
  return profile && profile !== "default" ? profile : undefined;
}

export function recordHints(run: RecordedRun): void {
  if (!run.stderr) return;
  const found = commandsIn(run.stderr);
  const profile = profileOf(run.args);
  const entries: string[] = [];
  for (const command of found) {
    const problems = checkCommand(command, { profile });
    for (const problem of problems) {
      reportHintProblem(
        `confl ${run.args.join(" ")}\n  line:    ${command.line}\n  command: ${command.text}\n  problem: ${problem}`,
      );
    }
    entries.push(JSON.stringify({ run: run.args, command: command.text, problems }));
  }
  const log = process.env.CONFL_HINT_LOG;
  if (log && entries.length > 0) appendFileSync(log, `${entries.join("\n")}\n`);
}
