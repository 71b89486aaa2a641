#!/usr/bin/env bash
# Table smoothness in the real app window (Tauri + WebKitGTK under Xvfb, driven over WebDriver
# like the e2e tier), against a 100,000-job company in the Fergus sandbox:
#   browser_scroll_100k_frame_ms_p95               p95 of requestAnimationFrame intervals while the
#                                                  Jobs table is scrolled to 60% of its height
#                                                  (a large fixed step every frame, ~4 s)
#   browser_scroll_100k_frame_ms_p95_ratio_to_idle the same over the p95 of an idle rAF loop
#                                                  measured just before, in the same window
#   browser_scroll_100k_wheel_frame_ms_p95 (+ ratio) 600 px every frame for ~2 s
#   browser_idle_frame_ms_p95                      the baseline itself
# Measured with WebKit painting on the CPU (WEBKIT_DISABLE_COMPOSITING_MODE=1); the same figures
# with WebKitGTK's default GL compositing (software GL under Xvfb) follow with the suffix _gl.
# BENCH_SCROLL_MODES="cpu gl" (default) chooses which.
# See tests/e2e/bench/scroll.mjs for the in-page measurement. Numbers only; nothing asserted.
# App: APP_BIN if set; else the release build when present (scripts/bench-app.sh builds it,
# and `make bench` runs that first); else the debug build (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${BENCH_INNER:-}" ]]; then
  target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
  if [[ -z "${APP_BIN:-}" ]]; then
    if [[ -x $target_dir/release/patchbay-app ]]; then
      APP_BIN=$target_dir/release/patchbay-app
    else
      [[ -x $target_dir/debug/patchbay-app ]] || npx --prefix ui tauri build --debug --no-bundle >&2
      APP_BIN=$target_dir/debug/patchbay-app
    fi
  fi
  export APP_BIN TARGET_DIR=$target_dir
  cargo build -q -p patchbay-cli --bin patchbay -p patchbay-sandbox --bin patchbay-sandbox >&2
  [[ -d tests/e2e/node_modules ]] || npm --prefix tests/e2e ci --no-audit --no-fund >&2
  export BENCH_INNER=1
  # xvfb-run outside dbus-run-session (as in tests/e2e/run.sh). Only "name: value" lines on stdout.
  timeout 240 xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" dbus-run-session -- "$0" "$@" \
    2> >(grep -v -e dbus-daemon -e portal -e pw.conf -e RealtimeKit -e PipeWire -e SpiRegistry >&2) |
    { grep -E '^[a-z0-9_]+: [0-9.]+$' || true; }
  exit "${PIPESTATUS[0]}"
fi

APP_BIN=$(realpath "$APP_BIN")
CLI=$TARGET_DIR/debug/patchbay
SANDBOX=$TARGET_DIR/debug/patchbay-sandbox
JOBS=${BENCH_SCROLL_JOBS:-100000}
echo "bench-scroll: app $APP_BIN" >&2

WORK=$(mktemp -d -t patchbay-bench-scroll.XXXXXX)
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

export XDG_DATA_HOME=$WORK/data XDG_RUNTIME_DIR=$WORK/run XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
echo -n bench-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
export PATCHBAY_DATA_DIR=$WORK/patchbay-data PATCHBAY_KEYRING_SERVICE=patchbay-bench-scroll PATCHBAY_LOG=warn
# No tray host under Xvfb: ending the WebDriver session closes the window and quits the app.
export PATCHBAY_EXIT_ON_CLOSE=1

"$SANDBOX" --port 0 --jobs 200 --no-rate-limit >"$WORK/sandbox.log" 2>&1 &
pids+=($!)
timeout 20 bash -c "until grep -q 'listening on http' '$WORK/sandbox.log'; do sleep 0.1; done"
SANDBOX_URL=$(grep -o 'listening on http://[0-9.:]*' "$WORK/sandbox.log" | head -1 | sed 's/listening on //')

company=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d "{\"name\":\"Scroll Bench Builders\",\"jobs\":$JOBS,\"seed\":7}" "$SANDBOX_URL/_sandbox/companies")
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$company")
printf '%s' "$token" | "$CLI" connect fergus --name "Scroll bench" --api-url "$SANDBOX_URL" >/dev/null

# One measured app session per rendering mode; each gets its own tauri-driver, since the
# WEBKIT_* switch must be in the app's environment (inherited through tauri-driver).
#   cpu  WEBKIT_DISABLE_COMPOSITING_MODE=1: WebKit paints on the CPU — the table's own cost.
#        The headline metrics (no suffix).
#   gl   WebKitGTK's default accelerated compositing. Xvfb has no GPU, so this goes through
#        Mesa's software GL (llvmpipe): even an idle page only gets ~10 frames a second here,
#        which measures this machine, not the table. Printed with the suffix _gl, for context.
measure() {
  local mode=$1 suffix=$2 port driver_pid
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  while (exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null; do port=$((port + 2)); done
  if [[ $mode == cpu ]]; then
    WEBKIT_DISABLE_COMPOSITING_MODE=1 tauri-driver --port "$port" --native-port $((port + 1)) >"$WORK/tauri-driver-$mode.log" 2>&1 &
  else
    tauri-driver --port "$port" --native-port $((port + 1)) >"$WORK/tauri-driver-$mode.log" 2>&1 &
  fi
  driver_pid=$!
  pids+=("$driver_pid")
  timeout 10 bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done"
  TAURI_DRIVER_PORT=$port APP_BIN=$APP_BIN SCROLL_JOBS=$JOBS E2E_OUT=$WORK RENDER_MODE=$mode METRIC_SUFFIX=$suffix \
    timeout 90 node tests/e2e/bench/scroll.mjs
  kill "$driver_pid" 2>/dev/null || true
  wait "$driver_pid" 2>/dev/null || true
}

for mode in ${BENCH_SCROLL_MODES:-cpu gl}; do
  case $mode in
    cpu) measure cpu "" ;;
    gl) measure gl _gl ;;
    *) echo "bench-scroll: unknown mode '$mode' (cpu, gl)" >&2; exit 2 ;;
  esac
done
