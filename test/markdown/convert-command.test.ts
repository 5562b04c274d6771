/**
 * `confl convert`: run() in-process with buffered streams, and every example in its --help run as
 * written (through a shell, against the built CLI) in a directory holding the files they name.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ALL_NOUNS } from "../../src/commands/all.js";
import { run } from "../../src/commands/convert/convert.js";
import { createContext } from "../../src/context.js";
import { ExitCode, UsageError } from "../../src/errors.js";
import { createIOStreams } from "../../src/io/streams.js";
import { buildProgram } from "../../src/main.js";

function bufferedContext(input: string, json = false) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end(input);
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c) => out.push(String(c)));
  stderr.on("data", (c) => err.push(String(c)));
  const io = createIOStreams({ stdout, stderr, stdin, env: {} });
  const ctx = createContext({ io, env: {}, globals: { json, debug: false, color: false, input: false } });
  return {
    ctx,
    out: () => {
      io.flush();
      return out.join("");
    },
    err: () => {
      io.flush();
      return err.join("");
    },
  };
}

const STATUS =
  '<p>Done <ac:structured-macro ac:name="status"><ac:parameter ac:name="title">OK</ac:parameter></ac:structured-macro></p>';

describe("confl convert run()", () => {
  it("storage on stdin → Markdown on stdout, and one report line on stderr", async () => {
    const b = bufferedContext(STATUS);
    await run({ from: "storage", to: "markdown" }, b.ctx);
    expect(b.out()).toBe(
      'Done <!--confl:xml <ac:structured-macro ac:name="status"><ac:parameter ac:name="title">OK</ac:parameter></ac:structured-macro> -->`OK`<!--/confl:xml -->\n',
    );
    expect(b.err()).toBe("note: kept 1 verbatim (1 ac:structured-macro[status])\n");
  });

  it("--quiet drops the report line; a clean conversion prints none", async () => {
    const quiet = bufferedContext(STATUS);
    await run({ from: "storage", to: "markdown", file: "-", quiet: true }, quiet.ctx);
    expect(quiet.err()).toBe("");
    const clean = bufferedContext("# Title\n");
    await run({ from: "markdown", to: "storage" }, clean.ctx);
    expect(clean.out()).toBe("<h1>Title</h1>\n");
    expect(clean.err()).toBe("");
  });

  it("--json prints {output, frontMatter, report}", async () => {
    const b = bufferedContext("---\ntitle: T\n---\n<script>x</script>\n", true);
    await run({ from: "markdown", to: "storage" }, b.ctx);
    const parsed = JSON.parse(b.out());
    expect(parsed.output).toBe("<p>&lt;script&gt;x&lt;/script&gt;</p>");
    expect(parsed.frontMatter).toEqual({ title: "T" });
    expect(parsed.report.skipped).toHaveLength(1);
    expect(b.err()).toBe("");
  });

  it("the same format twice, an unreadable file, invalid Markdown: usage errors (exit 2)", async () => {
    const b = bufferedContext("");
    await expect(run({ from: "storage", to: "storage" }, b.ctx)).rejects.toThrow(/both storage/);
    await expect(run({ from: "storage", to: "markdown", file: "/nonexistent/x.xml" }, b.ctx)).rejects.toThrow(
      "cannot read /nonexistent/x.xml: no such file",
    );
    const bad = bufferedContext("```confluence-storage\n<p>\n```\n");
    const error = await run({ from: "markdown", to: "storage" }, bad.ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.USAGE);
  });

  it("input that is not UTF-8 is refused rather than mangled", async () => {
    const b = bufferedContext("");
    await expect(
      run({ from: "storage", to: "markdown", file: "x" }, b.ctx, {
        readFile: async () => new Uint8Array([0xff, 0xfe, 0x00]),
      }),
    ).rejects.toThrow("x is not UTF-8 text");
  });
});

describe("confl convert --help examples", () => {
  const bundle = join(import.meta.dirname, "../../dist/confl.mjs");
  const examples = (() => {
    const program = buildProgram(() => {
      throw new Error("not run");
    }, ALL_NOUNS);
    const convert = program.commands.find((c) => c.name() === "convert")!;
    let help = "";
    convert.configureOutput({ writeOut: (s) => (help += s) });
    convert.outputHelp();
    return help
      .split("\n")
      .map((line) => /^\s+\$ (confl .+)$/.exec(line)?.[1])
      .filter((line): line is string => line !== undefined);
  })();

  it("has examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  // examples that need a server (confl page view …) are run by the page command's own tests
  it.each(examples.filter((e) => !/confl (page|space|api|auth) /.test(e)))("%s", async (example) => {
    const dir = mkdtempSync(join(tmpdir(), "confl-convert-"));
    writeFileSync(join(dir, "page.xml"), STATUS);
    writeFileSync(join(dir, "notes.md"), "# Notes\n\n- [ ] a task\n");
    const command = example.replace(/\bconfl /g, `"${process.execPath}" "${bundle}" `);
    const result = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile("sh", ["-c", command], { cwd: dir, env: { PATH: process.env.PATH ?? "" } }, (error, stdout) =>
        done({ code: error ? Number(error.code) : 0, stdout }),
      );
    });
    expect(result.code).toBe(0);
  });
});
