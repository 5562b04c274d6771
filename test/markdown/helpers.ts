/** Shared by the converter tests: the corpus on disk, and what a storage document's code bodies and macros are. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ChildNode, isElement, parseStorage, textContent } from "../../src/markdown/dom.js";

export const corpusDir = join(import.meta.dirname, "corpus");

export interface CorpusEntry {
  name: string;
  storage: string;
  markdown: string;
  /** the storage the Markdown must turn into, where written down */
  expectedStorage: string | undefined;
}

export function loadCorpus(): CorpusEntry[] {
  const files = readdirSync(corpusDir);
  return files
    .filter((f) => f.endsWith(".storage.xml"))
    .map((f) => f.slice(0, -".storage.xml".length))
    .sort()
    .map((name) => {
      const read = (file: string) => readFileSync(join(corpusDir, file), "utf8");
      return {
        name,
        storage: read(`${name}.storage.xml`),
        markdown: read(`${name}.md`),
        expectedStorage: files.includes(`${name}.expected.xml`) ? read(`${name}.expected.xml`) : undefined,
      };
    });
}

function walk(nodes: ChildNode[], visit: (el: ChildNode) => void): void {
  const stack = [...nodes].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    visit(node);
    if ("children" in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
}

/** Every code and noformat macro body, in document order, exactly as Confluence reads it. */
export function codeBodies(storage: string): string[] {
  const bodies: string[] = [];
  walk(parseStorage(storage).children, (node) => {
    if (!isElement(node) || node.name !== "ac:plain-text-body") return;
    bodies.push(textContent(node));
  });
  return bodies;
}

/** The name of every macro in the document, in order. */
export function macroNames(storage: string): string[] {
  const names: string[] = [];
  walk(parseStorage(storage).children, (node) => {
    if (isElement(node) && (node.name === "ac:structured-macro" || node.name === "ac:macro"))
      names.push(node.attribs["ac:name"] ?? "");
  });
  return names;
}
