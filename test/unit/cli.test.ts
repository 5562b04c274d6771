import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ALL_NOUNS } from "../../src/commands/all.js";
import { ConflError, ExitCode, UsageError } from "../../src/errors.js";
import { createIOStreams } from "../../src/io/streams.js";
import { buildProgram, main, reportError } from "../../src/main.js";
import { clearRegisteredSecrets, registerSecret } from "../../src/redact.js";

function bufferedIO() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c) => out.push(String(c)));
  stderr.on("data", (c) => err.push(String(c)));
  const io = createIOStreams({ stdout, stderr, stdin: new PassThrough(), env: {} });
  return { io, out: () => out.join(""), err: () => err.join("") };
}

describe("cli skeleton", () => {
  it("an unknown flag is a usage error (exit 2), never ignored", async () => {
    const b = bufferedIO();
    const code = await main(["--bogus"], { io: b.io, env: {} });
    expect(code).toBe(ExitCode.USAGE);
    expect(b.err()).toMatch(/confl: unknown option '--bogus'/);
  });

  it("an unknown command is a usage error in confl's shape", async () => {
    const b = bufferedIO();
    const code = await main(["nosuchcommand"], { io: b.io, env: {} });
    expect(code).toBe(ExitCode.USAGE);
    expect(b.err()).toBe("confl: unknown command 'nosuchcommand'\nhint: see 'confl --help' for usage\n");
  });

  it("a typo in a subcommand gets one hint line with the suggestion and that command's help", async () => {
    const b = bufferedIO();
    const code = await main(["auth", "stauts"], { io: b.io, env: {} });
    expect(code).toBe(ExitCode.USAGE);
    expect(b.err()).toBe(
      "confl: unknown command 'stauts'\nhint: did you mean status? (see 'confl auth --help')\n",
    );
  });

  it("an unknown flag on a subcommand names that subcommand's help, and nothing runs", async () => {
    const b = bufferedIO();
    const code = await main(["auth", "switch", "--bogus", "x"], { io: b.io, env: {} });
    expect(code).toBe(ExitCode.USAGE);
    expect(b.err()).toBe("confl: unknown option '--bogus'\nhint: see 'confl auth switch --help' for usage\n");
    expect(b.out()).toBe("");
  });

  it("--help exits 0 and lists the exit codes", async () => {
    const b = bufferedIO();
    const code = await main(["--help"], { io: b.io, env: {} });
    expect(code).toBe(ExitCode.OK);
    expect(b.out()).toContain("Exit codes: 0 ok, 1 failure, 2 usage or bad input, 4 authentication");
  });

  it("errors print one line plus a hint, and no stack without --debug", () => {
    const b = bufferedIO();
    const code = reportError(new UsageError("bad thing", { hint: "do the other thing" }), b.io, false);
    expect(code).toBe(2);
    expect(b.err()).toBe("confl: bad thing\nhint: do the other thing\n");
  });

  it("a registered secret never reaches an error line", () => {
    registerSecret("CANARY-very-secret-value");
    const b = bufferedIO();
    reportError(new ConflError("server said CANARY-very-secret-value is wrong"), b.io, true);
    expect(b.err()).not.toContain("CANARY-very-secret-value");
    expect(b.err()).toContain("server said *** is wrong");
    clearRegisteredSecrets();
  });

  it("an unexpected error gets exit 1 and a --debug hint, not a stack", () => {
    const b = bufferedIO();
    const code = reportError(new TypeError("boom"), b.io, false);
    expect(code).toBe(1);
    expect(b.err()).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe("help", () => {
  // Every command a user can run shows examples in its --help (the gh/kubectl convention).
  const program = buildProgram(() => {
    throw new Error("no command runs in this test");
  }, ALL_NOUNS);
  const leaves: string[][] = [];
  const walk = (cmd: typeof program, path: string[]) => {
    for (const sub of cmd.commands) {
      if (sub.name() === "help") continue;
      const subPath = [...path, sub.name()];
      if (sub.commands.length === 0) leaves.push(subPath);
      else walk(sub as typeof program, subPath);
    }
  };
  walk(program, []);

  it("finds the commands it checks", () => {
    expect(leaves.map((l) => l.join(" "))).toEqual(
      expect.arrayContaining(["auth login", "auth status", "api"]),
    );
  });

  it.each(leaves.map((l) => [l.join(" "), l]))("confl %s --help has examples", async (_name, path) => {
    const b = bufferedIO();
    const code = await main([...(path as string[]), "--help"], { io: b.io, env: {} });
    expect(code).toBe(ExitCode.OK);
    expect(b.out()).toMatch(/\nExamples:\n {2}\$ .*confl /);
  });

  it.each(leaves.map((l) => [l.join(" "), l]))(
    "confl %s --help lists the inherited global options, and no default-value noise",
    async (_name, path) => {
      const b = bufferedIO();
      await main([...(path as string[]), "--help"], { io: b.io, env: {} });
      const help = b.out();
      const global = help.slice(help.indexOf("Global Options:"));
      expect(help).toContain("Global Options:");
      for (const flag of [
        "--profile <name>",
        "--json",
        "--jq <expression>",
        "--debug",
        "--no-color",
        "--no-input",
      ])
        expect(global).toContain(flag);
      // the root's --version is not a global option: after a command name it may be the command's own
      expect(global).not.toMatch(/-V, --version/);
      expect(help).not.toContain("(default: [])");
      expect(help).not.toContain("default: []");
    },
  );
});
