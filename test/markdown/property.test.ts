/**
 * Property: for Markdown made of the constructs the converter supports, Markdown → storage → Markdown
 * is idempotent (the second round changes nothing), the storage is always well-formed, and code bodies
 * survive byte for byte. The documents come from a small seeded grammar, so a failure names its seed.
 */
import { describe, expect, it } from "vitest";
import { checkStorage, markdownToStorage, storageToMarkdown } from "../../src/markdown/index.js";
import { codeBodies, generate } from "./helpers.js";

const roundTrip = (markdown: string) => storageToMarkdown(markdownToStorage(markdown).storage).markdown;

describe("random Markdown from the supported grammar", () => {
  const seeds = Array.from({ length: 300 }, (_, i) => i + 1);

  it.each(seeds)("seed %i: idempotent, well-formed, code bodies kept", (seed) => {
    const markdown = generate(seed);
    const { storage } = markdownToStorage(markdown);
    expect(checkStorage(storage)).toEqual([]);
    const once = storageToMarkdown(storage).markdown;
    const twice = roundTrip(once);
    expect(twice, `seed ${seed}\n--- input\n${markdown}\n--- once\n${once}`).toBe(once);
    // every code body the first storage had is in the second, byte for byte
    expect(codeBodies(markdownToStorage(once).storage)).toEqual(codeBodies(storage));
  });
});
