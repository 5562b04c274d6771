// Pieces the benchmarks share: the median, the simulator as a child process, and the CPU time of a child.
import { spawn, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The built simulator (build/sim.mjs) as a child process, once it has printed its origins and credentials. */
export async function startSim(settings) {
  const child = spawn(
    process.execPath,
    ["build/sim.mjs", ...(settings ? ["--settings", JSON.stringify(settings)] : [])],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (chunk) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) };
}

export const HAS_BASH = spawnSync("bash", ["-c", "true"]).status === 0;

/**
 * CPU time (user + system, ms) and wall time of one child `node ...args`: bash's `times` reports the
 * children's rusage to the millisecond, which machine load disturbs far less than wall time. Without bash,
 * the wall time stands in for both.
 */
export function childTimes(args, env, input) {
  const started = performance.now();
  const stdin = input === undefined ? "ignore" : "pipe";
  if (!HAS_BASH) {
    const r = spawnSync(process.execPath, args, { env, input, stdio: [stdin, "ignore", "pipe"] });
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    const ms = performance.now() - started;
    return { wall: ms, cpu: ms };
  }
  const r = spawnSync(
    "bash",
    ["-c", '"$@" >/dev/null || exit $?; times >&2', "bench", process.execPath, ...args],
    { env, input, stdio: [stdin, "ignore", "pipe"] },
  );
  const wall = performance.now() - started;
  const stderr = String(r.stderr);
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${stderr}`);
  const line = stderr.trim().split("\n").at(-1) ?? "";
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`cannot read the CPU time from bash's times: ${line}`);
  return { wall, cpu: (secs[0] + secs[1]) * 1000 };
}
