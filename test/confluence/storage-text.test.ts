import { describe, expect, it } from "vitest";
import { showcaseStorage } from "../../sim/fixtures.js";
import { storageToText } from "../../src/confluence/storage-text.js";

describe("storage → text", () => {
  const text = storageToText(showcaseStorage);

  it("keeps a code macro verbatim, re-joining a ]]> that Confluence split across CDATA sections", () => {
    expect(text).toContain(
      '    const end = "]]>";\n    if (a < b && b > c) {\n      console.log(a + " & " + b);\n    }',
    );
  });

  it("decodes entities, drops macro parameters, keeps panel text", () => {
    expect(text).toContain("Follow these steps before tagging a release.");
    expect(text).toContain("Never tag on a Friday & never without a green build.");
    expect(text).not.toContain("typescript");
    expect(text).not.toContain("Careful");
    const prose = text
      .split("\n")
      .filter((line) => !line.startsWith("    "))
      .join("\n");
    expect(prose).not.toMatch(/<|>|ac:|ri:/);
  });

  it("writes table rows as cells joined by |, tasks as boxes, images and links by name", () => {
    expect(text).toContain("Step | Command\nBuild | npm run build | tee build.log\nTag | git tag v1.2.3");
    expect(text).toContain("[x] Update the changelog\n[ ] Announce the release");
    expect(text).toContain("[image: diagram.png]");
    expect(text).toContain("See the getting-started guide.");
  });

  it("lists get bullets and numbers, nested lists indent", () => {
    expect(storageToText("<ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li></ul><p>after</p>")).toBe(
      "- one\n- two\n  1. a\n  2. b\n\nafter",
    );
  });

  it("numeric entities and <br/>", () => {
    expect(storageToText("<p>caf&#233; &#x2014; line<br/>next</p>")).toBe("café — line\nnext");
  });
});
