/**
 * What `npm install -g confl` gets: the packed file list (npm pack --dry-run, no network) holds the
 * entry and every chunk it can load, the README, and nothing from src/ or test/; the bin is executable
 * by its shebang; runtime modules that stay external to the bundle are real dependencies.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
};

function packedFiles(): string[] {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const out = execFileSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

describe("the published package", () => {
  it("holds the built entry, every chunk, the README, and no sources or tests", () => {
    const files = packedFiles();
    const chunks = readdirSync(join(root, "dist", "chunks")).map((f) => `dist/chunks/${f}`);
    expect(chunks.length).toBeGreaterThan(0);
    expect(files).toEqual(
      expect.arrayContaining(["dist/confl.cjs", "dist/confl.mjs", "README.md", "package.json", ...chunks]),
    );
    expect(
      files.filter((f) => f.startsWith("src/") || f.startsWith("test/") || f.startsWith("build/")),
    ).toEqual([]);
  });

  it("bin.confl is the entry, starts with a node shebang, and engines says >=20.19", () => {
    // a CommonJS bin: --version answers without Node's ESM loader (startup-budget.test.ts)
    expect(pkg.bin.confl).toBe("dist/confl.cjs");
    expect(readFileSync(join(root, pkg.bin.confl ?? "missing"), "utf8").split("\n")[0]).toBe(
      "#!/usr/bin/env node",
    );
    expect(pkg.engines.node).toBe(">=20.19");
  });

  it("every module the bundle leaves external is a runtime dependency", () => {
    const bundle = readdirSync(join(root, "dist", "chunks"))
      .map((f) => readFileSync(join(root, "dist", "chunks", f), "utf8"))
      .join("\n");
    const external = new Set<string>();
    for (const m of bundle.matchAll(/(?:(?<=[}\s*])from\s*|\bimport\s*\(\s*|\bimport\s*)["']([^"']+)["']/g)) {
      const name = m[1]!;
      if (name.startsWith("node:") || builtinModules.includes(name) || name.startsWith(".")) continue;
      // only what looks like a package name (a string that merely ends in "from" is not an import)
      if (!/^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]*)?$/.test(name)) continue;
      external.add(name.startsWith("@") ? name.split("/").slice(0, 2).join("/") : name.split("/")[0]!);
    }
    expect([...external].sort()).toEqual(expect.arrayContaining(["open", "undici"]));
    // the keychain helper process requires the keyring by a resolved path; it must be installed too
    external.add("@napi-rs/keyring");
    for (const name of external) expect(pkg.dependencies, name).toHaveProperty(name);
  });
});
