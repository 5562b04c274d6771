// Bundles confl with esbuild. dist/confl.cjs (the bin) answers `--version` and imports dist/confl.mjs for
// everything else. dist/confl.mjs is a small entry that answers `--version` alone too and
// imports the rest (one chunk per dynamic import boundary, under dist/chunks/) only when a command
// runs: compiling the whole ~280 KB bundle cost `--version` ~35 ms over bare node (measured).
// Native and heavy modules stay external and are imported lazily: @napi-rs/keyring ships a .node
// binary per platform; undici is only needed for proxy/CA/mTLS.

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const external = ["@napi-rs/keyring", "undici", "playwright-core", "open", "jq-wasm"];
// commander is CommonJS; an ESM bundle needs a real `require` for its node: imports.
const banner =
  "import{createRequire as __confl_cr}from'node:module';const require=__confl_cr(import.meta.url);";

// commander requires node:child_process when it loads, for executable subcommands, which confl does not
// have: ~2 ms of CPU on every run (issue 14). Its copy is a proxy that loads the module on first use.
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer)
        ? { path: "child_process", namespace: "confl-lazy" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "confl-lazy" }, () => ({
      contents:
        "let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:child_process'))[key] });",
      loader: "js",
    }));
  },
};

const started = Date.now();
rmSync("dist", { recursive: true, force: true });
await build({
  // export-render: the worker that converts pages for a large export (src/commands/export/render-worker.ts)
  entryPoints: { confl: "src/cli.ts", "export-render": "src/commands/export/render-worker.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  external,
  plugins: [lazyChildProcess],
  banner: { js: `#!/usr/bin/env node\n${banner}` },
  define: { __CONFL_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
});
// The root's help as the built CLI prints it to a pipe (80 columns, no colour): the bin prints this copy
// for `confl --help` / `-h` to a pipe or file, so a script that reads it does not build the command tree
// (test/unit/startup-budget.test.ts checks the copy against the CLI's own output). A terminal still gets
// commander's, sized to its width.
const rootHelp = execFileSync(process.execPath, ["dist/confl.mjs", "--help"], {
  env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", CONFL_NO_INPUT: "1" },
  stdio: ["ignore", "pipe", "pipe"],
  encoding: "utf8",
});
// The package's bin: a CommonJS file, because Node's ESM loader alone costs ~4 ms of CPU before the first
// line runs (an empty .mjs vs an empty .cjs, measured; issue 14), so `confl --version` answers here and
// every other command imports the ESM entry (which answers `--version` too, for whoever runs it directly).
writeFileSync(
  "dist/confl.cjs",
  `#!/usr/bin/env node
"use strict";
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // a closed pipe (\`confl --version | true\`) is not worth a stack trace
  process.stdout.on("error", () => {});
  process.stdout.write(${JSON.stringify(`confl ${pkg.version}
`)});
} else if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h") && !process.stdout.isTTY) {
  process.stdout.on("error", () => {});
  process.stdout.write(${JSON.stringify(rootHelp)});
} else {
  import("./confl.mjs");
}
`,
);
chmodSync("dist/confl.cjs", 0o755);
// The simulator, for `npm run demo` and the benchmarks; never published.
if (existsSync("sim/main.ts"))
  await build({
    entryPoints: ["sim/main.ts"],
    outfile: "build/sim.mjs",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external,
    banner: { js: banner },
    logLevel: "warning",
  });
process.stderr.write(`built dist/confl.mjs in ${Date.now() - started} ms\n`);
