/**
 * Start-up budget (issue 14), in bytes rather than milliseconds so it is stable on a busy machine:
 * scripts call confl in loops, so `--version` and `--help` must load little JavaScript. The built CLI
 * (vitest's globalSetup builds dist/) runs under a loader hook that logs every file it loads; the
 * total from dist/ must stay under a budget, and `--help` must not load the chunks that only commands
 * need. Chunk names are hashed, so chunks are told apart by a string only they contain.
 *
 * When a budget fails: find what the declaration path now imports statically (a verb file's top-level
 * value import that only its run() needs belongs inside run() as `await import(...)`), e.g. with
 * `node scripts/startup-trace.mjs --help` (after `npm run build`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const dist = join(root, "dist");
const cli = join(dist, "confl.mjs");

/**
 * Bytes of JavaScript loaded from dist/, with about 5% headroom over what was measured when the budget
 * was set: --version 1,986 bytes (3 files); --help 66,185 (11 files) and page view --help 91,777 (16 files)
 * once a run built only the noun it names (src/commands/index.ts). Before that (issue 14), both loaded
 * 177,325 bytes (18 files) with the auth verbs importing the HTTP client inside run(), 259,599 (26 files)
 * before, and 278,636 (30 files) before verbs imported their dependencies inside run().
 */
const BUDGET = {
  version: 4_000,
  help: 70_000,
  pageViewHelp: 97_000,
};

/** Strings that identify a chunk whatever its hashed name (each must occur in some chunk of dist/). */
const MARKERS = {
  /** the Markdown converter (remark/micromark, bundled into the converter's chunk) */
  markdown: "micromark",
  /** the HTTP client (src/http/throttle.ts, bundled with src/http/client.ts) */
  http: "x-ratelimit-nearlimit",
  /** the OAuth scope table (src/auth/oauth/scopes.ts) */
  scopes: "search:confluence",
  /** @clack/prompts (@clack/core's prompt states) */
  prompts: '"validating"',
  /**
   * the Confluence REST wrappers the verbs call (src/confluence/pages.ts, comments.ts, ...): v2's body-format
   * parameter, which the OAuth scope table that http/errors.ts carries does not contain
   */
  confluence: "body-format",
};

const work = mkdtempSync(join(tmpdir(), "confl-startup-"));
const log = join(work, "loaded.log");
const hook = join(work, "hook.mjs");
// The load hook runs on the loader thread: it appends each file: URL to the log synchronously, so
// nothing is lost when the CLI exits.
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
  `import { register } from "node:module";\n` +
    `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, ` +
    `{ parentURL: ${JSON.stringify(pathToFileURL(hook).href)}, data: { log: process.env.CONFL_LOAD_LOG } });\n`,
);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Loaded {
  files: { path: string; bytes: number }[];
  distBytes: number;
  stdout: string;
}

