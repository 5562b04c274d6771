// Export benchmark: a 500-page space with 200 attachments (the simulator's settings.bulkSpace) exported
// at 50 ms injected latency on a Cloud site and on Data Center. Reports wall time against the ideal for
// the configured concurrency, and the requests made (from the simulator's log) against the minimum.
// Run alone: npm run build && node scripts/bench-export.mjs
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const PAGES = 500;
const ATTACHMENTS = 200;
const LATENCY = Number(process.env.BENCH_LATENCY ?? 50);
const CONCURRENCY = 6;

/** The simulator as a library (in this process, so its request log can be read). */
async function loadSimulator() {
  const { build } = await import("esbuild");
  await build({
    entryPoints: ["sim/index.ts"],
    outfile: "build/sim-lib.mjs",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  return import(new URL("../build/sim-lib.mjs", import.meta.url).href);
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
 * The ideal wall time at this concurrency: the longest chain of listing requests (each waits for the
 * cursor of the one before; the listings themselves run side by side), then the downloads,
 * CONCURRENCY at a time, each one round trip (two on Cloud: the API's redirect and the media host).
 */
function idealMs(cloud) {
  const chain = cloud
    ? Math.max(1 + Math.ceil(PAGES / 250), Math.ceil(PAGES / 50), Math.ceil(ATTACHMENTS / 50))
    : Math.max(Math.ceil(PAGES / 100), Math.ceil(ATTACHMENTS / 100));
  const downloads = Math.ceil(ATTACHMENTS / CONCURRENCY) * (cloud ? 2 : 1);
  return (chain + downloads) * LATENCY;
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
      const started = performance.now();
      const summary = JSON.parse(
        await runConfl(
          ["export", "--space", "BULK", "--out", out, "--concurrency", String(CONCURRENCY), "--json"],
          env,
        ),
      );
      const wall = performance.now() - started - startup;
      const api = sim.log.filter(
        (e) => e.server !== "media" && (e.headers.authorization || e.headers.cookie),
      );
      const media = sim.log.filter((e) => e.server === "media").length;
      const min = minimum(cloud);
      if (summary.pages.written !== PAGES || summary.attachments.downloaded !== ATTACHMENTS)
        throw new Error(
          `${name}: exported ${summary.pages.written} pages, ${summary.attachments.downloaded} attachments`,
        );
      const ideal = idealMs(cloud);
      console.log(
        `export ${PAGES} pages + ${ATTACHMENTS} attachments at ${LATENCY} ms latency (${name}, concurrency ${CONCURRENCY}): ` +
          `${(wall / 1000).toFixed(2)} s (start-up ${startup.toFixed(0)} ms excluded), ideal ${(ideal / 1000).toFixed(2)} s; ` +
          `${api.length} API requests (minimum ${min})${cloud ? ` + ${media} media-host downloads` : ""}`,
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
