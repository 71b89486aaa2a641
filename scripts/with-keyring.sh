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
exec "$@"
