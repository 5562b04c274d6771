/**
 * Every example runs, as written: each `$ …` line in the `--help` of every command (found by walking the
 * real command tree, so a command added later is covered without touching this file) and each confl line
 * of every ```sh block in the README is run by a real shell against the simulator and must exit 0.
 *
 * Only what the documentation cannot know is provided: its hosts are mapped to the simulator
 * (acme.atlassian.net → the Cloud site, wiki.corp.example → Data Center, jira.corp.example/jira → Jira
 * Data Center, wiki-proxy.corp.example → a reverse proxy that adds the credential, api.atlassian.com and auth.atlassian.com through
 * CONFL_ATLASSIAN_API_URL / CONFL_ATLASSIAN_AUTH_URL), its accounts to the simulator's, its variables
 * ($TOKEN, $PAT, $CLIENT_ID, …) and files (pat.txt, page.json, corp-root.pem, …) to fakes the simulator
 * accepts, and the browser to a script that gives OAuth consent. Each example gets its own config
 * directory, seeded with the profiles the examples name (default on Cloud, dc on Data Center with a Jira, work with
 * OAuth); `space` and `page` examples also run on Data Center.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_NOUNS } from "../../src/commands/all.js";
import { buildProgram } from "../../src/main.js";
import { type ReverseProxy, startReverseProxy } from "../auth/proxy.js";
import { recordHints } from "../hints/collect.js";
import { createPki } from "../http/pki.js";
import { useSimulator } from "../support/context.js";

const ROOT = join(import.meta.dirname, "../..");
const BUNDLE = join(ROOT, "dist/confl.mjs");

/** Examples that cannot run unattended, with the reason. Keep this short. */
const UNATTENDED: Record<string, string> = {
  "confl auth login":
    "interactive (paste a URL, pick a kind, type the secret): needs a terminal; test/auth/interactive.sim.test.ts drives it",
  "confl auth switch": "the picker needs a terminal; test/auth/commands.sim.test.ts answers it",
  "confl --profile dc auth login --product jira":
    "interactive (Jira's URL, pat or password, the secret): needs a terminal; test/auth/interactive.sim.test.ts drives it",
};

interface Example {
  /** where it is written: "README.md:123" or "confl auth login --help" */
  source: string;
  line: string;
}

/** `$ …` lines of every command's --help, the root's included. */
function helpExamples(): Example[] {
  const program = buildProgram(() => {
    throw new Error("not run");
  }, ALL_NOUNS);
  const found: Example[] = [];
  const walk = (cmd: typeof program, path: string[]) => {
    let help = "";
    cmd.configureOutput({ writeOut: (s) => (help += s) });
    cmd.outputHelp();
    for (const text of help.split("\n")) {
      const match = /^\s+\$ (.+)$/.exec(text);
      if (match)
        found.push({ source: `${["confl", ...path].join(" ")} --help`, line: stripComment(match[1]!) });
    }
    for (const sub of cmd.commands) walk(sub as typeof program, [...path, sub.name()]);
  };
  walk(program, []);
  return found;
}

