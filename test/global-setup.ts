/**
 * Builds dist/ (the CLI bundle) and build/sim.mjs once before any test file runs: several files spawn
 * the built CLI, and a build in one file's beforeAll would pull the bundle from under another's feet.
 * Also opens the log of the confl command lines the spawned CLI printed (test/hints/collect.ts) and,
 * at the end, says how many were checked.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  execFileSync(process.execPath, ["scripts/build.mjs"], {
    cwd: join(import.meta.dirname, ".."),
    stdio: "pipe",
  });
  const dir = mkdtempSync(join(tmpdir(), "confl-hints-"));
  const log = join(dir, "hints.jsonl");
  process.env.CONFL_HINT_LOG = log;
  return () => {
    if (existsSync(log)) {
      const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
      const commands = new Set(lines.map((line) => (JSON.parse(line) as { command: string }).command));
      const broken = lines.filter((line) => (JSON.parse(line) as { problems: string[] }).problems.length > 0);
      process.stderr.write(
        `hints: ${lines.length} confl command lines printed by the CLI checked (${commands.size} distinct), ${broken.length} broken\n`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
