/**
 * The corpus: storage samples (from the storage-format documentation's examples and what real Cloud and
 * Data Center pages contain) with the Markdown each must become, written by hand. Both directions, and
 * the round-trip promises on every sample.
 */
import { describe, expect, it } from "vitest";
import { checkStorage, markdownToStorage, storageToMarkdown } from "../../src/markdown/index.js";
import { codeBodies, loadCorpus, macroNames } from "./helpers.js";

const corpus = loadCorpus();

it("has a corpus", () => {
  expect(corpus.length).toBeGreaterThanOrEqual(12);
});

describe.each(corpus.map((entry) => [entry.name, entry] as const))("%s", (_name, entry) => {
  it("storage → Markdown gives the expected Markdown", () => {
    expect(storageToMarkdown(entry.storage).markdown).toBe(entry.markdown);
  });

  it("Markdown → storage is well-formed, and gives the expected storage where written down", () => {
    const { storage } = markdownToStorage(entry.markdown);
    expect(checkStorage(storage)).toEqual([]);
    if (entry.expectedStorage !== undefined) expect(storage).toBe(entry.expectedStorage);
  });

  it("the Markdown is stable: Markdown → storage → Markdown gives it back", () => {
    const { storage } = markdownToStorage(entry.markdown);
    expect(storageToMarkdown(storage).markdown).toBe(entry.markdown);
  });

  it("storage → Markdown → storage keeps every code body byte for byte and every macro", () => {
    const { markdown, report } = storageToMarkdown(entry.storage);
    const { storage } = markdownToStorage(markdown);
    expect(codeBodies(storage)).toEqual(codeBodies(entry.storage));
    expect(macroNames(storage).sort()).toEqual(macroNames(entry.storage).sort());
    // whatever was kept verbatim as a whole element comes back exactly as it was written
    for (const item of report.verbatim.filter((v) => v.form !== "wrapper")) expect(item.element).toBeTruthy();
    for (const block of markdown.matchAll(/```confluence-storage\n([\s\S]*?)\n```/g))
      expect(storage).toContain(block[1]);
  });
});
