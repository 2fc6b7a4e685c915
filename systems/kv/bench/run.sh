#!/usr/bin/env bash
# Benchmarks `sfs kv server` against Debian's redis-server, side by side, on this machine.
#
#   systems/kv/bench/run.sh [--quick] [--repeat N] [--requests N] [--keys N]
#
# Throughput: redis-benchmark with the same settings against both servers (50 clients, -P 1 and
# -P 16, the tests below, one test per run); each test is run --repeat times per server
# (alternating servers) and the best run counts, which filters out noise from other work on the
# machine. Prints requests/second for both and ours/redis (above 1.0: sfs kv is faster), and the
# CPU time each server spent on the run (from /proc/PID/stat; below 1.0: sfs kv did the same work
# with less CPU) — the steadier figure on a busy machine. LRANGE_100's run includes the LPUSH
# that redis-benchmark uses to fill the list.
# Memory: for each data type, a fresh server of each kind is loaded with 1,000,000 keys through
# `redis-cli --pipe`, then RSS (from /proc) and INFO's used_memory are read: ours/redis (below
# 1.0: sfs kv uses less).
#
# Installs redis-server and redis-tools with apt-get when they are missing (bench-only tools are
# the bench script's job, not the tests'). Servers bind 127.0.0.1 on free ports, persistence off,
# and are stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
tests="set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset"
repeat=3
requests=200000
keys=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) repeat=1; requests=50000; keys=100000 ;;
    --repeat) repeat=$2; shift ;;
    --requests) requests=$2; shift ;;
    --keys) keys=$2; shift ;;
    *) echo "usage: $0 [--quick] [--repeat N] [--requests N] [--keys N]" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v redis-benchmark >/dev/null || ! command -v redis-server >/dev/null; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  policy=/usr/sbin/policy-rc.d; made=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null; $sudo chmod +x "$policy"; made=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools >/dev/null
  if [ "$made" = 1 ]; then $sudo rm -f "$policy"; fi
fi
"$root/scripts/build" sfs >/dev/null
sfs="$root/build/sfs"

work=$(mktemp -d /tmp/sfs-kv-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do redis-cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }

