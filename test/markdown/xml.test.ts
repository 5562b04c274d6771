import { describe, expect, it } from "vitest";
import { cdata, checkStorage } from "../../src/markdown/xml.js";

describe("checkStorage", () => {
  it("accepts storage with HTML entities, CDATA, self-closing and namespaced elements", () => {
    expect(
      checkStorage(
        '<p>a&nbsp;&mdash;&#160;&#xA0;&amp;</p><ac:link><ri:page ri:content-title="A &amp; B"/></ac:link>' +
          "<ac:structured-macro ac:name='code'><ac:plain-text-body><![CDATA[<not> & markup]]></ac:plain-text-body></ac:structured-macro>",
      ),
    ).toEqual([]);
  });

  it.each([
    ["<p>a & b</p>", "a bare '&' (write &amp;)"],
    ["<p>&bogus;</p>", "unknown entity &bogus;"],
    ["<p>&#0;</p>", "unknown entity &#0;"],
    ["<p><b>x</p>", "</p> closes <b>"],
    ["<p>x", "<p> is never closed"],
    ["</p>", "</p> closes nothing"],
    ["<p a=1>x</p>", "a malformed <p> tag"],
    ['<p a="1" a="2">x</p>', "attribute a repeated"],
    ["<p>1 < 2</p>", "a bare '<' (write &lt;)"],
    ["<p>]]></p>", "']]>' outside a CDATA section"],
    ["<![CDATA[x", "a CDATA section that is never closed"],
    ["<p>\u0001</p>", "a character XML does not allow (U+0001)"],
  ])("rejects %j: %s", (xml, message) => {
    expect(checkStorage(xml).map((p) => p.message)).toContain(message);
  });

  it("cdata() splits ]]> so the section holds the text exactly", () => {
    expect(cdata("a]]>b]]>")).toBe("<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>");
    expect(checkStorage(cdata("a]]>b"))).toEqual([]);
  });
});
