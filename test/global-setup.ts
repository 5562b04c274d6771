/**
 * Builds dist/ (the CLI bundle) and build/sim.mjs once before any test file runs: several files spawn
 * the built CLI, and a build in one file's beforeAll would pull the bundle from under another's feet.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], {
    cwd: join(import.meta.dirname, ".."),
    stdio: "pipe",
  });
}
