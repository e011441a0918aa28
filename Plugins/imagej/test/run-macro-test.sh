#!/usr/bin/env bash
# Runs train-segment.ijm in ImageJ's -batch mode under Xvfb, with the plugin installed as a user
# installs it into plain ImageJ: U_Net.jar in plugins/, gson.jar in plugins/jars/.
# Then GuiPluginTest drives the same installed plugin in a GUI ImageJ (dialogs, Cancel button,
# live plot, macro recorder). Needs UNET_WORKER (the real worker), IJ_JAR, PLUGIN_JAR, GSON_DIST_JAR
# and TEST_CLASSES (the compiled test/ classes); run by `make -C Plugins test`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${UNET_WORKER:?set UNET_WORKER to the built unet-worker}"
: "${IJ_JAR:=/usr/share/java/ij.jar}"
: "${PLUGIN_JAR:=$here/../dist/U_Net.jar}"
: "${GSON_DIST_JAR:=$here/../dist/gson.jar}"
: "${TEST_CLASSES:=$here/../build/test-classes}"
[ -x "$UNET_WORKER" ] || { echo "run-macro-test: no worker at $UNET_WORKER (make build)"; exit 2; }
command -v xvfb-run >/dev/null || { echo "run-macro-test: xvfb-run missing (make -C Plugins deps)"; exit 2; }

