#!/usr/bin/env bash
# What a user gets from `npm pack` + `npm install -g ./confl-*.tgz`: the tarball installs into a clean
# prefix (no network needed beyond the registry the dependencies come from), and the installed `confl`
# answers --version, prints a completion script, and makes an authenticated call against the simulator.
# Run by .ci/run after the build; prints the install size for the README's figure.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

npm pack --silent --pack-destination "$work" >/dev/null
tarball="$(ls "$work"/confl-*.tgz)"
npm install -g --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$tarball" >/dev/null
confl="$work/prefix/bin/confl"

version="$("$confl" --version)"
[ "$version" = "confl $(node -p 'require("./package.json").version')" ] || {
  echo "package-smoke: unexpected version: $version" >&2
  exit 1
}
"$confl" completion bash | grep -q "_confl_complete" || {
  echo "package-smoke: no bash completion script" >&2
  exit 1
}

# An authenticated call against the simulator, with a credential from the environment.
node build/sim.mjs >"$work/sim.json" &
sim_pid=$!
for _ in $(seq 1 50); do [ -s "$work/sim.json" ] && break; sleep 0.1; done
read -r site email token < <(node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]);
  console.log(s.origins.site, s.credentials.cloud.email, s.credentials.cloud.apiToken);
' "$work/sim.json")
keys="$(CONFL_CONFIG_DIR="$work/config" CONFL_NO_INPUT=1 CONFLUENCE_URL="$site" CONFLUENCE_EMAIL="$email" \
  CONFLUENCE_API_TOKEN="$token" "$confl" space list --jq '.[].key' | sort | tr '\n' ' ')"
case "$keys" in
  *DOC*) ;;
  *)
    echo "package-smoke: space list through the installed confl failed: $keys" >&2
    exit 1
    ;;
esac

size="$(du -sk "$work/prefix/lib/node_modules/confl" | cut -f1)"
echo "package-smoke: ok ($(basename "$tarball"), $(($(stat -c %s "$tarball") / 1024)) KiB packed, installed ${size} KiB with dependencies)"
