import { describe, expect, it } from "vitest";
import { decodeTinyLink, encodeTinyLink, parsePageRef } from "../../src/confluence/page-ref.js";
import { ExitCode, UsageError } from "../../src/errors.js";

describe("page references", () => {
  it.each([
    ["65538", { kind: "id", id: "65538" }],
    [" 65538 ", { kind: "id", id: "65538" }],
    ["https://acme.atlassian.net/wiki/spaces/DOC/pages/65538/Release+checklist", { kind: "id", id: "65538" }],
    ["https://acme.atlassian.net/wiki/spaces/DOC/pages/65538", { kind: "id", id: "65538" }],
    [
      "https://acme.atlassian.net/wiki/spaces/DOC/pages/edit-v2/65538?draftShareId=x",
      { kind: "id", id: "65538" },
    ],
    ["https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=65538", { kind: "id", id: "65538" }],
    [
      "https://dc.example.com/confluence/pages/viewpage.action?pageId=65538&focusedCommentId=1",
      { kind: "id", id: "65538" },
    ],
    ["http://dc.example.com/pages/viewpage.action?spaceKey=DOC&pageId=123", { kind: "id", id: "123" }],
    ["https://acme.atlassian.net/wiki/x/AgAB", { kind: "id", id: "65538" }],
    ["https://dc.example.com/confluence/x/AQAB", { kind: "id", id: "65537" }],
    [
      "https://dc.example.com/confluence/display/DOC/Release+checklist",
      { kind: "title", spaceKey: "DOC", title: "Release checklist" },
    ],
    [
      "https://dc.example.com/display/~ada/Ada%27s+notes",
      { kind: "title", spaceKey: "~ada", title: "Ada's notes" },
    ],
    [
      "https://dc.example.com/display/DOC/C%2B%2B+tips",
      { kind: "title", spaceKey: "DOC", title: "C++ tips" },
    ],
    ["DOC:Release checklist", { kind: "title", spaceKey: "DOC", title: "Release checklist" }],
    ["~ada:Ada's notes", { kind: "title", spaceKey: "~ada", title: "Ada's notes" }],
    ["DOC:Time: 10:00", { kind: "title", spaceKey: "DOC", title: "Time: 10:00" }],
  ])("%s", (input, expected) => {
    expect(parsePageRef(input)).toEqual(expected);
  });

  it.each([
    "",
    "release checklist",
    "https://acme.atlassian.net/wiki/spaces/DOC/overview",
    "https://dc.example.com/pages/viewpage.action",
    "https://acme.atlassian.net/wiki/x/!!",
    "https://dc.example.com/display/DOC/2026/10/06/A+blog+post",
    "DOC:",
    "12ab",
  ])("rejects %j as a usage error (exit 2) with the accepted forms in the hint", (input) => {
    let error: unknown;
    try {
      parsePageRef(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.USAGE);
    expect((error as UsageError).hint).toContain("SPACEKEY:Title");
  });
});

describe("tiny links (Atlassian's TinyUrl encoding)", () => {
  it("decodes the documented example and a real-world link", () => {
    // confluence-api.md §1.3: page 65537 has tinyui /x/AQAB
    expect(decodeTinyLink("AQAB")).toBe("65537");
    // a link/pageId pair published with a decoder: /x/aN9oDw ↔ pageId=258531176
    expect(decodeTinyLink("aN9oDw")).toBe("258531176");
  });

  it("uses - for / and _ for + (the reverse of base64url)", () => {
    // 0xfbff = bytes ff fb → standard base64 "//s" → "--s"; with base64url it would read "__s"
    expect(encodeTinyLink(String(0xfbff))).toBe("--s");
    expect(decodeTinyLink("--s")).toBe(String(0xfbff));
    // 0xf8fb: bytes fb f8 → "+/g" → "_-g"
    expect(encodeTinyLink(String(0xf8fb))).toBe("_-g");
    expect(decodeTinyLink("_-g")).toBe(String(0xf8fb));
  });

  it("round-trips ids of every size, including ones whose encoding ends in A", () => {
    for (const id of ["1", "64", "65536", "98304", "2147483647", "4294967296", "123456789012345"]) {
      expect(decodeTinyLink(encodeTinyLink(id))).toBe(id);
    }
  });
});