/** The confl lines of the README's ```sh blocks (continuation lines joined, comments dropped). */
function readmeExamples(): Example[] {
  const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
  const found: Example[] = [];
  let inSh = false;
  let pending = "";
  let start = 0;
  lines.forEach((text, i) => {
    if (/^```/.test(text)) {
      inSh = !inSh && /^```sh\s*$/.test(text);
      return;
    }
    if (!inSh) return;
    if (pending === "") start = i + 1;
    if (/\\$/.test(text)) {
      pending += `${text.slice(0, -1)} `;
      return;
    }
    const line = stripComment(`${pending}${text}`).trim();
    pending = "";
    if (/(^|[\s|;&(]|\$\()confl\s/.test(line)) found.push({ source: `README.md:${start}`, line });
  });
  return found;
}

/** A trailing `# comment` (a # after whitespace, outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

const EXAMPLES = [...helpExamples(), ...readmeExamples()];
const runnable = EXAMPLES.filter((e) => !(e.line in UNATTENDED));

const sim = useSimulator();
let proxy: ReverseProxy;
let seed: string;
let files: string;
let shims: string;
let browser: string;
let accessToken: string;

function run(
  line: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  shell = "bash",
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const args = shell === "zsh" ? ["-f", "-c", line] : ["-c", line];
    const child = execFile(shell, args, { env, cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** The documentation's hosts and accounts, made the simulator's. */
function mapped(line: string): string {
  const dcOrigin = sim.origins.dcOrigin;
  return (
    line
      .replaceAll("https://wiki-proxy.corp.example", proxy.url)
      .replaceAll("https://wiki.corp.example/confluence", sim.origins.dc)
      .replaceAll("https://jira.corp.example/jira", sim.origins.jiraDc)
      .replaceAll("https://wiki.corp.example", dcOrigin)
      .replaceAll("https://api.atlassian.com", sim.origins.gateway)
      .replaceAll("https://acme.atlassian.net", sim.origins.site)
      .replaceAll(/(^|[\s=])acme\.atlassian\.net\b/g, `$1${sim.origins.site}`)
      .replaceAll("me@acme.com", sim.credentials.cloud.email)
      // confl backup's documentation ids: the simulator's organisation and policy
      .replaceAll("9a8b7c6d", sim.backup.orgId)
      .replaceAll("7c1f2e3d", sim.backup.policyId)
      .replaceAll(/--username (jdoe|svc)\b/g, `--username ${sim.credentials.dc.username}`)
  );
}

function baseEnv(home: string, config: string, line: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(CONFLUENCE_|ATLASSIAN_|JIRA_|CONFL_PROFILE$|CONFL_NO_INPUT$)/.test(k)) env[k] = v;
  }
  return {
    ...env,
    PATH: `${shims}:${process.env.PATH ?? ""}`,
    HOME: home,
    FPATH: join(home, ".zfunc"),
    NO_COLOR: "1",
    CONFL_CONFIG_DIR: config,
    CONFL_PASSPHRASE: "fake-examples-passphrase-0001",
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_BROWSER: `${process.execPath} ${browser}`,
    DISPLAY: ":99",
    // the variables the examples use
    TOKEN: line.includes("scoped-token") ? sim.credentials.cloud.scopedToken : sim.credentials.cloud.apiToken,
    SCOPED_TOKEN: sim.credentials.cloud.scopedToken,
    CLOUD_ID: sim.cloudId,
    PAT: sim.credentials.dc.pat,
    JIRA_PAT: sim.credentials.jiraDc.pat,
    PASSWORD: sim.credentials.dc.password,
    SESSION: sim.credentials.dc.sessionCookie,
    CLIENT_ID: sim.credentials.oauth.clientId,
    CLIENT_SECRET: sim.credentials.oauth.clientSecret,
    ACCESS_TOKEN: accessToken,
    SITE: sim.origins.site,
  };
}

/** A fresh directory for one example: the seeded config, the files the examples read, a HOME. */
function workspace(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "confl-example-"));
  const config = join(dir, "config");
  cpSync(seed, config, { recursive: true });
  cpSync(files, dir, { recursive: true });
  mkdirSync(join(dir, ".zfunc"), { recursive: true });
  mkdirSync(join(dir, ".config/fish/completions"), { recursive: true });
  return { dir, config };
}

async function seedConfig(): Promise<string> {
  const config = join(mkdtempSync(join(tmpdir(), "confl-examples-seed-")), "config");
  const env = baseEnv(mkdtempSync(join(tmpdir(), "confl-examples-home-")), config, "");
  for (const line of [
    OAUTH_LOGIN,
    `printf '%s' "$PAT" | confl --profile dc auth login --site ${sim.origins.dc} --type pat --with-token ${STORE}`,
    `printf '%s' "${sim.credentials.jiraDc.pat}" | confl --profile dc auth login --product jira --site ${sim.origins.jiraDc} --type pat --with-token ${STORE}`,
    `printf '%s' "$TOKEN" | confl --profile default auth login --site ${sim.origins.site} --type api-token --email ${sim.credentials.cloud.email} --with-token ${STORE}`,
    "confl auth switch default",
  ]) {
    const seeded = await run(line, env, ROOT);
    if (seeded.code !== 0) throw new Error(`seeding failed: ${line}\n${seeded.stderr}`);
  }
  return config;
}

