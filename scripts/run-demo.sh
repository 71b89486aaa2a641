#!/usr/bin/env bash
# `make run`: start the practice Fergus (the sandbox) on loopback, then open
# Patchbay with the sandbox as the default Fergus address, so a newcomer with
# no Fergus account can connect, break, reconnect and browse.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${SANDBOX_PORT:-47100}
SANDBOX_URL="http://127.0.0.1:$PORT"
APP_BIN=${APP_BIN:-target/debug/patchbay-app}
SANDBOX_BIN=${SANDBOX_BIN:-target/debug/patchbay-sandbox}
LOG_DIR=target/demo
mkdir -p "$LOG_DIR"

sandbox_up() { curl -fsS -m 2 "$SANDBOX_URL/version" >/dev/null 2>&1; }

pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; }
trap cleanup EXIT

if sandbox_up; then
  echo "Practice Fergus is already running at $SANDBOX_URL"
else
  "$SANDBOX_BIN" --port "$PORT" --seed "${SANDBOX_SEED:-7}" --jobs "${SANDBOX_JOBS:-20000}" \
    >"$LOG_DIR/sandbox.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do sandbox_up && break; sleep 0.1; done
  sandbox_up || { echo "The practice Fergus did not start; see $LOG_DIR/sandbox.log"; exit 1; }
fi

cat <<MSG

  Patchbay is opening, with a practice Fergus running on this computer.
  To connect it: press "Connect your first system", choose Fergus, then
  "Open Fergus settings" to get a practice token (no Fergus account needed).
  Practice settings page: $SANDBOX_URL/settings/integrations/fergus-api
  Sandbox log: $LOG_DIR/sandbox.log

MSG

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "No screen found (DISPLAY is not set). On a server, try: xvfb-run make run" >&2
  exit 1
fi

PATCHBAY_FERGUS_API_URL="$SANDBOX_URL" "$APP_BIN"
