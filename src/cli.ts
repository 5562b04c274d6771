/**
 * Entry point. `confl --version` answers before anything else is loaded, so it costs little more
 * than bare `node` start-up; everything else is imported on demand.
 */
import module from "node:module";
import { VERSION } from "./version.js";

// Output that cannot be delivered is never worth a stack trace. `confl ... | head` closing the pipe
// early is the reader's choice, not a failure: exit quietly with the code the command had (0), as
// `set -o pipefail` scripts expect of a filter that stopped reading; git and gh die of SIGPIPE (141)
// instead, which turns `confl api ... | head -1` into a failed pipeline for no gain. A full disk,
// `> /dev/full` or an I/O error means the output is lost: one line on stderr, exit 1.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  try {
    process.stderr.write(`confl: cannot write to stdout: ${describeWriteError(error)}\n`);
  } catch {
    // stderr is gone too: the exit code is all that is left
  }
  process.exit(1);
});
// Diagnostics that cannot be delivered are dropped: the command's result and exit code still stand.
process.stderr.on("error", () => {});

function describeWriteError(error: NodeJS.ErrnoException): string {
  // "ENOSPC: no space left on device, write" -> "no space left on device"
  const text = error.message.replace(/^[A-Z0-9_]+:\s*/, "").replace(/,\s*write$/, "");
  return text || error.code || "write failed";
}

// Node 22.1+ keeps compiled code between runs (a no-op on Node 20, where the API does not exist).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`confl ${VERSION}\n`);
} else {
  const { main } = await import("./main.js");
  process.exitCode = await main(argv);
}
