#!/usr/bin/env bash
# Throughput of `sfs markdown` against cmark (and `sfs markdown --gfm` against cmark-gfm) on the
# same inputs, in one run, on this machine.
#
#   formats/markdown/bench/bench.sh [RUNS]      (default 7 runs per engine and input; best counts)
#
# Inputs, written to a temporary folder:
#   spec     the CommonMark spec's 655 examples, concatenated and repeated to ~10 MB
#            (from ../shared/conformance/commonmark/spec.json, or $SFS_CONFORMANCE)
#   docs     real-world documents: every Markdown file under /usr/share/doc (also .md.gz),
#            /usr/lib, /usr/local/lib, /usr/src and this repository, concatenated and repeated to
#            ~10 MB
# Both engines run as command-line programs reading a file and writing to /dev/null (process
# start is the same for both and negligible at 10 MB); the figure is CPU time (user + system),
# best of RUNS, so that other load on the machine does not distort the ratio. cmark runs with --unsafe so that both
# render raw HTML. cmark and cmark-gfm are installed from Debian if missing (apt-get; sudo when
# not root).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
runs=${1:-7}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v cmark >/dev/null || need+=(cmark)
command -v cmark-gfm >/dev/null || need+=(cmark-gfm)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian)" >&2
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

"$root/scripts/build" sfs >/dev/null
sfs="$root/build/sfs"

conformance=${SFS_CONFORMANCE:-$root/../shared/conformance}
spec_json="$conformance/commonmark/spec.json"
[ -f "$spec_json" ] || { echo "missing $spec_json (see scripts/fetch-conformance)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$spec_json" "$work/spec.md" <<'EOF'
import json, sys
examples = json.load(open(sys.argv[1], encoding="utf-8"))
text = "".join(e["markdown"] + "\n" for e in examples)
target = 10 * 1000 * 1000
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(text * (target // len(text) + 1))
EOF

# Real-world documents.
: > "$work/docs-once.md"
count=0
while IFS= read -r -d '' file; do
  case "$file" in
    *.gz) gzip -dc "$file" >> "$work/docs-once.md" 2>/dev/null || continue ;;
    *) cat "$file" >> "$work/docs-once.md" ;;
  esac
  printf '\n\n' >> "$work/docs-once.md"
  count=$((count + 1))
done < <(find /usr/share/doc /usr/lib /usr/local/lib /usr/src "$root" \
           \( -path "$root/build*" -o -path '*/.git' \) -prune -o \
           -type f \( -name '*.md' -o -name '*.md.gz' -o -name '*.markdown' \) -size -2M -print0 2>/dev/null)
once=$(stat -c %s "$work/docs-once.md")
if [ "$once" -lt 1000 ]; then echo "no Markdown documents found on this machine" >&2; exit 1; fi
python3 - "$work/docs-once.md" "$work/docs.md" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
target = 10 * 1000 * 1000
open(sys.argv[2], "wb").write(data * max(1, target // len(data) + 1))
EOF

# best_seconds CMD...: the smallest CPU time (user + system) of $runs runs, in seconds. CPU time
# rather than wall time: on a shared machine other processes stretch the wall clock, not this.
best_seconds() {
  local best=""
  for _ in $(seq "$runs"); do
    local t
    t=$( { TIMEFORMAT='%U %S'; time "$@" > /dev/null; } 2>&1 | awk '{ printf "%.3f", $1 + $2 }')
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  echo "$best"
}

mbps() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.1f", bytes / 1e6 / s }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "cmark: $(cmark --version | head -1); cmark-gfm: $(cmark-gfm --version | head -1)"
echo "docs corpus: $count files, $once bytes, repeated to $(stat -c %s "$work/docs.md") bytes"
echo "CPU time (user+sys), best of $runs runs"
echo
printf '| %-6s | %-5s | %10s | %12s | %12s | %9s |\n' input mode "bytes" "sfs MB/s" "cmark MB/s" "sfs/cmark"
printf '|--------|-------|------------|--------------|--------------|-----------|\n'
for input in spec docs; do
  file="$work/$input.md"
  bytes=$(stat -c %s "$file")
  ours=$(best_seconds "$sfs" markdown "$file")
  theirs=$(best_seconds cmark --unsafe "$file")
  printf '| %-6s | %-5s | %10s | %12s | %12s | %8sx |\n' "$input" cm "$bytes" "$(mbps "$bytes" "$ours")" \
    "$(mbps "$bytes" "$theirs")" "$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.2f", a / b }')"
  ours=$(best_seconds "$sfs" markdown --gfm "$file")
  theirs=$(best_seconds cmark-gfm --unsafe -e table -e strikethrough -e autolink -e tagfilter -e tasklist "$file")
  printf '| %-6s | %-5s | %10s | %12s | %12s | %8sx |\n' "$input" gfm "$bytes" "$(mbps "$bytes" "$ours")" \
    "$(mbps "$bytes" "$theirs")" "$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.2f", a / b }')"
done
echo
echo "(gfm rows compare sfs markdown --gfm with cmark-gfm and all five GFM extensions)"
