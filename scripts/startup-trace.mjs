// Lists the files a confl command loads from dist/, with their sizes (the start-up budget in
// test/unit/startup-budget.test.ts counts the same bytes). Build first (npm run build).
//   node scripts/startup-trace.mjs --help
//   node scripts/startup-trace.mjs page view --help
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "confl-trace-"));
const log = join(work, "loaded.log");
const hook = join(work, "hook.mjs");
const hooks = `
import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  if (url.startsWith("file:")) appendFileSync(log, url + "\\n");
  return next(url, context);
}`;
writeFileSync(
  hook,
  `import { register } from "node:module";\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, { data: { log: ${JSON.stringify(log)} } });\n`,
);
try {
  const result = spawnSync(
    process.execPath,
    ["--import", pathToFileURL(hook).href, join(root, "dist", "confl.mjs"), ...process.argv.slice(2)],
    { stdio: ["inherit", "ignore", "inherit"] },
  );
  const urls = [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
  let total = 0;
  for (const url of urls) {
    const path = fileURLToPath(url);
    const bytes = statSync(path).size;
    if (path.startsWith(join(root, "dist"))) total += bytes;
    process.stdout.write(`${String(bytes).padStart(8)}  ${path.replace(root, "")}\n`);
  }
  process.stdout.write(`${urls.length} files, ${total} bytes from dist/ (exit ${result.status})\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
