#!/usr/bin/env bash
# Tests of the Slurm job array scripts on a real single-node Slurm cluster (Debian's slurm-wlm and
# munge, started by local-cluster.sh), against the real worker named by UNET_WORKER: the array's
# outputs are byte-identical to one `segment` request over the same files, a task run by hand
# does exactly its share, a re-submission skips what is complete, and a task killed mid-way
# (SIGKILL) leaves only complete outputs and is finished by re-submitting it alone.
# Run by `make -C Plugins test-slurm` (root; UNET_REQUIRE_SLURM=1 turns a missing Slurm into a failure).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UNET_WORKER:?set UNET_WORKER to the built unet-worker}"
[ -x "$UNET_WORKER" ] || { echo "Bail out! no worker at $UNET_WORKER (make build)"; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || [ "$(id -u)" != 0 ]; then
  if [ "${UNET_REQUIRE_SLURM:-0}" = 1 ]; then echo "Bail out! needs root, slurm-wlm and munge (make -C Plugins deps)"; exit 2; fi
  echo "1..0 # SKIP needs root, slurm-wlm and munge"; exit 0
fi
work=$(mktemp -d /tmp/unet-slurm-test.XXXXXX)
cluster=$work/cluster
trap '"$here/tests/local-cluster.sh" stop "$cluster"; rm -rf "$work"' EXIT
"$here/tests/local-cluster.sh" start "$cluster" >"$work/cluster.out" 2>&1 \
  || { echo "Bail out! the local Slurm cluster did not start"; sed 's/^/#   /' "$work/cluster.out"; exit 2; }
export SLURM_CONF=$cluster/slurm.conf
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_CPUS_PER_TASK UNET_ARRAY_TASKS
count=0
failures=0
ok() { count=$((count + 1)); echo "ok $count - $1"; }
fail() { count=$((count + 1)); failures=$((failures + 1)); echo "not ok $count - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

# generate KIND_SEED FOLDER COUNT SIZE: synthetic nuclei images (no labels) in FOLDER.
generate() {
  jq -nc --arg dir "$work/gen$1" --argjson seed "$1" --argjson count "$3" --argjson size "$4" \
    '{jsonrpc:"2.0",id:1,method:"generate",params:{kind:"nuclei",output_dir:$dir,count:$count,width:$size,height:$size,seed:$seed}}' \
    | "$UNET_WORKER" >/dev/null 2>&1
  mkdir -p "$2"; cp "$work/gen$1"/*[0-9].tif "$2"/
}
# segment_once FOLDER OUT [TTA]: the reference, one `segment` request over the folder's TIFFs.
segment_once() {
  local images
  images=$(find "$1" -maxdepth 1 -name '*.tif' | LC_ALL=C sort | jq -R . | jq -sc .)
  jq -nc --arg model "$work/tiny.unet" --argjson images "$images" --arg out "$2" --argjson tta "${3:-false}" \
    '{jsonrpc:"2.0",id:1,method:"segment",params:{model:$model,images:$images,output_dir:$out,tta:$tta}}' \
    | "$UNET_WORKER" 2>/dev/null | jq -e 'select(.id == 1) | .result' >/dev/null
}
# wait_job JOB: until Slurm has no task of JOB pending or running (at most 300 s).
wait_job() {
  local _
  for _ in $(seq 1500); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 0.2; done
  return 1
}
# same_files REF OUT [NAMES...]: OUT holds byte-identical copies of REF's outputs (all, or NAMES).
same_files() {
  local ref=$1 out=$2 file; shift 2
  if [ $# = 0 ]; then set -- $(cd "$ref" && ls); fi
  for file in "$@"; do cmp -s "$ref/$file" "$out/$file" || { echo "# differs or missing: $file"; return 1; }; done
}
# share N I FOLDER: the image stems of share I (0-based) of N, by the documented rule.
share() { ls "$3" | LC_ALL=C sort | awk -v n="$1" -v i="$2" '(NR - 1) % n == i { sub(/\.tif$/, ""); print }'; }
outputs_of() { local stem; for stem in "$@"; do printf '%s\n' "${stem}_instances.tif" "${stem}_mask.tif" "${stem}_probabilities.tif"; done; }

generate 3 "$work/images" 10 96
jq -nc --arg dir "$work/gen3" --arg model "$work/tiny.unet" \
  '{jsonrpc:"2.0",id:1,method:"train",params:{images:[$dir+"/nuclei_3_0.tif"],labels:[$dir+"/nuclei_3_0_labels.tif"],model_out:$model,iterations:3,config:{base_channels:4,depth:2}}}' \
  | "$UNET_WORKER" >/dev/null 2>&1
check "a tiny model is trained" [ -s "$work/tiny.unet" ]
segment_once "$work/images" "$work/ref"
check "the reference segment request writes 30 outputs" [ "$(ls "$work/ref" | wc -l)" = 30 ]

# --- an array of 4 tasks over 10 images ----------------------------------------------------------
mkdir -p "$work/logs"
job=$(cd "$work/logs" && "$here/unet-submit-segment" --tasks 4 --cpus 1 --mem 400M "$work/tiny.unet" "$work/images" "$work/array" 2>"$work/submit.err")
check "unet-submit-segment prints the job id" [ -n "$job" ]
check "the array finishes" wait_job "$job"
check "the array's outputs are byte-identical to one segment request" same_files "$work/ref" "$work/array"
check "the array wrote nothing else" [ "$(ls -A "$work/array" | wc -l)" = 30 ]
check "each of the 4 tasks logs a summary" [ "$(cat "$work/logs"/unet-segment-"$job"_*.log | grep -c '^summary: ')" = 4 ]
segmented=$(cat "$work/logs"/unet-segment-"$job"_*.log | sed -n 's/^summary: .*), \([0-9]*\) segmented.*/\1/p' | awk '{ s += $1 } END { print s }')
check "the tasks segmented 10 images together" [ "$segmented" = 10 ]
check "task 0 ran with its 1 CPU (--threads 1)" grep -qE '^unet-segment-array: task 0 of 4 on .*, 1 CPUs$' "$work/logs/unet-segment-${job}_0.log"

# --- one task by hand, with the variables Slurm would set --------------------------------------
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 SLURM_CPUS_PER_TASK=1 \
  "$here/unet-segment-array" "$work/tiny.unet" "$work/images" "$work/hand" >/dev/null 2>"$work/hand.err"
check "task 2 run by hand succeeds" [ $? = 0 ]
mapfile -t expected < <(outputs_of $(share 4 2 "$work/images"))
check "task 2 writes exactly its share (images 3 and 7 of 10)" [ "$(ls "$work/hand" | tr '\n' ' ')" = "${expected[*]} " ]
check "its outputs are the reference's" same_files "$work/ref" "$work/hand" "${expected[@]}"
SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_COUNT=4 "$here/unet-segment-array" "$work/tiny.unet" "$work/images" "$work/bad" \
  >/dev/null 2>"$work/badid.err"
badid_status=$?
check "a task id beyond the count exits 2" [ "$badid_status" = 2 ]
check "and says that array ids start at 0" grep -qF "array ids start at 0" "$work/badid.err"

# --- re-submitting skips the complete outputs ----------------------------------------------------
before=$(stat -c '%n %Y' "$work/array"/* | md5sum)
job2=$(cd "$work/logs" && "$here/unet-submit-segment" --tasks 4 --cpus 1 --mem 400M "$work/tiny.unet" "$work/images" "$work/array" 2>/dev/null)
wait_job "$job2"
check "a re-submitted array skips every complete image" \
  [ "$(cat "$work/logs"/unet-segment-"$job2"_*.log | grep -c ', 0 segmented, [0-9]* skipped (done), 0 failed')" = 4 ]
check "and rewrites nothing" [ "$(stat -c '%n %Y' "$work/array"/* | md5sum)" = "$before" ]

# --- SIGKILL of one task mid-way, then re-submitting that task alone -----------------------------
generate 5 "$work/slow" 24 256
segment_once "$work/slow" "$work/slowref" true
mapfile -t share1 < <(share 2 1 "$work/slow")
job3=$(cd "$work/logs" && "$here/unet-submit-segment" --tasks 2 --cpus 1 --mem 400M --tta "$work/tiny.unet" "$work/slow" "$work/killed" 2>/dev/null)
killed=0
for _ in $(seq 600); do
  if [ -f "$work/killed/${share1[0]}_probabilities.tif" ] || [ -f "$work/killed/${share1[1]}_probabilities.tif" ]; then
    scancel --signal=KILL --full "${job3}_1" && killed=1; break
  fi
  sleep 0.05
done
wait_job "$job3"
check "task 1 was killed with SIGKILL while it worked" [ "$killed" = 1 ]
done_after_kill=0
complete=1
for stem in "${share1[@]}"; do
  for file in $(outputs_of "$stem"); do
    if [ -f "$work/killed/$file" ]; then
      done_after_kill=$((done_after_kill + 1)); cmp -s "$work/slowref/$file" "$work/killed/$file" || complete=0
    fi
  done
done
echo "# task 1 had written $done_after_kill of its $(( ${#share1[@]} * 3 )) outputs when it was killed"
check "the killed task stopped mid-way" [ "$done_after_kill" -lt $(( ${#share1[@]} * 3 )) ]
check "every output it left is complete (identical to the reference)" [ "$complete" = 1 ]
job4=$(cd "$work/logs" && "$here/unet-submit-segment" --tasks 2 --only 1 --cpus 1 --mem 400M --tta "$work/tiny.unet" "$work/slow" "$work/killed" 2>/dev/null)
wait_job "$job4"
check "task 1 re-submitted alone (--only 1) finishes its share" same_files "$work/slowref" "$work/killed"
check "it skipped what the killed run had completed" \
  grep -qE "^summary: 12 images \(shard 2/2\), [0-9]+ segmented, [0-9]+ skipped" "$work/logs/unet-segment-${job4}_1.log"
check "no temporary file is left" [ -z "$(find "$work/killed" -name '*.tmp')" ]
check "the output folder holds exactly the 72 outputs" [ "$(ls -A "$work/killed" | wc -l)" = 72 ]

echo "1..$count"
[ "$failures" = 0 ] || { echo "# slurm tests: $failures failed"; exit 1; }
echo "# all $count slurm tests passed"
