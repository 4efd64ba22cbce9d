# Shared by the scripts that test a running server: build the binary, start
# it on a free local port over a fresh SQLite database with the demo
# catalogue, wait until it is ready, and stop it on exit.
# After `start_server`, $SERVER_URL is the base URL.

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
  echo "==> building tarjotin"
  cargo build --quiet --bin tarjotin
  local port data_dir
  port=$(free_port)
  data_dir=$(mktemp -d /tmp/tarjotin-script.XXXXXX)
  SERVER_LOG="$data_dir/server.log"
  echo "==> starting tarjotin on 127.0.0.1:$port (log: $SERVER_LOG)"
  env -u DATABASE_URL -u MEILI_URL -u MEILI_MASTER_KEY -u REDIS_URL \
    TARJOTIN_DATA_DIR="$data_dir" TARJOTIN_BIND="127.0.0.1:$port" TARJOTIN_LOG_FORMAT=json \
    "$@" ./target/debug/tarjotin serve >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  SERVER_DIR=$data_dir
  trap stop_server EXIT
  SERVER_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 600); do
    if curl -fsS "$SERVER_URL/readyz" >/dev/null 2>&1; then
      echo "==> server ready at $SERVER_URL"
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "the server exited:" >&2
      tail -n 40 "$SERVER_LOG" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "the server did not become ready within 120 s" >&2
  tail -n 40 "$SERVER_LOG" >&2
  return 1
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${SERVER_DIR:-}" ]; then
    rm -rf "$SERVER_DIR"
  fi
}
