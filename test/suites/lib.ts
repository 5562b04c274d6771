/**
 * Shared by the issue-14 suites: the built CLI as a child process (with its pid, so a suite can look at
 * /proc or kill it), a bounded worker pool, directory snapshots and the "one line per problem" check.
 */
import type { ChildProcess } from "node:child_process";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { confl as run } from "../support/context.js";

export const CLI = join(import.meta.dirname, "..", "..", "dist", "confl.mjs");

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env: Record<string, string>;
  stdin?: string | Buffer;
  cwd?: string;
  /** called once the child exists (to watch /proc/<pid> or to kill it) */
  onSpawn?: (child: ChildProcess) => void;
  timeoutMs?: number;
}

/**
 * Runs `node dist/confl.mjs …args` with exactly `env` (plus PATH) and collects its output
 * (test/support/context.ts; the hint check is off: these suites feed confl hostile input on purpose).
 */
export async function runConfl(args: string[], options: SpawnOptions): Promise<Run> {
  const r = await run(args, options.env, {
    checkHints: false,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return { ...r, code: r.signal ? null : r.code };
}

/** Runs `work` over `items` with at most `width` in flight; results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T, i: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/** Every regular file under `dir` (relative path → bytes as latin1), and every directory (→ "<dir>"). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(d, name);
      const key = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path);
      if (st.isDirectory()) {
        out.set(key, "<dir>");
        walk(path, key);
      } else out.set(key, st.isFile() ? readFileSync(path, "latin1") : `<${st.mode.toString(8)}>`);
    }
  };
  walk(dir, "");
  return out;
}

export function diffSnapshots(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [k, v] of after) {
    if (!before.has(k)) changes.push(`+ ${k}`);
    else if (before.get(k) !== v) changes.push(`~ ${k}`);
  }
  for (const k of before.keys()) if (!after.has(k)) changes.push(`- ${k}`);
  return changes;
}

/** A stack frame as node prints one (`    at fn (file:1:2)`), anywhere in the text. */
export const STACK_FRAME = /^\s+at .*(\(|\/|:\d+:\d+)/m;

/** The hint confl prints for an error it did not expect (an internal error: a bug). */
export const INTERNAL_HINT = "report it if it looks like a bug";
