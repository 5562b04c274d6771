/**
 * A hostile server against the built CLI (issue 9 §3, §6): it reflects the credentials it receives
 * (raw, base64-decoded, re-encoded, URL-encoded, JSON-escaped, in headers, in a display name, in long
 * bodies that get cut) and sends terminal control sequences. Canary secrets come through the
 * environment, stdin and a stored profile; none may reach stdout, stderr or config.json, and nothing a
 * server sends may drive the terminal through stderr. Plus stdout write errors (/dev/full, a closed pipe).
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recordHints } from "../hints/collect.js";
import { startServer, type TestServer } from "./helpers.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "confl.mjs");
const PAT = "fake-canary-pat/7f3a9c2e51+d0==";
const USERNAME = "alice";
const PASSWORD = "fake-canary-password/9b1e+44";
const CLIENT_SECRET = "fake-canary-client-secret/5c2+ab";
const ACCESS_TOKEN = "fake-canary-access-token-0f9e8d7c6b";
const COOKIE_BARE = "FAKECANARYBARESSO0042";
const COOKIE = `JSESSIONID=fake-canary-session-31337; ${COOKIE_BARE}`;
const ALL_SECRETS = [PAT, PASSWORD, CLIENT_SECRET, ACCESS_TOKEN, COOKIE_BARE, "fake-canary-session-31337"];

/** What the server does with a request for anything but the detection probes. */
type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;
let behave: Behaviour;
let server: TestServer;

beforeAll(async () => {
  server = await startServer(async (req, res, body) => {
    const path = req.url ?? "";
    if (path.startsWith("/_edge/tenant_info")) {
      res.writeHead(404).end();
      return;
    }
    if (path.startsWith("/rest/api/server-information")) {
      sendJson(res, 200, { baseUrl: server.origin, version: "8.5.4", buildNumber: 9012 });
      return;
    }
    // login verification lists one space; a hostile server answers that honestly
    if (path.startsWith("/rest/api/space?limit=1")) {
      sendJson(res, 200, { results: [], size: 0 });
      return;
    }
    await behave(req, res, body);
  });
});
afterAll(async () => server?.close());
beforeEach(() => {
  behave = (_req, res) => sendJson(res, 404, { statusCode: 404, message: "not here" });
});

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Every form of every credential the request carried, as a hostile server would reflect them. */
function reflections(req: IncomingMessage): string[] {
  const out: string[] = [];
  for (const value of [req.headers.authorization, req.headers.cookie]) {
    if (!value) continue;
    const credential = value.replace(/^\S+\s+/, "");
    const decoded = Buffer.from(credential, "base64").toString("utf8");
    out.push(
      value,
      credential,
      decoded,
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1).replaceAll("/", "\\/"),
      Buffer.from(`x${decoded}`).toString("base64").replace(/=+$/, ""),
      Buffer.from(`xy${value}`).toString("base64url"),
      ...value.split(/;\s*/),
      ...value.split(/;\s*/).map((part) => part.split("=").slice(1).join("=")),
    );
  }
  return out.filter((s) => s !== "");
}

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

interface RunOptions {
  stdin?: string;
  /** where stdout goes: a pipe we read, /dev/full, or a pipe we close before the server answers */
  stdout?: "pipe" | "full" | "closed";
  configDir?: string;
}

function confl(args: string[], env: Record<string, string>, options: RunOptions = {}): Promise<Run> {
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), "confl-hostile-"));
  const full = options.stdout === "full" ? openSync("/dev/full", "w") : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", CONFL_CONFIG_DIR: configDir, CONFL_NO_INPUT: "1", ...env },
      stdio: ["pipe", full ?? "pipe", "pipe"],
    });
    if (full !== undefined) closeSync(full);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (options.stdout === "closed") child.stdout?.destroy();
    else child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8");
      recordHints({ args, stderr });
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    child.stdin?.end(options.stdin ?? "");
  });
}

const patEnv = () => ({ CONFLUENCE_URL: server.origin, CONFLUENCE_PERSONAL_TOKEN: PAT });
const basicEnv = () => ({
  CONFLUENCE_URL: server.origin,
  CONFLUENCE_USERNAME: USERNAME,
  CONFLUENCE_PASSWORD: PASSWORD,
});
const cookieEnv = () => ({ CONFLUENCE_URL: server.origin, CONFLUENCE_COOKIE: COOKIE });

