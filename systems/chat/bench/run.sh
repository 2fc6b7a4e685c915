#!/usr/bin/env bash
# Benchmark: `sfs chat server` against ngircd (Debian), side by side in one run.
#
#   systems/chat/bench/run.sh              # 1,000 and 10,000 clients
#   systems/chat/bench/run.sh 2000         # other sizes
#
# For each size and each server: start the server on a free 127.0.0.1 port, then chat_load
# (bench/chat_load.cc) connects N clients that all join one channel, measures the server's RSS
# growth per idle client, the fan-out throughput (100 senders x 20 messages at once, every
# message delivered to the N-1 others), and the delivery latency p50/p99 at a paced load of about
# 50,000 deliveries per second. Both servers run with their flood control on: ours with its
# defaults (a burst of 100 lines, then 20 lines/s), ngircd with penalties off (MaxPenaltyTime = 0)
# so its per-command penalty does not slow the senders down. Clients register 10 at a time:
# ngircd listens with a backlog of 10, and a full accept queue makes Linux drop handshakes.
#
# Everything listens on 127.0.0.1 only; every process started here is stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

# 10,000 clients need 10,000 descriptors on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10100 ]; then
  echo "bench: ulimit -n is $(ulimit -n); 10,000 clients need more (raise the hard limit)" >&2
fi

if ! command -v ngircd >/dev/null && [ ! -x /usr/sbin/ngircd ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "bench: installing ngircd" >&2
  # Keep the package's own service from starting: we run our own copy on a free port.
  policy=/usr/sbin/policy-rc.d; made=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null; $sudo chmod +x "$policy"; made=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ngircd >/dev/null
  [ "$made" = 0 ] || $sudo rm -f "$policy"
fi
ngircd=$(command -v ngircd || echo /usr/sbin/ngircd)

build=$root/build-bench
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSFS_BENCH=ON -DSFS_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target sfs chat_load >/dev/null
load=$build/bench/chat_load

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  for _ in $(seq 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "bench: no free port" >&2; exit 1
}

wait_port() {
  for _ in $(seq 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "bench: server did not listen on $1:" >&2
  cat "$work"/*.log >&2
  exit 1
}

start_server() {  # name port
  case "$1" in
    sfs)
      "$build/sfs" chat server --port "$2" --log warn >"$work/sfs.log" 2>&1 &
      ;;
    ngircd)
      cat >"$work/ngircd.conf" <<EOF
[Global]
Name = ngircd.bench
Info = benchmark peer
Listen = 127.0.0.1
Ports = $2
MotdPhrase = bench
PidFile = $work/ngircd.pid
[Limits]
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 30
MaxPenaltyTime = 0
PingTimeout = 600
PongTimeout = 600
[Options]
DNS = no
Ident = no
PAM = no
EOF
      "$ngircd" -n -f "$work/ngircd.conf" >"$work/ngircd.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  wait_port "$2"
}

stop_server() {  # SIGTERM; SIGKILL after 20 s (a server still digesting 10,000 QUITs)
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

declare -A result
for n in "${sizes[@]}"; do
  for name in sfs ngircd; do
    port=$(free_port)
    start_server "$name" "$port"
    echo "bench: $name, $n clients (port $port)..." >&2
    if ! "$load" --port "$port" --clients "$n" --server-pid "$server_pid" --inflight 10 --senders 100 --burst 20 \
         --latency-load 50000 --latency-seconds 3 --idle-seconds 5 --setup-limit 300 >"$work/$name-$n.out" 2>"$work/$name-$n.err"; then
      echo "bench: chat_load failed against $name with $n clients:" >&2
      cat "$work/$name-$n.err" >&2
    fi
    stop_server
    while read -r key value; do result[$name-$n-$key]=$value; done <"$work/$name-$n.out"
  done
done

get() { echo "${result[$1]:-n/a}"; }
ratio() {  # higher-is-better ratio ours/theirs
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f", a / b }'
}
inverse_ratio() {  # lower-is-better: theirs/ours
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a == 0) print "n/a"; else printf "%.2f", b / a }'
}

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "ngircd: $("$ngircd" --version 2>/dev/null | head -1 | cut -d- -f1)"
echo
printf '| %-8s | %-34s | %14s | %14s | %12s |\n' clients metric "sfs chat" ngircd "ratio"
printf '|%s|%s|%s|%s|%s|\n' ---------- ------------------------------------ ---------------- ---------------- --------------
for n in "${sizes[@]}"; do
  a=$(get "sfs-$n-deliveries_per_second"); b=$(get "ngircd-$n-deliveries_per_second")
  printf '| %-8s | %-34s | %14s | %14s | %12s |\n' "$n" "fan-out deliveries/s" "$a" "$b" "$(ratio "$a" "$b")"
  a=$(get "sfs-$n-messages_per_second"); b=$(get "ngircd-$n-messages_per_second")
  printf '| %-8s | %-34s | %14s | %14s | %12s |\n' "$n" "channel messages/s" "$a" "$b" "$(ratio "$a" "$b")"
  a=$(get "sfs-$n-latency_p50_ms"); b=$(get "ngircd-$n-latency_p50_ms")
  printf '| %-8s | %-34s | %14s | %14s | %12s |\n' "$n" "delivery latency p50 (ms)" "$a" "$b" "$(inverse_ratio "$a" "$b")"
  a=$(get "sfs-$n-latency_p99_ms"); b=$(get "ngircd-$n-latency_p99_ms")
  printf '| %-8s | %-34s | %14s | %14s | %12s |\n' "$n" "delivery latency p99 (ms)" "$a" "$b" "$(inverse_ratio "$a" "$b")"
  a=$(get "sfs-$n-bytes_per_idle_client"); b=$(get "ngircd-$n-bytes_per_idle_client")
  printf '| %-8s | %-34s | %14s | %14s | %12s |\n' "$n" "memory per idle client (bytes)" "$a" "$b" "$(inverse_ratio "$a" "$b")"
  a=$(get "sfs-$n-setup_seconds"); b=$(get "ngircd-$n-setup_seconds")
  r=$(inverse_ratio "$a" "$b")
  for side in sfs ngircd; do
    if [ "$(get "$side-$n-setup_incomplete")" != n/a ]; then
      note="> $(get "$side-$n-setup_limit_seconds") ($(get "$side-$n-setup_incomplete") joined)"
      if [ $side = sfs ]; then a=$note; else b=$note; fi
      r=n/a
    fi
  done
  printf '| %-8s | %-34s | %14s | %14s | %12s |\n' "$n" "connect + join all (s)" "$a" "$b" "$r"
done
echo
echo "ratio > 1 means sfs chat is better (higher throughput, lower latency, less memory, faster setup)."
