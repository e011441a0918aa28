#!/usr/bin/env bash
# Tests of the shell clients (unet-progress, unet-train-folder, unet-segment-folder) on a tiny
# synthetic image, against the real worker named by UNET_WORKER. Run by `make -C Plugins test`.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UNET_WORKER:?set UNET_WORKER to the built unet-worker}"
[ -x "$UNET_WORKER" ] || { echo "Bail out! no worker at $UNET_WORKER (make build)"; exit 2; }
work=$(mktemp -d /tmp/unet-shell-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
tiny='{"base_channels":4,"depth":2}'
count=0
failures=0

ok() { count=$((count + 1)); echo "ok $count - $1"; }
fail() { count=$((count + 1)); failures=$((failures + 1)); echo "not ok $count - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
jq_true() { jq -e "$1" "$2" >/dev/null; }
# tiff_is FILE BITS FORMAT: a 64x64 TIFF with that many bits per sample and that sample format.
tiff_is() {
  local info; info=$(tiffinfo "$1" 2>/dev/null) || return 1
  grep -q 'Image Width: 64 Image Length: 64' <<<"$info" && grep -q "Bits/Sample: $2\$" <<<"$info" \
    && grep -q "Sample Format: $3" <<<"$info"
}

# --- unet-progress alone, on canned worker output --------------------------------------------
canned() {
  printf '%s\n' \
    '{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"train","done":1,"total":4,"loss":0.5,"eta_s":3}}' \
    '{"jsonrpc":"2.0","method":"log","params":{"request":1,"level":"info","message":"a\tmessage"}}' \
    '{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"train","done":4,"total":4,"loss":0.25,"eta_s":0}}' \
    "$1"
}
canned '{"jsonrpc":"2.0","id":1,"result":{"model":"m.unet"}}' | "$here/unet-progress" >"$work/p.out" 2>"$work/p.err"
status=$?
check "unet-progress passes the response through" grep -qF '"result":{"model":"m.unet"}' "$work/p.out"
check "unet-progress draws the bar to 100% with the loss" grep -qF '[##############################] 100%  4/4  loss 0.2500' "$work/p.err"
check "unet-progress prints log notifications" grep -qF 'unet-worker [info] a message' "$work/p.err"
check "unet-progress exits 0 after a result" [ "$status" = 0 ]
canned '{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"cannot read x.tif","data":{"path":"x.tif"}}}' \
  | "$here/unet-progress" --until 1 >/dev/null 2>"$work/p.err"
status=$?
check "unet-progress exits 1 after an error and prints it" [ "$status" = 1 ]
check "the error names the worker's message" grep -qF 'unet-worker error -32001: cannot read x.tif' "$work/p.err"
canned '{"jsonrpc":"2.0","id":1,"error":{"code":-32800,"message":"cancelled"}}' | "$here/unet-progress" --until 1 >/dev/null 2>&1
check "unet-progress exits 3 after a cancellation" [ $? = 3 ]

printf '%s\n' \
  '{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"segment","done":1,"total":4,"eta_s":3}}' \
  '{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"validate","done":1,"total":1,"loss":0.25,"foreground_iou":0.75}}' \
  '{"jsonrpc":"2.0","id":1,"result":{}}' | "$here/unet-progress" >/dev/null 2>"$work/v.err"
check "unet-progress keeps an ETA without a loss in its place" grep -qxF 'segment  [#######.......................]  25%  1/4  eta 3 s' "$work/v.err"
check "unet-progress prints a validation line" grep -qxF 'validation  loss 0.2500  foreground IoU 0.750' "$work/v.err"

printf '%s\n' \
  '{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"load","done":0,"total":1}}' \
  '{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"train","done":1,"total":1000,"loss":0.5}}' \
  '{"jsonrpc":"2.0","method":"progress","params":{"request":1,"stage":"train","done":2,"total":1000,"loss":0.5}}' \
  '{"jsonrpc":"2.0","id":1,"result":{}}' | "$here/unet-progress" >/dev/null 2>"$work/s.err"
stage_lines() { [ "$(grep -c '^train ' "$work/s.err")" = 1 ] && [ "$(grep -c '^load ' "$work/s.err")" = 1 ]; }
check "without a terminal, each stage's first progress is printed, then one per 10 %" stage_lines

# --- against the worker ----------------------------------------------------------------------
generated=$(jq -nc --arg dir "$work/data" \
  '{jsonrpc:"2.0",id:1,method:"generate",params:{kind:"nuclei",output_dir:$dir,count:1,width:64,height:64,seed:11}}' \
  | "$UNET_WORKER" 2>/dev/null | jq -c 'select(.id == 1)')
mkdir -p "$work/images" "$work/labels"
cp "$(jq -r '.result.images[0]' <<<"$generated")" "$work/images/cells.tif"
cp "$(jq -r '.result.labels[0]' <<<"$generated")" "$work/labels/cells.tif"

"$here/unet-train-folder" --iterations 3 --config "$tiny" "$work/images" "$work/labels" "$work/tiny.unet" \
  >"$work/train.out" 2>"$work/train.err"
status=$?
check "unet-train-folder succeeds" [ "$status" = 0 ]
check "unet-train-folder writes the model" [ -s "$work/tiny.unet" ]
check "unet-train-folder reports the model path" grep -qF "model saved: $work/tiny.unet (3 iterations" "$work/train.out"
if grep -q '100%  3/3  loss' "$work/train.err"; then ok "the training progress bar reaches 3/3 with a loss"
else fail "the training progress bar reaches 3/3 with a loss" "$work/train.err"; fi

mkdir -p "$work/empty"
"$here/unet-train-folder" --iterations 2 --validation "$work/images" "$work/empty" "$work/images" "$work/labels" \
  "$work/v.unet" >/dev/null 2>"$work/v-usage.err"
status=$?
check "--validation with folders that do not pair up exits 2" [ "$status" = 2 ]
check "--validation names the folder that does not pair up" grep -qF "and $work/empty holds 0;" "$work/v-usage.err"
"$here/unet-train-folder" --iterations 4 --config "$tiny" --config '{"validate_every":2}' --validation "$work/images" "$work/labels" \
  "$work/images" "$work/labels" "$work/validated.unet" >/dev/null 2>"$work/validated.err"
status=$?
# A worker with validation shows validation lines; one without answers -32602 naming the field.
if { [ "$status" = 0 ] && grep -q '^validation  loss' "$work/validated.err"; } \
   || { [ "$status" = 1 ] && grep -q '"field":"validation"' "$work/validated.err"; }; then
  ok "--validation sends the validation set (status $status)"
else fail "--validation sends the validation set (status $status)" "$work/validated.err"; fi

"$here/unet-segment-folder" "$work/tiny.unet" "$work/images" "$work/out" >"$work/seg.out" 2>"$work/seg.err"
check "unet-segment-folder succeeds" [ $? = 0 ]
check "unet-segment-folder writes cells_probabilities.tif (64x64 float32)" \
  tiff_is "$work/out/cells_probabilities.tif" 32 "IEEE floating point"
check "unet-segment-folder writes cells_mask.tif (64x64 uint8)" tiff_is "$work/out/cells_mask.tif" 8 "unsigned integer"
check "unet-segment-folder writes cells_instances.tif (64x64 uint16)" \
  tiff_is "$work/out/cells_instances.tif" 16 "unsigned integer"
check "unet-segment-folder prints the object count" grep -qE '^cells\.tif	[0-9]+ objects	' "$work/seg.out"

"$here/unet-segment-folder" --json --outputs mask "$work/tiny.unet" "$work/images" "$work/out-json" >"$work/seg.json" 2>/dev/null
check "--json prints the result, --outputs limits the outputs" \
  jq_true '(.outputs | length) == 1 and (.outputs[0] | has("mask") and (has("instances") | not))' "$work/seg.json"

"$here/unet-segment-folder" --json --outputs mask --pixel-size 0.5 "$work/tiny.unet" "$work/images" "$work/out-px" >"$work/seg-px.json" 2>/dev/null
check "--pixel-size reaches the worker" jq_true '.outputs[0].pixel_size == 0.5' "$work/seg-px.json"
"$here/unet-segment-folder" --pixel-size 0.5um "$work/tiny.unet" "$work/images" "$work/out-px2" >/dev/null 2>"$work/px.err"
status=$?
check "--pixel-size with a unit exits 2" [ "$status" = 2 ]
check "--pixel-size says what it takes" grep -qF "takes a number of micrometres, not '0.5um'" "$work/px.err"

"$here/unet-segment-folder" "$work/no-such.unet" "$work/images" "$work/out2" >/dev/null 2>"$work/err.err"
status=$?
check "a worker error exits 1" [ "$status" = 1 ]
check "a worker error shows the worker's message" grep -qF "no-such.unet" "$work/err.err"

UNET_WORKER=/nonexistent/unet-worker "$here/unet-segment-folder" "$work/tiny.unet" "$work/images" "$work/out3" \
  >/dev/null 2>"$work/missing.err"
status=$?
check "a missing worker exits 2" [ "$status" = 2 ]
check "a missing worker is named" grep -qF "UNET_WORKER is set to '/nonexistent/unet-worker'" "$work/missing.err"

# --- lists, shares, --skip-done and an unreadable image ------------------------------------------
mkdir -p "$work/many"
for name in a b c d e; do cp "$work/images/cells.tif" "$work/many/$name.tif"; done
# outputs_in FOLDER: the sorted names of the outputs in FOLDER, on one line.
outputs_in() { (cd "$1" && ls -A | LC_ALL=C sort | tr '\n' ' '); }
"$here/unet-segment-folder" --outputs mask --shard 2/3 "$work/tiny.unet" "$work/many" "$work/share2" >/dev/null 2>"$work/share2.err"
check "--shard 2/3 of 5 images segments the 2nd and 5th (b, e)" [ "$(outputs_in "$work/share2")" = "b_mask.tif e_mask.tif " ]
check "--shard names the share in its summary" grep -qF "summary: 2 images (shard 2/3), 2 segmented, 0 skipped (done), 0 failed" "$work/share2.err"
for i in 1 2 3; do "$here/unet-segment-folder" --outputs mask --shard "$i/3" "$work/tiny.unet" "$work/many" "$work/shares" >/dev/null 2>&1; done
check "the 3 shares together segment every image once" [ "$(outputs_in "$work/shares")" = "a_mask.tif b_mask.tif c_mask.tif d_mask.tif e_mask.tif " ]
"$here/unet-segment-folder" --shard 0/3 "$work/tiny.unet" "$work/many" "$work/share0" >/dev/null 2>"$work/share0.err"
check "--shard 0/3 exits 2" [ $? = 2 ]
check "--shard 0/3 says what it takes" grep -qF "takes I/N with 1 <= I <= N, not '0/3'" "$work/share0.err"

printf '%s\n' '# two of the five, in this order' 'many/d.tif' '' "$work/many/a.tif" >"$work/list.txt"
"$here/unet-segment-folder" --json --outputs mask "$work/tiny.unet" "$work/list.txt" "$work/listed" >"$work/listed.json" 2>/dev/null
check "a list file segments its images in its order (relative paths from the list's folder)" \
  jq_true "[.outputs[].image] == [\"$work/many/d.tif\", \"$work/many/a.tif\"]" "$work/listed.json"

before=$(stat -c '%n %Y' "$work/shares"/* | md5sum)
"$here/unet-segment-folder" --outputs mask --skip-done "$work/tiny.unet" "$work/many" "$work/shares" >/dev/null 2>"$work/skip.err"
check "--skip-done skips every complete image" grep -qF "5 images (shard 1/1), 0 segmented, 5 skipped (done)" "$work/skip.err"
check "--skip-done rewrites nothing" [ "$(stat -c '%n %Y' "$work/shares"/* | md5sum)" = "$before" ]
rm "$work/shares/c_mask.tif"
: >"$work/shares/.c_mask.tif.999-1.tmp"
"$here/unet-segment-folder" --outputs mask --skip-done "$work/tiny.unet" "$work/many" "$work/shares" >/dev/null 2>"$work/skip2.err"
check "--skip-done segments the image whose output is missing" grep -qF "1 segmented, 4 skipped (done)" "$work/skip2.err"
check "and removes the temporary a killed run left" [ "$(outputs_in "$work/shares")" = "a_mask.tif b_mask.tif c_mask.tif d_mask.tif e_mask.tif " ]
# ROIs and tables are .zip and .csv files: --skip-done knows their names too.
"$here/unet-segment-folder" --outputs mask,rois,table --shard 1/3 "$work/tiny.unet" "$work/many" "$work/objects" >/dev/null 2>&1
: >"$work/objects/.b_rois.zip.999-1.tmp"  # b is not in share 1/3 (a, d): redone
"$here/unet-segment-folder" --outputs mask,rois,table --skip-done "$work/tiny.unet" "$work/many" "$work/objects" >/dev/null 2>"$work/skip3.err"
check "--skip-done counts an image with its mask, ROIs and table as done" grep -qF "5 images (shard 1/1), 3 segmented, 2 skipped (done)" "$work/skip3.err"
check "and removes the ROI zip's temporary" [ "$(outputs_in "$work/objects")" = "a_mask.tif a_objects.csv a_rois.zip b_mask.tif b_objects.csv b_rois.zip c_mask.tif c_objects.csv c_rois.zip d_mask.tif d_objects.csv d_rois.zip e_mask.tif e_objects.csv e_rois.zip " ]

printf 'not a TIFF' >"$work/many/broken.tif"
"$here/unet-segment-folder" --outputs mask "$work/tiny.unet" "$work/many" "$work/withbroken" >/dev/null 2>"$work/broken.err"
check "an unreadable image exits 1" [ $? = 1 ]
check "it is reported as failed by path" grep -qF "unet-segment-folder: failed: $work/many/broken.tif" "$work/broken.err"
check "the other images are still segmented" [ "$(outputs_in "$work/withbroken")" = "a_mask.tif b_mask.tif c_mask.tif d_mask.tif e_mask.tif " ]
check "the summary counts it" grep -qF "6 images (shard 1/1), 5 segmented, 0 skipped (done), 1 failed" "$work/broken.err"
rm "$work/many/broken.tif"

# --- three classes through the scripts (config and outputs pass through) --------------------------
jq -nc --arg dir "$work/mixed" \
  '{jsonrpc:"2.0",id:1,method:"generate",params:{kind:"mixed",output_dir:$dir,count:1,width:64,height:64,seed:3}}' \
  | "$UNET_WORKER" >/dev/null 2>&1
mkdir -p "$work/mixed-images" "$work/mixed-labels"
cp "$work/mixed/mixed_3_0.tif" "$work/mixed-images/m.tif"
cp "$work/mixed/mixed_3_0_labels.tif" "$work/mixed-labels/m.tif"
"$here/unet-train-folder" --iterations 3 --config "$tiny" --config '{"classes":3,"label_kind":"classes"}' \
  "$work/mixed-images" "$work/mixed-labels" "$work/three.unet" >/dev/null 2>"$work/three.err"
check "unet-train-folder trains a 3-class model from class labels" [ $? = 0 ]
"$here/unet-segment-folder" --json --outputs classes,instances "$work/three.unet" "$work/mixed-images" "$work/three-out" \
  >"$work/three.json" 2>/dev/null
check "unet-segment-folder writes its class map and counts objects per class" \
  jq_true '(.outputs[0].classes | endswith("/m_classes.tif")) and (.outputs[0].objects_per_class | length) == 2' "$work/three.json"
check "the class map is a 64x64 uint8 TIFF" tiff_is "$work/three-out/m_classes.tif" 8 "unsigned integer"

# Ctrl-C / TERM sends `cancel`: the worker stops, the script exits 3, no partial file is left.
"$here/unet-train-folder" --iterations 100000 --config "$tiny" "$work/images" "$work/labels" "$work/cancelled.unet" \
  >/dev/null 2>"$work/cancel.err" &
pid=$!
for _ in $(seq 300); do grep -q 'train ' "$work/cancel.err" && break; sleep 0.1; done
start=$(date +%s)
kill -TERM "$pid"
wait "$pid"
status=$?
check "TERM cancels the training (exit 3)" [ "$status" = 3 ]
check "the cancellation answers within 10 s" [ $(( $(date +%s) - start )) -le 10 ]
check "the worker reported the cancellation" grep -qF 'unet-worker error -32800' "$work/cancel.err"
check "no temporary file is left" [ -z "$(find "$work" -name '*.tmp*')" ]

echo "1..$count"
[ "$failures" = 0 ] || { echo "# shell tests: $failures failed"; exit 1; }
echo "# all $count shell tests passed"
