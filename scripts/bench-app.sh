#!/usr/bin/env bash
# Desktop app benchmarks (release build, real window under Xvfb, real keyring, Fergus sandbox):
#   app_cold_start_to_interactive_s   spawn -> the UI has loaded the board's data (it calls the
#                                     `ui_ready` command; the app prints PATCHBAY_UI_READY).
#                                     Median of BENCH_RUNS (default 5) launches, 50 connections.
#   app_idle_rss_mb                   resident memory of the whole app after BENCH_IDLE_SECS (default 15)
#                                     idle with 50 connections: main process + WebKit web/network processes.
#   app_idle_rss_main_process_mb      the same, main process only (/proc/<pid>/status VmRSS).
#   app_idle_pss_mb                   the whole app's proportional set size (shared library pages
#                                     counted once across its processes): the fairest total.
# Env: APP_RELEASE_BIN (skip the release build and use this binary), BENCH_CONNECTIONS (default 50).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${BENCH_INNER:-}" ]]; then
  if [[ -z "${APP_RELEASE_BIN:-}" ]]; then
    echo "bench-app: building the release app (first time: several minutes)…" >&2
    npx --prefix ui tauri build --no-bundle >&2
  fi
  cargo build -q -p patchbay-cli --bin patchbay -p patchbay-sandbox --bin patchbay-sandbox >&2
  export BENCH_INNER=1
  # Only the "name: value" lines on stdout (D-Bus-activated helpers share it and chatter).
  xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" dbus-run-session -- "$0" "$@" \
    2> >(grep -v -e dbus-daemon -e portal -e pw.conf -e RealtimeKit -e PipeWire -e SpiRegistry >&2) |
    { grep -E '^[a-z0-9_]+: [0-9.]+$' || true; }
  exit "${PIPESTATUS[0]}"
fi

target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
APP=$(realpath "${APP_RELEASE_BIN:-$target_dir/release/patchbay-app}")
CLI=$target_dir/debug/patchbay
SANDBOX=$target_dir/debug/patchbay-sandbox
CONNECTIONS=${BENCH_CONNECTIONS:-50}
RUNS=${BENCH_RUNS:-5}
IDLE=${BENCH_IDLE_SECS:-15}

WORK=$(mktemp -d -t patchbay-bench.XXXXXX)
mkdir -p -m 700 "$WORK/run"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export XDG_DATA_HOME=$WORK/data XDG_RUNTIME_DIR=$WORK/run XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
echo -n bench-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
export PATCHBAY_DATA_DIR=$WORK/patchbay-data PATCHBAY_KEYRING_SERVICE=patchbay-bench PATCHBAY_LOG=warn

"$SANDBOX" --port 0 --jobs 200 --no-rate-limit >"$WORK/sandbox.log" 2>&1 &
pids+=($!)
timeout 20 bash -c "until grep -q 'listening on http' '$WORK/sandbox.log'; do sleep 0.1; done"
SANDBOX_URL=$(grep -o 'listening on http://[0-9.:]*' "$WORK/sandbox.log" | head -1 | sed 's/listening on //')

# 50 connections (one sandbox company, connected 50 times), enough credits for them.
"$CLI" settings --credits $((CONNECTIONS * 2)) >/dev/null
token=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"Bench Builders","jobs":200}' \
  "$SANDBOX_URL/_sandbox/companies" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')
for i in $(seq 1 "$CONNECTIONS"); do
  printf '%s' "$token" | "$CLI" connect fergus --name "Bench $i" --api-url "$SANDBOX_URL" --allow-duplicate >/dev/null 2>&1
done

# Starts the app and waits for PATCHBAY_UI_READY; sets APP_PID and READY_SECS.
launch() {
  local log=$WORK/app-$1.log start end
  start=$(date +%s%N)
  "$APP" 2>"$log" >/dev/null &
  APP_PID=$!
  pids+=("$APP_PID")
  if ! timeout 60 bash -c "until grep -q PATCHBAY_UI_READY '$log'; do sleep 0.01; done"; then
    echo "bench-app: the app did not become ready; its log ends with:" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  end=$(date +%s%N)
  READY_SECS=$(awk -v ns=$((end - start)) 'BEGIN {printf "%.3f", ns / 1e9}')
}

# Ends the app and waits until it is gone (the next launch must not meet it: single instance).
stop_app() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  timeout 10 bash -c "while kill -0 $1 2>/dev/null; do sleep 0.05; done" || true
}

# Every process of the app: the main process and its descendants (WebKit helpers).
tree_pids() {
  local pid=$1 child
  echo "$pid"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do tree_pids "$child"; done
}
rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0; }
# Proportional set size: shared pages (WebKit, GTK libraries) counted once across processes.
pss_kb() { awk '/^Pss:/ {print $2}' /proc/"$1"/smaps_rollup 2>/dev/null || echo 0; }

times=()
for run in $(seq 1 "$RUNS"); do
  launch "$run"
  times+=("$READY_SECS")
  stop_app "$APP_PID"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')

launch idle
pid=$APP_PID
sleep "$IDLE"
main_kb=$(rss_kb "$pid")
total_kb=0 pss_total_kb=0
for p in $(tree_pids "$pid"); do
  total_kb=$((total_kb + $(rss_kb "$p")))
  pss_total_kb=$((pss_total_kb + $(pss_kb "$p")))
  echo "bench-app: process $(cat /proc/"$p"/comm 2>/dev/null): rss $(($(rss_kb "$p") / 1024)) MB, pss $(($(pss_kb "$p") / 1024)) MB" >&2
done
stop_app "$pid"

printf 'app_cold_start_to_interactive_s: %.3f\n' "$median"
awk -v kb="$total_kb" 'BEGIN {printf "app_idle_rss_mb: %.1f\n", kb / 1024}'
awk -v kb="$main_kb" 'BEGIN {printf "app_idle_rss_main_process_mb: %.1f\n", kb / 1024}'
awk -v kb="$pss_total_kb" 'BEGIN {printf "app_idle_pss_mb: %.1f\n", kb / 1024}'
echo "bench-app: $CONNECTIONS connections; start-up runs (s): ${times[*]}" >&2
