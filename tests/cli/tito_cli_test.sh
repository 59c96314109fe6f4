#!/usr/bin/env bash
# CLI contract of build/tito: exit codes (0 ok, 1 failed/error, 2 bad arguments), --json last line,
# and the fast milestones passing. Usage: tito_cli_test.sh path/to/tito
set -u
tito="$1"
fail=0
check() {  # check NAME EXPECTED_RC CMD...
  local name=$1 want=$2
  shift 2
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"
    echo "$out" | tail -5
    fail=1
  else
    echo "ok   $name"
  fi
}
check "no subcommand is a usage error" 2 "$tito"
check "unknown subcommand is a usage error" 2 "$tito" frobnicate
check "milestone run without a name" 2 "$tito" milestone run
check "negative epochs" 2 "$tito" milestone run xor --epochs -3
check "non-numeric seed" 2 "$tito" milestone run xor --seed abc
check "unknown milestone" 2 "$tito" milestone run nonesuch
check "unknown data set" 2 "$tito" data fetch cifar100
check "unknown bench suite" 2 "$tito" bench nonesuch
check "gemm-ladder rejects a bad TT_LADDER_N" 1 env TT_LADDER_N=12x "$tito" bench gemm-ladder
check "info" 0 "$tito" info
check "milestone list" 0 "$tito" milestone list
# --json: the last stdout line is one JSON object with the documented keys.
for m in perceptron xor; do
  last=$("$tito" milestone run "$m" --json 2>/dev/null | tail -n 1)
  rc=${PIPESTATUS[0]}
  if ! printf '%s' "$last" | grep -q "^{\"milestone\":\"$m\",\"passed\":true,\"metrics\":{.*},\"seconds\":[0-9.e+-]*}$"; then
    echo "FAIL milestone $m --json last line: $last (exit $rc)"
    fail=1
  else
    echo "ok   milestone $m --json"
  fi
done
last=$("$tito" info --json | tail -n 1)
printf '%s' "$last" | grep -q '"version"' && echo "ok   info --json" || { echo "FAIL info --json: $last"; fail=1; }
# hw: probe (quick, never touching the user's cache), show, and their errors.
hwdir=$(mktemp -d)
trap 'rm -rf "$hwdir"' EXIT
check "hw without a subcommand" 2 "$tito" hw
check "hw probe --threads 0" 2 "$tito" hw probe --threads 0
check "hw probe --seconds 0" 2 "$tito" hw probe --seconds 0
check "hw probe unknown flag" 2 "$tito" hw probe --frobnicate
num='[0-9.e+-]+'
hw_json="^\\{\"cpu\":\"[^\"]+\",\"isa\":\"(avx512|avx2|scalar)\",\"threads\":[0-9]+,\"peak_gflops_1\":$num,\"peak_gflops_all\":$num,\"triad_gbs_1\":$num,\"triad_gbs_all\":$num,\"ridge_1\":$num,\"ridge_all\":$num,\"measured_at\":\"[0-9T:Z-]+\",\"cache\":"
last=$(TT_HW_CACHE="$hwdir/nosave.json" "$tito" hw probe --seconds 0.02 --no-save --json 2>/dev/null | tail -n 1)
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && printf '%s' "$last" | grep -Eq "${hw_json}null\\}$" && [ ! -e "$hwdir/nosave.json" ]; then
  echo "ok   hw probe --no-save --json"
else
  echo "FAIL hw probe --no-save --json: exit $rc, last line: $last"
  fail=1
fi
check "hw probe --threads 1 saves" 0 env TT_HW_CACHE="$hwdir/hw.json" "$tito" hw probe --seconds 0.02 --threads 1
last=$(TT_HW_CACHE="$hwdir/hw.json" "$tito" hw show --json | tail -n 1)
if printf '%s' "$last" | grep -Eq "${hw_json}\"$hwdir/hw.json\"\\}$" && printf '%s' "$last" | grep -q '"threads":1,'; then
  echo "ok   hw show --json reads what probe saved"
else
  echo "FAIL hw show --json: $last"
  fail=1
fi
check "hw show without a cache" 1 env TT_HW_CACHE="$hwdir/none.json" "$tito" hw show
printf '%s' "$out" | grep -q "tito hw probe" || { echo "FAIL hw show without a cache: no hint: $out"; fail=1; }
printf '{"version": 1, "cpu": ' >"$hwdir/corrupt.json"
check "hw show with a corrupt cache" 1 env TT_HW_CACHE="$hwdir/corrupt.json" "$tito" hw show
printf '%s' "$out" | grep -q "$hwdir/corrupt.json" || { echo "FAIL hw show corrupt: file not named: $out"; fail=1; }
# tokenizer: train (char, bpe) on a small file, encode/decode round trip, bad files and arguments.
tokdir=$(mktemp -d)
trap 'rm -rf "$hwdir" "$tokdir"' EXIT
printf 'In the beginning God created the heaven and the earth.\nAnd the earth was without form.<|endoftext|>\n' >"$tokdir/corpus.txt"
check "tokenizer train bpe" 0 "$tito" tokenizer train --corpus "$tokdir/corpus.txt" --type bpe --vocab 300 --special '<|endoftext|>' --out "$tokdir/bpe.tok"
check "tokenizer train char" 0 "$tito" tokenizer train --corpus "$tokdir/corpus.txt" --type char --out "$tokdir/char.tok"
for kind in bpe char; do
  text='the heaven and the earth<|endoftext|>'
  ids=$("$tito" tokenizer encode --tokenizer "$tokdir/$kind.tok" --text "$text")
  back=$("$tito" tokenizer decode --tokenizer "$tokdir/$kind.tok" --ids "$ids")
  if [ -n "$ids" ] && [ "$back" = "$text" ]; then echo "ok   tokenizer $kind encode/decode round trip"; else echo "FAIL tokenizer $kind round trip: ids '$ids' -> '$back'"; fail=1; fi
