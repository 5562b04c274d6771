/**
 * Every example in the --help of the commands below runs, as written, against the simulator (Cloud site
 * and Data Center) and exits 0, in a fresh directory holding the files the examples name, on a fresh seed;
 * a trailing `> file` is honoured as the shell would. An example that stops working fails here.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
  const nouns = ["space", "page", "property", "attachment", "comment", "label"];
  const verbs = ["search", "open"];
  for (const noun of program.commands.filter((c) => [...nouns, ...verbs].includes(c.name()))) {
    for (const verb of verbs.includes(noun.name()) ? [noun] : noun.commands) {
      let help = "";
      verb.configureOutput({ writeOut: (s) => (help += s) });
      verb.outputHelp();
      for (const line of help.split("\n")) {
        const match = /^\s+\$ confl (.+)$/.exec(line);
        const name = verb === noun ? noun.name() : `${noun.name()} ${verb.name()}`;
        if (match) found.push([`${name}: confl ${match[1]}`, shellWords(match[1]!)]);
      }
    }
  }
  return found;
}

const all = examples();

it("finds examples for every space and page verb", () => {
  const verbs = new Set(all.map(([name]) => name.split(":")[0]));
  expect([...verbs].sort()).toEqual([
    "attachment delete",
    "attachment download",
    "attachment list",
    "attachment upload",
    "comment add",
    "comment list",
    "label add",
    "label list",
    "label remove",
    "open",
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
    "search",
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
      // the local files the examples name
      const cwd = join(dir, "work");
      mkdirSync(cwd);
      for (const file of ["report.pdf", "screenshot.png", "notes.txt", "review.txt"])
        writeFileSync(join(cwd, file), `${file}\n`);
      writeFileSync(join(cwd, "comment.xhtml"), "<p>Looks good</p>");
      writeFileSync(join(cwd, "page.xml"), "<p>An example body.</p>");
      const redirect = args.indexOf(">");
      const run = await confl(redirect === -1 ? args : args.slice(0, redirect), env, "", cwd);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      if (redirect !== -1) {
        writeFileSync(join(cwd, args[redirect + 1]!), run.stdout);
        expect(readFileSync(join(cwd, args[redirect + 1]!), "utf8")).not.toBe("");
      } else if (!args.includes("--web")) expect(run.stdout).not.toBe("");
    });
  });
}
