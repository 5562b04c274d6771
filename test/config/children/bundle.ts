// Bundles a child-process script (TypeScript importing src/) into one .mjs that plain `node` can run,
// so tests can spawn real processes (kill them, race them) without a TypeScript loader. The output
// goes under node_modules/.cache so `@napi-rs/keyring`, kept external, still resolves.
import { mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../../..");
const cache = join(root, "node_modules", ".cache", "confl-test-children");

export async function bundleChild(entry: string): Promise<string> {
  const { build } = await import("esbuild");
  mkdirSync(cache, { recursive: true });
  const outfile = join(cache, `${basename(entry, ".ts")}-${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@napi-rs/keyring"],
    logLevel: "silent",
    // proper-lockfile is CommonJS and requires node built-ins; ESM output needs a real `require`.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return outfile;
}
