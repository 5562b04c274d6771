// Benchmarks with targets. Timings on a shared 2-core VM are noisy, so each figure is the median of
// many runs, and targets compare confl with bare `node` measured in the same interleaved loop.
// Usage: npm run bench [-- --runs 30]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const CONFL = "dist/confl.mjs";

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeCommand(args, env = process.env) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr}`);
  return elapsed;
}

const results = [];
let failed = 0;
function report(name, value, unit, target, ok) {
  results.push({ name, value: Number(value.toFixed(1)), unit, target, ok });
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${value.toFixed(1)} ${unit}  (target: ${target})`);
}

// 1. Start-up: interleave the commands so load on the machine hits them alike.
const startup = { bare: [], version: [], help: [] };
const configDir = mkdtempSync(join(tmpdir(), "confl-bench-"));
const env = { ...process.env, CONFL_CONFIG_DIR: configDir };
for (let i = 0; i < RUNS + 3; i++) {
  const bare = timeCommand(["-e", "0"], env);
  const version = timeCommand([CONFL, "--version"], env);
  const help = timeCommand([CONFL, "--help"], env);
  if (i >= 3) {
    startup.bare.push(bare);
    startup.version.push(version);
    startup.help.push(help);
  }
}
const bare = median(startup.bare);
const version = median(startup.version);
const help = median(startup.help);
console.log(`bare node -e 0: median ${bare.toFixed(1)} ms over ${RUNS} runs`);
report("confl --version over bare node", version - bare, "ms", "<= 25 ms", version - bare <= 25);
report("confl --help over bare node", help - bare, "ms", "<= 60 ms", help - bare <= 60);

// 2. Request throughput against the simulator, when it has been built.
async function startSim() {
  const child = spawn(process.execPath, ["build/sim.mjs"], { stdio: ["ignore", "pipe", "inherit"] });
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

try {
  const { existsSync } = await import("node:fs");
  if (existsSync("build/sim.mjs")) {
    const { child, info } = await startSim();
    try {
      const auth = `Basic ${Buffer.from(`${info.credentials.cloud.email}:${info.credentials.cloud.apiToken}`).toString("base64")}`;
      const url = `${info.origins.site}/wiki/api/v2/spaces?limit=1`;
      const n = 200;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await fetch(url, { headers: { authorization: auth } });
        await res.arrayBuffer();
      }
      const perRequest = (performance.now() - started) / n;
      report("simulator round trip (sequential GET)", perRequest, "ms/request", "<= 5 ms", perRequest <= 5);
    } finally {
      child.kill("SIGTERM");
    }
  } else {
    console.log("skip simulator benchmarks: build/sim.mjs not built");
  }
} finally {
  rmSync(configDir, { recursive: true, force: true });
}

console.log(JSON.stringify({ runs: RUNS, bareNodeMs: Number(bare.toFixed(1)), results }));
process.exitCode = failed ? 1 : 0;
