/**
 * What a user may type for <page>: an id, a page URL as copied from the browser, or KEY:Title.
 * Parsing is local and deployment-independent; resolving a title needs the API (resolvePageRef).
 *
 * URL forms (any host; a DC context path in front is fine):
 *   Cloud   /wiki/spaces/KEY/pages/ID[/Title]   /wiki/spaces/KEY/pages/edit-v2/ID   /wiki/x/TINY
 *   DC      /pages/viewpage.action?pageId=ID     /display/KEY/Title                 /x/TINY
 */
import { UsageError } from "../errors.js";
import type { ConfluenceClient } from "./client.js";
import { findPageByTitle } from "./pages.js";

export type PageRef = { kind: "id"; id: string } | { kind: "title"; spaceKey: string; title: string };

const USAGE_HINT =
  "give a page id (65538), a page URL from the browser, or SPACEKEY:Title (e.g. DOC:Release checklist)";

function bad(input: string, why: string): UsageError {
  return new UsageError(`not a page reference: "${input}" (${why})`, {
    code: "usage.page_ref",
    hint: USAGE_HINT,
  });
}

/**
 * Decodes a tiny link (`/x/AQAB`) to the page id. Atlassian's encoding: the id's bytes little-endian,
 * standard base64, then `=` dropped, `/`→`-`, `+`→`_` (the reverse of RFC 4648 base64url) and trailing
 * `A`s (zero bytes) stripped. Sources: Atlassian KB "How to programmatically generate the tiny link of a
 * Confluence page" (confluence.atlassian.com/confkb/…-956713432.html) and the Atlassian Community thread
 * "What is the algorithm used to create the Tiny links" (com.atlassian.confluence.pages.TinyUrl;
 * 2019 answers note the swapped `-`/`_`). The doc example /x/AQAB is page 65537 (confluence-api.md §1.3).
 */
export function decodeTinyLink(tiny: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,11}$/.test(tiny)) return undefined;
  const standard = tiny.replace(/-/g, "/").replace(/_/g, "+");
  const padded = standard.padEnd(Math.ceil(standard.length / 4) * 4, "A");
  const bytes = Buffer.from(padded, "base64");
  let id = 0n;
  for (let i = Math.min(bytes.length, 8) - 1; i >= 0; i--) id = (id << 8n) | BigInt(bytes[i]!);
  if (id === 0n || id > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return id.toString();
}

/** The inverse, for tests and for printing a short link. */
export function encodeTinyLink(id: string): string {
  let n = BigInt(id);
  const bytes: number[] = [];
  for (let i = 0; i < 8; i++) {
    bytes.push(Number(n & 0xffn));
    n >>= 8n;
  }
  return Buffer.from(bytes)
    .toString("base64")
    .replace(/=+$/, "")
    .replace(/\//g, "-")
    .replace(/\+/g, "_")
    .replace(/A+$/, "");
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment.replace(/\+/g, " "));
  } catch {
    return segment;
  }
}

function fromUrl(input: string, url: URL): PageRef {
  const pageId = url.searchParams.get("pageId");
  if (/\/pages\/(viewpage|editpage|viewpageattachments|viewinfo)\.action$/.test(url.pathname)) {
    if (pageId && /^\d+$/.test(pageId)) return { kind: "id", id: pageId };
    throw bad(input, "no pageId in the URL");
  }
  const segments = url.pathname.split("/").filter(Boolean);
  // Cloud: …/spaces/KEY/pages/ID[/Title], …/spaces/KEY/pages/edit-v2/ID, …/pages/ID
  const pagesAt = segments.lastIndexOf("pages");
  if (pagesAt >= 0) {
    const after = segments.slice(pagesAt + 1);
    const id = after[0] === "edit-v2" || after[0] === "edit" ? after[1] : after[0];
    if (id && /^\d+$/.test(id)) return { kind: "id", id };
  }
  // …/x/TINY
  const xAt = segments.lastIndexOf("x");
  if (xAt >= 0 && segments.length === xAt + 2) {
    const id = decodeTinyLink(segments[xAt + 1]!);
    if (id) return { kind: "id", id };
    throw bad(input, "the short link does not decode to a page id");
  }
  // DC: …/display/KEY/Title (a blog post is /display/KEY/yyyy/mm/dd/Title: not a page)
  const displayAt = segments.lastIndexOf("display");
  if (displayAt >= 0 && segments.length === displayAt + 3) {
    return {
      kind: "title",
      spaceKey: decodeSegment(segments[displayAt + 1]!),
      title: decodeSegment(segments[displayAt + 2]!),
    };
  }
  if (pageId && /^\d+$/.test(pageId)) return { kind: "id", id: pageId };
  throw bad(input, "no page id, short link or /display/KEY/Title in the URL");
}

export function parsePageRef(input: string): PageRef {
  const text = input.trim();
  if (text === "") throw bad(input, "empty");
  if (/^\d+$/.test(text)) return { kind: "id", id: text };
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw bad(input, "not a valid URL");
    }
    return fromUrl(input, url);
  }
  // KEY:Title — space keys are letters/digits (personal spaces start with ~)
  const match = /^(~?[A-Za-z0-9_-]+):(.+)$/.exec(text);
  if (match) return { kind: "title", spaceKey: match[1]!, title: match[2]!.trim() };
  throw bad(input, "expected an id, a URL or SPACEKEY:Title");
}

/** The page id a reference names, looking a title up in its space when needed. */
export async function resolvePageRef(client: ConfluenceClient, ref: PageRef | string): Promise<string> {
  const parsed = typeof ref === "string" ? parsePageRef(ref) : ref;
  if (parsed.kind === "id") return parsed.id;
  return (await findPageByTitle(client, parsed.spaceKey, parsed.title)).id;
}
