# Turns the worker's stdout into a text progress bar (one line, redrawn) plus its answers.
#
#   printf '%s\n' "$request" | unet-worker | jq --unbuffered -rj -f progress-bar.jq
#
# Progress notifications redraw the bar in place (\r); every response is printed as one JSON
# line after it, so the last line of output is the answer (select it with `tail -n 1`).
# With `--arg answers hide` responses only end the bar's line (for scripts that read the
# answers themselves, as segment-folder.sh does).

def bar($done; $total):
  (if $total > 0 then ($done * 30 / $total | floor) else 0 end) as $filled
  | "[" + ("#" * $filled) + ("." * (30 - $filled)) + "]";

def seconds: if . == null then "" else " eta \(. | floor)s" end;

if .method == "progress" then
  .params as $p
  | "\r\(bar($p.done; $p.total)) \($p.stage) \($p.done)/\($p.total)"
    + (if $p.loss != null then " loss \($p.loss * 1000 | round / 1000)" else "" end)
    + ($p.eta_s | seconds) + "    "
elif .method == "log" then
  "\r\(.params.level): \(.params.message)\n"
elif ($ARGS.named.answers // "show") == "hide" then
  "\n"
else
  "\n" + tojson + "\n"
end
