/**
 * Read-only mode: --read-only (before or after the subcommand), CONFL_READ_ONLY=1 and a profile's
 * `readOnly` refuse every write with exit 2 and send nothing — the simulator's log stays empty of
 * writes (and, for commands that need no lookup first, of everything). Reads still work.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Simulator } from "../../sim/types.js";
import { createHttpClient } from "../../src/http/client.js";
import { useSimulator } from "../support/context.js";
import { confl } from "./helpers.js";

const sim = useSimulator();
/** one directory for the whole file: the write table below is built before any hook runs */
const dir = mkdtempSync(join(tmpdir(), "confl-ro-"));
writeFileSync(join(dir, "body.xml"), "<p>new body</p>");
writeFileSync(join(dir, "value.json"), '{"a":1}');

function cloudEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    CONFL_CONFIG_DIR: join(dir, "config"),
    HOME: dir,
    CONFLUENCE_URL: sim.origins.site,
    CONFLUENCE_EMAIL: sim.credentials.cloud.email,
    CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
    ...extra,
  };
}

/** Every write confl can make, as a user would type it. */
function writes(): string[][] {
  const body = join(dir, "body.xml");
  return [
    ["api", "-X", "POST", "api/v2/pages", "-f", "title=x"],
    ["api", "-X", "PUT", "api/v2/pages/65538", "--input", body],
    ["api", "-X", "DELETE", "api/v2/pages/65538"],
    ["api", "-X", "PATCH", "api/v2/pages/65538"],
    ["api", "api/v2/pages", "-f", "title=x", "-f", "spaceId=98305"],
    ["page", "create", "--space", "DOC", "--title", "New", "--body-file", body],
    ["page", "update", "65538", "--title", "Renamed"],
    ["page", "update", "65538", "--body-file", body, "--force"],
    ["page", "delete", "65545", "--yes"],
    ["page", "delete", "65545", "--purge", "--yes"],
    ["page", "move", "65539", "--parent", "65551"],
    ["page", "copy", "65538", "--parent", "65537"],
    ["page", "copy", "65539", "--parent", "65551", "--recursive"],
    ["property", "set", "65538", "k", "--value", "1"],
    ["property", "set", "65538", "k", "--value-file", join(dir, "value.json")],
    ["property", "delete", "65538", "release-meta", "--yes"],
  ];
}

const writeMethods = (log: Simulator["log"]) => log.filter((e) => !["GET", "HEAD"].includes(e.method));

describe("--read-only refuses writes before anything is sent", () => {
  it.each(writes())("confl --read-only %s …", async (...args) => {
    const run = await confl(["--read-only", ...args], cloudEnv());
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /^confl: \w+ .*refused: confl is read-only \(--read-only\); nothing was sent\n/,
    );
    expect(run.stdout).toBe("");
    expect(sim.log).toEqual([]);
  });

  it("the flag after the subcommand works the same", async () => {
    const run = await confl(["api", "-X", "POST", "api/v2/pages", "--read-only"], cloudEnv());
    expect(run.code).toBe(2);
    expect(sim.log).toEqual([]);
  });

  it("CONFL_READ_ONLY=1 does the same, and --json gives the read_only code", async () => {
    const run = await confl(
      ["api", "-X", "DELETE", "api/v2/pages/65538", "--json"],
      cloudEnv({ CONFL_READ_ONLY: "1" }),
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: "read_only", exitCode: 2 });
    expect(JSON.parse(run.stderr).error.hint).toMatch(/CONFL_READ_ONLY/);
    expect(sim.log).toEqual([]);
  });

  it("a GET with -f fields in the query is a read and goes through", async () => {
    const run = await confl(
      ["--read-only", "api", "-X", "GET", "api/v2/pages", "-f", "title=Release checklist"],
      cloudEnv(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).results[0].id).toBe("65538");
    // (the site detection's probe is a GET as well)
    expect(new Set(sim.log.map((e) => e.method))).toEqual(new Set(["GET"]));
  });

  it("a profile with readOnly: true refuses writes too", async () => {
    const home = mkdtempSync(join(tmpdir(), "confl-ro-profile-"));
    const env = { CONFL_CONFIG_DIR: join(home, "config"), HOME: home };
    const login = await confl(
      [
        "auth",
        "login",
        "--with-token",
        "--insecure-storage",
        "--site",
        sim.origins.site,
        "--email",
        sim.credentials.cloud.email,
      ],
      env,
      sim.credentials.cloud.apiToken,
    );
    expect(login.code, login.stderr).toBe(0);
    const configFile = join(home, "config", "config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    const name = config.activeProfile as string;
    config.profiles[name].readOnly = true;
    writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
    sim.clearLog();
    const run = await confl(["api", "-X", "POST", "api/v2/pages", "-f", "title=x"], env);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`profile "${name}" has readOnly set`);
    expect(writeMethods(sim.log)).toEqual([]);
    const read = await confl(["api", "api/v2/pages/65538"], env);
    expect(read.code, read.stderr).toBe(0);
  });
});

describe("the HTTP client is the choke point", () => {
  it("a read-only client refuses POST, PUT, DELETE, PATCH and sends nothing; GET goes through", async () => {
    const client = createHttpClient({ apiBase: `${sim.origins.site}/wiki/`, readOnly: { reason: "test" } });
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "post", "PROPFIND"]) {
      await expect(client.request({ method, path: "api/v2/pages", json: {} })).rejects.toMatchObject({
        code: "read_only",
        exitCode: 2,
      });
    }
    expect(sim.log).toEqual([]);
    const answer = await client.request({ path: "api/v2/spaces", throwOnError: false });
    expect(answer.status).toBeGreaterThan(0);
    expect(sim.log.map((e) => e.method)).toEqual(["GET"]);
  });
});
