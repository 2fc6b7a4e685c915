#!/usr/bin/env bash
# Benchmarks `sfs lang` against Lua 5.4 on the Lox benchmark programs.
#
#   systems/lang/bench/run.sh [RUNS] [PROGRAM...]     (default: 3 runs of every program)
#
# For each program in the reference suite's benchmark/ folder ($SFS_CONFORMANCE/lox/benchmark or
# ../shared/conformance/lox/benchmark), runs our VM on the .lox file and Lua 5.4 on the port in
# bench/lua/, alternating, RUNS times each, and prints the best CPU time (user + sys) of each and
# the ratio ours / lua (below 1: we are faster). CPU time rather than wall time because the
# machine may be shared. zoo_batch runs for a fixed 10 s of CPU time and counts batches, so its
# "time" is seconds per 1000 batches.
#
# Installs lua5.4 (Debian) when missing, and builds the Release `sfs` binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
runs=${1:-3}
shift || true

if ! command -v lua5.4 >/dev/null; then
  echo "installing lua5.4..." >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  $sudo apt-get install -y lua5.4 >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y lua5.4 >/dev/null; }
fi
"$root/scripts/build" sfs >/dev/null
sfs="$root/build/sfs"

suite=${SFS_CONFORMANCE:-$root/../shared/conformance}/lox/benchmark
if [ ! -d "$suite" ]; then
  echo "no benchmark programs in $suite (see scripts/fetch-conformance)" >&2
  exit 1
fi

programs=("$@")
if [ ${#programs[@]} -eq 0 ]; then
  for f in "$suite"/*.lox; do programs+=("$(basename "$f" .lox)"); done
fi

# cpu_seconds CMD... : runs CMD (its stdout to $out), prints its user+sys CPU seconds.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cpu_seconds() {
  local TIMEFORMAT='%U %S'
  local t
  t=$( { time "$@" >"$out" 2>&1; } 2>&1 )
  awk '{ printf "%.3f", $1 + $2 }' <<<"$t"
}
# zoo_batch's score: its second-to-last line is the number of batches it ran in 10 s.
batches() { tail -2 "$out" | head -1; }

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }

printf "%-18s %10s %10s %10s\n" program "sfs (s)" "lua (s)" "sfs/lua"
for program in "${programs[@]}"; do
  lox="$suite/$program.lox"
  lua="$here/lua/$program.lua"
  [ -f "$lox" ] && [ -f "$lua" ] || { echo "skipping $program (no .lox or no .lua port)" >&2; continue; }
  best_ours=""
  best_lua=""
  for ((i = 0; i < runs; i++)); do
    if [ "$program" = zoo_batch ]; then
      cpu_seconds "$sfs" lang run "$lox" >/dev/null
      t=$(awk -v b="$(batches)" 'BEGIN { printf "%.3f", 10000 / b }')
      best_ours=$(min "$t" "$best_ours")
      cpu_seconds lua5.4 "$lua" >/dev/null
      t=$(awk -v b="$(batches)" 'BEGIN { printf "%.3f", 10000 / b }')
      best_lua=$(min "$t" "$best_lua")
    else
      best_ours=$(min "$(cpu_seconds "$sfs" lang run "$lox")" "$best_ours")
      best_lua=$(min "$(cpu_seconds lua5.4 "$lua")" "$best_lua")
    fi
  done
  ratio=$(awk -v a="$best_ours" -v b="$best_lua" 'BEGIN { printf "%.2f", a / b }')
  printf "%-18s %10s %10s %10s\n" "$program" "$best_ours" "$best_lua" "$ratio"
done
