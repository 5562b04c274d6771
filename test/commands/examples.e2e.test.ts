/**
 * Every example in the --help of the space, page and property commands runs, as written, against the
 * simulator (Cloud site and Data Center) and exits 0. An example that stops working fails here. Each runs
 * in a directory holding page.xml (for the `--body-file page.xml` examples) and on a fresh seed; a
 * trailing `> file` is honoured as the shell would.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/main.js";
import { startSimulator } from "../sim/index.js";
import type { Simulator } from "../sim/types.js";
import { confl } from "./helpers.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
}, 60_000);
afterAll(async () => sim?.stop());
beforeEach(() => sim.reset());

/** Splits an example line the way a POSIX shell would for the quoting our examples use. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const match of line.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}

function examples(): Array<[string, string[]]> {
  const program = buildProgram(() => {
    throw new Error("not run");
  });
  const found: Array<[string, string[]]> = [];
  for (const noun of program.commands.filter((c) => ["space", "page", "property"].includes(c.name()))) {
    for (const verb of noun.commands) {
      let help = "";
      verb.configureOutput({ writeOut: (s) => (help += s) });
      verb.outputHelp();
      for (const line of help.split("\n")) {
        const match = /^\s+\$ confl (.+)$/.exec(line);
        if (match) found.push([`${noun.name()} ${verb.name()}: confl ${match[1]}`, shellWords(match[1]!)]);
      }
    }
  }
  return found;
}

const all = examples();

it("finds examples for every space and page verb", () => {
  const verbs = new Set(all.map(([name]) => name.split(":")[0]));
  expect([...verbs].sort()).toEqual([
    "page children",
    "page copy",
    "page create",
    "page delete",
    "page diff",
    "page list",
    "page move",
    "page tree",
    "page update",
    "page versions",
    "page view",
    "property delete",
    "property get",
    "property list",
    "property set",
    "space list",
    "space view",
  ]);
});

for (const deployment of ["cloud", "dc"] as const) {
  describe(`examples on ${deployment === "cloud" ? "a Cloud site" : "Data Center"}`, () => {
    it.each(all)("%s", async (_name, args) => {
      const dir = mkdtempSync(join(tmpdir(), "confl-examples-"));
      const recorder = join(dir, "browser.mjs");
      writeFileSync(recorder, "process.exit(0)");
      const env: NodeJS.ProcessEnv = {
        CONFL_CONFIG_DIR: join(dir, "config"),
        HOME: dir,
        CONFL_BROWSER: `${process.execPath} ${recorder}`,
        ...(deployment === "cloud"
          ? {
              CONFLUENCE_URL: sim.origins.site,
              CONFLUENCE_EMAIL: sim.credentials.cloud.email,
              CONFLUENCE_API_TOKEN: sim.credentials.cloud.apiToken,
            }
          : { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat }),
      };
      writeFileSync(join(dir, "page.xml"), "<p>An example body.</p>");
      const redirect = args.indexOf(">");
      const run = await confl(redirect === -1 ? args : args.slice(0, redirect), env, "", dir);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      if (redirect !== -1) {
        writeFileSync(join(dir, args[redirect + 1]!), run.stdout);
        expect(readFileSync(join(dir, args[redirect + 1]!), "utf8")).not.toBe("");
      } else if (!args.includes("--web")) expect(run.stdout).not.toBe("");
    });
  });
}
