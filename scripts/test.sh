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
  # The summary line is printed here, after the session's bus daemon has said its last words, so it
  # really is the last line (CI reads it).
  CONFL_TEST_SUMMARY_FILE="$(mktemp)"
  export CONFL_TEST_SUMMARY_FILE
  status=0
  # stderr goes through a filter in the same pipeline (so it has finished before the summary):
  # the bus daemon's fd-limit and service-activation chatter is noise.
  set +e
  {
    dbus-run-session -- bash "$0" "$@" 2>&1 1>&3 3>&- \
      | grep -v -e 'Failed to set fd limit' -e '^dbus-daemon\[' >&2
    status=${PIPESTATUS[0]}
  } 3>&1
  set -e
  cat "$CONFL_TEST_SUMMARY_FILE"
  rm -f "$CONFL_TEST_SUMMARY_FILE"
  exit "$status"
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
  let failed = r.numFailedTests + broken;
  // vitest failed for a reason no test records (no test files found, an error outside tests): say so.
  if (process.argv[2] !== "0" && failed === 0) failed = 1;
  console.log(`${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
' "$work/results.json" "$status" >"$work/summary.txt"
if [ -n "${CONFL_TEST_SUMMARY_FILE:-}" ]; then
  cp "$work/summary.txt" "$CONFL_TEST_SUMMARY_FILE"
else
  cat "$work/summary.txt"
fi
exit "$status"
