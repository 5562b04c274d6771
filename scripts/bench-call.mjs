// One authenticated call, the figure scripts feel when they call confl in a loop (issue 14): start-up of
// `confl --version`, `--help` and `auth status --no-verify`, then `confl api rest/api/user/current` against
// the simulator with the credential in the environment, in the encrypted file and (when a Secret Service is
// reachable) in the OS keychain, each interleaved with bare `node -e 0` so machine load hits all alike.
// Reports ratios to bare node, peak RSS, and a breakdown of where the time goes. Reports; never fails.
import { spawn, spawnSync } from "node:child_process";
import { scryptSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { childTimes, HAS_BASH, median, startSim } from "./bench-lib.mjs";

// what `confl` runs once installed: the bin of package.json (dist/confl.cjs)
const CONFL = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).bin.confl;

/** CPU time (user + system, ms) of one child process; bash's `times` is required (no wall-time stand-in). */
function cpu(args, env) {
  if (!HAS_BASH) throw new Error("bench-call measures CPU time with bash's times: bash is not installed");
  return childTimes(args, env).cpu;
}

/** Wall time of one child process (for the login that sets up a profile). */
function run(args, env, input) {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, {
    env,
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

async function peakRssKb(args, env) {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "ignore"] });
  let peak = 0;
  const read = () => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // exited between two reads
    }
  };
  const timer = setInterval(read, 2);
  await new Promise((resolve) => child.once("exit", resolve));
  clearInterval(timer);
  return peak;
}

function keychainReachable(env) {
  const r = spawnSync(
    process.execPath,
    [
      "-e",
      "import('@napi-rs/keyring').then(k=>{new k.Entry('confl-bench-probe','p').getPassword();}).catch(()=>process.exit(1))",
    ],
    { env, timeout: 5000 },
  );
  return r.status === 0 && env.DBUS_SESSION_BUS_ADDRESS !== undefined;
}

/**
 * @param {number} runs interleaved rounds
 * @returns {Promise<Array<{name: string, value: number, unit: string, target: string, ok: boolean}>>}
 */
