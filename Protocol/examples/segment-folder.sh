#!/usr/bin/env bash
# Segments every TIFF of a folder in one request; draws the progress bar on stderr and prints
# the output paths (probabilities, mask, instances of each image) on stdout.
#
#   segment-folder.sh MODEL INPUT_FOLDER OUTPUT_FOLDER
#
# The worker is $UNET_WORKER, else unet-worker on PATH. On an error the worker's message goes
# to stderr and the exit status is 1.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 MODEL INPUT_FOLDER OUTPUT_FOLDER" >&2; exit 2; }
shopt -s nullglob nocaseglob
images=("$2"/*.tif "$2"/*.tiff)
[ ${#images[@]} -gt 0 ] || { echo "no TIFF files in $2" >&2; exit 2; }

printf '%s\n' "${images[@]}" | jq -R . | jq -sc --arg model "$1" --arg out "$3" \
    '{jsonrpc: "2.0", id: 1, method: "segment", params: {model: $model, images: ., output_dir: $out}}' \
  | "${UNET_WORKER:-unet-worker}" \
  | tee >(jq --unbuffered -rj --arg answers hide -f "$(dirname "$0")/progress-bar.jq" >&2) \
  | jq -r 'select(.id == 1)
           | if .error then "error \(.error.code): \(.error.message)\n" | halt_error(1)
             else .result.outputs[] | .probabilities, .mask, .instances end'
