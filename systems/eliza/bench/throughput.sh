#!/usr/bin/env bash
# Replies per second: `sfs eliza` against the two ELIZAs a user can install today —
# elizabot (npm; Norbert Landsteiner's JavaScript ELIZA with its DOCTOR-derived script) and NLTK's
# eliza (Debian python3-nltk). The 1966 MAD-SLIP program itself needs an IBM 7094, so these are
# the nearest runnable originals. All three answer the same input lines, read from a file, one
# process each, replies written to /dev/null.
#
#   systems/eliza/bench/throughput.sh [LINES]      (default 200000 lines)
#
# Input: the 15 inputs of the 1966 CACM conversation, repeated. sfs eliza runs the 1966 DOCTOR
# script when the conformance data is installed (else its built-in DUCK script; the script used is
# printed). The tools are installed here (apt-get; npm into build/bench-node), not by the tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
lines=${1:-200000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
need=()
/usr/bin/python3 -c 'import nltk' 2>/dev/null || need+=(python3-nltk)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
node_dir="$root/build/bench-node"
if [ ! -d "$node_dir/node_modules/elizabot" ]; then
  mkdir -p "$node_dir"
  npm install --silent --no-audit --no-fund --prefix "$node_dir" elizabot@0.0.3 >/dev/null
fi
"$root/scripts/build" sfs >/dev/null

# The input file.
conformance=${SFS_CONFORMANCE:-$root/../shared/conformance}
conversation="$conformance/eliza/1966-CACM-conversation.txt"
if [ -f "$conversation" ]; then
  sed -n 's/^> //p' "$conversation" >"$work/base.txt"
else
  printf '%s\n' "Men are all alike." "Well, my boyfriend made me come here." \
    "I need some help, that much seems certain." "My mother takes care of me." \
    "You are afraid of me." "Bullies." >"$work/base.txt"
fi
base=$(wc -l <"$work/base.txt")
: >"$work/input.txt"
while [ "$(wc -l <"$work/input.txt")" -lt "$lines" ]; do cat "$work/base.txt" >>"$work/input.txt"; done
head -n "$lines" "$work/input.txt" >"$work/in.txt"

cat >"$work/elizabot.js" <<'JS'
const ElizaBot = require('elizabot');
const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\n');
const bot = new ElizaBot(true);  // noRandom: deterministic choices
let out = 0;
for (const line of lines) if (line) out += bot.transform(line).length;
process.stdout.write(String(out) + '\n');
JS
cat >"$work/nltk_eliza.py" <<'PY'
import sys
from nltk.chat.eliza import eliza_chatbot
out = 0
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            out += len(eliza_chatbot.respond(line))
print(out)
PY

seconds() {  # runs "$@", prints the wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
command -v bc >/dev/null || { $sudo apt-get install -y -qq bc >/dev/null; }

script_used=$("$root/build/sfs" eliza --check | cut -d: -f1)
ours=$(seconds sh -c "'$root/build/sfs' eliza <'$work/in.txt'")
js=$(seconds env NODE_PATH="$node_dir/node_modules" node "$work/elizabot.js" "$work/in.txt")
py=$(seconds /usr/bin/python3 "$work/nltk_eliza.py" "$work/in.txt")

rate() { echo "$lines / $1" | bc -l | xargs printf '%.0f'; }
echo "input: $lines lines ($base-line CACM conversation repeated); machine: $(nproc) cores, $(uname -m)"
echo "sfs eliza script: $script_used"
printf '%-34s %10s %14s %10s\n' implementation seconds replies/s "sfs faster"
printf '%-34s %10.3f %14s %10s\n' "sfs eliza" "$ours" "$(rate "$ours")" "-"
printf '%-34s %10.3f %14s %9.1fx\n' "elizabot 0.0.3 (node $(node --version))" "$js" "$(rate "$js")" \
  "$(echo "$js / $ours" | bc -l)"
printf '%-34s %10.3f %14s %9.1fx\n' "nltk $(/usr/bin/python3 -c 'import nltk; print(nltk.__version__)') eliza (python3)" "$py" \
  "$(rate "$py")" "$(echo "$py / $ours" | bc -l)"
