// Runs before every test file: nothing in a test may read or write the developer's own config,
// keychain entries or netrc. Each file gets a private config directory and keychain service name.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { takeHintProblems } from "./hints/log.js";

const dir = mkdtempSync(join(tmpdir(), "confl-test-"));
process.env.CONFL_CONFIG_DIR = join(dir, "config");
process.env.CONFL_KEYCHAIN_SERVICE = `confl-test-${process.pid}`;
process.env.NETRC = join(dir, "netrc-absent");
for (const name of Object.keys(process.env)) {
  if (
    /^(CONFLUENCE_|ATLASSIAN_|JIRA_)/.test(name) ||
    name === "CONFL_PROFILE" ||
    name === "CONFL_PASSPHRASE"
  ) {
    delete process.env[name];
  }
}

// Every confl command line a spawned CLI printed (hints, messages) must run: helpers record them through
// test/hints/collect.ts, and the test that printed a broken one fails here.
afterEach(() => {
  const problems = takeHintProblems();
  if (problems.length > 0)
    throw new Error(`confl printed a command line that does not run:\n${problems.join("\n")}`);
});
