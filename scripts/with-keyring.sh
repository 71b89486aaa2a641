#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a fresh, unlocked
# gnome-keyring (the real Secret Service), so tests use the real OS credential
# store without touching the developer's own keyring.
#   scripts/with-keyring.sh cargo test -p patchbay-core
set -euo pipefail
if [[ -z "${PATCHBAY_KEYRING_INNER:-}" ]]; then
  KS=$(mktemp -d /tmp/patchbay-keyring.XXXXXX)
  mkdir -p -m700 "$KS/run" "$KS/data"
  export PATCHBAY_KEYRING_INNER=1 XDG_DATA_HOME="$KS/data" XDG_RUNTIME_DIR="$KS/run"
  trap 'rm -rf "$KS"' EXIT
  dbus-run-session -- "$0" "$@"
  exit $?
fi
echo -n patchbay-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
# Wait until the store really takes and returns a secret (the default
# collection exists and is unlocked) before the tests start using it.
ready=0
for _ in $(seq 1 50); do
  if echo -n probe | secret-tool store --label="patchbay readiness probe" patchbay-probe ready 2>/dev/null &&
    [[ "$(secret-tool lookup patchbay-probe ready 2>/dev/null)" == probe ]]; then
    secret-tool clear patchbay-probe ready 2>/dev/null || true
    ready=1
    break
  fi
  sleep 0.1
done
if ((!ready)); then
  echo "with-keyring: the test keyring (gnome-keyring) did not become ready" >&2
  exit 1
fi
exec "$@"
