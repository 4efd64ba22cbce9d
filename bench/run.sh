#!/usr/bin/env bash
# Benchmarks at scale. `bench/run.sh 10k|100k|1m` generates a catalogue of
# that many course instances, imports it into SQLite and PostgreSQL, times the
# index rebuild against the engine's bulk load, runs the raw engine and counts
# SQL statements (benches/scale.rs), then serves it on loopback and loads it
# with oha at saturation and at a fixed rate, next to PostGraphile on the same
# database. Figures land in $BENCH_DIR/<size>/ and a Markdown table is printed
# (bench/report.py). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

size=${1:-}
case "$size" in
  10k) n=10000 ;;
  100k) n=100000 ;;
  1m | 1M) size=1m; n=1000000 ;;
  *) echo "usage: bench/run.sh 10k|100k|1m" >&2; exit 2 ;;
esac
work=${BENCH_DIR:-/tmp/tarjotin-bench}/$size
seconds=${BENCH_SECONDS:-15}
rate=${BENCH_RATE:-10}
fixed_seconds=${BENCH_FIXED_SECONDS:-30}
clients=${BENCH_CLIENTS:-8}
port=${BENCH_PORT:-8083}
pg_port=${BENCH_POSTGRAPHILE_PORT:-8084}
pg_admin=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}
pg_url="${pg_admin%/*}/tarjotin_bench_$size"
mkdir -p "$work/figures" "$work/bodies" "$work/data"
figures=$work/figures
say() { printf '\n==> %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$(now)"; }

say "tools"
export PATH="$root/bench/.tools/bin:$PATH"
# The server and the raw engine analyse Finnish with Voikko, as in production.
. "$root/scripts/install-voikko.sh"
if ! command -v oha >/dev/null; then
  cargo install oha --version 1.16.0 --locked --root "$root/bench/.tools"
fi
if [ ! -x bench/postgraphile/node_modules/.bin/postgraphile ]; then
  (cd bench/postgraphile && npm ci --no-audit --no-fund)
fi
cargo build --release --quiet
bin=$root/target/release/tarjotin

import_into() {
  local label=$1 url=$2 t
  say "import into $label"
  t=$(now)
  DATABASE_URL=$url TARJOTIN_DATA_DIR=$work/data TARJOTIN_LOG=warn "$bin" import "$work/feed.jsonl" > "$work/import-$label.log" 2>&1
  echo "{\"seconds\": $(since "$t"), \"records\": $(wc -l < "$work/feed.jsonl")}" > "$figures/import_$label.json"
  tail -4 "$work/import-$label.log" >&2
}

# BENCH_REUSE=1 keeps the feed and the imported databases of an earlier run.
if [ -z "${BENCH_REUSE:-}" ] || [ ! -s "$work/feed.jsonl" ]; then
  say "generate $n instances"
  t=$(now)
  "$bin" generate --instances "$n" --seed 1 > "$work/feed.jsonl" 2> "$work/generate.log"
  echo "{\"seconds\": $(since "$t"), \"lines\": $(wc -l < "$work/feed.jsonl"), \"bytes\": $(stat -c %s "$work/feed.jsonl"), \"summary\": \"$(tail -1 "$work/generate.log")\"}" > "$figures/generate.json"
  cat "$work/generate.log" >&2
  rm -f "$work"/data/tarjotin.sqlite*
  # BENCH_SKIP_SQLITE=1 imports into PostgreSQL only (the server runs on it).
  if [ -z "${BENCH_SKIP_SQLITE:-}" ]; then
    import_into sqlite "sqlite://$work/data/tarjotin.sqlite?mode=rwc"
  fi
  psql "$pg_admin" -q -c "DROP DATABASE IF EXISTS tarjotin_bench_$size WITH (FORCE)" -c "CREATE DATABASE tarjotin_bench_$size"
  import_into postgres "$pg_url"
fi

say "request bodies"
python3 bench/bodies.py "$work/feed.jsonl" "$work/bodies"

say "rebuild, raw engine, statements (benches/scale.rs)"
cargo bench --quiet --bench scale -- --database-url "$pg_url" --bodies "$work/bodies" --seconds "$seconds" > "$figures/driver.json"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_for() {
  local url=$1 limit=$2
  for _ in $(seq 1 "$limit"); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 1
  done
  echo "$url did not answer within $limit s" >&2
  return 1
}

say "serve on 127.0.0.1:$port"
t=$(now)
DATABASE_URL=$pg_url TARJOTIN_BIND=127.0.0.1:$port TARJOTIN_DATA_DIR=$work/data TARJOTIN_LOG=warn TARJOTIN_RATE_LIMIT=off \
  "$bin" serve > "$work/server.log" 2>&1 &
server=$!
pids+=("$server")
wait_for "http://127.0.0.1:$port/readyz" 3600
start_s=$(since "$t")
rss_start=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")

say "tarjotin reindex (the running server rebuilds its index)"
t=$(now)
DATABASE_URL=$pg_url TARJOTIN_DATA_DIR=$work/data TARJOTIN_LOG=warn "$bin" reindex > "$work/reindex.log" 2>&1
echo "{\"seconds\": $(since "$t")}" > "$figures/reindex_cli.json"
tail -2 "$work/reindex.log" >&2

say "PostGraphile on 127.0.0.1:$pg_port"
NODE_ENV=production node bench/postgraphile/node_modules/.bin/postgraphile \
  -c "$pg_url" -s public -n 127.0.0.1 -p "$pg_port" --disable-query-log > "$work/postgraphile.log" 2>&1 &
postgraphile=$!
pids+=("$postgraphile")
postgraphile_up() {
  curl -sf -o /dev/null -X POST -H 'content-type: application/json' --data '{"query":"{ __typename }"}' \
    "http://127.0.0.1:$pg_port/graphql"
}
for _ in $(seq 1 120); do postgraphile_up && break; sleep 1; done

# CPU time (clock ticks) of one process, and of all PostgreSQL's processes.
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() { cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 == "(postgres)" {s += $14 + $15} END {print s + 0}'; }

load() {
  local name=$1 url=$2 body=$3 mode=$4 serving=$5
  local extra=(-c "$clients") duration=$seconds
  if [ "$mode" = fixed ]; then extra=(-c 32 -q "$rate" --latency-correction) duration=$fixed_seconds; fi
  local own pg
  own=$(ticks_of "$serving")
  pg=$(postgres_ticks)
  oha --no-tui --output-format json -z "${duration}s" "${extra[@]}" -m POST \
    -H 'content-type: application/json' -Z "$body" "$url" > "$figures/load_${name}_$mode.json" 2> /dev/null || true
  echo "{\"server_ticks\": $(( $(ticks_of "$serving") - own )), \"postgres_ticks\": $(( $(postgres_ticks) - pg )), \"ticks_per_s\": $(getconf CLK_TCK)}" \
    > "$figures/cpu_${name}_$mode.json"
  python3 - "$figures/load_${name}_$mode.json" "$name $mode" >&2 <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    s, p = d["summary"], d["latencyPercentiles"]
    print(f"{sys.argv[2]:32} {s['requestsPerSec']:9.1f} req/s  p50 {1000*(p['p50'] or 0):8.2f} ms  p99 {1000*(p['p99'] or 0):8.2f} ms  ok {s['successRate']:.3f}")
except Exception as e:
    print(f"{sys.argv[2]:32} no figures ({e})")
PY
}

gql=http://127.0.0.1:$port/graphql
say "load: saturation ($clients clients, $seconds s) and fixed rate ($rate req/s, $fixed_seconds s)"
for scenario in typename search search_filtered listing detail suggest; do
  load "$scenario" "$gql" "$work/bodies/$scenario.jsonl" saturation "$server"
  load "$scenario" "$gql" "$work/bodies/$scenario.jsonl" fixed "$server"
done
if postgraphile_up; then
  load postgraphile_listing "http://127.0.0.1:$pg_port/graphql" "$work/bodies/postgraphile_listing.jsonl" saturation "$postgraphile"
  load postgraphile_listing "http://127.0.0.1:$pg_port/graphql" "$work/bodies/postgraphile_listing.jsonl" fixed "$postgraphile"
else
  echo "PostGraphile did not start; see $work/postgraphile.log" >&2
fi
rss_peak=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
echo "{\"start_s\": $start_s, \"rss_after_start_kb\": $rss_start, \"peak_rss_kb\": $rss_peak}" > "$figures/server.json"

if [ -n "${MEILI_URL:-}" ]; then
  say "Meilisearch at $MEILI_URL"
  t=$(now)
  DATABASE_URL=$pg_url TARJOTIN_DATA_DIR=$work/data TARJOTIN_LOG=warn "$bin" reindex > "$work/reindex-meili.log" 2>&1
  echo "{\"seconds\": $(since "$t")}" > "$figures/reindex_meili.json"
  DATABASE_URL=$pg_url TARJOTIN_BIND=127.0.0.1:$((port + 2)) TARJOTIN_DATA_DIR=$work/data TARJOTIN_LOG=warn TARJOTIN_RATE_LIMIT=off \
    "$bin" serve > "$work/server-meili.log" 2>&1 &
  meili_server=$!
  pids+=("$meili_server")
  wait_for "http://127.0.0.1:$((port + 2))/readyz" 3600
  for scenario in search search_filtered suggest; do
    load "meili_$scenario" "http://127.0.0.1:$((port + 2))/graphql" "$work/bodies/$scenario.jsonl" saturation "$meili_server"
  done
  python3 -c "
import json, sys
for l in open(sys.argv[1]):
    print(json.dumps({'q': json.loads(l)['variables']['q'], 'limit': 10}))" "$work/bodies/search.jsonl" > "$work/bodies/meili_raw.jsonl"
  oha --no-tui --output-format json -z "${seconds}s" -c "$clients" -m POST -H 'content-type: application/json' \
    ${MEILI_MASTER_KEY:+-H "Authorization: Bearer $MEILI_MASTER_KEY"} -Z "$work/bodies/meili_raw.jsonl" \
    "$MEILI_URL/indexes/tarjotin_courses/search" > "$figures/load_meili_raw_saturation.json" || true
else
  echo "Meilisearch scenarios skipped: MEILI_URL is not set" >&2
  echo '{"skipped": "MEILI_URL is not set"}' > "$figures/meili.json"
fi

say "report"
python3 bench/report.py "$work" | tee "$work/report.md"