function load(args: string[]): Loaded {
  rmSync(log, { force: true });
  const result = spawnSync(process.execPath, ["--import", pathToFileURL(hook).href, cli, ...args], {
    env: { ...process.env, CONFL_LOAD_LOG: log, CONFL_NO_INPUT: "1", NO_COLOR: "1" },
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  const urls = [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
  const files = urls.map((url) => {
    const path = fileURLToPath(url);
    return { path, bytes: statSync(path).size };
  });
  const distBytes = files.filter((f) => f.path.startsWith(dist)).reduce((sum, f) => sum + f.bytes, 0);
  return { files, distBytes, stdout: result.stdout };
}

function chunksWith(files: Loaded["files"], marker: string): string[] {
  return files.filter((f) => readFileSync(f.path, "utf8").includes(marker)).map((f) => f.path);
}

function describeLoad(loaded: Loaded): string {
  return loaded.files.map((f) => `${f.bytes}\t${f.path.replace(root, ".")}`).join("\n");
}

describe("start-up budget", () => {
  const allChunks = [cli, ...readdirSync(join(dist, "chunks")).map((name) => join(dist, "chunks", name))].map(
    (path) => ({ path, bytes: statSync(path).size }),
  );

  it.each(Object.entries(MARKERS))("the %s marker still identifies a chunk of dist/", (_name, marker) => {
    expect(chunksWith(allChunks, marker).length).toBeGreaterThan(0);
  });

  it("the bin (package.json) answers --version and a piped --help without loading the ESM entry, and runs every other command", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: { confl: string } };
    const bin = join(root, pkg.bin.confl);
    expect(bin.endsWith(".cjs"), "an ESM bin pays for Node's ESM loader on --version").toBe(true);
    rmSync(log, { force: true });
    const version = spawnSync(process.execPath, ["--import", pathToFileURL(hook).href, bin, "--version"], {
      env: { ...process.env, CONFL_LOAD_LOG: log },
      encoding: "utf8",
    });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^confl \d/);
    // (under --import Node loads even a .cjs main through the ESM loader, so the bin itself may be listed)
    const loaded = readFileSync(log, "utf8")
      .split("\n")
      .filter((url) => url.startsWith(pathToFileURL(dist).href) && url.endsWith(".mjs"));
    expect(loaded).toEqual([]);
    // --help to a pipe: the build's copy of the root help, the same bytes the CLI itself prints
    const expected = load(["--help"]).stdout;
    for (const flag of ["--help", "-h"]) {
      rmSync(log, { force: true });
      const copy = spawnSync(process.execPath, ["--import", pathToFileURL(hook).href, bin, flag], {
        env: { ...process.env, CONFL_LOAD_LOG: log },
        encoding: "utf8",
      });
      expect(copy.status, copy.stderr).toBe(0);
      expect(copy.stdout).toBe(expected);
      expect(
        readFileSync(log, "utf8")
          .split("\n")
          .filter((url) => url.startsWith(pathToFileURL(dist).href) && url.endsWith(".mjs")),
      ).toEqual([]);
    }
    const usage = spawnSync(process.execPath, [bin, "pge"], {
      env: { ...process.env, NO_COLOR: "1" },
      encoding: "utf8",
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("did you mean page?");
  });

  it("--version loads the entry alone", () => {
    const loaded = load(["--version"]);
    expect(loaded.stdout).toMatch(/^confl \d/);
    expect(loaded.distBytes, describeLoad(loaded)).toBeLessThanOrEqual(BUDGET.version);
  });

  const help = () => load(["--help"]);
  const pageViewHelp = () => load(["page", "view", "--help"]);

  it("--help stays under its budget and loads nothing from node_modules", () => {
    const loaded = help();
    expect(loaded.stdout).toContain("Usage: confl");
    expect(loaded.distBytes, describeLoad(loaded)).toBeLessThanOrEqual(BUDGET.help);
    expect(loaded.files.filter((f) => f.path.includes("node_modules"))).toEqual([]);
  });

  it("page view --help stays under its budget", () => {
    const loaded = pageViewHelp();
    expect(loaded.stdout).toContain("Usage: confl page view");
    expect(loaded.distBytes, describeLoad(loaded)).toBeLessThanOrEqual(BUDGET.pageViewHelp);
  });

  it("--help and page view --help load neither the Markdown converter, the prompts nor the Confluence calls", () => {
    for (const loaded of [help(), pageViewHelp()]) {
      expect(chunksWith(loaded.files, MARKERS.markdown)).toEqual([]);
      expect(chunksWith(loaded.files, MARKERS.prompts)).toEqual([]);
      expect(chunksWith(loaded.files, MARKERS.confluence)).toEqual([]);
    }
  });

  // src/commands/auth/* import src/auth/session.ts (and through it the HTTP client, node:tls, node:http,
  // node:dns) inside their actions, never at registration.
  it("--help does not load the HTTP client", () => {
    expect(chunksWith(help().files, MARKERS.http)).toEqual([]);
  });

  it("--help does not load the OAuth scope table", () => {
    expect(chunksWith(help().files, MARKERS.scopes)).toEqual([]);
  });
});
