/**
 * Malformed storage and hostile Markdown: the converter converts what it can, says what it skipped,
 * never passes script through, and never takes long or overflows the stack.
 */
import { describe, expect, it } from "vitest";
import {
  checkStorage,
  InvalidStorageError,
  markdownToStorage,
  storageToMarkdown,
} from "../../src/markdown/index.js";
import { codeBodies } from "./helpers.js";

/**
 * CPU time (user + system) of this process while `run` runs: a guard against super-linear blow-ups that
 * other work on a shared 2-core machine cannot trip (wall time can: 13.7 s was seen once under load 11).
 */
function timed<T>(run: () => T): { result: T; ms: number } {
  const started = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(started);
  return { result, ms: (used.user + used.system) / 1000 };
}

describe("malformed storage", () => {
  it("an unclosed tag, a bare & and an unknown entity: the text converts, each problem is listed", () => {
    const { markdown, report } = storageToMarkdown("<p>unclosed <b>bold</p><p>a & b &bogus; c</p>");
    expect(markdown).toBe("unclosed **bold**\n\na & b \\&bogus; c\n");
    const reasons = report.skipped.map((s) => s.reason);
    expect(reasons).toContain("</p> closes <b>");
    expect(reasons).toContain("a bare '&' (write &amp;)");
    expect(reasons).toContain("unknown entity &bogus;");
  });

  it("a macro kept verbatim from malformed input is repaired, so the storage it goes back to is well-formed", () => {
    const input = '<ac:structured-macro ac:name="widget"><ac:parameter ac:name="q">1 & 2</ac:parameter><p>x';
    const { markdown, report } = storageToMarkdown(input);
    expect(report.skipped.length).toBeGreaterThan(0);
    const { storage } = markdownToStorage(markdown);
    expect(checkStorage(storage)).toEqual([]);
    expect(storage).toContain('<ac:parameter ac:name="q">1 &amp; 2</ac:parameter>');
  });

  it("a CDATA section that never closes still gives its code", () => {
    const { markdown } = storageToMarkdown(
      '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[print(1)',
    );
    expect(markdown).toBe("```\nprint(1)\n```\n");
  });

  it("a stray closing tag and an XML comment are listed as skipped", () => {
    const { markdown, report } = storageToMarkdown("<p>a</p></div><!-- note --><p>b</p>");
    expect(markdown).toBe("a\n\nb\n");
    expect(report.skipped.map((s) => s.reason)).toEqual(
      expect.arrayContaining(["</div> closes nothing", "comments are not page content"]),
    );
  });

  it("empty input gives empty output", () => {
    expect(storageToMarkdown("").markdown).toBe("");
    expect(markdownToStorage("").storage).toBe("");
  });
});

