#!/usr/bin/env bash
# Fuzzes the readers and decoders of what outsiders send (fuzz/fuzz_targets):
# each target for SECONDS (default 30) from the corpus in fuzz/corpus/<target>,
# which stays as it is; what a run learns goes to a scratch corpus, and with
# MERGE=1 the inputs that reach new code are merged back into the repository's.
# A crash stops the script with the input under fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz.sh            # every target, 30 s each (.ci/run's smoke run)
#   bash scripts/fuzz.sh 600 cursor # one target, 10 minutes
#
# cargo fuzz needs rustc's unstable sanitizer flags; the machine has one
# stable toolchain, so they are enabled with RUSTC_BOOTSTRAP for this build
# only (the fuzz crate has a target directory of its own).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(jsonld_record jsonl_feed csv_sheet cursor query_cost finnish)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

export RUSTC_BOOTSTRAP=1
echo "==> building the fuzz targets"
(cd fuzz && cargo fuzz build -O >/dev/null)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  echo "==> fuzzing $target for ${seconds}s"
  mkdir -p "$scratch/$target"
  (cd fuzz && cargo fuzz run -O "$target" "$scratch/$target" "corpus/$target" -- \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1) \
    | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|Test unit written|thread .* panicked)" || true
  if [ -n "$(ls -A "fuzz/artifacts/$target" 2>/dev/null)" ]; then
    echo "fuzz target $target crashed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  if [ "${MERGE:-0}" = 1 ]; then
    (cd fuzz && cargo fuzz run -O "$target" -- -merge=1 "corpus/$target" "$scratch/$target" >/dev/null 2>&1)
    echo "corpus/$target: $(ls "fuzz/corpus/$target" | wc -l) inputs"
  fi
done
echo "fuzzing passed: ${targets[*]} (${seconds}s each)"
