// Benchmarks with targets (issue 14). Timings on a shared 2-core VM are noisy, so each figure is the median
// of many runs (with min and max), start-up is CPU time (user + system) interleaved with bare `node -e 0`
// so load hits both alike, and a missed target is reported, never a failure: the exit code is 0 unless a
// benchmark could not run at all. Every figure goes to bench/results.json as {name, median, min, max, unit,
// runs, target, met} with the machine (Node version, CPU count and model, load), the date and the git
// commit, and a table is printed at the end.
// Usage: npm run bench [-- --runs 20] [-- --skip-large] [-- --out file]
//   --skip-large: no 1 GiB upload/download; --out: write the JSON elsewhere (default bench/results.json)
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { childTimes, median, startSim } from "./bench-lib.mjs";

const argValue = (flag, fallback) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Math.max(20, Number(argValue("--runs", 20)));
const OUT = argValue("--out", "bench/results.json");
// what `confl` runs once installed: the bin of package.json (dist/confl.cjs, which hands most commands to dist/confl.mjs)
const CONFL = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).bin.confl;

const round = (n) => (typeof n === "number" && Number.isFinite(n) ? Number(n.toPrecision(4)) : n);

/** Every figure, in the shape bench/results.json keeps. */
const figures = [];
/** Benchmarks that could not run (the only thing that makes the exit code non-zero). */
const errors = [];

/**
 * Records a figure: `samples` (an array) or `{median, min, max, runs}`; `met` is whether the target was
 * met (null when the figure is only reported).
 */
function figure(name, stats, unit, target, met, detail) {
  const s = Array.isArray(stats)
    ? { median: median(stats), min: Math.min(...stats), max: Math.max(...stats), runs: stats.length }
    : stats;
  const row = {
    name,
    median: round(s.median),
    min: round(s.min ?? s.median),
    max: round(s.max ?? s.median),
    unit,
    runs: s.runs ?? 1,
    target,
    met,
    ...(detail ? { detail } : {}),
  };
  figures.push(row);
  const mark = met === null ? "info" : met ? "ok  " : "MISS";
  console.log(
    `${mark} ${name}: ${row.median} ${unit} (min ${row.min}, max ${row.max}, ${row.runs} runs)${detail ? ` ${detail}` : ""}  (target: ${target})`,
  );
}
function skipped(name, reason) {
  figures.push({ name, skipped: reason });
  console.log(`skip ${name}: ${reason}`);
}

/** Runs one benchmark; an exception is recorded (and makes the exit code 1), the others still run. */
async function section(title, run) {
  console.log(`\n== ${title}`);
  try {
    await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    errors.push({ section: title, error: message });
    console.error(`bench: ${title} could not run: ${message.split("\n")[0]}`);
  }
}

const configDir = mkdtempSync(join(tmpdir(), "confl-bench-"));
// A clean environment: inherited variables change node's own start-up (NODE_EXTRA_CA_CERTS alone adds
// about 35 ms of CPU to every node process, bare node included, which would flatter the ratios).
const env = {
  PATH: process.env.PATH ?? "",
  HOME: configDir,
  NETRC: join(configDir, "netrc-absent"),
  CONFL_CONFIG_DIR: configDir,
  CONFL_NO_INPUT: "1",
};

/** CPU and wall time of one child `node ...args` (bench-lib.mjs), with this bench's environment by default. */
function timeCommand(args, runEnv = env, input) {
  return childTimes(args, runEnv, input);
}

/**
 * Peak RSS of one run, in MB, and its wall time: GNU time's maximum resident set size when /usr/bin/time
 * exists, else the VmHWM high-water mark read from /proc/<pid>/status while the process runs.
 */
