/** The converter's options (link and attachment mapping, front matter) and smaller rules. */
import { describe, expect, it } from "vitest";
import {
  FrontMatterError,
  markdownToStorage,
  parseFrontMatter,
  serializeFrontMatter,
  storageToMarkdown,
} from "../../src/markdown/index.js";

const pageLink = (attrs: string, body = "") => `<p><ac:link>${attrs}${body}</ac:link></p>`;

describe("page links", () => {
  it("pageLinks maps a page to an exported file; resolvePageLink maps it back", () => {
    const storage = pageLink('<ri:page ri:space-key="ENG" ri:content-title="Deploy"/>');
    const { markdown } = storageToMarkdown(storage, {
      pageLinks: (ref) => (ref.title === "Deploy" ? `../ENG/deploy.md` : undefined),
    });
    expect(markdown).toBe("[Deploy](../ENG/deploy.md)\n");
    const back = markdownToStorage(markdown, {
      resolvePageLink: (href) =>
        href === "../ENG/deploy.md" ? { title: "Deploy", spaceKey: "ENG" } : undefined,
    });
    expect(back.storage).toBe(
      '<p><ac:link><ri:page ri:space-key="ENG" ri:content-title="Deploy"/><ac:plain-text-link-body><![CDATA[Deploy]]></ac:plain-text-link-body></ac:link></p>',
    );
  });

  it("a page that is not exported links to its URL under baseUrl, which reads back as the page", () => {
    const options = { baseUrl: "https://acme.atlassian.net/wiki/", spaceKey: "DOC" };
    const { markdown } = storageToMarkdown(pageLink('<ri:page ri:content-title="A &amp; B"/>'), options);
    expect(markdown).toBe("[A & B](https://acme.atlassian.net/wiki/display/DOC/A%20%26%20B)\n");
    expect(markdownToStorage(markdown, options).storage).toContain('<ri:page ri:content-title="A &amp; B"/>');
    // another space keeps its key
    const other = markdownToStorage("[x](https://acme.atlassian.net/wiki/display/ENG/Home+Page)\n", options);
    expect(other.storage).toContain('<ri:page ri:space-key="ENG" ri:content-title="Home Page"/>');
  });

  it("attachmentPath says where attachments are stored; relative paths read back as attachments", () => {
    const storage = '<p><ac:image><ri:attachment ri:filename="a b.png"/></ac:image></p>';
    const { markdown } = storageToMarkdown(storage, {
      attachmentPath: (f) => `attachments/${encodeURIComponent(f)}`,
    });
    expect(markdown).toBe("![](attachments/a%20b.png)\n");
    expect(markdownToStorage(markdown).storage).toBe(storage);
  });
});

describe("small rules", () => {
  it("a bare URL in Markdown is a link; a URL that was text in storage stays text", () => {
    expect(markdownToStorage("see https://example.com/a now\n").storage).toBe(
      '<p>see <a href="https://example.com/a">https://example.com/a</a> now</p>',
    );
    const text = "<p>see https://example.com/a now</p>";
    expect(markdownToStorage(storageToMarkdown(text).markdown).storage).toBe(text);
  });

  it("IMPORTANT has no panel of its own: it becomes an info panel and reads back as NOTE", () => {
    const { storage } = markdownToStorage("> [!IMPORTANT]\n> Read this.\n");
    expect(storage).toBe(
      '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Read this.</p></ac:rich-text-body></ac:structured-macro>',
    );
    expect(storageToMarkdown(storage).markdown).toBe("> [!NOTE]\n>\n> Read this.\n");
  });

  it("a list with only some items ticked is a plain list that keeps the boxes as text", () => {
    const { storage } = markdownToStorage("- [x] done\n- plain\n");
    expect(storage).toBe("<ul><li>[x] done</li><li>plain</li></ul>");
  });

  it("an HTML comment in Markdown is not page content: dropped and reported", () => {
    const { storage, report } = markdownToStorage("a <!-- note to self --> b\n");
    expect(storage).toBe("<p>a  b</p>");
    expect(report.skipped).toEqual([expect.objectContaining({ what: "HTML comment" })]);
  });
});

describe("front matter", () => {
  it("is written at the top and read back", () => {
    const frontMatter = {
      id: "65538",
      title: "Release: notes",
      labels: ["a", "b"],
      parent: "1",
      version: 7,
      source: "https://x/y",
    };
    const { markdown } = storageToMarkdown("<p>body</p>", { frontMatter });
    expect(markdown).toBe(
      '---\nid: "65538"\ntitle: "Release: notes"\nlabels:\n  - a\n  - b\nparent: "1"\nversion: 7\nsource: https://x/y\n---\n\nbody\n',
    );
    const back = markdownToStorage(markdown);
    expect(back.frontMatter).toEqual(frontMatter);
    expect(back.storage).toBe("<p>body</p>");
  });

  it("a document that starts with a horizontal rule has no front matter", () => {
    expect(parseFrontMatter("---\n\ntext\n\n---\n").frontMatter).toBeUndefined();
  });

  it("invalid YAML or a bad version is an error, not content", () => {
    expect(() => parseFrontMatter("---\ntitle: [unclosed\n---\n")).toThrow(FrontMatterError);
    expect(() => parseFrontMatter("---\nversion: two\n---\n")).toThrow(/positive whole number/);
  });

  it("serialises unknown keys after the known ones", () => {
    expect(serializeFrontMatter({ custom: 1, title: "T" })).toBe("---\ntitle: T\ncustom: 1\n---\n\n");
  });
});
