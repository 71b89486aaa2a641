#!/usr/bin/env bash
# The real-window tier: the Patchbay app under Xvfb, driven over WebDriver
# (tauri-driver -> WebKitWebDriver), against the Fergus sandbox and a real, fresh,
# unlocked gnome-keyring in a private D-Bus session. Screenshots and logs go to
# target/e2e-screenshots/ (E2E_OUT overrides).
#
#   tests/e2e/run.sh                 # all tests/e2e/*.test.mjs
#   tests/e2e/run.sh tests/e2e/01-smoke.test.mjs
#
# Env: APP_BIN (default target/debug/patchbay-app), SANDBOX_BIN (default
# target/debug/patchbay-sandbox), TAURI_DRIVER_PORT (default 4444; WebKitWebDriver gets +1),
# E2E_CHECK_INTERVAL_SECS (default 3: the monitor's interval inside the app).
# Build first: `make app sandbox-bin` (or `npx --prefix ui tauri build --debug --no-bundle`
# and `cargo build -p patchbay-sandbox`).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

# xvfb-run must be OUTSIDE dbus-run-session (inside, the bus has no DISPLAY and the
# notification server dies). Re-exec ourselves inside both.
if [[ -z "${E2E_INNER:-}" ]]; then
  export E2E_INNER=1
  exec xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" dbus-run-session -- "$0" "$@"
fi

APP_BIN=$(realpath -m "${APP_BIN:-target/debug/patchbay-app}")
SANDBOX_BIN=$(realpath -m "${SANDBOX_BIN:-target/debug/patchbay-sandbox}")
for bin in "$APP_BIN" "$SANDBOX_BIN"; do
  [[ -x $bin ]] || { echo "e2e: $bin is missing — run 'make app sandbox-bin' first" >&2; exit 1; }
done
[[ -d tests/e2e/node_modules ]] || npm --prefix tests/e2e ci --no-audit --no-fund

OUT=$(realpath -m "${E2E_OUT:-target/e2e-screenshots}")
rm -rf "$OUT"
mkdir -p "$OUT"
PORT=${TAURI_DRIVER_PORT:-4444}
WORK=$(mktemp -d -t patchbay-e2e.XXXXXX)
mkdir -p -m 700 "$WORK/run"

pids=()
cleanup() {
  local status=$?
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a fresh, unlocked Secret Service (the real OS keyring, isolated) --------------------
export XDG_DATA_HOME=$WORK/data XDG_RUNTIME_DIR=$WORK/run XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
echo -n e2e-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >"$OUT/keyring.log" 2>&1

# --- notifications: capture every Notify call, and run a real server (dunst) ------------
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$OUT/notify.log" 2>&1 &
pids+=($!)
timeout 5 bash -c "until grep -q NameLost '$OUT/notify.log'; do sleep 0.05; done" # monitor attached
dunst >"$OUT/dunst.log" 2>&1 &
pids+=($!)
timeout 10 gdbus wait --session org.freedesktop.Notifications

# --- the Fergus sandbox on a free port ---------------------------------------------------
"$SANDBOX_BIN" --port 0 --seed 7 --jobs 2000 --no-rate-limit >"$OUT/sandbox.log" 2>&1 &
pids+=($!)
timeout 20 bash -c "until grep -q 'listening on http' '$OUT/sandbox.log'; do sleep 0.1; done" || {
  echo "e2e: the sandbox did not start:" >&2; cat "$OUT/sandbox.log" >&2; exit 1; }
SANDBOX_URL=$(grep -o 'listening on http://[0-9.:]*' "$OUT/sandbox.log" | head -1 | sed 's/listening on //')

# --- the app's environment (inherited through tauri-driver and WebKitWebDriver) ---------
export PATCHBAY_DATA_DIR=$WORK/patchbay-data
export PATCHBAY_KEYRING_SERVICE=patchbay-e2e
export PATCHBAY_CHECK_INTERVAL_SECS=${E2E_CHECK_INTERVAL_SECS:-3}
export PATCHBAY_LOG=${PATCHBAY_LOG:-warn,patchbay=info,patchbay_app=info}
# "Open Fergus settings" goes through the opener plugin to xdg-open: record the address
# instead of starting a browser.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s"\n' "$OUT/opened-urls.log" >"$WORK/bin/xdg-open"
chmod +x "$WORK/bin/xdg-open"
export PATH="$WORK/bin:$PATH"
# No tray host under Xvfb: closing the window (WebDriver session end) should quit the app.
export PATCHBAY_EXIT_ON_CLOSE=1

tauri-driver --port "$PORT" --native-port $((PORT + 1)) >"$OUT/tauri-driver.log" 2>&1 &
pids+=($!)
timeout 10 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do sleep 0.1; done"

echo "e2e: app=$APP_BIN sandbox=$SANDBOX_URL out=$OUT"
tests=("$@")
((${#tests[@]})) || tests=(tests/e2e/)
E2E_OUT="$OUT" NOTIFY_LOG="$OUT/notify.log" OPENED_URLS_LOG="$OUT/opened-urls.log" TAURI_DRIVER_PORT="$PORT" APP_BIN="$APP_BIN" \
  SANDBOX_URL="$SANDBOX_URL" ROOT="$ROOT" \
  timeout 900 node --test --test-reporter=spec --test-concurrency=1 "${tests[@]}"
