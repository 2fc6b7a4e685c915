#!/usr/bin/env bash
# sfs sql vs sqlite3, side by side, on the same machine and the same SQL.
#
#   systems/sql/bench/bench.sh [ROWS] [RUNS]     (defaults: 1000000 rows, best of 3 runs)
#
# Installs Debian's sqlite3 if it is missing, builds `sfs` (Release) if needed, generates the
# workloads as SQL scripts (awk), and feeds each script to both shells' standard input:
#
#   insert   ROWS rows into an indexed table, one transaction (plus two small join tables)
#   point    100,000 SELECTs by INTEGER PRIMARY KEY
#   index    100,000 SELECTs by a secondary index
#   range    1,000 range scans (500 by rowid, 500 by the secondary index)
#   join     a 3-table join (orders x customers x products) with aggregation, 5 times
#   group    GROUP BY over all ROWS rows (10,000 groups, then 100 groups by expression)
#   commit   10,000 single-row autocommit transactions (each one fsyncs)
#
# Both engines run in WAL mode with synchronous=FULL, so every commit is fsynced. Each workload
# runs RUNS times per engine (a fresh database for insert and commit) and the best wall time
# counts. Output: one line per workload with both times and the ratio sfs/sqlite (< 1: faster).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
rows=${1:-1000000}
runs=${2:-3}

if ! command -v sqlite3 >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  echo "bench: installing sqlite3" >&2
  $sudo apt-get install -y -qq sqlite3 >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null; $sudo apt-get install -y -qq sqlite3 >/dev/null; }
fi
sfs="$root/build/sfs"
if [ ! -x "$sfs" ]; then "$root/scripts/build" sfs >/dev/null; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sfs-sql-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

setup="PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;"
awk -v rows="$rows" -v setup="$setup" 'BEGIN {
  srand(42);
  print setup;
  print "CREATE TABLE cust(id INTEGER PRIMARY KEY, region INTEGER, name TEXT);";
  print "CREATE TABLE prod(id INTEGER PRIMARY KEY, category INTEGER, price REAL);";
  print "CREATE TABLE orders(id INTEGER PRIMARY KEY, a INTEGER, cust INTEGER, prod INTEGER, qty INTEGER, note TEXT);";
  print "CREATE INDEX orders_a ON orders(a);";
  print "BEGIN;";
  for (i = 1; i <= 10000; i++) printf "INSERT INTO cust VALUES(%d,%d,%cc%d%c);\n", i, i % 50, 39, i, 39;
  for (i = 1; i <= 1000; i++) printf "INSERT INTO prod VALUES(%d,%d,%.2f);\n", i, i % 20, (i % 97) + 0.99;
  for (i = 1; i <= rows; i++) printf "INSERT INTO orders VALUES(%d,%d,%d,%d,%d,%cnote %d%c);\n", i, (i * 7919) % 1000003, 1 + int(rand() * 10000), 1 + int(rand() * 1000), 1 + i % 9, 39, i, 39;
  print "COMMIT;";
}' > insert.sql
awk -v rows="$rows" 'BEGIN { srand(7); for (i = 0; i < 100000; i++) printf "SELECT * FROM orders WHERE id = %d;\n", 1 + int(rand() * rows) }' > point.sql
awk -v rows="$rows" 'BEGIN { srand(8); for (i = 0; i < 100000; i++) printf "SELECT id, note FROM orders WHERE a = %d;\n", ((1 + int(rand() * rows)) * 7919) % 1000003 }' > index.sql
awk -v rows="$rows" 'BEGIN { srand(9);
  for (i = 0; i < 500; i++) { s = 1 + int(rand() * (rows - 1000)); printf "SELECT count(*), sum(qty) FROM orders WHERE id BETWEEN %d AND %d;\n", s, s + 1000 }
  for (i = 0; i < 500; i++) { s = int(rand() * 999000); printf "SELECT count(*), max(qty) FROM orders WHERE a BETWEEN %d AND %d;\n", s, s + 1000 } }' > range.sql
for i in 1 2 3 4 5; do
  echo "SELECT c.region, count(*), sum(o.qty * p.price) FROM orders o JOIN cust c ON c.id = o.cust JOIN prod p ON p.id = o.prod WHERE p.category = $((i * 3)) GROUP BY c.region ORDER BY c.region;"
done > join.sql
cat > group.sql <<'SQL'
SELECT cust, count(*), sum(qty), avg(qty) FROM orders GROUP BY cust;
SELECT a % 100, count(*), min(note), max(qty) FROM orders GROUP BY a % 100;
SQL
{ echo "$setup"; echo "CREATE TABLE IF NOT EXISTS log(id INTEGER PRIMARY KEY, at INTEGER, msg TEXT);";
  awk 'BEGIN { for (i = 0; i < 10000; i++) printf "INSERT INTO log(at, msg) VALUES(%d, %cevent %d%c);\n", i, 39, i, 39 }'; } > commit.sql

now() { date +%s.%N; }
# time_run ENGINE DB SCRIPT OUT -> seconds (the output goes to OUT)
time_run() {
  local engine=$1 db=$2 script=$3 out=$4 start end
  start=$(now)
  if [ "$engine" = sfs ]; then "$sfs" sql "$db" < "$script" > "$out"; else sqlite3 "$db" < "$script" > "$out"; fi
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }'
}
best() {  # best ENGINE WORKLOAD
  local engine=$1 workload=$2 t b=""
  for _ in $(seq "$runs"); do
    case "$workload" in
      insert) rm -f "$engine.db" "$engine.db-wal" "$engine.db-shm"; t=$(time_run "$engine" "$engine.db" insert.sql /dev/null) ;;
      commit) rm -f "$engine-c.db" "$engine-c.db-wal" "$engine-c.db-shm"; t=$(time_run "$engine" "$engine-c.db" commit.sql /dev/null) ;;
      *) t=$(time_run "$engine" "$engine.db" "$workload.sql" "$engine.$workload.out") ;;
    esac
    b=$(awk -v t="$t" -v b="$b" 'BEGIN { print (b == "" || t < b) ? t : b }')
  done
  echo "$b"
}

echo "sfs sql vs sqlite3 $(sqlite3 --version | cut -d' ' -f1) — $rows rows, best of $runs, $(nproc) cores, $(uname -m)"
printf "%-8s %10s %10s %8s\n" workload sfs sqlite3 ratio
for w in insert point index range join group commit; do
  s=$(best sfs "$w")
  l=$(best sqlite "$w")
  printf "%-8s %9.3fs %9.3fs %8.2f\n" "$w" "$s" "$l" "$(awk -v s="$s" -v l="$l" 'BEGIN { print s / l }')"
done
# Both engines must have computed the same answers.
for w in point index range join group; do
  if ! cmp -s "sfs.$w.out" "sqlite.$w.out"; then
    echo "bench: $w results differ between sfs and sqlite3:" >&2
    diff "sfs.$w.out" "sqlite.$w.out" | head -5 >&2
    exit 1
  fi
done
echo "results identical"

