// Benchmarks with targets. Timings on a shared 2-core VM are noisy, so each figure is the median of
// many runs, and targets compare confl with bare `node` measured in the same interleaved loop.
// Usage: npm run bench [-- --runs 30] [-- --skip-large]   (--skip-large: no 1 GiB upload/download)
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
/** A figure with a target that is reported but never fails the run (memory depends on the machine). */
function measure(name, value, unit, target, ok) {
  results.push({ name, value: Number(value.toFixed(1)), unit, target, ok, informational: true });
  console.log(`${ok ? "ok  " : "over"} ${name}: ${value.toFixed(1)} ${unit}  (target: ${target})`);
}

/**
 * Peak RSS of one confl run, in MB: GNU time's maximum resident set size when /usr/bin/time exists, else
 * the VmHWM high-water mark read from /proc/<pid>/status while the process runs.
 */
async function peakRss(args, env) {
  const { existsSync, readFileSync } = await import("node:fs");
  const useTime = existsSync("/usr/bin/time");
  const timeOut = join(configDir, `time-${Date.now()}.txt`);
  const command = useTime ? "/usr/bin/time" : process.execPath;
  const argv = useTime ? ["-f", "%M", "-o", timeOut, process.execPath, CONFL, ...args] : [CONFL, ...args];
  const child = spawn(command, argv, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  let hwm = 0;
  const poll = setInterval(() => {
    try {
      const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
      if (kb) hwm = Math.max(hwm, Number(kb));
    } catch {
      // the process has exited
    }
  }, 50);
  const started = performance.now();
  const code = await new Promise((resolve) => child.once("exit", resolve));
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`confl ${args.join(" ")} failed (${code}): ${stderr}`);
  const kb = useTime ? Number(readFileSync(timeOut, "utf8").trim().split("\n").at(-1)) : hwm;
  return { mb: kb / 1024, seconds };
}

/**
 * 3. A 1 GiB upload and download against a simulator that spools uploads to disk (uploadSpoolDir), so
 * neither side holds the file in memory; the figure is confl's own peak RSS. Files live in a temp dir
 * that is removed afterwards.
 */
async function largeTransfers() {
  const { openSync, writeSync, closeSync, statSync } = await import("node:fs");
  const { randomBytes } = await import("node:crypto");
  const work = mkdtempSync(join(tmpdir(), "confl-bench-large-"));
  const spool = join(work, "spool");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(spool);
  const big = join(work, "big.bin");
  const size = 1024 * 1024 * 1024;
  const block = randomBytes(1024 * 1024);
  const fd = openSync(big, "w");
  for (let written = 0; written < size; written += block.length) writeSync(fd, block);
  closeSync(fd);
  const child = spawn(
    process.execPath,
    ["build/sim.mjs", "--settings", JSON.stringify({ uploadSpoolDir: spool })],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const line = await new Promise((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (chunk) => {
        buf += chunk;
        const nl = buf.indexOf("\n");
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
    });
    const info = JSON.parse(line);
    const confEnv = {
      ...env,
      CONFLUENCE_URL: info.origins.site,
      CONFLUENCE_EMAIL: info.credentials.cloud.email,
      CONFLUENCE_API_TOKEN: info.credentials.cloud.apiToken,
      CONFL_NO_INPUT: "1",
    };
    const up = await peakRss(["attachment", "upload", "65538", big], confEnv);
    console.log(`1 GiB upload: ${up.seconds.toFixed(1)} s, ${(1024 / up.seconds).toFixed(0)} MiB/s`);
    measure("peak RSS, 1 GiB attachment upload", up.mb, "MB", "<= 150 MB", up.mb <= 150);
    const out = join(work, "out");
    const down = await peakRss(["attachment", "download", "65538", "big.bin", "--out", out], confEnv);
    console.log(`1 GiB download: ${down.seconds.toFixed(1)} s, ${(1024 / down.seconds).toFixed(0)} MiB/s`);
    if (statSync(join(out, "big.bin")).size !== size)
      throw new Error("the downloaded file has the wrong size");
    measure("peak RSS, 1 GiB attachment download", down.mb, "MB", "<= 150 MB", down.mb <= 150);
  } finally {
    child.kill("SIGTERM");
    rmSync(work, { recursive: true, force: true });
  }
}
let failed = 0;
function report(name, value, unit, target, ok, detail) {
  results.push({ name, value: Number(value.toFixed(2)), unit, target, ok, ...(detail ? { detail } : {}) });
  if (!ok) failed++;
  console.log(
    `${ok ? "ok  " : "FAIL"} ${name}: ${value.toFixed(unit === "MB/s" ? 2 : 1)} ${unit}${detail ? ` (${detail})` : ""}  (target: ${target})`,
  );
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
    if (process.argv.includes("--skip-large")) console.log("skip 1 GiB transfer benchmarks (--skip-large)");
    else await largeTransfers();
  } else {
    console.log("skip simulator benchmarks: build/sim.mjs not built");
  }
} catch (error) {
  rmSync(configDir, { recursive: true, force: true });
  throw error;
}

// 3. Export of a 500-page space with 200 attachments at 50 ms latency (scripts/bench-export.mjs):
// wall time over the ideal and requests over the minimum, reported without failing the run (timing on a
// shared VM is noisy).
{
  const { benchExport } = await import("./bench-export.mjs");
  await benchExport((name, value, unit, target, ok) => measure(name, value, unit, target, ok));
}

// 4. Markdown conversion: throughput each way on the test corpus repeated to 2 MB and on one ~1 MB page
// with many tables and lists (median, min and max of 7 runs; scripts/markdown-bench.mjs), and what
// `confl convert` costs to start compared with `confl --version`.
{
  const { markdownBench } = await import("./markdown-bench.mjs");
  await markdownBench({
    runs: 7,
    report: (name, value, unit, target, ok, detail) => report(name, value, unit, target, ok, detail),
  });

  const timeWithInput = (args, input) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, input, stdio: ["pipe", "ignore", "pipe"] });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr}`);
    return elapsed;
  };
  const cold = { version: [], convert: [] };
  const runs = Math.min(RUNS, 15);
  for (let i = 0; i < runs + 2; i++) {
    const version = timeCommand([CONFL, "--version"], env);
    const convert = timeWithInput([CONFL, "convert", "--from", "markdown", "--to", "storage"], "# Hi\n");
    if (i >= 2) {
      cold.version.push(version);
      cold.convert.push(convert);
    }
  }
  const extra = median(cold.convert) - median(cold.version);
  console.log(
    `confl convert (tiny input) ${median(cold.convert).toFixed(1)} ms vs confl --version ${median(cold.version).toFixed(1)} ms`,
  );
  results.push({
    name: "confl convert cold start over confl --version",
    value: Number(extra.toFixed(1)),
    unit: "ms",
    target: "reported",
    ok: true,
  });
  console.log(`info confl convert cold start over confl --version: ${extra.toFixed(1)} ms`);
}

rmSync(configDir, { recursive: true, force: true });
console.log(JSON.stringify({ runs: RUNS, bareNodeMs: Number(bare.toFixed(1)), results }));
process.exitCode = failed ? 1 : 0;
