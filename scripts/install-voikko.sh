#!/usr/bin/env bash
# Installs libvoikko and its Finnish dictionary when the system lacks them
# and can (root with apt); otherwise says what Finnish analysis falls back
# to. Sourced by tests/run.sh and bench/run.sh; never fails the caller.
if ! ldconfig -p 2>/dev/null | grep -q libvoikko.so.1 || [ ! -d /usr/lib/voikko ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing libvoikko1 and voikko-fi" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvoikko1 voikko-fi) >/dev/null \
      || echo "could not install Voikko; Finnish analysis runs on the Snowball fallback" >&2
  else
    echo "note: Voikko is not installed (apt-get install libvoikko1 voikko-fi); Finnish analysis runs on the Snowball fallback" >&2
  fi
fi
