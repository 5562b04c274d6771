/**
 * Standalone simulator for `npm run demo` and the benchmarks (bundled to build/sim.mjs by scripts/build.mjs).
 * Prints ONE line of JSON {origins, cloudId, credentials} on stdout and runs until SIGINT/SIGTERM.
 *   node build/sim.mjs [--host 127.0.0.1|::1] [--settings '{"cloudAnonymousAccess":true}']
 */
import { startSimulator } from "./index.js";
import type { SimSettings } from "./types.js";

function parseArgs(argv: string[]): { host?: string; settings?: Partial<SimSettings> } {
  const options: { host?: string; settings?: Partial<SimSettings> } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) fail(`${flag} needs a value`);
      return next;
    };
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(
        "usage: sim [--host 127.0.0.1|::1] [--settings '<json SimSettings>']\n" +
          "Prints one JSON line {origins, cloudId, credentials}; runs until SIGINT/SIGTERM.\n",
      );
      process.exit(0);
    }
    if (flag === "--host") options.host = value();
    else if (flag === "--settings") {
      try {
        options.settings = JSON.parse(value()) as Partial<SimSettings>;
      } catch {
        fail("--settings must be a JSON object");
      }
    } else fail(`unknown option ${arg}`);
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n`);
  process.exit(2);
}

const simulator = await startSimulator(parseArgs(process.argv.slice(2)));
const shutdown = (): void => {
  void simulator.stop().then(() => process.exit(0));
};
// Handlers go in before the JSON line: a parent may signal as soon as it reads it.
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
process.stdout.write(
  `${JSON.stringify({ origins: simulator.origins, cloudId: simulator.cloudId, credentials: simulator.credentials, backup: simulator.backup })}\n`,
);