const STORE = "--storage plaintext --insecure-storage";
/** Profile "work": OAuth on the Cloud site, through the browser consent. */
const OAUTH_LOGIN = `printf '%s' "$CLIENT_SECRET" | confl --profile work auth login --type oauth --client-id "$CLIENT_ID" --site "$SITE" ${STORE} --client-secret-stdin`;

beforeAll(async () => {
  proxy = await startReverseProxy(sim.origins.dcOrigin, {
    authorization: `Bearer ${sim.credentials.dc.pat}`,
  });
  accessToken = "fake-examples-oauth-access-token-0001";
  sim.tokens.grant({
    token: accessToken,
    kind: "oauth",
    user: sim.users.cloud,
    scopes: ["read:confluence-user", "read:space:confluence"],
    expiresAt: Date.now() + 3_600_000,
  });

  const work = mkdtempSync(join(tmpdir(), "confl-examples-"));
  shims = join(work, "bin");
  mkdirSync(shims);
  writeFileSync(join(shims, "confl"), `#!/bin/sh\nexec "${process.execPath}" "${BUNDLE}" "$@"\n`, {
    mode: 0o755,
  });
  // The browser: gives consent on an OAuth authorization page (as a person clicking Accept), ignores other URLs.
  browser = join(work, "browser.mjs");
  writeFileSync(
    browser,
    `const url = process.argv[process.argv.length - 1];
if (!/\\/authorize\\?/.test(url)) process.exit(0);
const html = await (await fetch(url)).text();
const action = /<form method="POST" action="([^"]+)"/.exec(html)?.[1];
if (!action) { console.error("no consent form at " + url); process.exit(1); }
const form = new URLSearchParams();
const unescape = (s) => s.replace(/&#(\\d+);/g, (_, c) => String.fromCharCode(Number(c))).replace(/&amp;/g, "&").replace(/&quot;/g, '"');
for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1], unescape(m[2]));
form.set("decision", "accept");
const answer = await fetch(new URL(unescape(action), url), { method: "POST", body: form, redirect: "manual" });
const location = answer.headers.get("location");
if (!location) { console.error("consent answered " + answer.status); process.exit(1); }
await fetch(location);
`,
  );
  // The files the examples read.
  files = join(work, "files");
  mkdirSync(files);
  const pki = createPki();
  cpSync(pki.caFile, join(files, "corp-root.pem"));
  cpSync(pki.client.certFile, join(files, "me.crt"));
  cpSync(pki.client.keyFile, join(files, "me.key"));
  writeFileSync(join(files, "pat.txt"), `${sim.credentials.dc.pat}\n`);
  writeFileSync(join(files, "jira-pat.txt"), `${sim.credentials.jiraDc.pat}\n`);
  writeFileSync(join(files, "token.txt"), `${sim.credentials.cloud.apiToken}\n`);
  // what the page, attachment, comment and convert examples name
  writeFileSync(
    join(files, "page.xml"),
    "<h1>Notes</h1><p>An example body with <strong>bold</strong> text.</p>",
  );
  writeFileSync(join(files, "notes.md"), "---\ntitle: Notes\n---\n# Notes\n\nSome *Markdown*.\n");
  writeFileSync(join(files, "comment.xhtml"), "<p>Looks good</p>");
  // a page exported earlier (front matter names it) and a folder of Markdown to publish
  for (const name of ["page.md", "release.md"])
    writeFileSync(
      join(files, name),
      '---\nid: "65538"\ntitle: Release checklist\n---\n# Release checklist\n\nEdited in Markdown.\n',
    );
  mkdirSync(join(files, "docs", "guides"), { recursive: true });
  writeFileSync(
    join(files, "docs", "index.md"),
    "# Docs from git\n\nSee the [install guide](guides/install.md).\n",
  );
  writeFileSync(join(files, "docs", "guides", "install.md"), "# Install guide\n\nRun `npm ci`.\n");
  for (const name of ["report.pdf", "screenshot.png", "notes.txt", "review.txt"])
    writeFileSync(join(files, name), `${name}\n`);
  seed = await seedConfig();
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
});