/** No canary in any form: raw, or any 8 characters of it inside a base64 run at any offset. */
function expectNoSecret(text: string | Buffer, what: string): void {
  const s = typeof text === "string" ? text : text.toString("latin1");
  const candidates = [s];
  for (const run of s.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    for (let shift = 0; shift < 4; shift++) {
      const standard = run.slice(shift).replaceAll("-", "+").replaceAll("_", "/");
      candidates.push(Buffer.from(standard, "base64").toString("latin1"));
    }
  }
  const decodedUri = (() => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  })();
  candidates.push(decodedUri, s.replaceAll("\\/", "/"));
  for (const secret of ALL_SECRETS) {
    for (let i = 0; i + 12 <= secret.length; i++) {
      const piece = secret.slice(i, i + 12);
      for (const c of candidates)
        expect(c.includes(piece), `${what} holds "${piece}" of ${secret}`).toBe(false);
    }
  }
}

/** Nothing that drives a terminal: ESC, C0 but \n and \t, DEL, C1 (as UTF-8 code points). */
function expectNoControls(text: string, what: string): void {
  const found = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u200b]/.exec(text);
  expect(found ? `U+${found[0].charCodeAt(0).toString(16).padStart(4, "0")} in ${what}` : "none").toBe(
    "none",
  );
}

const CONTROLS = "\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;ZXZpbA==\u0007\u009b31m\r\u202eevil\u200b";

describe("hostile server: reflected credentials never reach stdout or stderr", () => {
  it("confl api: a 200 body reflecting a Basic credential (raw, decoded, re-encoded) prints ***", async () => {
    behave = (req, res) => sendJson(res, 200, { echo: reflections(req) });
    const r = await confl(["api", "rest/api/space"], basicEnv());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).echo.length).toBeGreaterThan(5);
    expectNoSecret(r.stdout, "stdout");
  });

  it("confl api: a 401 body reflecting a PAT goes to stdout and into the error message, redacted", async () => {
    behave = (req, res) =>
      sendJson(res, 401, { statusCode: 401, message: `bad token ${reflections(req).join(" ")}` });
    const r = await confl(["api", "rest/api/space"], patEnv());
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^confl: GET .* failed: 401 Unauthorized: bad token \*\*\*/);
    expectNoSecret(r.stdout, "stdout");
    expectNoSecret(r.stderr, "stderr");
  });

  it("-i: response headers reflecting the credential (raw, base64, cookie) print ***", async () => {
    behave = (req, res) => {
      const [raw, credential, decoded] = reflections(req);
      res.writeHead(200, {
        "content-type": "application/json",
        "x-echo": raw ?? "",
        "www-authenticate": `Basic realm="${decoded}"`,
        "x-echo-b64": Buffer.from(`${credential}`).toString("base64"),
        "set-cookie": `echo=${credential}; Path=/; HttpOnly`,
      });
      res.end("{}");
    };
    const r = await confl(["api", "rest/api/space", "-i"], basicEnv());
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^x-echo: \*\*\*$/m);
    expectNoSecret(r.stdout, "stdout");
    expectNoSecret(r.stderr, "stderr");
  });

  it("long bodies: a secret straddling the 300-character cut of the message is redacted whole", async () => {
    // the message is cut at 300 characters: put 19 to 28 of the token's 31 characters before the cut
    for (const [before, type] of [
      [271, "text/plain"],
      [275, "application/json"],
      [280, "text/plain"],
      [276, "text/html"],
    ] as const) {
      behave = (req, res) => {
        const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
        const text = `${"x".repeat(before)}${token}${"y".repeat(400)}`;
        res.writeHead(400, { "content-type": type });
        if (type === "application/json") res.end(JSON.stringify({ message: text }));
        else if (type === "text/html")
          res.end(`<html><title>${"t".repeat(before - 1)} ${token}</title></html>`);
        else res.end(text);
      };
      const r = await confl(["api", "rest/api/space", "--silent"], patEnv());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("failed: 400 Bad Request: ");
      expectNoSecret(r.stderr, `stderr (${before} characters before, ${type})`);
    }
  });

  it("--debug: a cookie part without = is hidden, and a server echoing the Cookie header gets ***", async () => {
    behave = (req, res) =>
      sendJson(res, 500, {
        message: `cookie was ${req.headers.cookie}; parts ${reflections(req).join(",")}`,
      });
    const r = await confl(["--debug", "api", "rest/api/space", "--max-retries", "0"], cookieEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cookie: JSESSIONID=\*\*\*; \*\*\*/);
    expectNoSecret(r.stderr, "stderr");
    expectNoSecret(r.stdout, "stdout");
  });

  it("a secret split by an escape sequence in an error message is rejoined, then redacted", async () => {
    behave = (req, res) => {
      const value = req.headers.authorization ?? "";
      const half = Math.floor(value.length / 2);
      sendJson(res, 403, { message: `you sent ${value.slice(0, half)}\u001b[0m${value.slice(half)}` });
    };
    const r = await confl(["api", "rest/api/space", "--silent"], patEnv());
    expect(r.code).toBe(4);
    expectNoSecret(r.stderr, "stderr");
    expectNoControls(r.stderr, "stderr");
  });
});

