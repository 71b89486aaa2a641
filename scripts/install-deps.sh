#!/usr/bin/env bash
# Installs what building, running and end-to-end testing the desktop app needs.
# Idempotent: when everything is present it only checks and exits (well under a second).
#
#   scripts/install-deps.sh            # everything (app build + e2e + UI packages)
#   scripts/install-deps.sh --app      # only what `make run` needs (build deps + ui/node_modules)
#   scripts/install-deps.sh --e2e      # everything the real-window e2e tier needs
#
# apt runs via sudo only when not root; `apt-get update` runs only if something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_app=1 want_e2e=1
case "${1:-}" in
  --app) want_e2e=0 ;;
  --e2e | "" | --all) ;;
  -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
  *) echo "install-deps: unknown option '$1' (use --app, --e2e or nothing)" >&2; exit 2 ;;
esac

say() { echo "install-deps: $*" >&2; }

# --- Debian packages ---------------------------------------------------------------
app_pkgs=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
  pkg-config build-essential curl)
# e2e runtime: WebKitWebDriver, a virtual display (+ xauth, only a Recommends of xvfb),
# a private session bus, a notification server, the real Secret Service, screenshot tools.
e2e_pkgs=(webkit2gtk-driver xvfb xauth dbus libglib2.0-bin dunst gnome-keyring libsecret-tools
  x11-apps imagemagick)

pkgs=("${app_pkgs[@]}")
((want_e2e)) && pkgs+=("${e2e_pkgs[@]}")

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -Eq "^install ok (installed|triggers-pending|triggers-awaited)$" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    say "installing apt packages: ${missing[*]}"
    # Wait for another apt/dpkg run (up to 5 min) instead of failing on its lock.
    "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}"
  fi
else
  say "not a Debian system: install the equivalents of: ${pkgs[*]}"
fi

# --- tauri-driver (WebDriver proxy for the real window) -----------------------------
if ((want_e2e)) && ! command -v tauri-driver >/dev/null 2>&1 && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
  say "installing tauri-driver (cargo install, ~30 s)"
  cargo install tauri-driver --locked
fi

# --- npm packages --------------------------------------------------------------------
# Re-run `npm ci` when node_modules is missing or package-lock.json changed since the last install.
npm_ci_if_needed() {
  local dir=$1
  [[ -f "$dir/package.json" ]] || return 0
  local lock="$dir/package-lock.json" stamp="$dir/node_modules/.install-deps.stamp"
  if [[ ! -f "$lock" ]]; then
    [[ -d "$dir/node_modules" ]] && return 0
    say "npm install in $dir (no package-lock.json yet)"
    npm --prefix "$dir" install --no-audit --no-fund
    return 0
  fi
  local sum
  sum=$(sha256sum "$lock" | cut -d' ' -f1)
  if [[ -d "$dir/node_modules" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
    return 0
  fi
  say "npm ci in $dir"
  npm --prefix "$dir" ci --no-audit --no-fund
  echo "$sum" >"$stamp"
}

npm_ci_if_needed ui
((want_e2e)) && npm_ci_if_needed tests/e2e
exit 0
