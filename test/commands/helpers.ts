/** The built CLI (dist/confl.mjs) as a child process, for the command e2e tests: test/support/context.ts. */
import { confl as run } from "../support/context.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function confl(args: string[], env: NodeJS.ProcessEnv, stdin = "", cwd?: string): Promise<Run> {
  const r = await run(args, env, { stdin, ...(cwd === undefined ? {} : { cwd }) });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}
