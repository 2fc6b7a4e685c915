#!/usr/bin/env bash
# Benchmarks `sfs http` against nginx on this machine, side by side, with wrk.
#
#   systems/http/bench/bench.sh [DURATION_SECONDS] [ROUNDS]     (defaults: 10 s, 3 rounds)
#
# Rows: a 1 KiB and a 100 KiB static file, and the todo API's GET route against an nginx
# `return 200` location with a body of the same size — each with 100 and 1,000 connections.
# Both servers are single-threaded (nginx: 1 worker process, access log off, sendfile on,
# keep-alive; ours: access log off) and run at the same time on 127.0.0.1; wrk uses one thread.
# Then it holds 10,000 idle keep-alive connections (each has made one request) to each server and
# reports the resident memory each server gained per connection.
#
# Prints one table: requests/s and p99 latency for each, and the ratios ours/nginx. Each row is
# measured ROUNDS times, alternating ours and nginx, and the median of each is reported, so a
# burst of other load on the machine does not land on one server only.
# Installs wrk and nginx with apt-get when missing (sudo when not root). Everything it starts is
# stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
duration=${1:-10}
rounds=${2:-3}

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
need=()
command -v wrk >/dev/null || need+=(wrk)
{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || need+=(nginx)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  # Keep the nginx package from starting its system service: we start our own copy.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    made_policy=1
  fi
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [ "$made_policy" = 1 ]; then $sudo rm -f "$policy"; fi
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

"$root/scripts/build" sfs >/dev/null
sfs="$root/build/sfs"

ulimit -n "$(ulimit -Hn)"  # 10,000 connections need more descriptors than the default
work=$(mktemp -d /tmp/sfs-http-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
  for _ in $(seq 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "bench: nothing listening on port $1" >&2
  exit 1
}

mkdir -p "$work/www" "$work/tmp"
head -c 1024 /dev/urandom >"$work/www/1k.bin"
head -c 102400 /dev/urandom >"$work/www/100k.bin"
chmod 644 "$work/www/"*

# The todo API's answer to GET /todos/1, so nginx can return exactly the same bytes.
todo_body='{"id":1,"title":"benchmark the server","done":false}'

nginx_port=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $(ulimit -n);
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 20000; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 120;
  keepalive_requests 100000000;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    root $work/www;
    location = /todos/1 { default_type application/json; return 200 '$todo_body\n'; }
  }
}
CONF
"$nginx_bin" -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
pids+=($!)

static_port=$(free_port)
"$sfs" http serve "$work/www" --port "$static_port" --access-log off 2>"$work/serve.log" &
pids+=($!)
api_port=$(free_port)
"$sfs" http todo-api --port "$api_port" --cors-origin '' 2>"$work/api.log" &
pids+=($!)
wait_port "$nginx_port"
wait_port "$static_port"
wait_port "$api_port"
curl -sS -o /dev/null -H 'Content-Type: application/json' -d '{"title":"benchmark the server"}' "http://127.0.0.1:$api_port/todos"
ours_api=$(curl -sS "http://127.0.0.1:$api_port/todos/1")
theirs_api=$(curl -sS "http://127.0.0.1:$nginx_port/todos/1")
if [ "$ours_api" != "$theirs_api" ]; then
  echo "bench: the two API bodies differ: '$ours_api' vs '$theirs_api'" >&2
  exit 1
fi

# wrk prints "Requests/sec:  12345.67" and, with --latency, "99%  1.23ms".
run_wrk() {  # url connections -> "requests_per_second p99_ms"
  local out
  out=$(wrk -t1 -c"$2" -d"${duration}s" --timeout 10s --latency "$1")
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000} print v}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  if [ -n "$errors" ]; then echo "bench: $1 -c$2: $errors" >&2; fi
  echo "$rps $p99"
}

if [ "${IDLE_ONLY:-0}" = 1 ]; then rounds=0; fi  # IDLE_ONLY=1: only the idle-connection rows
median() { tr ' ' '\n' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "wrk -t1 -d${duration}s --latency, median of $rounds alternating rounds"
printf '%-26s %6s %12s %12s %8s %10s %10s %8s\n' "row" "conns" "ours req/s" "nginx req/s" "ratio" "ours p99" "nginx p99" "ratio"
[ "$rounds" -gt 0 ] && for row in "1 KiB file|/1k.bin|/1k.bin|$static_port" "100 KiB file|/100k.bin|/100k.bin|$static_port" \
           "todo GET vs return 200|/todos/1|/todos/1|$api_port"; do
  IFS='|' read -r name ours_path nginx_path ours_port <<<"$row"
  for conns in 100 1000; do
    ours_rps_all="" ours_p99_all="" nginx_rps_all="" nginx_p99_all=""
    for _ in $(seq "$rounds"); do
      read -r rps p99 < <(run_wrk "http://127.0.0.1:$ours_port$ours_path" "$conns")
      ours_rps_all+=" $rps"; ours_p99_all+=" $p99"
      read -r rps p99 < <(run_wrk "http://127.0.0.1:$nginx_port$nginx_path" "$conns")
      nginx_rps_all+=" $rps"; nginx_p99_all+=" $p99"
    done
    ours_rps=$(median <<<"${ours_rps_all# }"); ours_p99=$(median <<<"${ours_p99_all# }")
    nginx_rps=$(median <<<"${nginx_rps_all# }"); nginx_p99=$(median <<<"${nginx_p99_all# }")
    printf '%-26s %6s %12.0f %12.0f %8.2f %8.2fms %8.2fms %8.2f\n' "$name" "$conns" "$ours_rps" "$nginx_rps" \
      "$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN{print a/b}')" "$ours_p99" "$nginx_p99" \
      "$(awk -v a="$ours_p99" -v b="$nginx_p99" 'BEGIN{print (b > 0 ? a/b : 0)}')"
  done
done

# Idle keep-alive connections: memory each server gains per connection.
nginx_worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
static_pid=${pids[1]}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# Opens `count` connections to `port`, makes one request on each, then holds them all open until
# the file `stop` exists; writes "holding" to `ready` once every response has arrived.
hold_idle() {  # port count ready stop
  python3 - "$@" <<'PY'
import os, socket, sys, time
port, count, ready, stop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
socks = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /1k.bin HTTP/1.1\r\nHost: bench\r\n\r\n")
    socks.append(s)
for s in socks:
    got = b""
    while b"\r\n\r\n" not in got or len(got) < got.index(b"\r\n\r\n") + 4 + 1024:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        got += chunk
open(ready, "w").write("holding\n")
while not os.path.exists(stop):
    time.sleep(0.1)
PY
}
idle_row() {  # name pid port
  local before after
  rm -f "$work/ready" "$work/stop"
  before=$(rss_kib "$2")
  hold_idle "$3" 10000 "$work/ready" "$work/stop" &
  local holder=$!
  for _ in $(seq 1200); do [ -f "$work/ready" ] && break; sleep 0.1; done
  sleep 2
  after=$(rss_kib "$2")
  touch "$work/stop"
  wait "$holder" || true
  printf '%-26s %6s %10s KiB -> %10s KiB  = %6.2f KiB per connection\n' "$1 idle" 10000 "$before" "$after" \
    "$(awk -v a="$after" -v b="$before" 'BEGIN{print (a-b)/10000}')"
}
echo
idle_row "sfs http serve" "$static_pid" "$static_port"
idle_row "nginx" "$nginx_worker" "$nginx_port"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
