/** The standalone entry (sim/main.ts → build/sim.mjs): one JSON line on stdout, runs until SIGTERM. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Json } from "./helpers.js";

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "confl-sim-main-"));
  bundle = join(dir, "sim.mjs");
  await build({
    entryPoints: [new URL("../../sim/main.ts", import.meta.url).pathname],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`exited ${code} before printing`)));
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("sim main", () => {
  it("prints {origins, cloudId, credentials}, serves, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [bundle, "--settings", '{"cloudAnonymousAccess":true}'], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const info = JSON.parse(await firstLine(child)) as Json;
      expect(Object.keys(info).sort()).toEqual(["backup", "cloudId", "credentials", "origins"]);
      expect(info.origins.dc).toBe(`${info.origins.dcOrigin}/confluence`);
      const tenant = await call(`${info.origins.site}/_edge/tenant_info`);
      expect(tenant.json).toEqual({ cloudId: info.cloudId });
      // the --settings flag took effect: no credential is served anonymously
      const me = await call(`${info.origins.site}/wiki/rest/api/user/current`);
      expect((me.json as Json).type).toBe("anonymous");
      const exited = exitCode(child);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("binds --host ::1", async () => {
    const child = spawn(process.execPath, [bundle, "--host", "::1"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const info = JSON.parse(await firstLine(child)) as Json;
      expect(info.origins.site).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const exited = exitCode(child);
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses bad flags with exit 2", async () => {
    const child = spawn(process.execPath, [bundle, "--settings", "{not json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(await exitCode(child)).toBe(2);
  });
});
