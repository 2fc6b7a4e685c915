#!/usr/bin/env bash
# Benchmarks `sfs kv server` against Debian's redis-server, side by side, on this machine.
#
#   systems/kv/bench/run.sh [--quick] [--repeat N] [--requests N] [--keys N]
#
# Throughput: redis-benchmark with the same settings against both servers (50 clients, -P 1 and
# -P 16, the tests below); each test is run --repeat times per server (alternating servers) and
# the best run counts, which filters out noise from other work on the machine. Prints
# requests/second for both and ours/redis (above 1.0: sfs kv is faster).
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
redis_port=$(free_port); start_server redis "$redis_port"; redis_pid=$server_pid
ours_port=$(free_port); start_server ours "$ours_port"; ours_pid=$server_pid
for pipeline in 1 16; do
  n=$requests
  [ "$pipeline" = 16 ] && n=$((requests * 5))
  for kind in redis ours; do : >"$work/$kind-$pipeline.csv"; done
  for r in $(seq "$repeat"); do
    for kind in redis ours; do
      port=$redis_port; [ "$kind" = ours ] && port=$ours_port
      redis-cli -p "$port" FLUSHALL >/dev/null
      redis-benchmark -p "$port" -c 50 -n "$n" -P "$pipeline" -t "$tests" --csv 2>/dev/null \
        >>"$work/$kind-$pipeline.csv"
    done
  done
  python3 - "$work/redis-$pipeline.csv" "$work/ours-$pipeline.csv" "$pipeline" "$n" <<'PY'
import csv, sys
def best(path):
    out = {}
    for row in csv.reader(open(path)):
        if not row or row[0] == "test":
            continue
        out[row[0]] = max(out.get(row[0], 0.0), float(row[1]))
    return out
redis, ours, p, n = best(sys.argv[1]), best(sys.argv[2]), sys.argv[3], sys.argv[4]
print(f"redis-benchmark -c 50 -n {n} -P {p}  (requests/second, best of the runs)")
print(f"| {'test':<34} | {'redis 7.0':>12} | {'sfs kv':>12} | {'ours/redis':>10} |")
print(f"|{'-'*36}|{'-'*13}:|{'-'*13}:|{'-'*11}:|")
for test in redis:
    r, o = redis[test], ours.get(test, 0.0)
    print(f"| {test:<34} | {r:>12.0f} | {o:>12.0f} | {o / r if r else 0:>10.2f} |")
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
