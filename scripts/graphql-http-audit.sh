#!/usr/bin/env bash
# Runs the graphql-http package's server audit (GraphQL-over-HTTP spec
# conformance) against a freshly started server and fails on any error or
# warning. The npm packages are pinned in scripts/graphql-http-audit/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-server.sh

audit_dir=scripts/graphql-http-audit
if [ ! -d "$audit_dir/node_modules/graphql-http" ]; then
  echo "==> installing the audit's npm packages"
  npm ci --prefix "$audit_dir" --no-audit --no-fund --loglevel=error
fi

start_server
echo "==> graphql-http auditServer against $SERVER_URL/graphql"
node "$audit_dir/audit.mjs" "$SERVER_URL/graphql"