export async function benchCall(runs = 20) {
  const results = [];
  const note = (name, value, unit, target, ok, extra = {}) => {
    results.push({ name, value: Number(value.toFixed(2)), unit, target, ok, ...extra });
    console.log(`${ok ? "ok  " : "over"} ${name}: ${value.toFixed(2)} ${unit}  (target: ${target})`);
  };
  const work = mkdtempSync(join(tmpdir(), "confl-bench-call-"));
  const { child, info } = await startSim();
  try {
    const base = { PATH: process.env.PATH ?? "", HOME: work, CONFL_NO_INPUT: "1", NETRC: join(work, "none") };
    const envCred = {
      ...base,
      CONFL_CONFIG_DIR: join(work, "env"),
      CONFLUENCE_URL: info.origins.site,
      CONFLUENCE_EMAIL: info.credentials.cloud.email,
      CONFLUENCE_API_TOKEN: info.credentials.cloud.apiToken,
    };
    const fileEnv = {
      ...base,
      CONFL_CONFIG_DIR: join(work, "file"),
      CONFL_PASSPHRASE: "fake-bench-passphrase-0001",
    };
    const login = (env, storage) =>
      run(
        [
          CONFL,
          "auth",
          "login",
          "--site",
          info.origins.site,
          "--type",
          "api-token",
          "--email",
          info.credentials.cloud.email,
          "--with-token",
          "--storage",
          storage,
        ],
        env,
        `${info.credentials.cloud.apiToken}\n`,
      );
    login(fileEnv, "encrypted-file");
    const sources = [
      ["environment", envCred, "<= 1.6x bare node"],
      ["encrypted file", fileEnv, "reported (scrypt N=2^15 is a deliberate cost)"],
    ];
    const keychainEnv = {
      ...base,
      CONFL_CONFIG_DIR: join(work, "keychain"),
      CONFL_KEYCHAIN_SERVICE: "confl-bench",
      ...(process.env.DBUS_SESSION_BUS_ADDRESS
        ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS }
        : {}),
      ...(process.env.XDG_RUNTIME_DIR ? { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR } : {}),
    };
    if (keychainReachable(keychainEnv)) {
      login(keychainEnv, "keychain");
      sources.push(["keychain", keychainEnv, "<= 2.2x bare node"]);
    } else {
      const reason =
        "no Secret Service reachable (npm run bench starts a private D-Bus session with gnome-keyring when both are installed)";
      console.log(`skip keychain call: ${reason}`);
      results.push({ name: "one authenticated call, keychain / bare node", skipped: reason });
    }

    const call = [CONFL, "api", "rest/api/user/current"];
    const rows = { bare: [], version: [], help: [], tree: [], status: [], statusEnv: [] };
    for (const [name] of sources) rows[name] = [];
    for (let i = 0; i < runs + 2; i++) {
      const sample = {
        bare: cpu(["-e", "0"], base),
        version: cpu([CONFL, "--version"], base),
        help: cpu([CONFL, "--help"], base),
        // the bin prints a copy of the root help made at build time; the ESM entry builds the command tree
        tree: cpu(["dist/confl.mjs", "--help"], base),
        status: cpu([CONFL, "auth", "status", "--no-verify"], fileEnv),
        statusEnv: cpu([CONFL, "auth", "status", "--no-verify"], envCred),
      };
      for (const [name, env] of sources) sample[name] = cpu(call, env);
      if (i >= 2) for (const [k, v] of Object.entries(sample)) rows[k].push(v);
    }
    const bare = median(rows.bare);
    // min and max of the per-round ratios, for bench/results.json
    const spread = (key) => {
      const ratios = rows[key].map((ms, i) => ms / rows.bare[i]);
      return { min: Math.min(...ratios), max: Math.max(...ratios), runs: ratios.length };
    };
    console.log(
      `bare node -e 0: median ${bare.toFixed(1)} ms CPU (user + sys) over ${runs} interleaved rounds`,
    );
    note(
      "confl --version / bare node",
      median(rows.version) / bare,
      "x",
      "<= 1.15x",
      median(rows.version) / bare <= 1.15,
      spread("version"),
    );
    note(
      "confl --help / bare node",
      median(rows.help) / bare,
      "x",
      "<= 1.3x",
      median(rows.help) / bare <= 1.3,
      spread("help"),
    );
    note(
      "confl --help through commander (dist/confl.mjs, as on a terminal) / bare node",
      median(rows.tree) / bare,
      "x",
      "reported",
      true,
      spread("tree"),
    );
    note(
      "confl auth status --no-verify / bare node",
      median(rows.status) / bare,
      "x",
      "<= 1.5x",
      median(rows.status) / bare <= 1.5,
      spread("status"),
    );
    note(
      "confl auth status --no-verify, credential in the environment / bare node",
      median(rows.statusEnv) / bare,
      "x",
      "reported (the row above finds the secret in the encrypted file without decrypting it)",
      true,
      spread("statusEnv"),
    );
    for (const [name, , target] of sources) {
      const ratio = median(rows[name]) / bare;
      const limit = Number(/<= ([\d.]+)x/.exec(target)?.[1] ?? Number.POSITIVE_INFINITY);
      note(`one authenticated call, ${name} / bare node`, ratio, "x", target, ratio <= limit, spread(name));
    }

    // Where the time goes (medians): node itself, confl's modules, the secret store, the request.
    const salt = Buffer.alloc(16, 1);
    const scryptRuns = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      scryptSync("fake-bench-passphrase-0001", salt, 32, {
        N: 2 ** 15,
        r: 8,
        p: 1,
        maxmem: 64 * 1024 * 1024,
      });
      scryptRuns.push(performance.now() - t);
    }
    const envCall = median(rows.environment);
    console.log("breakdown of one call (medians, ms of CPU):");
    console.log(`  node start-up                 ${bare.toFixed(1)}`);
    console.log(`  confl's command tree (--help through commander) ${(median(rows.tree) - bare).toFixed(1)}`);
    console.log(
      `  request path (env call - that) ${(envCall - median(rows.tree)).toFixed(1)}  (HTTP modules, the request; the detection probe only on the first round: it is cached)`,
    );
    console.log(
      `  scrypt key derivation         ${median(scryptRuns).toFixed(1)}  (encrypted file: ${(median(rows["encrypted file"]) - envCall).toFixed(1)} over the env call)`,
    );
    if (rows.keychain)
      console.log(
        `  keychain child process        ${(median(rows.keychain) - envCall).toFixed(1)}  (over the env call)`,
      );
    const part = (name, ms) =>
      results.push({
        name: `breakdown: ${name}`,
        value: Number(ms.toFixed(1)),
        unit: "ms",
        target: "reported",
        ok: true,
      });
    part("node start-up", bare);
    part("confl's command tree (--help through commander over bare node)", median(rows.tree) - bare);
    part("request path (env call over --help through commander)", envCall - median(rows.tree));
    part("scrypt key derivation", median(scryptRuns));
    part("encrypted file over env call", median(rows["encrypted file"]) - envCall);
    if (rows.keychain) part("keychain child process (over env call)", median(rows.keychain) - envCall);

    const rssBare = await peakRssKb(["-e", "0"], base);
    const rssCall = await peakRssKb(call, envCred);
    const rssFile = await peakRssKb(call, fileEnv);
    note("peak RSS, bare node", rssBare / 1024, "MB", "reported", true);
    note("peak RSS, one call (environment)", rssCall / 1024, "MB", "reported", true);
    note("peak RSS, one call (encrypted file)", rssFile / 1024, "MB", "reported", true);
  } finally {
    child.kill("SIGTERM");
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runsArg = process.argv.indexOf("--runs");
  await benchCall(runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20);
}
