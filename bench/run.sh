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
# Loopback needs no TLS: PostGraphile's client uses none, and rustls on
# every statement would be a cost of the benchmark, not of the server.
pg_url="${pg_admin%/*}/tarjotin_bench_$size?sslmode=disable"
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

# BENCH_ONLY=meili runs the Meilisearch part alone (with BENCH_REUSE=1, to
# measure a change of the Meilisearch path quickly).
only_meili=
[ "${BENCH_ONLY:-}" = meili ] && only_meili=1
if [ -z "$only_meili" ]; then
say "rebuild, raw engine, statements (benches/scale.rs)"
cargo bench --quiet --bench scale -- --database-url "$pg_url" --bodies "$work/bodies" --seconds "$seconds" > "$figures/driver.json"
fi

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

# CPU time (clock ticks) of one process, and of all PostgreSQL's processes.
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The Meilisearch process, when it runs on this machine (its CPU per request).
meili_pid=
if [ -n "${MEILI_URL:-}" ]; then
  meili_port=$(python3 -c "import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port or 80)" "$MEILI_URL")
  meili_pid=$(ss -ltnpH "sport = :$meili_port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
fi
meili_ticks() { if [ -n "$meili_pid" ]; then ticks_of "$meili_pid"; else echo 0; fi; }
postgres_ticks() { cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 == "(postgres)" {s += $14 + $15} END {print s + 0}'; }

load() {
  local name=$1 url=$2 body=$3 mode=$4 serving=$5
  local extra=(-c "$clients") duration=$seconds
  if [ "$mode" = fixed ]; then extra=(-c 32 -q "$rate" --latency-correction) duration=$fixed_seconds; fi
  local own pg mt
  own=$(ticks_of "$serving")
  pg=$(postgres_ticks)
  mt=$(meili_ticks)
  oha --no-tui --output-format json -z "${duration}s" "${extra[@]}" -m POST \
    -H 'content-type: application/json' -Z "$body" "$url" > "$figures/load_${name}_$mode.json" 2> /dev/null || true
  echo "{\"server_ticks\": $(( $(ticks_of "$serving") - own )), \"postgres_ticks\": $(( $(postgres_ticks) - pg )), \"meili_ticks\": $(( $(meili_ticks) - mt )), \"ticks_per_s\": $(getconf CLK_TCK)}" \
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

server= postgraphile=
if [ -z "$only_meili" ]; then
say "serve on 127.0.0.1:$port"
t=$(now)
# The embedded engine's server: the Meilisearch settings are for the part below.
embedded=(env -u MEILI_URL -u MEILI_MASTER_KEY -u MEILI_API_KEY)
"${embedded[@]}" DATABASE_URL=$pg_url TARJOTIN_BIND=127.0.0.1:$port TARJOTIN_DATA_DIR=$work/data TARJOTIN_LOG=warn TARJOTIN_RATE_LIMIT=off \
  "$bin" serve > "$work/server.log" 2>&1 &
server=$!
pids+=("$server")
wait_for "http://127.0.0.1:$port/readyz" 3600
start_s=$(since "$t")
rss_start=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")

say "tarjotin reindex (the running server rebuilds its index)"
t=$(now)
"${embedded[@]}" DATABASE_URL=$pg_url TARJOTIN_DATA_DIR=$work/data TARJOTIN_LOG=warn "$bin" reindex > "$work/reindex.log" 2>&1
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
fi

if [ -n "${MEILI_URL:-}" ]; then
  say "Meilisearch at $MEILI_URL (pid ${meili_pid:-unknown})"
  # The embedded server and PostGraphile are done: the machine is Meilisearch's.
  for p in $server $postgraphile; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  index=tarjotin_bench_$size
  auth=(); [ -n "${MEILI_MASTER_KEY:-}" ] && auth=(-H "Authorization: Bearer $MEILI_MASTER_KEY")
  meili_env=(DATABASE_URL="$pg_url" TARJOTIN_DATA_DIR="$work/data" TARJOTIN_LOG=warn TARJOTIN_MEILI_INDEX="$index")
  for uid in "$index" "${index}_meta" "${index}_rawload"; do
    curl -s -X DELETE "${auth[@]}" "$MEILI_URL/indexes/$uid" > /dev/null || true
  done
  sleep 2

  say "indexing through the server from empty (tarjotin reindex), peak RSS"
  t=$(now)
  env "${meili_env[@]}" /usr/bin/time -v "$bin" reindex > "$work/reindex-meili.log" 2> "$work/reindex-meili.time"
  echo "{\"seconds\": $(since "$t"), \"peak_rss_kb\": $(awk -F': ' '/Maximum resident/ {print $2}' "$work/reindex-meili.time")}" > "$figures/reindex_meili.json"
  tail -1 "$work/reindex-meili.log" >&2

  say "Meilisearch's own bulk load of the same documents"
  cargo bench --quiet --bench meili -- docs --database-url "$pg_url" --out "$work/meili-docs.jsonl" > /dev/null
  python3 bench/bulk_load.py "$MEILI_URL" "${MEILI_MASTER_KEY:-}" "$index" "${index}_rawload" "$work/meili-docs.jsonl" > "$figures/meili_bulk.json"
  cat "$figures/meili_bulk.json" >&2

  say "serve on Meilisearch"
  t=$(now)
  env "${meili_env[@]}" TARJOTIN_BIND=127.0.0.1:$((port + 2)) TARJOTIN_RATE_LIMIT=off "$bin" serve > "$work/server-meili.log" 2>&1 &
  meili_server=$!
  pids+=("$meili_server")
  for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$((port + 2))/healthz" && break; sleep 0.05; done
  listen_s=$(since "$t")
  wait_for "http://127.0.0.1:$((port + 2))/readyz" 3600
  ready_s=$(since "$t")

  say "record the engine calls of each request (through a recording proxy)"
  python3 bench/record_proxy.py $((port + 3)) "$MEILI_URL" &
  proxy=$!
  pids+=("$proxy")
  sleep 1
  env "${meili_env[@]}" TARJOTIN_BIND=127.0.0.1:$((port + 4)) TARJOTIN_RATE_LIMIT=off MEILI_URL="http://127.0.0.1:$((port + 3))" \
    "$bin" serve > "$work/server-record.log" 2>&1 &
  recorder=$!
  pids+=("$recorder")
  wait_for "http://127.0.0.1:$((port + 4))/readyz" 600
  for scenario in search search_filtered suggest; do
    python3 bench/record.py "http://127.0.0.1:$((port + 4))/graphql" "http://127.0.0.1:$((port + 3))" \
      "$work/bodies/$scenario.jsonl" "$work/bodies/meili_calls_$scenario.jsonl"
  done
  kill "$recorder" "$proxy" 2>/dev/null || true
  wait "$recorder" "$proxy" 2>/dev/null || true

  # The raw calls go with the key the server uses: Meilisearch checks a
  # key limited to some indexes at a cost of its own.
  server_key=$(curl -s "${auth[@]}" "$MEILI_URL/keys?limit=1000" | python3 -c "
import json, sys
keys = [k['key'] for k in json.load(sys.stdin).get('results', []) if k.get('indexes') == [sys.argv[1] + '*']]
print(keys[0] if keys else '')" "$index")
  say "GraphQL over Meilisearch, then the same engine calls straight to Meilisearch"
  for scenario in search search_filtered suggest; do
    load "meili_$scenario" "http://127.0.0.1:$((port + 2))/graphql" "$work/bodies/$scenario.jsonl" saturation "$meili_server"
    mt=$(meili_ticks)
    raw_key=${server_key:-${MEILI_MASTER_KEY:-}}
    cargo bench --quiet --bench meili -- replay --url "$MEILI_URL" ${raw_key:+--key "$raw_key"} \
      --calls "$work/bodies/meili_calls_$scenario.jsonl" --clients "$clients" --seconds "$seconds" > "$figures/meili_raw_$scenario.json"
    python3 - "$figures/meili_raw_$scenario.json" "$(( $(meili_ticks) - mt ))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
path, ticks, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.load(open(path)); d["meili_ticks"] = ticks; d["ticks_per_s"] = hz
json.dump(d, open(path, "w"))
print(f"raw replay {path.split('_raw_')[1][:-5]:24} {d['requests_per_s']:9.1f} req/s  p50 {d['p50_ms']:8.2f} ms  p99 {d['p99_ms']:8.2f} ms  calls/request {d['engine_calls_per_request']:.2f}", file=sys.stderr)
PY
  done
  echo "{\"listen_s\": $listen_s, \"ready_s\": $ready_s, \"peak_rss_kb\": $(awk '/VmHWM/ {print $2}' "/proc/$meili_server/status")}" > "$figures/server_meili.json"
else
  echo "Meilisearch scenarios skipped: MEILI_URL is not set" >&2
  echo '{"skipped": "MEILI_URL is not set"}' > "$figures/meili.json"
fi

say "report"
python3 bench/report.py "$work" | tee "$work/report.md"
