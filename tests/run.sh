#!/usr/bin/env bash
# The one command that runs every check: formatting, lints, the schema drift
# test and the whole test suite. The suite runs on SQLite; set
# TEST_DATABASE_URL=postgres://user@host:port/db to run every database test on
# PostgreSQL as well (each test creates and drops a database of its own).
set -euo pipefail
cd "$(dirname "$0")/.."

# Finnish search uses libvoikko and its Finnish dictionary when the system has
# them (the tests of the Voikko path skip, saying so, when it does not).
. scripts/install-voikko.sh

# The tests of rate-limit buckets shared through Redis run when a Redis server
# answers (TEST_REDIS_URL, or a local one on 127.0.0.1:6379); they skip,
# saying so, otherwise.
redis_answers() {
  (exec 3<>"/dev/tcp/$1/$2" && printf 'PING\r\n' >&3 && IFS= read -r -t 2 reply <&3 && [[ $reply == +PONG* ]]) 2>/dev/null
}
if [ -z "${TEST_REDIS_URL:-}" ]; then
  if redis_answers 127.0.0.1 6379; then
    export TEST_REDIS_URL=redis://127.0.0.1:6379
    echo "==> Redis answers on 127.0.0.1:6379: the shared rate-limit tests run against it"
  else
    echo "note: no Redis on 127.0.0.1:6379 (or set TEST_REDIS_URL); the shared rate-limit tests will skip"
  fi
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "==> cargo test (SQLite and PostgreSQL)"
else
  echo "==> cargo test (SQLite; set TEST_DATABASE_URL for PostgreSQL too)"
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --all-targets --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