done
check "tokenizer train bpe without --vocab" 2 "$tito" tokenizer train --corpus "$tokdir/corpus.txt" --type bpe --out "$tokdir/x.tok"
check "tokenizer train unknown type" 2 "$tito" tokenizer train --corpus "$tokdir/corpus.txt" --type wordpiece --out "$tokdir/x.tok"
check "tokenizer decode non-numeric ids" 2 "$tito" tokenizer decode --tokenizer "$tokdir/char.tok" --ids "1 two"
check "tokenizer decode out-of-range id" 1 "$tito" tokenizer decode --tokenizer "$tokdir/char.tok" --ids "0 99999"
printf 'tinytorch-tokenizer 1 bpe\npretokenizer gpt2-like-v1\nvocab_size 257\nmerges 1\nspecial_tokens 0\nmerge 97 300 zz\nend\n' >"$tokdir/bad.tok"
check "tokenizer encode with a malformed file" 1 "$tito" tokenizer encode --tokenizer "$tokdir/bad.tok" --text hi
printf '%s' "$out" | grep -q "$tokdir/bad.tok, line 6: merge 0 references unknown id 300" || { echo "FAIL malformed tokenizer file: message: $out"; fail=1; }
# gpt train + generate: a tiny model on the tokenizer corpus; inside the context (8) generation
# with and without the KV cache must give the same text for the same seed.
for i in 1 2 3 4 5 6 7 8; do cat "$tokdir/corpus.txt"; done >"$tokdir/gpt.txt"
check "gpt train" 0 "$tito" gpt train --corpus "$tokdir/gpt.txt" --out "$tokdir/gpt.safetensors" --steps 4 --batch 2 --context 8 --d-model 16 --layers 1 --heads 2
g1=$("$tito" generate --checkpoint "$tokdir/gpt.safetensors" --prompt "the " --tokens 4 --seed 3 2>/dev/null)
g2=$("$tito" generate --checkpoint "$tokdir/gpt.safetensors" --prompt "the " --tokens 4 --seed 3 --no-cache 2>/dev/null)
if [ "${#g1}" -ge 8 ] && [ "${g1:0:4}" = "the " ] && [ "$g1" = "$g2" ]; then echo "ok   generate (cache = no cache, seeded)"; else echo "FAIL generate: '$g1' vs '$g2'"; fail=1; fi
check "generate without --prompt" 2 "$tito" generate --checkpoint "$tokdir/gpt.safetensors"
check "generate with --top-p 0" 2 "$tito" generate --checkpoint "$tokdir/gpt.safetensors" --prompt a --top-p 0
check "generate from a non-model file" 1 "$tito" generate --checkpoint "$tokdir/corpus.txt" --prompt a
printf '%s' "$out" | grep -q "$tokdir/corpus.txt" || { echo "FAIL generate non-model: file not named: $out"; fail=1; }
check "generate with a symbol outside the vocabulary" 1 "$tito" generate --checkpoint "$tokdir/gpt.safetensors" --prompt "Zq"
check "generate from a tokenizer file" 1 "$tito" generate --checkpoint "$tokdir/char.tok" --prompt a
# profile: tables, --json, a trace that parses and an SVG, for a milestone model and a saved GPT.
export TT_HW_CACHE="$hwdir/hw.json"  # the 1-thread ceilings probed above: no re-probe
last=$("$tito" profile mlp --train --steps 1 --warmup 1 --threads 1 --trace "$tokdir/t.json" --svg "$tokdir/r.svg" --json 2>/dev/null | tail -n 1)
if python3 -c 'import json,sys; j=json.loads(sys.argv[1]); t=json.load(open(sys.argv[2])); assert j["model"]=="mlp" and j["ops"] and j["modules"] and j["memory"]["peak"]>0 and j["summary"]["step_us"]>0; assert any(e["ph"]=="X" for e in t["traceEvents"])' "$last" "$tokdir/t.json" &&
   head -c 200 "$tokdir/r.svg" | grep -q "<svg"; then
  echo "ok   profile mlp --train --json --trace --svg"
else
  echo "FAIL profile mlp: last line $last"
  fail=1
