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
exit $fail
