/**
 * Entry point. `confl --version` answers before anything else is loaded, so it costs little more
 * than bare `node` start-up; everything else is imported on demand.
 */
import module from "node:module";
import { VERSION } from "./version.js";

// `confl ... | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
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
