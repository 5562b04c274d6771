// Markdown conversion throughput, each way, on (a) the test corpus repeated to 2 MB of storage and
// (b) one generated ~1 MB page with many tables and lists: median, min and max MB/s over several runs,
// and MB per CPU-second (the process's user + system time, which machine load disturbs less than wall
// time; GC helper threads count too). Part of `npm run bench`; alone: `node scripts/markdown-bench.mjs
// [--runs 7]` (bundles src/markdown with esbuild first, no CLI build needed).
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { importBundled } from "./bundle-import.mjs";

const TARGET = 20;

/** The converter bundled as the CLI would load it (production builds of the unified packages). */
export function loadConverter() {
  return importBundled("src/markdown/index.ts", "build/markdown-bench.mjs", { fresh: true });
}

/** The corpus's storage samples, joined and repeated to `bytes`. */
export function corpusStorage(bytes = 2 * 1024 * 1024) {
  const dir = "test/markdown/corpus";
  const once = readdirSync(dir)
    .filter((f) => f.endsWith(".storage.xml"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
  return once.repeat(Math.ceil(bytes / once.length));
}

/**
 * One large page as a big team's wiki has them: per section a heading, a paragraph with formatting and
 * links, a 13-row table with page links and code, nested and ordered lists, a task list, a code macro and
 * an info panel. Deterministic (fixed seed), about `bytes` of storage.
 */
export function largePage(bytes = 1024 * 1024) {
  const words = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "release",
    "owner",
    "status",
    "Ünïcode",
    "a & b",
    "x < y",
  ];
  let seed = 1;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 16) % n;
  };
  const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const w = (n) => escapeXml(Array.from({ length: n }, () => words[random(words.length)]).join(" "));
  const inline = () =>
    `${w(4)} <strong>${w(2)}</strong> <em>${w(2)}</em> <code>${w(1)}</code> <a href="https://example.com/${random(999)}">${w(2)}</a> ${w(3)}`;
  const list = (depth) =>
    `<ul>${Array.from({ length: 4 }, () => `<li>${inline()}${depth < 2 && random(2) ? list(depth + 1) : ""}</li>`).join("")}</ul>`;
  const parts = [];
  let size = 0;
  for (let s = 0; size < bytes; s++) {
    const rows = ["<tr><th>Name</th><th>Owner</th><th>Status</th><th>Notes</th></tr>"];
    for (let r = 0; r < 12; r++)
      rows.push(
        `<tr><td>${w(2)}</td><td><ac:link><ri:page ri:content-title="Page ${random(500)}"/></ac:link></td><td><code>${w(1)}</code></td><td>${inline()}</td></tr>`,
      );
    const tasks = Array.from(
      { length: 3 },
      (_, i) =>
        `<ac:task><ac:task-id>${i}</ac:task-id><ac:task-status>${random(2) ? "complete" : "incomplete"}</ac:task-status><ac:task-body>${w(5)}</ac:task-body></ac:task>`,
    );
    const section = [
      `<h2>Section ${s}: ${w(3)}</h2><p>${inline()}</p>`,
      `<table><tbody>${rows.join("")}</tbody></table>`,
      list(0),
      `<ol>${Array.from({ length: 5 }, () => `<li>${inline()}</li>`).join("")}</ol>`,
      `<ac:task-list>${tasks.join("")}</ac:task-list>`,
      `<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">python</ac:parameter><ac:plain-text-body><![CDATA[def f(x):\n    return x * ${random(99)}\n\nprint(f(2))]]></ac:plain-text-body></ac:structured-macro>`,
      `<ac:structured-macro ac:name="info"><ac:rich-text-body><p>${inline()}</p></ac:rich-text-body></ac:structured-macro>`,
    ].join("");
    parts.push(section);
    size += Buffer.byteLength(section);
  }
  return parts.join("");
}

const mb = (text) => Buffer.byteLength(text) / (1024 * 1024);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** MB/s of `run(input)`: median, min and max over `runs` timed runs after one warm-up run. */
export function throughput(run, input, runs) {
  const size = mb(input);
  run(input);
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const usage = process.cpuUsage();
    const started = performance.now();
    run(input);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(usage);
    wall.push(size / seconds);
    cpu.push(size / ((used.user + used.system) / 1e6));
  }
  return { median: median(wall), min: Math.min(...wall), max: Math.max(...wall), cpu: median(cpu) };
}

/**
 * Measures both directions on both inputs; `report(name, value, unit, target, ok)` records each median
 * against the target. Returns the figures.
 */
export async function markdownBench({ runs = 7, report } = {}) {
  const { storageToMarkdown, markdownToStorage } = await loadConverter();
  const inputs = [
    ["corpus ×N", corpusStorage()],
    ["large page", largePage()],
  ];
  const figures = [];
  for (const [label, storage] of inputs) {
    const markdown = storageToMarkdown(storage).markdown;
    console.log(
      `conversion ${label}: ${mb(storage).toFixed(2)} MB storage, ${mb(markdown).toFixed(2)} MB Markdown, ${runs} runs`,
    );
    for (const [direction, run, input] of [
      ["storage → Markdown", storageToMarkdown, storage],
      ["Markdown → storage", markdownToStorage, markdown],
    ]) {
      const load = loadavg()[0];
      const t = throughput(run, input, runs);
      const name = `${direction} throughput, ${label}`;
      const detail = `min ${t.min.toFixed(2)}, max ${t.max.toFixed(2)}, ${t.cpu.toFixed(2)} MB per CPU-second, load ${load.toFixed(1)}`;
      if (report) report(name, t.median, "MB/s", `>= ${TARGET} MB/s`, t.median >= TARGET, detail);
      else
        console.log(
          `${t.median >= TARGET ? "ok  " : "FAIL"} ${name}: ${t.median.toFixed(2)} MB/s (${detail})  (target: >= ${TARGET} MB/s)`,
        );
      figures.push({ name, ...t, load });
    }
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const runsArg = process.argv.indexOf("--runs");
  await markdownBench({ runs: runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7 });
}