describe("hostile server: display names, stored profiles, stdin, OAuth", () => {
  it("login (secret on stdin): a displayName echoing the token is neither printed nor stored; status shows ***", async () => {
    const configDir = mkdtempSync(join(tmpdir(), "confl-hostile-"));
    behave = (req, res) => {
      if (req.url?.includes("user/current")) {
        const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
        sendJson(res, 200, {
          type: "known",
          username: "alice",
          userKey: "k1",
          displayName: `Alice ${token} ${encodeURIComponent(token)} ${CONTROLS}`,
        });
        return;
      }
      sendJson(res, 404, { statusCode: 404, message: `no page for ${req.headers.authorization}` });
    };
    const login = await confl(
      [
        "auth",
        "login",
        "--profile",
        "default",
        "--site",
        server.origin,
        "--type",
        "pat",
        "--with-token",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      {},
      { stdin: `${PAT}\n`, configDir },
    );
    expect(login.stderr).toContain("as Alice ***");
    expect(login.code).toBe(0);
    expectNoSecret(login.stderr, "login stderr");
    expectNoSecret(login.stdout, "login stdout");
    expectNoControls(login.stderr, "login stderr");
    const config = readFileSync(join(configDir, "config.json"), "utf8");
    expectNoSecret(config, "config.json");
    expectNoControls(JSON.parse(config).profiles.default.identity.displayName, "stored displayName");

    for (const args of [
      ["auth", "status"],
      ["auth", "status", "--json"],
    ]) {
      const status = await confl(args, {}, { configDir });
      expectNoSecret(status.stdout, `${args.join(" ")} stdout`);
      expectNoSecret(status.stderr, `${args.join(" ")} stderr`);
      expectNoControls(status.stdout.toString(), `${args.join(" ")} stdout`);
    }
    // the stored profile's secret, echoed by a later call
    const api = await confl(["api", "rest/api/content/1"], {}, { configDir });
    expect(api.code).toBe(1);
    expectNoSecret(api.stdout, "api stdout (stored profile)");
    expectNoSecret(api.stderr, "api stderr (stored profile)");
    // the files confl wrote other than the secret store hold no canary
    for (const name of readdirSync(configDir).filter((n) => !/secret|credential/i.test(n))) {
      expectNoSecret(readFileSync(join(configDir, name)), name);
    }
  });

  it("OAuth client credentials: client secret and access token echoed by the token endpoint and the API", async () => {
    const configDir = mkdtempSync(join(tmpdir(), "confl-hostile-"));
    behave = (req, res, body) => {
      if (req.url?.startsWith("/rest/oauth2/latest/token")) {
        sendJson(res, 200, {
          access_token: ACCESS_TOKEN,
          token_type: "bearer",
          expires_in: 3600,
          scope: `read echo:${new URLSearchParams(body).get("client_secret")}`,
        });
        return;
      }
      if (req.url?.includes("user/current")) {
        sendJson(res, 200, {
          type: "known",
          username: "svc",
          userKey: "k2",
          displayName: `svc ${ACCESS_TOKEN} ${body} ${reflections(req).join(" ")} ${CLIENT_SECRET}`,
        });
        return;
      }
      sendJson(res, 401, {
        message: `expired: ${reflections(req).join(" ")} ${encodeURIComponent(CLIENT_SECRET)}`,
      });
    };
    const env = { CONFL_OAUTH_CLIENT_SECRET: CLIENT_SECRET };
    const login = await confl(
      [
        "auth",
        "login",
        "--site",
        server.origin,
        "--type",
        "client-credentials",
        "--client-id",
        "fake-client-id",
        "--deployment",
        "dc",
        "--storage",
        "plaintext",
        "--insecure-storage",
      ],
      env,
      { configDir },
    );
    expect(login.code, login.stderr).toBe(0);
    expectNoSecret(login.stderr, "login stderr");
    expectNoSecret(readFileSync(join(configDir, "config.json"), "utf8"), "config.json");
    const api = await confl(["--debug", "api", "rest/api/space"], env, { configDir });
    expect(api.code).toBe(4);
    expectNoSecret(api.stdout, "api stdout");
    expectNoSecret(api.stderr, "api stderr");
  });
});

describe("hostile server: terminal control sequences", () => {
  it("error messages and --debug lines on stderr carry no escape, C0 or C1 control", async () => {
    behave = (_req, res) => {
      res.writeHead(502, { "content-type": "application/json", "x-note": "ok\u0085\u009b2J" });
      res.end(
        JSON.stringify({ errors: [{ title: `Bad ${CONTROLS}`, detail: `gateway \u0007${CONTROLS}` }] }),
      );
    };
    const r = await confl(["--debug", "api", "rest/api/space", "--max-retries", "0", "-i"], patEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^confl: GET .* failed: 502 Bad Gateway: Bad .*evil/m);
    expectNoControls(r.stderr, "stderr");
    // -i header lines are for reading, even on a pipe
    expectNoControls(r.stdout.toString().split("\n\n")[0] ?? "", "-i headers");
  });

  it("an HTML error page's <title> and a plain-text body are stripped too", async () => {
    for (const [type, body] of [
      ["text/html", `<html><head><title>Login ${CONTROLS}</title></head></html>`],
      ["text/plain", `denied ${CONTROLS}\nsecond line`],
    ] as const) {
      behave = (_req, res) => {
        res.writeHead(403, { "content-type": type });
        res.end(body);
      };
      const r = await confl(["api", "rest/api/space", "--silent"], patEnv());
      expect(r.code).toBe(4);
      expectNoControls(r.stderr, `stderr (${type})`);
    }
  });

  it("the body on a piped stdout stays byte-exact, control bytes and invalid UTF-8 included", async () => {
    const bytes = Buffer.concat([Buffer.from(`{"a":"\u001b[31m"}`), Buffer.from([0xff, 0x00, 0x9b, 0x0a])]);
    behave = (_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(bytes);
    };
    const r = await confl(["api", "rest/api/space"], patEnv());
    expect(r.code).toBe(0);
    expect(r.stdout.equals(bytes)).toBe(true);
  });
});

describe("short secrets", () => {
  it("a passphrase under 8 characters is not a pattern: ordinary words survive, and one warning says so", async () => {
    const configDir = mkdtempSync(join(tmpdir(), "confl-hostile-"));
    behave = (req, res) => {
      if (req.url?.includes("user/current")) {
        sendJson(res, 200, { type: "known", username: "alice", userKey: "k1", displayName: "Alice" });
        return;
      }
      sendJson(res, 404, { statusCode: 404, message: "the wrong page, wrong id" });
    };
    const env = { CONFL_PASSPHRASE: "wrong" };
    const login = await confl(
      [
        "auth",
        "login",
        "--profile",
        "default",
        "--site",
        server.origin,
        "--type",
        "pat",
        "--with-token",
        "--storage",
        "encrypted-file",
      ],
      env,
      { stdin: PAT, configDir },
    );
    expect(login.code, login.stderr).toBe(0);
    const r = await confl(["api", "rest/api/content/1", "--silent"], env, { configDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the wrong page, wrong id");
    const warnings = r.stderr.split("\n").filter((line) => line.includes("too short to be protected"));
    expect(warnings).toEqual([
      "confl: warning: CONFL_PASSPHRASE is shorter than 8 characters, too short to be protected: it is not redacted from output",
    ]);
  });
});

describe("stdout write errors", () => {
  it("> /dev/full: one line on stderr, exit 1, no stack", async () => {
    behave = (_req, res) => sendJson(res, 200, { big: "x".repeat(100_000) });
    const r = await confl(["api", "rest/api/space"], patEnv(), { stdout: "full" });
    expect(r.stderr).toBe("confl: cannot write to stdout: no space left on device\n");
    expect(r.code).toBe(1);
  });

  it("a pipe closed by the reader (| head -c0): quiet, exit 0", async () => {
    behave = (_req, res) => sendJson(res, 200, { big: "x".repeat(100_000) });
    const r = await confl(["api", "rest/api/space"], patEnv(), { stdout: "closed" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
