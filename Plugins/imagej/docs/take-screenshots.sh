#!/usr/bin/env bash
# Takes the screenshots in this folder: a GUI ImageJ with the plugin, under Xvfb, against the
# real worker (UNET_WORKER, default <repo>/.build/release/unet-worker). Run after `make -C Plugins imagej`.
set -euo pipefail
docs=$(cd "$(dirname "$0")" && pwd)
imagej=$(dirname "$docs")
repo=$(cd "$imagej/../.." && pwd)
: "${UNET_WORKER:=$repo/.build/release/unet-worker}"
: "${IJ_JAR:=/usr/share/java/ij.jar}"
export UNET_WORKER
[ -x "$UNET_WORKER" ] || { echo "no worker at $UNET_WORKER (make build)"; exit 2; }
work=$(mktemp -d /tmp/unet-screenshots.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/imagej/plugins/jars" "$work/classes"
cp "$imagej/dist/U_Net.jar" "$work/imagej/plugins/"
cp "$imagej/dist/gson.jar" "$work/imagej/plugins/jars/"
javac --release 8 -cp "$IJ_JAR" -d "$work/classes" "$docs/ScreenshotHelper.java"
generated=$(jq -nc --arg dir "$work/data" \
  '{jsonrpc:"2.0",id:1,method:"generate",params:{kind:"nuclei",output_dir:$dir,count:1,width:256,height:256,seed:2}}' \
  | "$UNET_WORKER" 2>/dev/null | jq -c 'select(.id == 1)')
image=$(jq -r '.result.images[0]' <<<"$generated")
labels=$(jq -r '.result.labels[0]' <<<"$generated")
# A window manager (openbox, if installed) draws title bars; without one windows are bare.
cat >"$work/session.sh" <<SESSION
#!/usr/bin/env bash
command -v openbox >/dev/null && { openbox & sleep 1; }
exec java -Dplugins.dir="$work/imagej" -cp "$IJ_JAR:$work/classes" ij.ImageJ \
  -macro "$docs/take-screenshots.ijm" "$image|$labels|$work|$docs"
SESSION
chmod +x "$work/session.sh"
HOME="$work" timeout 300 xvfb-run -a -s "-screen 0 1400x1000x24" "$work/session.sh"
ls -la "$docs"/*.png
