#!/usr/bin/env bash
# Instructions per call of benchmark rows, counted by valgrind (callgrind), which does not depend on the machine's load.
#
# Usage: bench/instructions.sh [<method>:<extra calls> ...]
#   default: the NnGen latency rows and ONNX Runtime's [16,64,64,1] sigmoid row
#
# Each method runs twice under callgrind through `NnGen.Benchmarks --calls <method> <n>` (the same setup, then n untimed
# calls after a fixed warm-up through tiered compilation): once with BASE calls and once with BASE + <extra calls>. The
# difference of the two instruction totals divided by <extra calls> is the instructions per call of the final (tier-1,
# dynamic PGO) code; startup, JIT and setup cancel out. The runtime's perf map names the JIT-compiled methods, so
# $OUT/<method>.functions.csv breaks the count down by function (bench/callgrind_per_call.py). Needs valgrind (apt-get install valgrind) and a Release build of
# tests/NnGen.Benchmarks. Each run takes one to a few minutes of one core.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
DLL="$REPO/tests/NnGen.Benchmarks/bin/Release/net10.0/NnGen.Benchmarks.dll"
BASE="${BASE:-1000}"
OUT="${OUT:-$(mktemp -d /tmp/instructions.XXXXXX)}"
mkdir -p "$OUT"
[ -f "$DLL" ] || { echo "build first: dotnet build tests/NnGen.Benchmarks -c Release" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }

rows=("$@")
if [ ${#rows[@]} -eq 0 ]; then
  rows=(PlanarLatency:400000 MediumLinearLatency:100000 MediumSigmoidLatency:100000 DeepLatency:4000 OnnxMediumSigmoidLatency:20000)
fi

run() { # <method> <calls>: one callgrind run; leaves $OUT/<method>-<calls>.{out,map,log}
  local file="$OUT/$1-$2"
  DOTNET_PerfMapEnabled=3 valgrind --tool=callgrind --callgrind-out-file="$file.out" \
    dotnet "$DLL" --calls "$1" "$2" > "$file.log" 2>&1
  local pid
  pid="$(sed -n 's/^pid: *//p' "$file.out" | head -1)"
  mv "/tmp/perf-$pid.map" "$file.map" 2>/dev/null || : > "$file.map"
}

echo "method,extra_calls,instructions_per_call"
for row in "${rows[@]}"; do
  method="${row%%:*}"
  extra="${row##*:}"
  run "$method" "$BASE"
  run "$method" "$((BASE + extra))"
  python3 "$REPO/bench/callgrind_per_call.py" "$OUT/$method-$BASE.out" "$OUT/$method-$BASE.map" \
    "$OUT/$method-$((BASE + extra)).out" "$OUT/$method-$((BASE + extra)).map" "$extra" 15 > "$OUT/$method.functions.csv"
  echo "$method,$extra,$(sed -n 's/^TOTAL,//p' "$OUT/$method.functions.csv")"
done
echo "callgrind files and per-function breakdowns (<method>.functions.csv) in $OUT" >&2
