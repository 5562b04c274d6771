import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { createIOStreams } from "../../src/io/streams.js";
import { main, reportError } from "../../src/main.js";
import { printFields } from "../../src/output/fields.js";
import { type Column, displayWidth, printTable, truncate } from "../../src/output/table.js";

function io(options: { tty: boolean; columns?: number }) {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty, columns: options.columns });
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c) => out.push(String(c)));
  stderr.on("data", (c) => err.push(String(c)));
  return {
    io: createIOStreams({ stdout, stderr, stdin: new PassThrough(), env: { NO_COLOR: "1" } }),
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

interface Row {
  id: string;
  title: string;
  kind: string;
}
const columns: Column<Row>[] = [
  { header: "ID", value: (r) => r.id },
  { header: "Title", value: (r) => r.title, flex: true },
  { header: "Kind", value: (r) => r.kind },
];
const rows: Row[] = [
  { id: "65538", title: "Release checklist for the very long named product line", kind: "page" },
  { id: "7", title: "Tabs\tand\nnewlines", kind: "folder" },
];

describe("tables", () => {
  it("on a terminal: a header, aligned columns, the flexible column cut with … to the width", () => {
    const b = io({ tty: true, columns: 40 });
    printTable(b.io, columns, rows);
    const lines = b.out().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID {5}TITLE +KIND$/);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    // 5 + 2 + 25 + 2 + 4: the title gave up exactly what the terminal lacked
    expect(lines[1]).toBe("65538  Release checklist for th…  page");
    // every row's KIND starts in the same column
    const at = lines.map((l) => l.lastIndexOf(l.trim().split(/\s+/).pop()!));
    expect(new Set(at).size).toBe(1);
  });

  it("piped: tab-separated, no header, nothing cut, no tab or newline inside a cell", () => {
    const b = io({ tty: false, columns: 20 });
    printTable(b.io, columns, rows);
    expect(b.out()).toBe(
      "65538\tRelease checklist for the very long named product line\tpage\n7\tTabs and newlines\tfolder\n",
    );
  });

  it("truncate counts wide characters as two cells", () => {
    expect(truncate("日本語のページ", 7)).toBe("日本語…");
    expect(displayWidth(truncate("日本語のページ", 7))).toBeLessThanOrEqual(7);
  });

  it("view fields: aligned on a terminal, label:<TAB>value when piped", () => {
    const tty = io({ tty: true });
    printFields(tty.io, [
      ["key", "DOC"],
      ["homepage", "65536"],
      ["empty", ""],
    ]);
    expect(tty.out()).toBe("key:      DOC\nhomepage: 65536\n");
    const piped = io({ tty: false });
    printFields(piped.io, [["key", "DOC"]]);
    expect(piped.out()).toBe("key:\tDOC\n");
  });
});

describe("--json errors", () => {
  it("a command's error is one JSON object on stderr, nothing on stdout", () => {
    const b = io({ tty: false });
    const code = reportError(
      new UsageError("bad page", { code: "usage.page_ref", hint: "use an id" }),
      b.io,
      false,
      true,
    );
    expect(code).toBe(2);
    expect(b.out()).toBe("");
    expect(JSON.parse(b.err())).toEqual({
      error: { code: "usage.page_ref", message: "bad page", hint: "use an id", exitCode: 2 },
    });
  });

  it("a usage error found while parsing is a JSON object too when --json is given", async () => {
    const b = io({ tty: false });
    const code = await main(["space", "list", "--limit", "zero", "--json"], { io: b.io, env: {} });
    expect(code).toBe(2);
    expect(b.out()).toBe("");
    const error = JSON.parse(b.err()).error;
    expect(error).toMatchObject({ code: "usage", exitCode: 2 });
    expect(error.message).toMatch(/--limit/);
    expect(error.hint).toBe("see 'confl space list --help' for usage");
  });

  it("without --json the same usage error is two text lines", async () => {
    const b = io({ tty: false });
    expect(await main(["space", "list", "--limit", "0"], { io: b.io, env: {} })).toBe(2);
    expect(b.err()).toMatch(
      /^confl: option '-L, --limit <n>' argument '0' is invalid\. expected a whole number ≥ 1\nhint: /,
    );
  });
});

describe("global flags and --version", () => {
  it("confl --version still prints confl's version; after a command name --version belongs to the command", async () => {
    const root = io({ tty: false });
    expect(await main(["--version"], { io: root.io, env: {} })).toBe(0);
    expect(root.out()).toMatch(/^confl \d+\.\d+\.\d+/);
    const sub = io({ tty: false });
    // page view's --version needs a number: commander's error for *that* option, not the root version
    expect(await main(["page", "view", "65538", "--version"], { io: sub.io, env: {} })).toBe(2);
    expect(sub.out()).toBe("");
    expect(sub.err()).toContain("option '--version <n>' argument missing");
  });

  it("global flags work before and after the command name", async () => {
    for (const argv of [
      ["--json", "page", "view", "not a ref"],
      ["page", "view", "not a ref", "--json"],
    ]) {
      const b = io({ tty: false });
      expect(await main(argv, { io: b.io, env: {} })).toBe(2);
      expect(JSON.parse(b.err()).error.code).toBe("usage.page_ref");
    }
  });
});
