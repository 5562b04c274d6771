/** A Context with in-memory streams, for calling run()/login functions directly. */
import { PassThrough } from "node:stream";
import { type Context, createContext } from "../../src/context.js";
import { createIOStreams } from "../../src/io/streams.js";
import type { SecretStore } from "../../src/secrets/types.js";

/** A secret store in memory that counts its writes (a refresh must persist exactly once). */
export class MemoryStore implements SecretStore {
  readonly kind = "plaintext" as const;
  values = new Map<string, string>();
  sets = 0;
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.sets++;
    this.values.set(key, value);
  }
  async delete(key: string) {
    return this.values.delete(key);
  }
}

export interface TestContext {
  ctx: Context;
  stdin: PassThrough;
  stdout(): string;
  stderr(): string;
  /** resolves with the first stderr text matching the pattern */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function testContext(env: NodeJS.ProcessEnv, options: { debug?: boolean } = {}): TestContext {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
    for (const l of listeners) l();
  });
  const io = createIOStreams({ stdin, stdout, stderr, env, noInput: true });
  const ctx: Context = createContext({
    io,
    env,
    globals: { json: false, debug: options.debug === true, color: false, input: false },
    debug(line) {
      if (options.debug) io.err(`[debug] ${line}`);
    },
  });
  return {
    ctx,
    stdin,
    stdout: () => out,
    stderr: () => err,
    waitForStderr(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = err.match(pattern);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`stderr never matched ${pattern}: ${err}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

/** What a person does on the consent page, without a browser: submit the form with Accept or Deny. */
export async function submitConsent(authorizeUrl: string, decision: "accept" | "deny"): Promise<string> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${await page.text()}`);
  const html = await page.text();
  const action = /<form method="POST" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error("no consent form");
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      m[1] as string,
      (m[2] as string).replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
    );
  }
  form.set("decision", decision);
  const answer = await fetch(
    new URL(
      action.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
      authorizeUrl,
    ),
    {
      method: "POST",
      body: form,
      redirect: "manual",
    },
  );
  const location = answer.headers.get("location");
  if (answer.status !== 302 || !location) throw new Error(`consent answered ${answer.status}`);
  return location;
}