fi
check "profile cnn inference" 0 "$tito" profile cnn --steps 1 --warmup 0 --threads 1 --batch 4
check "profile a saved GPT" 0 "$tito" profile "$tokdir/gpt.safetensors" --train --steps 1 --warmup 0 --threads 1
check "profile an unknown model" 1 "$tito" profile nonesuch
printf '%s' "$out" | grep -q 'unknown model "nonesuch"' || { echo "FAIL profile unknown: message: $out"; fail=1; }
check "profile gpt beyond its context" 1 "$tito" profile gpt --seq 1000 --threads 1
check "profile a non-model file" 1 "$tito" profile "$tokdir/corpus.txt"
printf '%s' "$out" | grep -q "$tokdir/corpus.txt" || { echo "FAIL profile non-model: file not named: $out"; fail=1; }
check "profile --steps 0" 2 "$tito" profile mlp --steps 0
check "profile mlp with missing weights" 1 "$tito" profile mlp --weights "$tokdir/none.ckpt"
printf '%s' "$out" | grep -q "$tokdir/none.ckpt" || { echo "FAIL profile --weights: file not named: $out"; fail=1; }
# sim: the registry, the reference's golden value through the CLI, our traced models, scenarios
# (exit 3 when a check fails), sweeps with their SVG, and validate's --json contract.
root=$(cd "$(dirname "$0")/../.." && pwd)
last=$("$tito" sim devices --json 2>/dev/null | tail -n 1)
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert len([d for d in j["devices"] if d["category"]!="host"])>=40' "$last" \
  && echo "ok   sim devices --json (>= 40 devices)" || { echo "FAIL sim devices --json"; fail=1; }
check "sim models" 0 "$tito" sim models
last=$("$tito" sim eval ResNet-50 A100 --compat --json 2>/dev/null | tail -n 1)
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert abs(j["latency_s"]*1e3-0.5675641025641026)<1e-9 and j["bottleneck"]=="compute"' "$last" \
  && echo "ok   sim eval ResNet-50 A100 --compat (0.5676 ms)" || { echo "FAIL sim eval compat: $last"; fail=1; }
check "sim eval a zoo LLM training step with an SVG" 0 "$tito" sim eval Llama-3-8B H100 --train --svg "$tokdir/sim.svg"
head -c 300 "$tokdir/sim.svg" | grep -q "<svg" || { echo "FAIL sim eval --svg: no SVG"; fail=1; }
check "sim eval our traced cnn on a microcontroller" 0 "$tito" sim eval cnn ESP32-S3 --batch 1
check "sim eval our traced mlp" 0 "$tito" sim eval mlp H100 --train
check "sim eval an unknown device" 1 "$tito" sim eval mlp H1000
printf '%s' "$out" | grep -q "H1000" || { echo "FAIL sim unknown device not named: $out"; fail=1; }
check "sim eval a bad precision" 1 "$tito" sim eval Llama-3-8B H100 --precision fp12
check "sim eval --efficiency 0" 2 "$tito" sim eval Llama-3-8B H100 --efficiency 0
check "sim serve" 0 "$tito" sim serve Llama-3-8B H100 --draft GPT-2-Small
check "sim memory with the stack SVG" 0 "$tito" sim memory Llama-3-8B H100 --dp 8 --svg "$tokdir/mem.svg"
check "sim sweep devices" 0 "$tito" sim sweep ResNet-50 --category edge --batch 1,8
check "sim sweep a cluster with the SVG" 0 "$tito" sim sweep Llama-3-8B --cluster Research_256 --svg "$tokdir/par.svg"
head -c 300 "$tokdir/par.svg" | grep -q "<svg" || { echo "FAIL sim sweep --svg: no SVG"; fail=1; }
check "sim scenario (passes)" 0 "$tito" sim scenario "$root/examples/sim/chatbot_h100.json"
check "sim scenario (reference golden)" 0 "$tito" sim scenario "$root/examples/sim/research_256_llama.json"
printf '{"workload": {"model": "Llama-3-8B", "mode": "serving"}, "system": {"device": "H100"}, "sla": {"ttft_ms": 1}}' > "$tokdir/fail.json"
check "sim scenario with a failing SLA exits 3" 3 "$tito" sim scenario "$tokdir/fail.json"
printf '{"workload": {"model": "Llama-3-8B"}, "system": {"device": "H100"}, "sla": {"ttft": 1}}' > "$tokdir/bad.json"
check "sim scenario with an unknown field" 1 "$tito" sim scenario "$tokdir/bad.json"
printf '%s' "$out" | grep -q "sla.ttft" || { echo "FAIL sim scenario bad field not named: $out"; fail=1; }
last=$("$tito" sim validate --steps 1 --warmup 1 --rounds 1 --json 2>/dev/null | tail -n 1)
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert list(j)[:2]==["median_abs_error","ops"] and 0<=j["median_abs_error"] and len(j["ops"])>20' "$last" \
  && echo "ok   sim validate --json" || { echo "FAIL sim validate --json: ${last:0:200}"; fail=1; }
exit $fail
