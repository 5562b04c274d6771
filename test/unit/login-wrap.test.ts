/**
 * `confl auth login` on a narrow terminal: the kind list and the explanations in `--help` wrap to the
 * terminal's width (80 when it is not known), each continuation line under its text.
 */
import { afterEach, describe, expect, it } from "vitest";
import { KIND_EXPLANATIONS } from "../../src/auth/kinds/index.js";
import { type KindChoice, kindOptionLabels } from "../../src/auth/login-prompter.js";
import type { CredentialKind } from "../../src/auth/types.js";
import { kindsHelp } from "../../src/commands/auth/login.js";
import { terminalColumns, wrapWords } from "../../src/output/wrap.js";

const DC: CredentialKind[] = ["pat", "password", "cookie", "oauth", "client-credentials", "none"];
const choices: KindChoice[] = DC.map((kind) => ({ kind, label: kind, hint: KIND_EXPLANATIONS[kind] }));
const words = (text: string) => text.split(/\s+/).filter(Boolean).join(" ");

describe("wrapWords", () => {
  it("cuts at spaces, never past the width, and keeps every word", () => {
    const text = "Data Center 7.9+: personal access token, sent as Bearer (Profile → Personal Access Tokens)";
    const lines = wrapWords(text, 30);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
    expect(lines.join(" ")).toBe(text);
  });
  it("splits a word longer than the width", () => {
    expect(wrapWords("abcdefghij xy", 4)).toEqual(["abcd", "efgh", "ij", "xy"]);
  });
});

describe("confl auth login on a 60-column terminal: the kind list", () => {
  it("draws no line wider than the terminal, continuation lines under the explanation", () => {
    const labels = kindOptionLabels(choices, 60);
    const termWidth = Math.max(...DC.map((k) => k.length));
    labels.forEach((label, i) => {
      const [first = "", ...more] = label.split("\n");
      // as clack draws them: "│  ● " before the first line, "│  " before the others
      expect(`│  ● ${first}`.length).toBeLessThanOrEqual(60);
      for (const line of more) {
        expect(`│  ${line}`.length).toBeLessThanOrEqual(60);
        // under the first line's text: the radio's two columns, the term, two spaces
        expect(line.slice(0, 2 + termWidth + 2).trim()).toBe("");
        expect(line.charAt(2 + termWidth + 2)).not.toBe(" ");
      }
      expect(first.startsWith(DC[i] as string)).toBe(true);
      const text = [first.slice(termWidth + 2), ...more].join(" ");
      expect(words(text)).toBe(words(KIND_EXPLANATIONS[DC[i] as CredentialKind]));
    });
    // something did wrap at 60 (the PAT's explanation alone is longer than that)
    expect(labels.some((l) => l.includes("\n"))).toBe(true);
  });

  it("on a 200-column terminal every kind stays on one line", () => {
    for (const label of kindOptionLabels(choices, 200)) expect(label).not.toContain("\n");
  });
});

describe("confl auth login --help on a 50-column terminal: the Kinds section", () => {
  it("wraps every explanation to 50 columns and keeps all of it", () => {
    const help = kindsHelp(50);
    for (const line of help.split("\n")) expect(line.length).toBeLessThanOrEqual(50);
    for (const text of Object.values(KIND_EXPLANATIONS)) {
      const last = words(text).split(" ").at(-1) as string;
      expect(help).toContain(last);
    }
    expect(words(help)).toContain(words(KIND_EXPLANATIONS.pat).split(" ").slice(0, 3).join(" "));
    // every explanation starts in the same column, the longest kind's included
    const firstLines = help.split("\n").filter((l) => /^ {2}\S/.test(l));
    expect(firstLines).toHaveLength(Object.keys(KIND_EXPLANATIONS).length);
    const column = 2 + Math.max(...Object.keys(KIND_EXPLANATIONS).map((k) => k.length)) + 2;
    for (const line of firstLines)
      expect([line.charAt(column - 1), line.charAt(column) !== " "]).toEqual([" ", true]);
  });
});

describe("terminalColumns", () => {
  const saved = Object.getOwnPropertyDescriptor(process.stdout, "columns");
  afterEach(() => {
    if (saved) Object.defineProperty(process.stdout, "columns", saved);
    else delete (process.stdout as { columns?: number }).columns;
  });
  it("takes the stream's width, else process.stdout.columns, else 80", () => {
    Object.defineProperty(process.stdout, "columns", {
      value: undefined,
      configurable: true,
      writable: true,
    });
    expect(terminalColumns({ columns: 72 })).toBe(72);
    expect(terminalColumns({})).toBe(80);
    expect(terminalColumns()).toBe(80);
    Object.defineProperty(process.stdout, "columns", { value: 101, configurable: true, writable: true });
    expect(terminalColumns({})).toBe(101);
  });
});