async function peakRss(args, runEnv, workDir = configDir) {
  const useTime = existsSync("/usr/bin/time");
  const timeOut = join(workDir, `time-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const command = useTime ? "/usr/bin/time" : process.execPath;
  const argv = useTime ? ["-f", "%M", "-o", timeOut, process.execPath, ...args] : args;
  const child = spawn(command, argv, { env: runEnv, stdio: ["ignore", "ignore", "pipe"] });
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
  if (code !== 0) throw new Error(`node ${args.join(" ")} failed (${code}): ${stderr}`);
  const kb = useTime ? Number(readFileSync(timeOut, "utf8").trim().split("\n").at(-1)) : hwm;
  return { mb: kb / 1024, seconds };
}

const started = new Date();
const loadBefore = loadavg();

// 1. Start-up: `confl --version`, `--help` and `auth status --no-verify` against bare `node -e 0`, CPU time,
// interleaved so load on the machine hits them alike; ratios per round (min/max) and of the medians.
await section("start-up (CPU time, interleaved with bare node)", async () => {
  const statusEnv = {
    ...env,
    CONFLUENCE_URL: "https://bench.atlassian.net",
    CONFLUENCE_EMAIL: "bench@example.com",
    CONFLUENCE_API_TOKEN: "fake-bench-token-0001",
  };
  const commands = {
    bare: [["-e", "0"], env],
    version: [[CONFL, "--version"], env],
    help: [[CONFL, "--help"], env],
    status: [[CONFL, "auth", "status", "--no-verify"], statusEnv],
  };
  const cpu = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < RUNS + 3; i++) {
    for (const [key, [args, runEnv]] of Object.entries(commands)) {
      const t = timeCommand(args, runEnv);
      if (i >= 3) cpu[key].push(t.cpu);
    }
  }
  const bare = median(cpu.bare);
  figure("bare node -e 0, CPU time", cpu.bare, "ms", "reference", null);
  for (const [key, label, target, limit] of [
    ["version", "confl --version", "<= 1.15x", 1.15],
    ["help", "confl --help", "<= 1.3x", 1.3],
    ["status", "confl auth status --no-verify", "<= 1.5x", 1.5],
  ]) {
    const ratios = cpu[key].map((ms, i) => ms / cpu.bare[i]);
    const ratio = median(cpu[key]) / bare;
    figure(
      `${label} / bare node (CPU time)`,
      { median: ratio, min: Math.min(...ratios), max: Math.max(...ratios), runs: ratios.length },
      "x",
      target,
      ratio <= limit,
      `(${median(cpu[key]).toFixed(1)} ms vs ${bare.toFixed(1)} ms)`,
    );
  }
  // peak RSS, 5 runs each, interleaved
  const rss = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < 5; i++)
    for (const [key, [args, runEnv]] of Object.entries(commands))
      rss[key].push((await peakRss(args, runEnv)).mb);
  figure("peak RSS, bare node -e 0", rss.bare, "MB", "reference", null);
  for (const [key, label] of [
    ["version", "confl --version"],
    ["help", "confl --help"],
    ["status", "confl auth status --no-verify"],
  ])
    figure(
      `peak RSS, ${label} / bare node`,
      rss[key].map((mb, i) => mb / rss.bare[i]),
      "x",
      "reported",
      null,
      `(${median(rss[key]).toFixed(1)} MB)`,
    );
});

// 2. One authenticated call per credential source, with the breakdown (scripts/bench-call.mjs).
await section("one authenticated call per credential source", async () => {
  const { benchCall } = await import("./bench-call.mjs");
  const rows = await benchCall(RUNS);
  for (const r of rows) {
    if (r.skipped) skipped(r.name, r.skipped);
    else
      figure(
        r.name,
        { median: r.value, min: r.min, max: r.max, runs: r.runs ?? 1 },
        r.unit,
        r.target,
        r.target.startsWith("reported") ? null : r.ok,
      );
  }
});

// 3. The simulator's own round trip (so a slow simulator is not mistaken for a slow confl).
await section("simulator round trip", async () => {
  const { child, info } = await startSim();
  try {
    const auth = `Basic ${Buffer.from(`${info.credentials.cloud.email}:${info.credentials.cloud.apiToken}`).toString("base64")}`;
    const url = `${info.origins.site}/wiki/api/v2/spaces?limit=1`;
    const perRequest = [];
    for (let round = 0; round < 5; round++) {
      const n = 40;
      const t = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await fetch(url, { headers: { authorization: auth } });
        await res.arrayBuffer();
      }
      perRequest.push((performance.now() - t) / n);
    }
    figure(
      "simulator round trip (sequential GET)",
      perRequest,
      "ms/request",
      "<= 5 ms",
      median(perRequest) <= 5,
    );
  } finally {
    child.kill("SIGTERM");
  }
});

// 4. Export of a 500-page space with 200 attachments at 50 ms latency (scripts/bench-export.mjs): wall
// time over the ideal and requests over the minimum. One run each (it takes seconds).
await section("bulk export at 50 ms latency", async () => {
  const { benchExport } = await import("./bench-export.mjs");
  await benchExport((name, value, unit, target, ok) => figure(name, { median: value }, unit, target, ok));
});

// 5. The same export under a 429 storm: 10 req/s, Retry-After 1-2 s (scripts/bench-storm.mjs).
await section("export under a 429 storm", async () => {
  const { benchStorm } = await import("./bench-storm.mjs");
  await benchStorm((name, value, unit, target, ok, detail) =>
    figure(name, { median: value }, unit, target, ok, detail ? `(${detail})` : undefined),
  );
});

// 6. A 1 GiB upload and download against a simulator that spools uploads to disk (uploadSpoolDir), so
// neither side holds the file in memory: confl's peak RSS, and its throughput against a plain loopback
// copy of the same bytes (node's http, a file streamed to a server that writes it to disk, and back).
const PLAIN_SERVER = `
const { createServer } = require("node:http");
const { createReadStream, createWriteStream, statSync } = require("node:fs");
const { pipeline } = require("node:stream");
const [up, down] = process.argv.slice(1);
const server = createServer((req, res) => {
  if (req.method === "PUT") pipeline(req, createWriteStream(up), (e) => (e ? res.destroy() : res.end("ok")));
  else {
    res.writeHead(200, { "content-length": String(statSync(down).size) });
    pipeline(createReadStream(down), res, () => {});
  }
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

/** Seconds to PUT `file` to a plain node server on loopback (which writes it to disk) and GET it back. */
async function plainLoopbackCopy(file, work) {
  const { createReadStream, createWriteStream } = await import("node:fs");
  const { request } = await import("node:http");
  const child = spawn(process.execPath, ["-e", PLAIN_SERVER, join(work, "plain-up.bin"), file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.once("data", (chunk) => resolve(Number(String(chunk).trim())));
      child.once("exit", (code) => reject(new Error(`plain server exited with ${code}`)));
    });
    const size = statSync(file).size;
    let t = performance.now();
    await new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method: "PUT", headers: { "content-length": String(size) } },
        (res) => {
          res.resume();
          res.once("end", resolve);
        },
      );
      req.once("error", reject);
      pipeline(createReadStream(file), req).catch(reject);
    });
    const up = (performance.now() - t) / 1000;
    t = performance.now();
    await new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "GET" }, (res) => {
        pipeline(res, createWriteStream(join(work, "plain-down.bin"))).then(resolve, reject);
      });
      req.once("error", reject);
      req.end();
    });
    const down = (performance.now() - t) / 1000;
    rmSync(join(work, "plain-up.bin"), { force: true });
    rmSync(join(work, "plain-down.bin"), { force: true });
    return { up, down };
  } finally {
    child.kill("SIGTERM");
  }
}

