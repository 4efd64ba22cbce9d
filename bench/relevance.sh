#!/usr/bin/env bash
# Search relevance on graded judgments, one run per Finnish analysis (none,
# Snowball, Voikko) on the same data: starts a server on the demo catalogue
# for each and scores it with relevance-eval (nDCG@10, recall@10, MRR per
# category). Usage:
#   bench/relevance.sh [JUDGMENTS] [EVAL]
# JUDGMENTS defaults to ../shared/data/catalogue/relevance-dev.json and EVAL
# to ../shared/tools/relevance-eval. MEILI_URL, when set, is passed on, so
# the same run scores Meilisearch.
set -euo pipefail
cd "$(dirname "$0")/.."
judgments=${1:-../shared/data/catalogue/relevance-dev.json}
eval_tool=${2:-../shared/tools/relevance-eval}
[ -f "$judgments" ] || { echo "no judgments at $judgments" >&2; exit 2; }
[ -x "$eval_tool" ] || { echo "no relevance-eval at $eval_tool" >&2; exit 2; }

cargo build --release -q
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

for analyzer in none snowball voikko; do
  rm -rf "$work/data"
  TARJOTIN_ANALYZER=$analyzer TARJOTIN_DATA_DIR="$work/data" TARJOTIN_BIND="127.0.0.1:$port" \
    TARJOTIN_LOG=warn target/release/tarjotin serve >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "== analyser: $analyzer"
  "$eval_tool" "$judgments" --url "http://127.0.0.1:$port/graphql"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
