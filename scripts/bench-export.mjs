// Export benchmark: a 500-page space with 200 attachments (the simulator's settings.bulkSpace) exported
// at 50 ms injected latency on a Cloud site and on Data Center. Reports wall time against the ideal for
// the configured concurrency, and the requests made (from the simulator's log) against the minimum.
// Run alone: npm run build && node scripts/bench-export.mjs
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { importBundled } from "./bundle-import.mjs";

const PAGES = 500;
const ATTACHMENTS = 200;
const LATENCY = Number(process.env.BENCH_LATENCY ?? 50);
const CONCURRENCY = 6;

/** The simulator as a library (in this process, so its request log can be read). */
function loadSimulator() {
  return importBundled("sim/index.ts", "build/sim-lib.mjs");
}

/**
 * CPU time (user + system, ms) of the children this process has waited for, from /proc (Linux only;
 * null elsewhere): on a shared machine the wall time is noise, the CPU the export spent is not.
 */
function childCpuMs() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    // fields from the state on: cutime and cstime are the 16th and 17th of the whole line
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticks;
  } catch {
    return null;
  }
}

function runConfl(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/confl.mjs", ...args], {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", CONFL_NO_INPUT: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.once("exit", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`confl ${args.join(" ")}: ${code}\n${stderr}`)),
    );
  });
}

/**
 * The fewest requests the APIs allow (src/confluence/space-content.ts): Cloud = the space's id, the
 * page listing with bodies (250 a request), labels by CQL (50 a request), attachments by CQL (50), one
 * download each; DC = the listing (100, labels included), attachments by CQL (100), one download each.
 * Cloud downloads also make one request to the media host each, which the API redirects to.
 */
function minimum(cloud) {
  const pages = (per) => Math.ceil(PAGES / per);
  return cloud
    ? 1 + pages(250) + pages(50) + Math.ceil(ATTACHMENTS / 50) + ATTACHMENTS
    : pages(100) + Math.ceil(ATTACHMENTS / 100) + ATTACHMENTS;
}

/**
 * The ideal wall time: a lower bound no schedule can beat at this concurrency. export keeps at most
 * CONCURRENCY requests in flight (listings included) and sets no client-side rate limit of its own (the
 * throttle slows down only when the server reports it is near its limit, which the simulator does not),
 * so the concurrency is the only bound. Every request takes at least one round trip (LATENCY); a Cloud
 * download holds its slot for two (the API's redirect, then the media host). Hence the larger of
 * - the work bound: all round trips of the minimum request set, CONCURRENCY at a time;
 * - the chain bound: the first attachment listing answers before any download can start, and then the
 *   busiest slot carries ceil(ATTACHMENTS / CONCURRENCY) downloads one after another.
 * Listing chains (cursors) overlap the downloads, so they do not add to either.
 */
function idealMs(cloud) {
  const perDownload = cloud ? 2 : 1;
  const roundTrips = minimum(cloud) + (cloud ? ATTACHMENTS : 0);
  const work = Math.ceil(roundTrips / CONCURRENCY);
  const chain = 1 + Math.ceil(ATTACHMENTS / CONCURRENCY) * perDownload;
  return Math.max(work, chain) * LATENCY;
}

/** Where the wall time went: per kind of request, when the first and the last one arrived (ms from start). */
function timeline(log, started) {
  const t0 = started;
  const kinds = new Map();
  for (const e of log) {
    const kind =
      e.server === "media"
        ? "media download"
        : /\/download/.test(e.path)
          ? "attachment download"
          : /content\/search/.test(e.path)
            ? /attachment/.test(decodeURIComponent(e.path))
              ? "CQL attachments"
              : /labels/.test(e.path)
                ? "CQL labels"
                : "CQL bodies"
            : /\/pages/.test(e.path) || /rest\/api\/content\?/.test(e.path)
              ? "page listing"
              : e.path.split("?")[0];
    const k = kinds.get(kind) ?? { n: 0, first: Infinity, last: 0 };
    k.n++;
    k.first = Math.min(k.first, e.at - t0);
    k.last = Math.max(k.last, e.at - t0);
    kinds.set(kind, k);
    k.at = [...(k.at ?? []), e.at - t0];
  }
  for (const [kind, k] of kinds)
    console.log(
      `  ${kind.padEnd(22)} ${String(k.n).padStart(4)}  first ${k.first.toFixed(0).padStart(5)} ms  last ${k.last.toFixed(0).padStart(5)} ms${process.env.BENCH_TIMELINE === "all" ? `  ${k.at.map((t) => t.toFixed(0)).join(" ")}` : ""}`,
    );
}