/** page.json for `confl api -X PUT rest/api/content/65538 --input page.json`: the next version of the page. */
async function writePageJson(dir: string): Promise<void> {
  const auth = Buffer.from(`${sim.credentials.cloud.email}:${sim.credentials.cloud.apiToken}`).toString(
    "base64",
  );
  const page = (await (
    await fetch(`${sim.origins.site}/wiki/rest/api/content/65538?expand=version`, {
      headers: { authorization: `Basic ${auth}` },
    })
  ).json()) as { title: string; version: { number: number } };
  writeFileSync(
    join(dir, "page.json"),
    JSON.stringify({
      id: "65538",
      type: "page",
      title: page.title,
      version: { number: page.version.number + 1 },
      body: { storage: { value: "<p>hi</p>", representation: "storage" } },
    }),
  );
}

async function runExample(example: Example, deployment: "profile" | "dc"): Promise<void> {
  sim.reset();
  const { dir, config } = workspace();
  await writePageJson(dir);
  const line = mapped(example.line);
  const env = baseEnv(dir, config, example.line);
  if (deployment === "dc")
    Object.assign(env, { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat });
  // Atlassian rotates refresh tokens: a refresh example needs its own login (the seed's token may be used
  // up), and without --profile it refreshes the active profile, which must be the OAuth one
  if (/auth refresh/.test(line)) {
    for (const setup of [OAUTH_LOGIN, ...(/--profile/.test(line) ? [] : ["confl auth switch work"])]) {
      const done = await run(setup, env, dir);
      expect(done.code, done.stderr).toBe(0);
    }
  }
  const result = await run(line, env, dir, /\$\{fpath/.test(line) ? "zsh" : "bash");
  recordHints({ args: [line], stderr: result.stderr });
  expect(result.code, `${example.source}: ${example.line}\n(ran: ${line})\n${result.stderr}`).toBe(0);
  expect(result.stderr).not.toMatch(/^confl: /m);
}

describe("examples", () => {
  it("finds examples in the README and in the --help of every command", () => {
    expect(readmeExamples().length).toBeGreaterThan(20);
    const program = buildProgram(() => {
      throw new Error("not run");
    }, ALL_NOUNS);
    const leaves: string[] = [];
    const walk = (cmd: typeof program, path: string[]) => {
      if (cmd.commands.length === 0) leaves.push(path.join(" "));
      for (const sub of cmd.commands) walk(sub as typeof program, [...path, sub.name()]);
    };
    walk(program, []);
    const withExamples = new Set(helpExamples().map((e) => e.source.replace(/^confl | --help$/g, "")));
    expect(leaves.filter((leaf) => !withExamples.has(leaf))).toEqual([]);
  });

  it("lists only examples that exist as unattended", () => {
    const lines = new Set(EXAMPLES.map((e) => e.line));
    expect(Object.keys(UNATTENDED).filter((line) => !lines.has(line))).toEqual([]);
  });

  it.each(runnable.map((e) => [`${e.source}: ${e.line}`, e] as const))("%s", async (_name, example) => {
    await runExample(example, "profile");
  });
});

describe("space and page examples on Data Center", () => {
  const content = runnable.filter((e) => /^confl (space|page) /.test(e.line) && !/--profile/.test(e.line));
  it.each(content.map((e) => [`${e.source}: ${e.line}`, e] as const))("%s", async (_name, example) => {
    await runExample(example, "dc");
  });
});
