/**
 * `confl help <topic>`: the README's own sections as terminal text (one source, so they cannot drift),
 * and a check that every environment variable confl's source names is documented there.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_KINDS } from "../../src/auth/kinds/index.js";
import { findReadme, section, TOPICS, topicText, toTerminalText } from "../../src/help/topics.js";
import { createIOStreams } from "../../src/io/streams.js";
import { main } from "../../src/main.js";

const root = resolve(import.meta.dirname, "../..");

async function help(...words: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += String(c);
  });
  stderr.on("data", (c) => {
    err += String(c);
  });
  const io = createIOStreams({ stdout, stderr, stdin: new PassThrough(), env: {} });
  const code = await main(["help", ...words], { io, env: {} });
  io.flush();
  return { code, out, err };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("confl help <topic>", () => {
  it("every topic has text, read from the README", () => {
    const readme = findReadme();
    expect(readme).toBe(readFileSync(join(root, "README.md"), "utf8"));
    for (const topic of TOPICS) {
      for (const heading of topic.headings) expect(section(readme, heading), heading).toBeDefined();
      expect(topicText(topic.name)?.length ?? 0, topic.name).toBeGreaterThan(200);
    }
  });

  it("confl help auth: every credential kind, with an example", async () => {
    const r = await help("auth");
    expect(r.code).toBe(0);
    for (const kind of CREDENTIAL_KINDS) expect(r.out, kind).toContain(`(${kind})`);
    expect(r.out).toMatch(/^ {4}printf '%s' "\$TOKEN" \| confl auth login/m);
  });

  it("confl help exit-codes: the table as aligned columns, no Markdown left", async () => {
    const r = await help("exit-codes");
    for (const code of ["0", "1", "2", "4", "130"])
      expect(r.out).toMatch(new RegExp(`^ {2}${code} +\\S`, "m"));
    expect(r.out).not.toMatch(/^\s*\||```|\*\*|`/m);
  });

  it("confl help environment names every variable confl's source mentions", async () => {
    const r = await help("environment");
    const named = new Set<string>();
    for (const file of sourceFiles(join(root, "src")))
      for (const m of readFileSync(file, "utf8").matchAll(
        /\b(?:CONFL|CONFLUENCE|ATLASSIAN|JIRA)_[A-Z0-9_]+\b/g,
      ))
        named.add(m[0]);
    // not variables: a list of path markers in site-url.ts
    named.delete("CONFLUENCE_PATH_MARKERS");
    expect(named.size).toBeGreaterThan(15);
    for (const name of named) expect(r.out, name).toContain(name);
  });

  it("confl help formats: --json fields and --jq", async () => {
    const r = await help("formats");
    expect(r.out).toContain("--jq");
    expect(r.out).toMatch(/Space .*space list/);
  });

  it("confl help auth login is the command's help; an unknown topic is exit 2 with the list", async () => {
    const cmd = await help("auth", "login");
    expect(cmd.out).toMatch(/^Usage: confl auth login/);
    const bad = await help("nope");
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      "confl: no help topic or command \"nope\"\nhint: topics: auth, environment, exit-codes, formats; commands: see 'confl --help'\n",
    );
  });

  it("Markdown to terminal text: headings, code, tables, links", () => {
    const text = toTerminalText(
      "## Title\n\nSee [the docs](https://x.example) and [below](#security), **bold** `code`.\n\n```sh\nconfl x\n```\n\n| A | Bee |\n| - | --- |\n| `1` | two |\n",
    );
    expect(text).toBe(
      "Title\n=====\n\nSee the docs (https://x.example) and below, bold code.\n\n    confl x\n\n  A  Bee\n  1  two\n",
    );
  });
});
