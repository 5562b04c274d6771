/**
 * YAML front matter: the page's identity in a Markdown file (id, title, labels, parent, version, source
 * URL). Keys we do not know are kept as they are.
 */
import { parse, stringify } from "yaml";
import type { FrontMatter } from "./types.js";

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n?---[ \t]*(?:\r?\n|$)/;

export function serializeFrontMatter(frontMatter: FrontMatter): string {
  const ordered: Record<string, unknown> = {};
  for (const key of ["id", "title", "labels", "parent", "version", "source"])
    if (frontMatter[key] !== undefined) ordered[key] = frontMatter[key];
  for (const [key, value] of Object.entries(frontMatter))
    if (!(key in ordered) && value !== undefined) ordered[key] = value;
  return `---\n${stringify(ordered, { lineWidth: 0 })}---\n\n`;
}

export class FrontMatterError extends Error {
  override name = "FrontMatterError";
}

/** Splits front matter off a Markdown document; `body` is the rest, unchanged. */
export function parseFrontMatter(markdown: string): { frontMatter: FrontMatter | undefined; body: string } {
  const text = markdown.startsWith("\uFEFF") ? markdown.slice(1) : markdown;
  const match = FRONT_MATTER.exec(text);
  // a document may also start with a horizontal rule: front matter is only a block with a `key:` line
  if (!match || !/^[A-Za-z_][\w-]*[ \t]*:/m.test(match[1] ?? ""))
    return { frontMatter: undefined, body: text };
  let data: unknown;
  try {
    data = parse(match[1] ?? "");
  } catch (error) {
    throw new FrontMatterError(`front matter is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (data === null || data === undefined) return { frontMatter: {}, body: text.slice(match[0].length) };
  if (typeof data !== "object" || Array.isArray(data))
    throw new FrontMatterError("front matter must be a YAML mapping (key: value lines)");
  // the same rule as `confl api -F`: no key that names a JavaScript prototype, even as an own property
  const forbidden = Object.keys(data).find(
    (k) => k === "__proto__" || k === "constructor" || k === "prototype",
  );
  if (forbidden !== undefined) throw new FrontMatterError(`front matter key "${forbidden}" is not allowed`);
  const frontMatter = data as FrontMatter;
  if (frontMatter.id !== undefined) frontMatter.id = String(frontMatter.id);
  if (frontMatter.parent !== undefined) frontMatter.parent = String(frontMatter.parent);
  if (frontMatter.labels !== undefined) {
    const labels = frontMatter.labels as unknown;
    frontMatter.labels = (Array.isArray(labels) ? labels : String(labels).split(/[,\s]+/))
      .map(String)
      .filter(Boolean);
  }
  if (frontMatter.version !== undefined) {
    const version = Number(frontMatter.version);
    if (!Number.isInteger(version) || version < 1)
      throw new FrontMatterError(
        `front matter version must be a positive whole number, not ${String(frontMatter.version)}`,
      );
    frontMatter.version = version;
  }
  return { frontMatter, body: text.slice(match[0].length) };
}
