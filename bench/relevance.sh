#!/usr/bin/env bash
# Search relevance on graded judgments: starts a server on the demo
# catalogue for each Finnish analysis asked for and scores it with
# relevance-eval (nDCG@10, recall@10, MRR per category) on every judgment
# file given. Usage:
#   bench/relevance.sh [JUDGMENTS...]
# JUDGMENTS default to both development sets,
# ../shared/data/catalogue/relevance-dev.json and relevance-dev-2.json.
# ANALYZERS (default "voikko"; e.g. "none snowball voikko") picks the
# analyses, EVAL the scoring tool (default ../shared/tools/relevance-eval).
# MEILI_URL and MEILI_MASTER_KEY, when set, are passed on, so that the same
# run scores search through Meilisearch.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  set -- ../shared/data/catalogue/relevance-dev.json ../shared/data/catalogue/relevance-dev-2.json
fi
eval_tool=${EVAL:-../shared/tools/relevance-eval}
for judgments in "$@"; do
  [ -f "$judgments" ] || { echo "no judgments at $judgments" >&2; exit 2; }
done
[ -x "$eval_tool" ] || { echo "no relevance-eval at $eval_tool" >&2; exit 2; }

cargo build --release -q
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

engine=${MEILI_URL:+meilisearch}
for analyzer in ${ANALYZERS:-voikko}; do
  rm -rf "$work/data"
  # The evaluation sends its queries as fast as it can: no rate limit.
  TARJOTIN_ANALYZER=$analyzer TARJOTIN_DATA_DIR="$work/data" TARJOTIN_BIND="127.0.0.1:$port" \
    TARJOTIN_RATE_LIMIT=off TARJOTIN_LOG=warn target/release/tarjotin serve >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.5
  done
  for judgments in "$@"; do
    echo "== engine: ${engine:-embedded}, analyser: $analyzer, judgments: $(basename "$judgments")"
    "$eval_tool" "$judgments" --url "http://127.0.0.1:$port/graphql"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