work=$(mktemp -d /tmp/unet-macro-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/imagej/plugins/jars"
cp "$PLUGIN_JAR" "$work/imagej/plugins/"
cp "$GSON_DIST_JAR" "$work/imagej/plugins/jars/"

generated=$(jq -nc --arg dir "$work/data" \
  '{jsonrpc:"2.0",id:1,method:"generate",params:{kind:"nuclei",output_dir:$dir,count:1,width:64,height:64,seed:5}}' \
  | "$UNET_WORKER" 2>/dev/null | jq -c 'select(.id == 1)')
image=$(jq -r '.result.images[0]' <<<"$generated")
labels=$(jq -r '.result.labels[0]' <<<"$generated")
[ -f "$image" ] || { echo "run-macro-test: generate failed: $generated"; exit 1; }

log="$work/imagej.log"
start=$(date +%s)
set +e
HOME="$work" timeout 300 xvfb-run -a java -Duser.home="$work" -Dplugins.dir="$work/imagej" -cp "$IJ_JAR" ij.ImageJ \
  -batch "$here/macro/train-segment.ijm" "$image|$labels|$work" >"$log" 2>&1
status=$?
set -e
echo "# ImageJ -batch finished with status $status in $(( $(date +%s) - start )) s"
grep -v '^unet-worker' "$log" | sed 's/^/#   /'

# A failing command stops the macro with the worker's message and never waits on a dialog.
error_log="$work/error.log"
set +e
HOME="$work" timeout 120 xvfb-run -a java -Duser.home="$work" -Dplugins.dir="$work/imagej" -cp "$IJ_JAR" ij.ImageJ \
  -batch "$here/macro/error-aborts.ijm" "$image|$work" >"$error_log" 2>&1
error_status=$?
set -e

# The GUI test: a real (hidden-display) ImageJ window, menus built from the plugins folder.
gui_log="$work/gui.log"
set +e
HOME="$work" timeout 180 xvfb-run -a java -Duser.home="$work" -Dplugins.dir="$work/imagej" -cp "$IJ_JAR:$TEST_CLASSES" \
  unet.imagej.GuiPluginTest "$image" "$labels" "$work" >"$gui_log" 2>&1
gui_status=$?
set -e
grep -E '^(ok|not ok|#)' "$gui_log" | grep -v '^# Log window' || true

failures=0
if [ "$gui_status" -ne 0 ]; then
  echo "not ok - the GUI test failed (status $gui_status):"; grep -v '^unet-worker' "$gui_log" | sed 's/^/#   /'
  failures=$((failures + 1))
fi
if [ "$error_status" -ne 124 ] && grep -q "U-Net Segment failed: .*no-such-model.unet" "$error_log" \
   && ! grep -q "MACRO went on" "$error_log"; then
  echo "ok - a worker error stops the macro with the worker's message"
else
  echo "not ok - error handling in a macro (status $error_status):"; sed 's/^/#   /' "$error_log"
  failures=$((failures + 1))
fi
expect() {
  if grep -qxF "$1" "$log"; then echo "ok - $1"; else echo "not ok - expected the line: $1"; failures=$((failures + 1)); fi
}
expect "MACRO model 1"
expect "MACRO roi model 1"
expect "MACRO class roi model 1"
expect "MACRO opened 3"
expect "MACRO probabilities 64x64 32-bit 1"
expect "MACRO mask 64x64 8-bit 1"
expect "MACRO instances 64x64 16-bit 1"
expect "MACRO weights weights.tif 32-bit 1"
expect "MACRO package 1"
expect "MACRO done"
expect_match() {
  if grep -qE "$1" "$log"; then echo "ok - $2"; else echo "not ok - $2 (no line matching $1)"; failures=$((failures + 1)); fi
}
expect_match '^U-Net Train: train 3/3, loss [0-9.]+' "training progress reached the log (3/3 with a loss)"
expect_match '^U-Net Segment: segment 1/1' "segmentation progress reached the log"
expect_match '^U-Net Weight Map: weight_map 1/1' "weight map progress reached the log"
expect_match '^U-Net Export: .*macro.zip \(bioimage.io package, ONNX opset 17, sha256 [0-9a-f]{64}\)' "the export is reported with its opset and hash"
rois=$(sed -n 's/^MACRO rois //p' "$log")
# The two segmentations of the current image: the plugin's outlines, then the worker's ROIs and table.
objects=$(sed -n 's/^U-Net Segment: .*, \([0-9]*\) objects.*$/\1/p' "$log" | sed -n 1p)
worker_objects=$(sed -n 's/^U-Net Segment: .*, \([0-9]*\) objects.*$/\1/p' "$log" | sed -n 2p)
if [ -n "$rois" ] && [ "$rois" -ge 1 ] && [ "$rois" = "$objects" ]; then
  echo "ok - $rois instance outlines in the ROI Manager, one per object the worker found"
else echo "not ok - ROI Manager holds '$rois' outlines, the worker found '$objects' objects"; failures=$((failures + 1)); fi
worker=$(sed -n 's/^MACRO worker rois \([0-9]*\) rows \([0-9]*\)$/\1 \2/p' "$log")
if [ -n "$worker_objects" ] && [ "$worker_objects" -ge 1 ] && [ "$worker" = "$worker_objects $worker_objects" ]; then
  echo "ok - the worker's RoiSet in the ROI Manager and its table: $worker_objects ROIs and rows, one per object"
else echo "not ok - worker ROIs and table rows '$worker', objects '$worker_objects'"; failures=$((failures + 1)); fi
matching=$(sed -n 's/^MACRO worker rois matching the table //p' "$log")
# An object with a hole measures more than its area_px; the tiny model's objects have at most a few.
if [ -n "$matching" ] && [ -n "$worker_objects" ] && [ "$matching" -ge $(( worker_objects - 2 )) ] && [ "$matching" -ge 1 ]; then
  echo "ok - $matching of $worker_objects ROIs measure their table row's area_px and carry its label"
else echo "not ok - only '$matching' of '$worker_objects' ROIs measure their table row's area_px"; failures=$((failures + 1)); fi
if grep -q "U-Net Train: model saved to" "$log"; then echo "ok - the model path is reported"
else echo "not ok - the model path is not reported"; failures=$((failures + 1)); fi
[ "$status" -eq 0 ] || { echo "not ok - ImageJ exited with status $status"; failures=$((failures + 1)); }
if [ "$failures" -gt 0 ]; then echo "# macro test: $failures failures"; exit 1; fi
echo "# macro test passed"
