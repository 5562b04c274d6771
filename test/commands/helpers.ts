/** The built CLI (dist/confl.mjs) as a child process, for the command e2e tests. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { recordHints } from "../hints/collect.js";

const bundle = join(import.meta.dirname, "../../dist/confl.mjs");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function confl(args: string[], env: NodeJS.ProcessEnv, stdin = "", cwd?: string): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [bundle, ...args],
      {
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", CONFL_NO_INPUT: "1", ...env },
        timeout: 30_000,
        ...(cwd === undefined ? {} : { cwd }),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        recordHints({ args, stderr });
        done({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}