await section("1 GiB attachment upload and download", async () => {
  if (process.argv.includes("--skip-large")) {
    skipped("1 GiB attachment upload and download", "--skip-large given");
    return;
  }
  const { randomBytes } = await import("node:crypto");
  const work = mkdtempSync(join(tmpdir(), "confl-bench-large-"));
  const spool = join(work, "spool");
  mkdirSync(spool);
  const big = join(work, "big.bin");
  const size = 1024 * 1024 * 1024;
  const block = randomBytes(1024 * 1024);
  const fd = openSync(big, "w");
  for (let written = 0; written < size; written += block.length) writeSync(fd, block);
  closeSync(fd);
  const { child, info } = await startSim({ uploadSpoolDir: spool });
  try {
    const confEnv = {
      ...env,
      CONFLUENCE_URL: info.origins.site,
      CONFLUENCE_EMAIL: info.credentials.cloud.email,
      CONFLUENCE_API_TOKEN: info.credentials.cloud.apiToken,
    };
    // the plain copy runs before and after confl; the faster of the two is the reference (a conservative one)
    const plainBefore = await plainLoopbackCopy(big, work);
    const up = await peakRss([CONFL, "attachment", "upload", "65538", big], confEnv, work);
    const out = join(work, "out");
    const down = await peakRss(
      [CONFL, "attachment", "download", "65538", "big.bin", "--out", out],
      confEnv,
      work,
    );
    if (statSync(join(out, "big.bin")).size !== size)
      throw new Error("the downloaded file has the wrong size");
    const plainAfter = await plainLoopbackCopy(big, work);
    const plain = {
      up: Math.min(plainBefore.up, plainAfter.up),
      down: Math.min(plainBefore.down, plainAfter.down),
    };
    figure("peak RSS, 1 GiB attachment upload", { median: up.mb }, "MB", "<= 150 MB", up.mb <= 150);
    figure("peak RSS, 1 GiB attachment download", { median: down.mb }, "MB", "<= 150 MB", down.mb <= 150);
    for (const [label, confl, bare] of [
      ["upload", up.seconds, plain.up],
      ["download", down.seconds, plain.down],
    ]) {
      figure(`1 GiB ${label} throughput`, { median: 1024 / confl }, "MiB/s", "reported", null);
      figure(`plain loopback copy, ${label}`, { median: 1024 / bare }, "MiB/s", "reference", null);
      figure(
        `1 GiB ${label} throughput / plain loopback copy`,
        { median: bare / confl },
        "x",
        "reported",
        null,
        "(1.0 = as fast as a plain copy)",
      );
    }
  } finally {
    child.kill("SIGTERM");
    rmSync(work, { recursive: true, force: true });
  }
});

