/**
 * Issue 14: Node's built-in fetch costs ~20 ms of CPU to load (touching `fetch`, `Headers`, `Response`,
 * `Request` or `FormData` builds undici's fetch), so an ordinary request goes over node:http instead
 * (src/http/node-transport.ts). The built CLI runs under a preload that replaces those globals with
 * getters that log each touch; an ordinary call, download and upload must log none.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/index.js";
import type { Simulator } from "../../sim/types.js";

const root = resolve(import.meta.dirname, "../..");
const bundle = join(root, "dist/confl.mjs");
const work = mkdtempSync(join(tmpdir(), "confl-no-fetch-"));
const preload = join(work, "trap.mjs");
const WEB_GLOBALS = ["fetch", "Headers", "Response", "Request", "FormData"];
writeFileSync(
  preload,
  `import { appendFileSync } from "node:fs";
for (const name of ${JSON.stringify(WEB_GLOBALS)}) {
  const original = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      appendFileSync(process.env.CONFL_TRAP_LOG, name + "\\n");
      return original.get ? original.get.call(globalThis) : original.value;
    },
    set(value) { Object.defineProperty(globalThis, name, { value, writable: true, configurable: true }); },
  });
}
`,
);
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

function confl(args: string[], log: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(preload).href, bundle, ...args],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? "",
          CONFL_CONFIG_DIR: mkdtempSync(join(work, "config-")),
          CONFL_NO_INPUT: "1",
          CONFL_TRAP_LOG: log,
          CONFLUENCE_URL: sim.origins.site,
          CONFLUENCE_EMAIL: sim.credentials.cloud.email,
          CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
        },
        timeout: 30_000,
      },
      (error, _stdout, stderr) =>
        done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr }),
    );
  });
}

function touched(log: string): string[] {
  try {
    return [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
  } catch {
    return [];
  }
}

describe("an ordinary request touches no fetch global", () => {
  it("the trap sees a touch (it works)", async () => {
    const log = join(work, "self.log");
    await new Promise<void>((done) =>
      execFile(
        process.execPath,
        ["--import", pathToFileURL(preload).href, "-e", "new Headers()"],
        { env: { ...process.env, CONFL_TRAP_LOG: log } },
        () => done(),
      ),
    );
    expect(touched(log)).toEqual(["Headers"]);
  });

  it("confl api GET", async () => {
    const log = join(work, "api.log");
    const result = await confl(["api", "rest/api/user/current"], log);
    expect(result.code, result.stderr).toBe(0);
    expect(touched(log)).toEqual([]);
  });

  it("confl page view, attachment upload and download", async () => {
    const log = join(work, "files.log");
    const view = await confl(["page", "view", "65538", "--json"], log);
    expect(view.code, view.stderr).toBe(0);
    const file = join(work, "note.txt");
    writeFileSync(file, "hello\n");
    const upload = await confl(["attachment", "upload", "65538", file], log);
    expect(upload.code, upload.stderr).toBe(0);
    const download = await confl(
      ["attachment", "download", "65538", "note.txt", "--out", join(work, "out")],
      log,
    );
    expect(download.code, download.stderr).toBe(0);
    expect(readFileSync(join(work, "out", "note.txt"), "utf8")).toBe("hello\n");
    expect(touched(log)).toEqual([]);
  });
});
