#!/usr/bin/env node
// `npm run demo`: logs in to the simulator with the built CLI, shows `auth status`, lists spaces, shows
// a page tree and reads a page with confl's commands (Markdown export joins when the converter exists).
// Everything happens in a throw-away config directory with an encrypted secret file (CONFL_PASSPHRASE), so the
// demo never touches your own profiles or keychain. Each command is printed before it runs.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "confl.mjs");
const simScript = join(root, "build", "sim.mjs");
for (const file of [cli, simScript]) {
  if (!existsSync(file)) {
    process.stderr.write(`demo: ${file} is missing; run npm run build first\n`);
    process.exit(1);
  }
}

function startSim() {
  const child = spawn(process.execPath, [simScript], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the simulator did not start within 15 s")), 15_000);
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve({ child, info: JSON.parse(line) });
    });
    child.once("exit", (code) => reject(new Error(`the simulator exited (${code})`)));
  });
}

function run(args, env, { stdin, stdinLabel } = {}) {
  const shown = args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(" ");
  process.stdout.write(`\n$ ${stdinLabel ? `${stdinLabel} | ` : ""}confl ${shown}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["pipe", "inherit", "inherit"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
    child.stdin.end(stdin ?? "");
  });
}

const work = mkdtempSync(join(tmpdir(), "confl-demo-"));
let sim;
let failed = false;
try {
  sim = await startSim();
  const { origins, credentials } = sim.info;
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    CONFL_CONFIG_DIR: join(work, "config"),
    CONFL_KEYCHAIN_SERVICE: "confl-demo",
    CONFL_PASSPHRASE: "confl-demo-passphrase",
    CONFL_ATLASSIAN_API_URL: origins.gateway,
    CONFL_ATLASSIAN_AUTH_URL: origins.auth,
    NETRC: join(work, "no-netrc"),
    ...(process.env.NO_COLOR ? { NO_COLOR: process.env.NO_COLOR } : {}),
  };
  process.stdout.write(
    `Simulator: Cloud site ${origins.site}, gateway ${origins.gateway}, Data Center ${origins.dc}\n`,
  );
  process.stdout.write(
    `Config dir: ${env.CONFL_CONFIG_DIR} (secrets in an encrypted file; your keychain is not touched)\n`,
  );

  const steps = [
    [
      [
        "auth",
        "login",
        "--site",
        `${origins.site}/wiki/spaces/DOC/overview`,
        "--type",
        "api-token",
        "--email",
        credentials.cloud.email,
        "--with-token",
        "--storage",
        "encrypted-file",
      ],
      { stdin: `${credentials.cloud.apiToken}\n`, stdinLabel: "printf '%s' \"$API_TOKEN\"" },
    ],
    [
      [
        "auth",
        "login",
        "--profile",
        "dc",
        "--site",
        `${origins.dc}/display/DOC/Home`,
        "--type",
        "pat",
        "--with-token",
        "--storage",
        "encrypted-file",
      ],
      { stdin: `${credentials.dc.pat}\n`, stdinLabel: "printf '%s' \"$PAT\"" },
    ],
    [["auth", "status"], {}],
  ];
  for (const [args, options] of steps) {
    const code = await run(args, env, options);
    if (code !== 0) {
      process.stderr.write(`demo: step failed (exit ${code}): confl ${args.join(" ")}\n`);
      failed = true;
      break;
    }
  }
  if (!failed) {
    const reads = [
      // the active (Cloud) profile: spaces, the top of a page tree, one page as text (v2 API underneath)
      ["space", "list"],
      ["page", "tree", "--space", "DOC", "--depth", "1"],
      ["page", "view", "65538"],
      // the same commands on Data Center (v1 API under the /confluence context path)
      ["--profile", "dc", "space", "list", "--limit", "2"],
      // a raw request, for what no command covers yet
      ["api", "api/v2/pages/65538", "--jq", "{id, title, version: .version.number}"],
    ];
    for (const args of reads) {
      const code = await run(args, env);
      if (code !== 0) {
        process.stderr.write(`demo: step failed (exit ${code}): confl ${args.join(" ")}\n`);
        failed = true;
        break;
      }
    }
  }
  if (!failed) {
    // last: export a page tree as Markdown into a folder that outlives the demo, so it can be opened
    const exported = join(tmpdir(), "confl-demo-export");
    rmSync(exported, { recursive: true, force: true });
    const code = await run(["export", "65536", "--out", exported, "--depth", "1"], env);
    if (code !== 0) {
      process.stderr.write(`demo: step failed (exit ${code}): confl export\n`);
      failed = true;
    } else {
      const { readdirSync, readFileSync, statSync } = await import("node:fs");
      const list = (dir, prefix = "") => {
        for (const name of readdirSync(dir).sort()) {
          const path = join(dir, name);
          const folder = statSync(path).isDirectory();
          process.stdout.write(`  ${prefix}${name}${folder ? "/" : ""}\n`);
          if (folder) list(path, `${prefix}  `);
        }
      };
      process.stdout.write(`\n$ ls -R ${exported}\n`);
      list(exported);
      const sample = join(exported, "Documentation Home", "Release checklist.md");
      process.stdout.write(`\n$ head -n 16 '${sample}'\n`);
      process.stdout.write(`${readFileSync(sample, "utf8").split("\n").slice(0, 16).join("\n")}\n`);
      process.stdout.write(`\nThe export stays in ${exported}: open the .md files in any editor.\n`);
    }
  }
} catch (error) {
  process.stderr.write(`demo: ${error.message}\n`);
  failed = true;
} finally {
  sim?.child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(failed ? "\ndemo: FAILED\n" : "\ndemo: ok\n");
process.exit(failed ? 1 : 0);