// 7. Markdown conversion each way (scripts/markdown-bench.mjs: median, min and max of 7 runs) and what
// `confl convert` costs to start compared with `confl --version`.
await section("Markdown conversion", async () => {
  const { markdownBench } = await import("./markdown-bench.mjs");
  const targets = new Map();
  const runs = 7;
  const measured = await markdownBench({
    runs,
    report: (name, _value, unit, target, ok, detail) => targets.set(name, { unit, target, ok, detail }),
  });
  for (const f of measured) {
    const t = targets.get(f.name);
    figure(
      f.name,
      { median: f.median, min: f.min, max: f.max, runs },
      t.unit,
      t.target,
      t.ok,
      `(${t.detail})`,
    );
  }
  const cold = { version: [], convert: [] };
  for (let i = 0; i < RUNS + 2; i++) {
    const version = timeCommand([CONFL, "--version"]);
    const convert = timeCommand([CONFL, "convert", "--from", "markdown", "--to", "storage"], env, "# Hi\n");
    if (i >= 2) {
      cold.version.push(version.cpu);
      cold.convert.push(convert.cpu);
    }
  }
  figure(
    "confl convert cold start over confl --version (CPU time)",
    cold.convert.map((ms, i) => ms - cold.version[i]),
    "ms",
    "reported",
    null,
  );
});

rmSync(configDir, { recursive: true, force: true });

// The results file and the table.
let commit = "unknown";
try {
  commit = execFileSync("git", ["rev-parse", "HEAD"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
  // uncommitted changes to the code measured (src/, scripts/, sim/) make the commit "-dirty"
  const dirty = execFileSync(
    "git",
    ["status", "--porcelain", "--", "src", "scripts", "sim", "package.json"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    },
  ).trim();
  if (dirty) commit += "-dirty";
} catch {
  // not a git checkout
}
const cpuList = cpus();
const results = {
  date: started.toISOString(),
  commit,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpuList.length,
  cpuModel: cpuList[0]?.model ?? "unknown",
  loadAverage: {
    before: loadBefore.map((n) => Number(n.toFixed(2))),
    after: loadavg().map((n) => Number(n.toFixed(2))),
  },
  runs: RUNS,
  figures,
  errors,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);

const rows = figures.map((f) =>
  f.skipped
    ? [f.name, "skipped", "", "", f.skipped]
    : [
        f.name,
        `${f.median} ${f.unit}`,
        `${f.min} – ${f.max}`,
        String(f.target),
        f.met === null ? "" : f.met ? "met" : "MISSED",
      ],
);
const head = ["figure", "median", "min – max", "target", ""];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join("  ")
    .trimEnd();
console.log(`\n${line(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
for (const r of rows) console.log(line(r));
console.log(
  `\n${figures.length} figures, ${figures.filter((f) => f.met === false).length} targets missed; Node ${process.version}, ` +
    `${cpuList.length} × ${results.cpuModel}, load ${results.loadAverage.before[0]} → ${results.loadAverage.after[0]}; written to ${OUT}`,
);
if (errors.length > 0) {
  console.error(
    `bench: ${errors.length} benchmark(s) could not run: ${errors.map((e) => e.section).join(", ")}`,
  );
  process.exitCode = 1;
}
