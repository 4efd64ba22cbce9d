#!/usr/bin/env bash
# Property-based testing of the GraphQL endpoint with schemathesis (pinned in
# scripts/schemathesis/requirements.txt, installed into a venv under
# target/): at least 500 generated queries, valid and invalid, against a
# freshly started server. Fails on any 5xx, a crash, an internal error, or a
# GraphQL error code outside scripts/schemathesis/baseline.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-server.sh

venv=target/schemathesis-venv
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$(sed -n 's/^schemathesis==//p' scripts/schemathesis/requirements.txt)"; then
  echo "==> installing schemathesis into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/schemathesis/requirements.txt
fi

# Rate limiting is off so that every generated request reaches the schema.
start_server TARJOTIN_RATE_LIMIT=off
report_dir=$(mktemp -d /tmp/tarjotin-schemathesis.XXXXXX)
echo "==> schemathesis against $SERVER_URL/graphql"
set +e
"$venv/bin/st" run "$SERVER_URL/graphql" \
  --checks not_a_server_error \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-150}" \
  --seed 42 \
  --generation-database none \
  --workers 2 \
  --request-timeout 20 \
  --no-color \
  --report har --report-har-path "$report_dir/report.har" >"$report_dir/output.txt" 2>&1
st_status=$?
set -e
# Schemathesis reports every GraphQL error as a failure (ST113); those are
# judged against the baseline below. Anything but 0 or 1 is an error of the run.
tail -n 25 "$report_dir/output.txt"
if [ "$st_status" -gt 1 ]; then
  echo "schemathesis itself failed (exit $st_status)" >&2
  exit 1
fi
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "the server crashed during the run:" >&2
  tail -n 40 "$SERVER_LOG" >&2
  exit 1
fi
python3 scripts/schemathesis/summary.py "$report_dir/report.har" scripts/schemathesis/baseline.json
rm -rf "$report_dir"