describe("hostile input", () => {
  it("1000 nested lists in storage convert quickly, without a stack overflow, and lose nothing", () => {
    const deep = `${"<ul><li>x".repeat(1000)}${"</li></ul>".repeat(1000)}`;
    const { result, ms } = timed(() => storageToMarkdown(deep));
    expect(ms).toBeLessThan(5000);
    expect(result.report.verbatim.some((v) => v.reason.startsWith("nested deeper"))).toBe(true);
    const back = markdownToStorage(result.markdown).storage;
    expect(checkStorage(back)).toEqual([]);
    expect(back.match(/<li>/g)?.length).toBe(1000);
  });

  it("1000 nested Markdown lists convert quickly, without a stack overflow", () => {
    const deep = `${Array.from({ length: 1000 }, (_, i) => `${"  ".repeat(i)}- item ${i}`).join("\n")}\n`;
    const { result, ms } = timed(() => markdownToStorage(deep));
    expect(ms).toBeLessThan(10_000);
    expect(checkStorage(result.storage)).toEqual([]);
    expect(result.storage).toContain("item 999");
    expect(result.report.skipped.some((s) => s.what.includes("nested deeper"))).toBe(true);
  });

  it("1000 nested block quotes and 10,000 nested emphasis markers do not overflow", () => {
    expect(checkStorage(markdownToStorage(`${">".repeat(1000)} deep\n`).storage)).toEqual([]);
    expect(checkStorage(markdownToStorage(`${"*".repeat(2000)}x${"*".repeat(2000)}\n`).storage)).toEqual([]);
  });

  it("a table of 5000 rows stays a table, with its pipes escaped", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `<tr><td>${i}</td><td>a | ${i}</td></tr>`).join("");
    const { result, ms } = timed(() =>
      storageToMarkdown(`<table><tbody><tr><th>n</th><th>text</th></tr>${rows}</tbody></table>`),
    );
    expect(ms).toBeLessThan(10_000);
    const lines = result.markdown.trimEnd().split("\n");
    expect(lines).toHaveLength(5002);
    expect(lines[4]).toBe("| 2 | a \\| 2 |");
  });

  it("]]> in a code block is split across two CDATA sections and comes back byte for byte", () => {
    const code = "if (a[b[0]]> 1) { x = ']]>' }";
    const { storage } = markdownToStorage(`\`\`\`js\n${code}\n\`\`\`\n`);
    expect(storage).toContain("<![CDATA[if (a[b[0]]]]><![CDATA[> 1) { x = ']]]]><![CDATA[>' }]]>");
    expect(codeBodies(storage)).toEqual([code]);
    expect(storageToMarkdown(storage).markdown).toBe(`\`\`\`js\n${code}\n\`\`\`\n`);
  });

  it("<script> and other raw HTML in Markdown are written as text, never as markup", () => {
    const { storage, report } = markdownToStorage(
      '<script>alert(1)</script>\n\nHi <img src=x onerror="alert(1)"> <b onclick="x">b</b>\n',
    );
    expect(storage).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>Hi &lt;img src=x onerror="alert(1)"&gt; &lt;b onclick="x"&gt;b&lt;/b&gt;</p>',
    );
    expect(report.skipped.length).toBeGreaterThanOrEqual(3);
  });

  it("javascript: links are dropped (their text kept), in any case and with whitespace tricks", () => {
    const { storage, report } = markdownToStorage(
      "[a](javascript:alert(1)) [b](JaVaScRiPt:x) [c](<java\tscript:x>) [d](vbscript:x) [ok](https://example.com)\n",
    );
    expect(storage).toBe('<p>a b c d <a href="https://example.com">ok</a></p>');
    expect(report.skipped.filter((s) => s.reason.startsWith("a script URL"))).toHaveLength(4);
  });

  it("a javascript: link in storage is dropped the same way", () => {
    const { markdown, report } = storageToMarkdown('<p><a href=" javascript:alert(1)">click</a></p>');
    expect(markdown).toBe("click\n");
    expect(report.skipped).toHaveLength(1);
  });

  it("the verbatim forms do not let script through either", () => {
    const { storage, report } = markdownToStorage(
      '<!--confl:raw <script>alert(1)</script> --> text\n\n```confluence-storage\n<p onclick="x">y</p>\n```\n',
    );
    expect(storage).toBe("<p> text</p>");
    expect(report.skipped).toHaveLength(2);
  });

  it("Markdown that would make invalid storage is rejected with the reason", () => {
    expect(() => markdownToStorage("```confluence-storage\n<p>unclosed\n```\n")).toThrow(InvalidStorageError);
    expect(() => markdownToStorage("x <!--confl:raw <span> --> y\n")).toThrow(/closes <span>/);
    expect(() => markdownToStorage("bell \u0007 character\n")).toThrow(/character XML does not allow/);
  });

  it("NUL in Markdown becomes U+FFFD, as CommonMark requires, not invalid XML", () => {
    expect(markdownToStorage("a\u0000b\n").storage).toBe("<p>a\uFFFDb</p>");
  });
});
