#!/usr/bin/env bash
# Regenerates every icon from the SVG sources in this folder:
#   icon.svg       -> 32x32.png 64x64.png 128x128.png 128x128@2x.png icon.png (512) icon.icns icon.ico
#   tray/<state>.svg -> tray/<state>.png (64x64): healthy (green check), attention (amber triangle "!"),
#                       problem (red octagon "!"), unknown (grey circle "–") — shape differs, not colour alone.
# Uses the Tauri CLI's `icon` command (resvg) from ui/node_modules; run scripts/install-deps.sh --app first.
set -euo pipefail
cd "$(dirname "$0")"
TAURI=../ui/node_modules/.bin/tauri
[[ -x $TAURI ]] || { echo "icons/generate.sh: $TAURI missing — run scripts/install-deps.sh --app" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$TAURI" icon icon.svg -o "$tmp/app" >/dev/null 2>&1
for f in 32x32.png 64x64.png 128x128.png 128x128@2x.png icon.png icon.icns icon.ico; do
  cp "$tmp/app/$f" "$f"
done

for state in healthy attention problem unknown; do
  "$TAURI" icon "tray/$state.svg" -o "$tmp/$state" >/dev/null 2>&1
  cp "$tmp/$state/64x64.png" "tray/$state.png"
done
echo "icons regenerated"
