#!/usr/bin/env bash
# The 2017 milestone, shortened for CI: the full run (4,500 GPT steps, ~6 minutes on 2 cores) is
# `tito milestone run transformer`; here the GPT trains 300 steps, so the 1.30 bar is out of reach
# and the milestone reports "passed": false (exit 1). Everything else must hold: the JSON contract,
# the causality probe, reverse and copy > 95%, the GPT already below the bigram baseline, and the
# model file written for `tito generate`, which must load and generate.
# Usage: milestone_transformer_smoke.sh path/to/tito
tito=$1
out=$("$tito" milestone run transformer --epochs 300 --json 2>/dev/null)
rc=$?
last=$(printf '%s\n' "$out" | tail -n 1)
fail=0
metric() { printf '%s' "$last" | grep -Eo "\"$1\":[-0-9.e+]+" | cut -d: -f2; }
[ "$rc" = 1 ] || { echo "FAIL exit $rc, expected 1 (bar not reached in 300 steps)"; fail=1; }
printf '%s' "$last" | grep -q '^{"milestone":"transformer","passed":false,"metrics":{' || { echo "FAIL json: $last"; fail=1; }
awk_check() {  # awk_check NAME EXPR (with x = the metric)
  v=$(metric "$1")
  if [ -n "$v" ] && awk -v x="$v" "BEGIN { exit !($2) }"; then echo "ok   $1 = $v ($2)"; else echo "FAIL $1 = '$v' ($2)"; fail=1; fi
}
awk_check causality_probe "x == 1"
awk_check reverse_accuracy "x > 0.95"
awk_check copy_accuracy "x > 0.95"
awk_check train_steps "x == 300"
bigram=$(metric bigram_val_loss)
awk_check val_loss "x < $bigram"
awk_check bigram_val_loss "x > 2.2 && x < 2.45"
gen=$("$tito" generate --checkpoint runs/transformer/gpt.safetensors --prompt "And God" --tokens 20 --seed 1 2>/dev/null)
if [ "${gen:0:7}" = "And God" ] && [ "${#gen}" -ge 27 ]; then echo "ok   generate from the milestone's model"; else echo "FAIL generate: '$gen'"; fail=1; fi
exit $fail
