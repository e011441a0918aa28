# Shared by the unet-* scripts (bash + jq): find the worker, run one request with a progress bar.
# Source it: . "$(dirname "$0")/unet-lib.sh"

UNET_SHELL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Extra command-line arguments of the worker that unet_run starts (e.g. --threads 4).
UNET_WORKER_ARGS=()

# Prints the worker's path: $UNET_WORKER, else unet-worker on PATH; else says how to fix it.
unet_find_worker() {
  if [ -n "${UNET_WORKER:-}" ]; then
    if [ -x "$UNET_WORKER" ] && [ -f "$UNET_WORKER" ]; then printf '%s\n' "$UNET_WORKER"; return 0; fi
    echo "UNET_WORKER is set to '$UNET_WORKER', which is not an executable file." >&2
    return 2
  fi
  if command -v unet-worker >/dev/null; then command -v unet-worker; return 0; fi
  echo "unet-worker was not found: set UNET_WORKER=/path/to/unet-worker or put it on PATH" >&2
  echo "(build it with 'make build'; 'make install' copies it to /usr/local/bin)." >&2
  return 2
}

# unet_require_tools: jq is the one dependency besides bash.
unet_require_tools() {
  command -v jq >/dev/null || { echo "$(basename "$0"): jq is required (apt-get install jq)" >&2; exit 2; }
}

# unet_tiffs FOLDER: the folder's TIFF files (.tif/.tiff), absolute, sorted by name, as a JSON array.
unet_tiffs() {
  local folder
  folder=$(cd "$1" && pwd) || return 1
  find "$folder" -maxdepth 1 -type f \( -iname '*.tif' -o -iname '*.tiff' \) ! -name '.*' | LC_ALL=C sort \
    | jq -R . | jq -sc .
}

# unet_images FOLDER_OR_LIST: the images to segment, absolute, as a JSON array: a folder's TIFFs
# sorted by name, or the lines of a list file in their order (relative paths are relative to the
# list's folder; blank lines and lines starting with # are skipped).
unet_images() {
  local list_dir
  if [ -d "$1" ]; then unet_tiffs "$1"; return; fi
  [ -f "$1" ] || { echo "$(basename "$0"): no folder or list file $1" >&2; return 2; }
  list_dir=$(cd "$(dirname "$1")" && pwd)
  jq -Rsc --arg dir "$list_dir" '[split("\n")[] | sub("\r$"; "") | select(test("^\\s*(#|$)") | not)
    | if startswith("/") then . else "\($dir)/\(.)" end]' <"$1"
}

# unet_folder_pair IMAGE_FOLDER LABEL_FOLDER: {"images":[...],"labels":[...]}, the folders' TIFFs
# paired in name order; says what is wrong (and returns 2) when they do not pair up.
unet_folder_pair() {
  local folder images labels count
  for folder in "$1" "$2"; do [ -d "$folder" ] || { echo "$(basename "$0"): no folder $folder" >&2; return 2; }; done
  images=$(unet_tiffs "$1") && labels=$(unet_tiffs "$2") || return 2
  count=$(jq length <<<"$images")
  if [ "$count" = 0 ] || [ "$count" != "$(jq length <<<"$labels")" ]; then
    echo "$(basename "$0"): $1 holds $count TIFFs and $2 holds $(jq length <<<"$labels"); they must pair up" >&2
    return 2
  fi
  jq -nc --argjson images "$images" --argjson labels "$labels" '{images:$images, labels:$labels}'
}

# unet_abspath PATH: an absolute path (the file need not exist).
unet_abspath() {
  case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$(pwd)" "$1" ;; esac
}

# unet_run METHOD PARAMS_JSON: sends one request (id 1) to a new worker (with UNET_WORKER_ARGS),
# draws its progress on stderr, and sets UNET_RESPONSE to the response line. Returns 0 for a
# result, 1 for an error, 2 when no worker is found, 3 when cancelled. Call it directly, not in
# $(...), so that its signal trap is the script's. Ctrl-C (or TERM) sends `cancel`, so the worker
# stops cleanly and leaves no partial files. The worker's stderr goes to the terminal only with
# UNET_VERBOSE=1, else to a log that is shown when the request fails.
unet_run() {
  local method=$1 params=$2 worker dir pid status request
  UNET_RESPONSE=''
  worker=$(unet_find_worker) || return 2
  dir=$(mktemp -d "${TMPDIR:-/tmp}/unet-run.XXXXXX")
  mkfifo "$dir/in" "$dir/stdout"
  request=$(jq -nc --arg method "$method" --argjson params "$params" \
    '{jsonrpc:"2.0", id:1, method:$method, params:$params}')
  # Two separate jobs, not a pipeline: waiting for a pipeline would wait for the worker too.
  if [ "${UNET_VERBOSE:-0}" = 1 ]; then
    "$worker" "${UNET_WORKER_ARGS[@]}" <"$dir/in" >"$dir/stdout" &
  else
    "$worker" "${UNET_WORKER_ARGS[@]}" <"$dir/in" >"$dir/stdout" 2>"$dir/worker.log" &
  fi
  "$UNET_SHELL_DIR/unet-progress" --until 1 <"$dir/stdout" >"$dir/out" &
  pid=$!
  exec 3>"$dir/in"
  printf '%s\n' "$request" >&3
  trap 'echo "cancelling..." >&2; printf "%s\n" "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"cancel\",\"params\":{\"request\":1}}" >&3' INT TERM
  while :; do
    wait "$pid"
    status=$?
    if [ "$status" -gt 128 ] && kill -0 "$pid" 2>/dev/null; then continue; fi # a trapped signal
    break
  done
  trap - INT TERM
  exec 3>&-   # end of input: the worker exits once it has answered
  wait
  if [ "$status" = 1 ] && [ -s "$dir/worker.log" ]; then
    echo "unet-worker's messages:" >&2
    tail -n 20 "$dir/worker.log" | sed 's/^/  /' >&2
  fi
  UNET_RESPONSE=$(cat "$dir/out")
  rm -rf "$dir"
  return "$status"
}
