/**
 * Shell completion: `confl __complete` answers from the real command tree (commands, flags, choices,
 * credential kinds, profile names from config.json, file names for path options), and the scripts
 * `confl completion <shell>` prints work when sourced in a real bash, zsh and fish (zsh's and fish's
 * tests run where those shells are installed; .ci/run installs them).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { upsertProfile } from "../../src/config/store.js";
import { createIOStreams } from "../../src/io/streams.js";
import { main } from "../../src/main.js";

const root = resolve(import.meta.dirname, "../..");
const configDir = mkdtempSync(join(tmpdir(), "confl-complete-"));
const env = { CONFL_CONFIG_DIR: join(configDir, "config") };

async function ask(...words: string[]): Promise<{ values: string[]; directive: string; lines: string[] }> {
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (c) => {
    text += String(c);
  });
  const io = createIOStreams({ stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} });
  const code = await main(["__complete", ...words], { io, env });
  io.flush();
  expect(code).toBe(0);
  const lines = text.trimEnd().split("\n");
  const directive = lines.pop() ?? "";
  return { values: lines.map((l) => l.split("\t")[0]!), directive, lines };
}

beforeAll(async () => {
  for (const name of ["acme.atlassian.net", "dc-prod", "ci"])
    await upsertProfile(
      {
        name,
        site: "https://acme.atlassian.net",
        deployment: "cloud",
        apiBase: "https://acme.atlassian.net/wiki/",
        kind: "api-token",
        email: "me@example.com",
        secretStore: "keychain",
      },
      env,
    );
});

describe("confl __complete", () => {
  it("top-level commands, with descriptions; no hidden or implicit ones", async () => {
    const r = await ask("");
    expect(r.values).toEqual(expect.arrayContaining(["auth", "api", "space", "page", "completion"]));
    expect(r.values).not.toContain("__complete");
    expect(r.lines.find((l) => l.startsWith("auth\t"))).toMatch(/\t.+/);
    expect(r.directive).toBe(":none");
  });

  it("subcommands by prefix", async () => {
    expect((await ask("auth", "lo")).values).toEqual(["login", "logout"]);
    expect((await ask("page", "")).values).toEqual(expect.arrayContaining(["view", "list", "tree"]));
  });

  it("flags of the command at the cursor, global ones included", async () => {
    const r = await ask("page", "view", "65538", "--");
    expect(r.values).toEqual(
      expect.arrayContaining(["--format", "--version", "--web", "--json", "--jq", "--profile"]),
    );
    expect((await ask("api", "--pag")).values).toEqual(["--paginate"]);
  });

  it("values: choices, credential kinds, profile names from config.json", async () => {
    expect((await ask("page", "view", "1", "--format", "")).values).toEqual([
      "text",
      "storage",
      "markdown",
      "json",
    ]);
    expect((await ask("auth", "login", "--type", "p")).values).toEqual(["pat", "password"]);
    expect((await ask("--profile", "")).values).toEqual(["acme.atlassian.net", "ci", "dc-prod"]);
    expect((await ask("space", "list", "--profile", "d")).values).toEqual(["dc-prod"]);
    expect((await ask("api", "--product=j")).values).toEqual(["--product=jira"]);
  });

  it("a flag's value is not taken for a command; a boolean flag takes no value", async () => {
    // `--profile auth` is a value, so the next word is still a top-level command
    expect((await ask("--profile", "auth", "sp")).values).toEqual(["space"]);
    // `--json` takes no value: `page` after it is the command
    expect((await ask("--json", "page", "vi")).values).toEqual(["view"]);
  });

  it("path options and a leaf's arguments ask the shell for file names", async () => {
    expect((await ask("api", "--input", "")).directive).toBe(":file");
    expect((await ask("auth", "login", "--ca-file", "")).directive).toBe(":file");
  });

  it("never fails: an unknown word is ignored, a broken config gives no profiles", async () => {
    const r = await ask("no-such-command", "");
    expect(r.directive).toBe(":none");
  });
});

describe("the scripts in real shells", () => {
  const dir = mkdtempSync(join(tmpdir(), "confl-shells-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const shim = join(bin, "confl");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(root, "dist/confl.mjs")}" "$@"\n`);
  chmodSync(shim, 0o755);
  const shellEnv = { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` };
  const script = (shell: string) => {
    const file = join(dir, `confl.${shell}`);
    writeFileSync(file, execFileSync(shim, ["completion", shell], { env: shellEnv }));
    return file;
  };
  const run = (shell: string, args: string[]) =>
    execFileSync(shell, args, { env: shellEnv, encoding: "utf8", timeout: 30_000 });

  it("bash: COMPREPLY for subcommands, flag values and profiles", () => {
    const file = script("bash");
    const out = run("bash", [
      "-c",
      `source ${file}
       COMP_WORDS=(confl auth lo); COMP_CWORD=2; _confl_complete; echo "1:\${COMPREPLY[*]}"
       COMP_WORDS=(confl page view 1 --format ""); COMP_CWORD=5; _confl_complete; echo "2:\${COMPREPLY[*]}"
       COMP_WORDS=(confl --profile ""); COMP_CWORD=2; _confl_complete; echo "3:\${COMPREPLY[*]}"
       complete -p confl`,
    ]);
    expect(out).toContain("1:login logout\n");
    expect(out).toContain("2:text storage markdown json\n");
    expect(out).toContain("3:acme.atlassian.net ci dc-prod\n");
    expect(out).toContain("complete -o default -F _confl_complete confl");
  });

  it.skipIf(!existsSync("/usr/bin/zsh"))(
    "zsh: _describe gets value:description pairs, _files for paths",
    () => {
      const file = script("zsh");
      const out = run("zsh", [
        "-fc",
        `compdef() {}; _describe() { print -l -- "\${(@P)\${@[-1]}}"; }; _files() { print FILES; }
       source ${file}
       words=(confl auth lo); CURRENT=3; _confl
       words=(confl --profile a); CURRENT=3; _confl
       words=(confl api --input x); CURRENT=4; _confl`,
      ]);
      expect(out).toMatch(/^login:Log in .*\nlogout:.*\n/);
      expect(out).toContain("acme.atlassian.net\n");
      expect(out).toContain("FILES\n");
    },
  );

  it.skipIf(!existsSync("/usr/bin/fish"))("fish: complete -C lists values with descriptions", () => {
    const file = script("fish");
    const out = run("fish", [
      "-c",
      `source ${file}; complete -C "confl auth login --type p"; complete -C "confl sp"`,
    ]);
    expect(out).toMatch(/^password\tData Center: username and password/m);
    expect(out).toMatch(/^pat\tData Center 7\.9\+/m);
    expect(out).toMatch(/^space\tList and view spaces/m);
  });

  it("powershell: the script registers a native completer that calls confl __complete", () => {
    const text = execFileSync(shim, ["completion", "powershell"], { env: shellEnv, encoding: "utf8" });
    expect(text).toContain("Register-ArgumentCompleter -Native -CommandName confl");
    expect(text).toContain("confl __complete");
  });
});
