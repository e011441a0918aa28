#!/usr/bin/env bash
# Trains a U-Net on a folder pair: every TIFF of IMAGES_FOLDER with the file of the same name in
# LABELS_FOLDER. Draws the progress bar (iterations, loss, ETA) on stderr; prints the model's
# path, iterations, loss and seconds on stdout.
#
#   train-folder-pair.sh IMAGES_FOLDER LABELS_FOLDER MODEL_OUT [ITERATIONS [CONFIG_JSON]]
#
# Without ITERATIONS the worker's default budget applies. CONFIG_JSON is train's config object,
# e.g. '{"base_channels":16,"depth":3,"tile_size":100}'. The worker is $UNET_WORKER, else
# unet-worker on PATH.
set -euo pipefail
[ $# -ge 3 ] && [ $# -le 5 ] || { echo "usage: $0 IMAGES_FOLDER LABELS_FOLDER MODEL_OUT [ITERATIONS [CONFIG_JSON]]" >&2; exit 2; }
shopt -s nullglob nocaseglob
images=("$1"/*.tif "$1"/*.tiff)
[ ${#images[@]} -gt 0 ] || { echo "no TIFF files in $1" >&2; exit 2; }
labels=()
for image in "${images[@]}"; do
  label="$2/$(basename "$image")"
  [ -f "$label" ] || { echo "no label image $label for $image" >&2; exit 2; }
  labels+=("$label")
done

jq -nc --arg model "$3" --arg iterations "${4:-}" --argjson config "${5:-"{}"}" \
       --argjson images "$(printf '%s\n' "${images[@]}" | jq -R . | jq -sc .)" \
       --argjson labels "$(printf '%s\n' "${labels[@]}" | jq -R . | jq -sc .)" \
    '{jsonrpc: "2.0", id: 1, method: "train",
      params: ({images: $images, labels: $labels, model_out: $model, config: $config}
               + if $iterations == "" then {} else {iterations: ($iterations | tonumber)} end)}' \
  | "${UNET_WORKER:-unet-worker}" \
  | tee >(jq --unbuffered -rj --arg answers hide -f "$(dirname "$0")/progress-bar.jq" >&2) \
  | jq -r 'select(.id == 1)
           | if .error then "error \(.error.code): \(.error.message)\n" | halt_error(1)
             else .result | "model \(.model)\niterations \(.iterations)\nloss \(.loss)\nseconds \(.seconds)" end'
