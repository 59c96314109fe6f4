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
exit $fail
