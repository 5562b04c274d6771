// What the benchmark scripts share: bundle a TypeScript entry point with esbuild, as the CLI's own build
// would for Node 20, and import the result into the calling process.
import { pathToFileURL } from "node:url";

/**
 * Bundles `entry` (a path from the project's root, where the scripts run) into `outfile` and imports it.
 * `fresh` adds a query string so a second call in one process imports the new bundle, not the cached one.
 */
export async function importBundled(entry, outfile, { fresh = false } = {}) {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const url = pathToFileURL(outfile).href;
  return import(fresh ? `${url}?${Date.now()}` : url);
}
