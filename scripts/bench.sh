#!/usr/bin/env bash
# `npm run bench`: scripts/bench.mjs, inside a private D-Bus session with a throw-away, unlocked
# gnome-keyring when those are installed (as scripts/test.sh does), so the keychain figure is measured
# against the real Secret Service and the user's own keyring is never touched. Elsewhere the bench runs
# as it is and reports the keychain figure as skipped, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CONFL_BENCH_IN_SESSION:-}" ] && command -v dbus-run-session >/dev/null 2>&1 \
  && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  export CONFL_BENCH_IN_SESSION=1
  exec dbus-run-session -- bash "$0" "$@" 2> >(grep -v -e 'Failed to set fd limit' -e '^dbus-daemon\[' >&2)
fi

if [ -n "${CONFL_BENCH_IN_SESSION:-}" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # keyring files go under XDG_DATA_HOME/keyrings: keep them in the throw-away directory
  export XDG_DATA_HOME="$work/data"
  mkdir -p "$XDG_DATA_HOME"
  printf '%s' "confl-bench-unlock" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
fi
node scripts/bench.mjs "$@"