export async function benchExport(report) {
  const { startSimulator } = await loadSimulator();
  const sim = await startSimulator({
    settings: { bulkSpace: { key: "BULK", pages: PAGES, attachments: ATTACHMENTS } },
  });
  const work = mkdtempSync(join(tmpdir(), "confl-bench-export-"));
  try {
    for (const cloud of [true, false]) {
      const name = cloud ? "Cloud" : "DC";
      const env = {
        CONFL_CONFIG_DIR: join(work, `config-${name}`),
        HOME: work,
        ...(cloud
          ? {
              CONFLUENCE_URL: sim.origins.site,
              CONFLUENCE_EMAIL: sim.credentials.cloud.email,
              CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
            }
          : { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat }),
      };
      // node's own start-up, measured the same way, is not the export's
      const startedNode = performance.now();
      await runConfl(["--version"], env);
      const startup = performance.now() - startedNode;
      sim.settings.latencyMs = LATENCY;
      sim.clearLog();
      const out = join(work, `out-${name}`);
      const cpuBefore = childCpuMs();
      const started = performance.now();
      const startedAt = Date.now();
      const summary = JSON.parse(
        await runConfl(
          ["export", "--space", "BULK", "--out", out, "--concurrency", String(CONCURRENCY), "--json"],
          env,
        ),
      );
      const wall = performance.now() - started - startup;
      const cpu = cpuBefore === null ? null : childCpuMs() - cpuBefore;
      const api = sim.log.filter(
        (e) => e.server !== "media" && (e.headers.authorization || e.headers.cookie),
      );
      const media = sim.log.filter((e) => e.server === "media").length;
      const min = minimum(cloud);
      if (process.env.BENCH_TIMELINE) timeline(sim.log, startedAt);
      if (summary.pages.written !== PAGES || summary.attachments.downloaded !== ATTACHMENTS)
        throw new Error(
          `${name}: exported ${summary.pages.written} pages, ${summary.attachments.downloaded} attachments`,
        );
      const ideal = idealMs(cloud);
      console.log(
        `export ${PAGES} pages + ${ATTACHMENTS} attachments at ${LATENCY} ms latency (${name}, concurrency ${CONCURRENCY}): ` +
          `${(wall / 1000).toFixed(2)} s (start-up ${startup.toFixed(0)} ms excluded), ideal ${(ideal / 1000).toFixed(2)} s; ` +
          `${api.length} API requests (minimum ${min})${cloud ? ` + ${media} media-host downloads` : ""}` +
          (cpu === null ? "" : `; confl used ${cpu.toFixed(0)} ms CPU`),
      );
      report(`export wall time over ideal (${name})`, wall / ideal, "x", "<= 1.3x", wall / ideal <= 1.3);
      report(
        `export requests over minimum (${name})`,
        api.length / min,
        "x",
        "<= 1.05x",
        api.length / min <= 1.05,
      );

      // a second run: versions only, nothing fetched
      sim.clearLog();
      const again = JSON.parse(await runConfl(["export", "--space", "BULK", "--out", out, "--json"], env));
      const second = sim.log.filter(
        (e) => e.server !== "media" && (e.headers.authorization || e.headers.cookie),
      ).length;
      console.log(`export second run (${name}): ${again.pages.written} pages written, ${second} requests`);
      sim.settings.latencyMs = 0;
    }
  } finally {
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchExport((name, value, unit, target, ok) =>
    console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${value.toFixed(2)} ${unit}  (target: ${target})`),
  );
}
