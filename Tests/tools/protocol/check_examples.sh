#!/usr/bin/env bash
# Runs every example of Protocol/examples against a worker binary, in a scratch folder, on
# synthetic data and a tiny network, and checks what each prints and writes.
#
#   Tests/tools/protocol/check_examples.sh [WORKER]     (default: $UNET_WORKER)
#
# Closes with `N passed, M failed`; exits 1 when a check failed. Needs bash and jq.
set -uo pipefail
worker=${1:-${UNET_WORKER:-}}
[ -n "$worker" ] && [ -x "$worker" ] || { echo "usage: $0 WORKER (or set UNET_WORKER)" >&2; exit 2; }
command -v jq >/dev/null || { echo "$0: jq is required (apt-get install jq)" >&2; exit 2; }
worker=$(cd "$(dirname "$worker")" && pwd)/$(basename "$worker")
examples=$(cd "$(dirname "$0")/../../../Protocol/examples" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/unet-examples.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || exit 2
mkdir bin && ln -s "$worker" bin/unet-worker   # the examples find unet-worker on PATH
export PATH="$scratch/bin:$PATH"
unset UNET_WORKER

passed=0
failed=0
check() { # check NAME COMMAND...: passes when COMMAND succeeds
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1)); echo "PASS $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"
  fi
}
all_exist() { # all_exist FILE_LISTING_PATHS EXPECTED_COUNT
  [ "$(wc -l <"$1")" -eq "$2" ] && while read -r path; do [ -f "$path" ] || return 1; done <"$1"
}

# Data: two 96x96 synthetic images with labels, arranged as a folder pair (same file names).
echo '{"jsonrpc":"2.0","id":1,"method":"generate","params":{"kind":"nuclei","output_dir":"data","count":2,"width":96,"height":96}}' \
  | unet-worker >/dev/null
mkdir -p pair/images pair/labels
for n in 0 1; do
  mv "data/nuclei_1_$n.tif" "pair/images/cell $n.tif"
  mv "data/nuclei_1_${n}_labels.tif" "pair/labels/cell $n.tif"
done

"$examples/train-folder-pair.sh" pair/images pair/labels model.unet 40 '{"base_channels":4,"depth":2,"tile_size":20}' \
  >train.out 2>train.err
check "train-folder-pair.sh trains and prints the model" \
  grep -qx 'model model.unet' train.out
check "train-folder-pair.sh wrote a loadable model" \
  sh -c 'echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"model_info\",\"params\":{\"model\":\"model.unet\"}}" | unet-worker | jq -e ".result.training.iterations == 40" >/dev/null'
check "train-folder-pair.sh draws a progress bar on stderr" \
  grep -q '\[##############################\] train 40/40' train.err

"$examples/segment-folder.sh" model.unet pair/images out >segment.out 2>segment.err
check "segment-folder.sh prints 3 existing outputs per image" all_exist segment.out 6
check "segment-folder.sh draws a progress bar on stderr" grep -q '\] segment ' segment.err
check "segment-folder.sh fails with the worker's message" \
  sh -c '! "$1/segment-folder.sh" missing.unet pair/images out >/dev/null 2>err.txt && grep -q "error -32001" err.txt' _ "$examples"

cp "pair/images/cell 0.tif" cells.tif
sh "$examples/two-line-session.sh" >two-line.out 2>&1
check "two-line-session.sh prints the 3 output paths" all_exist two-line.out 3

echo '{"jsonrpc":"2.0","id":1,"method":"weight_map","params":{"labels":"cells.tif","output":"w.tif"}}' \
  | unet-worker | jq --unbuffered -rj -f "$examples/progress-bar.jq" >bar.out
check "progress-bar.jq draws the bar and prints the answer last" \
  sh -c 'grep -q "weight_map" bar.out && tail -n 1 bar.out | jq -e ".id == 1" >/dev/null'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
