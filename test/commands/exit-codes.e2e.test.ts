/**
 * The README's exit codes, everywhere: a table of error classes × commands, each run through the built
 * CLI against the simulator (or a closed port, an unresolvable name, an https server with an untrusted
 * certificate). The expectation is the README's table ("Exit codes"): 1 failure (network, server, …),
 * 2 usage error or bad input (unknown option, invalid URL, missing file), 4 authentication or permission.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpsServer, type TestServer } from "../http/helpers.js";
import { createPki } from "../http/pki.js";
import { useSimulator } from "../support/context.js";
import { confl } from "./helpers.js";

const sim = useSimulator();
let tls: TestServer;
let closedPort: number;

beforeAll(async () => {
  const pki = createPki();
  tls = await startHttpsServer({ cert: pki.server.cert, key: pki.server.key }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  // a port that was free a moment ago: nothing listens on it
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}, 60_000);
afterAll(async () => {
  await tls?.close();
});

/** The README's table: class → code. */
const README = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
const EXIT = { failure: 1, usage: 2, auth: 4 } as const;

it("the README's exit-code table says what this test expects", () => {
  expect(README).toMatch(/\| 1 +\| failure \(network, server, conflict/);
  expect(README).toMatch(/\| 2 +\| usage error or bad input \(unknown option, invalid URL, missing file/);
  expect(README).toMatch(/\| 4 +\| authentication or permission problem/);
});

type Command = "auth login" | "auth status" | "api" | "space list" | "page view";
const COMMANDS: Command[] = ["auth login", "auth status", "api", "space list", "page view"];

interface Target {
  /** the site (Data Center, so one PAT works for every command) */
  url: string;
  pat: string;
  /** extra arguments (an unknown option) */
  extra?: string[];
  env?: Record<string, string>;
  /** a file option pointing nowhere */
  missingFile?: boolean;
  before?: () => void;
}

const MISSING = "/nonexistent/confl-exit-codes/missing.pem";

function invocation(
  command: Command,
  t: Target,
): { args: string[]; env: Record<string, string>; stdin: string } {
  const env: Record<string, string> = {
    CONFL_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), "confl-exit-codes-")), "config"),
    ...t.env,
  };
  const extra = t.extra ?? [];
  if (command === "auth login") {
    return {
      args: [
        "auth",
        "login",
        "--site",
        t.url,
        "--type",
        "pat",
        "--with-token",
        "--storage",
        "plaintext",
        "--insecure-storage",
        ...(t.missingFile ? ["--ca-file", MISSING] : []),
        ...extra,
      ],
      env,
      stdin: `${t.pat}\n`,
    };
  }
  const creds: Record<string, string> = { ...env, CONFLUENCE_URL: t.url, CONFLUENCE_PERSONAL_TOKEN: t.pat };
  // api has a file of its own (--input); the others read the CA file named in the environment
  if (t.missingFile && command !== "api") creds.CONFL_CA_FILE = MISSING;
  const args: Record<Exclude<Command, "auth login">, string[]> = {
    "auth status": ["auth", "status"],
    api: ["api", "rest/api/user/current", ...(t.missingFile ? ["--input", MISSING] : [])],
    "space list": ["space", "list"],
    "page view": ["page", "view", "65538"],
  };
  return { args: [...args[command], ...extra], env: creds, stdin: "" };
}

interface ErrorClass {
  name: string;
  target: () => Target;
  expected: number | Partial<Record<Command, number>>;
}

const dc = () => ({ url: sim.origins.dc, pat: sim.credentials.dc.pat });
const fault = (status: number, retryAfter?: string) => () => {
  sim.fault({
    server: "dc",
    count: Number.POSITIVE_INFINITY,
    // the API calls, not detection's probes (server-information, status)
    pathPattern: /\/rest\/api\/(user|space|content)/,
    fault: { type: "status", status, ...(retryAfter ? { retryAfter } : {}) },
  });
};

const CLASSES: ErrorClass[] = [
  {
    name: "network: connection refused",
    target: () => ({ url: `http://127.0.0.1:${closedPort}/confluence`, pat: sim.credentials.dc.pat }),
    expected: EXIT.failure,
  },
  {
    name: "network: DNS failure",
    target: () => ({ url: "https://confl-exit-codes.invalid/confluence", pat: sim.credentials.dc.pat }),
    expected: EXIT.failure,
  },
  {
    name: "network: TLS certificate not trusted",
    target: () => ({ url: `${tls.origin}/confluence`, pat: sim.credentials.dc.pat }),
    expected: EXIT.failure,
  },
  {
    name: "invalid URL",
    target: () => ({ url: "http://exa mple.com:99999/confluence", pat: sim.credentials.dc.pat }),
    expected: EXIT.usage,
  },
  { name: "unknown option", target: () => ({ ...dc(), extra: ["--bogus"] }), expected: EXIT.usage },
  { name: "missing file", target: () => ({ ...dc(), missingFile: true }), expected: EXIT.usage },
  {
    name: "401: wrong token",
    target: () => ({ url: sim.origins.dc, pat: "fake-wrong-pat-for-exit-codes-0001" }),
    expected: EXIT.auth,
  },
  { name: "403", target: () => ({ ...dc(), before: fault(403) }), expected: EXIT.auth },
  { name: "404", target: () => ({ ...dc(), before: fault(404) }), expected: EXIT.failure },
  {
    name: "429, retries exhausted",
    target: () => ({ ...dc(), before: fault(429, "0") }),
    expected: EXIT.failure,
  },
  { name: "5xx", target: () => ({ ...dc(), before: fault(503, "0") }), expected: EXIT.failure },
];

const table = CLASSES.flatMap((c) => COMMANDS.map((command) => [c.name, command, c] as const));

describe("exit codes: error class × command", () => {
  it.each(table)("%s, confl %s", async (_name, command, errorClass) => {
    const target = errorClass.target();
    target.before?.();
    const run = invocation(command, target);
    const result = await confl(run.args, run.env, run.stdin);
    const expected =
      typeof errorClass.expected === "number" ? errorClass.expected : errorClass.expected[command];
    expect(result.code, `confl ${run.args.join(" ")}\n${result.stderr}`).toBe(expected);
    // one line and at most a hint, never a stack
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