# start_server KIND PORT: starts it in the background; its pid is left in $server_pid.
start_server() {
  local kind=$1 port=$2 dir="$work/$1-$2"
  mkdir -p "$dir"
  if [ "$kind" = redis ]; then
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
      --daemonize no >"$dir/log" 2>&1 &
  else
    "$sfs" kv server --port "$port" --save "" --dir "$dir" >"$dir/log" 2>&1 &
  fi
  server_pid=$!
  pids+=("$server_pid")
  wait_port "$port"
}
stop_server() { redis-cli -p "$1" SHUTDOWN NOSAVE >/dev/null 2>&1 || true; wait "$2" 2>/dev/null || true; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "redis:   $(redis-server --version | cut -d' ' -f3)   sfs: $("$sfs" version)"
echo

# ---- throughput
# Each test runs alone (so the server's CPU time can be charged to it), servers alternating.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
redis_port=$(free_port); start_server redis "$redis_port"; redis_pid=$server_pid
ours_port=$(free_port); start_server ours "$ours_port"; ours_pid=$server_pid
for pipeline in 1 16; do
  n=$requests
  [ "$pipeline" = 16 ] && n=$((requests * 5))
  : >"$work/results-$pipeline.csv"
  for r in $(seq "$repeat"); do
    for test in ${tests//,/ }; do
      for kind in redis ours; do
        port=$redis_port; pid=$redis_pid
        [ "$kind" = ours ] && { port=$ours_port; pid=$ours_pid; }
        redis-cli -p "$port" FLUSHALL >/dev/null
        before=$(cpu_ticks "$pid")
        redis-benchmark -p "$port" -c 50 -n "$n" -P "$pipeline" -t "$test" --csv 2>/dev/null |
          sed -n 's/^"\([^"]*\)","\([0-9.]*\)".*/\1,\2/p' | tail -1 >"$work/one.csv"
        after=$(cpu_ticks "$pid")
        echo "$kind,$(cat "$work/one.csv"),$((after - before))" >>"$work/results-$pipeline.csv"
      done
    done
  done
  python3 - "$work/results-$pipeline.csv" "$pipeline" "$n" "$(getconf CLK_TCK)" <<'PY'
import sys
rows = [line.strip().split(",") for line in open(sys.argv[1]) if line.count(",") >= 3]
p, n, hz = sys.argv[2], sys.argv[3], float(sys.argv[4])
rps, cpu, order = {}, {}, []
for kind, test, value, ticks in rows:
    if test not in order:
        order.append(test)
    key = (kind, test)
    rps[key] = max(rps.get(key, 0.0), float(value))
    cpu[key] = min(cpu.get(key, float("inf")), int(ticks) / hz)
print(f"redis-benchmark -c 50 -n {n} -P {p}: requests/second (best run) and the server's CPU seconds for the run (least)")
print(f"| {'test':<32} | {'redis rps':>10} | {'sfs kv rps':>10} | {'ours/redis':>10} | {'redis CPU s':>11} | {'sfs CPU s':>9} | {'CPU ours/redis':>14} |")
print(f"|{'-'*34}|{'-'*11}:|{'-'*11}:|{'-'*11}:|{'-'*12}:|{'-'*10}:|{'-'*15}:|")
for test in order:
    r, o = rps.get(("redis", test), 0), rps.get(("ours", test), 0)
    rc, oc = cpu.get(("redis", test), 0), cpu.get(("ours", test), 0)
    print(f"| {test:<32} | {r:>10.0f} | {o:>10.0f} | {o / r if r else 0:>10.2f} | {rc:>11.2f} | {oc:>9.2f} | {oc / rc if rc else 0:>14.2f} |")
print()
PY
done
stop_server "$redis_port" "$redis_pid"
stop_server "$ours_port" "$ours_pid"

# ---- memory
python3 - "$work" "$keys" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
gens = {
    "string": lambda i: cmd("SET", "key:%08d" % i, "value:%d" % i),
    "list": lambda i: cmd("RPUSH", "list:%08d" % i, "a", "b", "c"),
    "hash": lambda i: cmd("HSET", "hash:%08d" % i, "f1", "v1", "f2", "v2"),
    "set": lambda i: cmd("SADD", "set:%08d" % i, "m1", "m2", "m3"),
    "zset": lambda i: cmd("ZADD", "zset:%08d" % i, "1", "a", "2", "b", "3", "c"),
}
for name, gen in gens.items():
    with open(f"{work}/load-{name}.resp", "wb") as f:
        for i in range(n):
            f.write(gen(i))
PY
echo "memory after loading $keys keys of each type (fresh server per type; bytes)"
printf '| %-6s | %-36s | %12s | %12s | %10s |\n' type "load, measure" "redis 7.0" "sfs kv" ours/redis
printf '|%s|%s|%s|%s|%s|\n' "--------" "--------------------------------------" "-------------:" "-------------:" "-----------:"
describe() {
  case $1 in
    string) echo 'SET key:N value:N' ;; list) echo 'RPUSH list:N a b c' ;;
    hash) echo 'HSET hash:N f1 v1 f2 v2' ;; set) echo 'SADD set:N m1 m2 m3' ;;
    zset) echo 'ZADD zset:N 1 a 2 b 3 c' ;;
  esac
}
for type in string list hash set zset; do
  declare -A rss=() used=()
  for kind in redis ours; do
    port=$(free_port); start_server "$kind" "$port"; pid=$server_pid
    redis-cli -p "$port" --pipe <"$work/load-$type.resp" >/dev/null
    size=$(redis-cli -p "$port" DBSIZE)
    [ "$size" = "$keys" ] || { echo "$kind loaded $size keys, expected $keys" >&2; exit 1; }
    used[$kind]=$(redis-cli -p "$port" INFO memory | tr -d '\r' | sed -n 's/^used_memory://p')
    rss[$kind]=$(( $(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$pid/status") * 1024 ))
    stop_server "$port" "$pid"
  done
  python3 -c "
t='$type'; d='$(describe "$type")'
r_rss, o_rss, r_used, o_used = ${rss[redis]}, ${rss[ours]}, ${used[redis]}, ${used[ours]}
print(f'| {t:<6} | {d + \", RSS\":<36} | {r_rss:>12} | {o_rss:>12} | {o_rss / r_rss:>10.2f} |')
print(f'| {t:<6} | {d + \", used_memory\":<36} | {r_used:>12} | {o_used:>12} | {o_used / r_used:>10.2f} |')
"
  unset rss used
done
