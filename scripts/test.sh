#!/usr/bin/env bash
# The whole test suite. Where gnome-keyring and D-Bus are installed, the run happens inside a private
# D-Bus session with a throw-away, unlocked "login" keyring, so the real Secret Service is exercised
# and the user's own session bus and keyring are never touched (dependencies.md §2.1F).
# Prints a plain "N passed, N failed, N skipped" line at the end (vitest's summary is not read by CI).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CONFL_TEST_IN_SESSION:-}" ] && command -v dbus-run-session >/dev/null 2>&1 \
  && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  export CONFL_TEST_IN_SESSION=1
  exec dbus-run-session -- bash "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${CONFL_TEST_IN_SESSION:-}" ]; then
  # Keyring files go under XDG_DATA_HOME/keyrings: keep them in the throw-away directory.
  export XDG_DATA_HOME="$work/data"
  mkdir -p "$XDG_DATA_HOME"
  printf '%s' "confl-test-unlock" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export CONFL_TEST_KEYCHAIN=1
fi

status=0
node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
  --outputFile.json="$work/results.json" "$@" || status=$?

node -e '
  const fs = require("node:fs");
  const file = process.argv[1];
  if (!fs.existsSync(file)) { console.log("0 passed, 1 failed"); process.exit(0); }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
  // A test file that failed to load counts as a failure even when it holds no test.
  const broken = (r.testResults || []).filter((f) => f.status === "failed" && (f.assertionResults || []).length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed, ${skipped} skipped`);
' "$work/results.json"
exit "$status"
