/**
 * `confl help <topic>`: longer help that is not about one command. The text is the README's own
 * sections, read from the README.md that ships in the package (npm always packs it), so the two can
 * never disagree: the README is the single source, and this module only finds the sections and turns
 * their Markdown into plain terminal text.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConflError } from "../errors.js";

export interface Topic {
  name: string;
  summary: string;
  /** README headings whose sections make up the topic, in order */
  headings: string[];
}

export const TOPICS: readonly Topic[] = [
  {
    name: "auth",
    summary: "every credential kind: when to use it, how to create it, an example",
    headings: ["## Logging in", "## Where secrets live"],
  },
  {
    name: "environment",
    summary: "every environment variable confl reads",
    headings: ["### Credentials from the environment", "## Environment variables"],
  },
  { name: "exit-codes", summary: "what each exit status means", headings: ["## Exit codes"] },
  {
    name: "formats",
    summary: "--json fields of every command, --jq, and the JSON error object",
    headings: ["### JSON output", "## Global options"],
  },
];

/** The README beside the package.json of confl, found from wherever this module was loaded. */
export function findReadme(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && /"name":\s*"confl"/.test(readFileSync(pkg, "utf8"))) {
      const readme = join(dir, "README.md");
      if (existsSync(readme)) return readFileSync(readme, "utf8");
    }
    if (dirname(dir) === dir) break;
  }
  throw new ConflError("cannot find confl's README.md, where the help topics live", {
    hint: "reinstall confl; the topics are also in the README on the project's page",
  });
}

/** The section under `heading` (up to the next heading of the same or a higher level). */
export function section(readme: string, heading: string): string | undefined {
  const lines = readme.split("\n");
  const level = heading.indexOf(" ");
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  if (start < 0) return undefined;
  let end = start + 1;
  let inFence = false;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (line.startsWith("```")) inFence = !inFence;
    const match = /^(#+) /.exec(line);
    if (!inFence && match && match[1]!.length <= level) break;
  }
  return lines.slice(start, end).join("\n").trimEnd();
}

/**
 * Markdown to terminal text: headings underlined, code indented, tables re-aligned as columns, emphasis,
 * backticks and link syntax dropped.
 */
export function toTerminalText(markdown: string): string {
  const out: string[] = [];
  let inFence = false;
  let table: string[][] = [];
  const flushTable = () => {
    if (table.length === 0) return;
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length)));
    for (const row of table)
      out.push(
        `  ${row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd()}`,
      );
    table = [];
  };
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) {
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      out.push(`    ${line}`);
      continue;
    }
    if (/^\|.*\|\s*$/.test(line)) {
      // the header separator row carries nothing
      if (!/^\|[\s|:-]+\|\s*$/.test(line))
        table.push(
          line
            .trim()
            .slice(1, -1)
            .split(" | ")
            .map((cell) => plain(cell.trim())),
        );
      continue;
    }
    flushTable();
    const heading = /^(#+) (.*)$/.exec(line);
    if (heading) {
      const title = plain(heading[2]!);
      out.push(title, (heading[1]!.length <= 2 ? "=" : "-").repeat(title.length));
      continue;
    }
    out.push(plain(line));
  }
  flushTable();
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}

function plain(text: string): string {
  return text
    .replace(/\[([^\]]+)\]\((?:#[^)]*)\)/g, "$1")
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1 ($2)")
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/`([^`]*)`/g, "$1");
}

export function topicText(name: string, readme = findReadme()): string | undefined {
  const topic = TOPICS.find((t) => t.name === name);
  if (!topic) return undefined;
  const parts = topic.headings.map((h) => section(readme, h)).filter((s): s is string => s !== undefined);
  if (parts.length === 0) return undefined;
  return toTerminalText(parts.join("\n\n"));
}
