/**
 * ~/.netrc as the last-resort credential source (after flags, environment and stored profiles), read
 * the way curl reads it: `machine` blocks, a trailing `default`, `login`/`password`/`account`,
 * `macdef` bodies skipped up to the next empty line, "quoted tokens" with backslash escapes, and
 * `#` comments. The first matching `machine` wins; `default` only applies when none matched.
 */
import { stat } from "node:fs/promises";
import { registerSecret } from "../redact.js";
import { netrcPath } from "./paths.js";
import { readFileIfExists } from "./private-files.js";

export interface NetrcEntry {
  login?: string;
  password?: string;
  account?: string;
  /** The file the entry came from (for `auth status`: "from ~/.netrc"). */
  path: string;
  /** Matched through `default`, not a `machine` line. */
  isDefault: boolean;
  /** The file is readable by group or others: the caller should warn (curl and ftp refuse such files). */
  insecurePermissions: boolean;
}

/**
 * Credentials for `host` (a host name, host:port or URL; matched case-insensitively on the host
 * name). undefined when the file is absent or has no entry for it.
 */
export async function readNetrc(host: string, env: NodeJS.ProcessEnv): Promise<NetrcEntry | undefined> {
  const path = netrcPath(env);
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  const found = findNetrcEntry(text, hostName(host));
  if (!found) return undefined;
  registerSecret(found.password);
  registerSecret(found.account);
  let insecurePermissions = false;
  if (process.platform !== "win32") {
    const info = await stat(path);
    insecurePermissions = (info.mode & 0o077) !== 0;
  }
  return { ...found, path, insecurePermissions };
}

interface ParsedEntry {
  login?: string;
  password?: string;
  account?: string;
  isDefault: boolean;
}

/** Pure parser: the entry for `host` in netrc `text`. */
export function findNetrcEntry(text: string, host: string): ParsedEntry | undefined {
  const wanted = host.toLowerCase();
  const tokens = tokenize(text);
  let current: ParsedEntry | undefined;
  let currentMatches = false;
  let fallback: ParsedEntry | undefined;
  let i = 0;
  const next = () => tokens[i++]?.value;
  while (i < tokens.length) {
    const token = tokens[i++]!;
    switch (token.value) {
      case "machine": {
        if (currentMatches && current) return current;
        const name = next();
        current = { isDefault: false };
        currentMatches = name !== undefined && name.toLowerCase() === wanted;
        break;
      }
      case "default":
        if (currentMatches && current) return current;
        current = { isDefault: true };
        currentMatches = false;
        fallback = current;
        break;
      case "login":
      case "password":
      case "account": {
        const value = next();
        if (current && value !== undefined) current[token.value] = value;
        break;
      }
      case "macdef": {
        // A macro body runs to the first empty line; its words are not netrc tokens.
        next();
        const macroEnd = endOfMacro(text, token.end);
        while (i < tokens.length && tokens[i]!.start < macroEnd) i++;
        break;
      }
      default:
        // Unknown words are ignored, as curl does.
        break;
    }
  }
  if (currentMatches && current) return current;
  return fallback;
}

interface Token {
  value: string;
  start: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    const start = i;
    let value = "";
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) {
          const escaped = text[i + 1]!;
          value += escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped === "r" ? "\r" : escaped;
          i += 2;
          continue;
        }
        value += text[i];
        i++;
      }
      i++; // closing quote
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        value += text[i];
        i++;
      }
    }
    tokens.push({ value, start, end: i });
  }
  return tokens;
}

function endOfMacro(text: string, from: number): number {
  // The macro name ends the `macdef` line; the body starts on the next line.
  const lineEnd = text.indexOf("\n", from);
  if (lineEnd === -1) return text.length;
  const match = /\n[ \t]*\r?\n/.exec(text.slice(lineEnd));
  return match ? lineEnd + match.index + match[0].length : text.length;
}

function hostName(host: string): string {
  const trimmed = host.trim();
  if (trimmed.includes("://")) {
    try {
      return new URL(trimmed).hostname.replace(/^\[|\]$/g, "");
    } catch {
      return trimmed;
    }
  }
  // host:port -> host (but leave a bare IPv6 address alone).
  const colon = trimmed.lastIndexOf(":");
  if (colon > 0 && trimmed.indexOf(":") === colon) return trimmed.slice(0, colon);
  return trimmed;
}
