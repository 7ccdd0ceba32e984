#!/usr/bin/env bash
# The machine code the JIT runs for a benchmark row, and a summary per method: instructions, calls, and the listing.
#
# Usage: bench/disasm.sh <benchmark method> [<JIT method pattern> ...]
#   e.g. bench/disasm.sh MediumSigmoidLatency 'ForwardSingle' 'MatVec*'
#   default pattern: ForwardSingle (the generated one-example forward pass)
#
# Runs `NnGen.Benchmarks --calls <benchmark method> 20000` (setup, a warm-up through tiered compilation, then the
# calls) with DOTNET_JitDisasm=<patterns>, so the runtime prints every compilation of the matching methods; the last
# listing of each method is the code that ran at the end. Prints, per method: its tier, its instruction count (static:
# loops run their bodies many times) and the methods it calls. Full listings go to $OUT/jit.txt.
#
# Why not valgrind: under valgrind the JIT declined to inline even ReadOnlySpan's indexer (19 calls in the [2,4,1]
# forward pass that has none natively), so instruction counts taken there describe different code.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
DLL="$REPO/tests/NnGen.Benchmarks/bin/Release/net10.0/NnGen.Benchmarks.dll"
OUT="${OUT:-$(mktemp -d /tmp/disasm.XXXXXX)}"
mkdir -p "$OUT"
[ $# -ge 1 ] || { sed -n '2,6p' "$0" >&2; exit 2; }
[ -f "$DLL" ] || { echo "build first: dotnet build tests/NnGen.Benchmarks -c Release" >&2; exit 2; }
method="$1"; shift
patterns="${*:-ForwardSingle}"

rm -f "$OUT/jit.txt"
DOTNET_JitDisasm="$patterns" DOTNET_JitStdOutFile="$OUT/jit.txt" \
  dotnet "$DLL" --calls "$method" 20000 > "$OUT/run.log" 2>&1

[ -s "$OUT/jit.txt" ] || { echo "no method matched '$patterns' (see $OUT/run.log)" >&2; exit 1; }
python3 - "$OUT/jit.txt" <<'PY'
import re, sys
listings = {}
name = None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"; Assembly listing for method (.*?) \((.*)\)\s*$", line)
    if m:
        name = m.group(1)
        listings[name] = {"tier": m.group(2), "instructions": 0, "calls": []}
        continue
    if name is None or line.startswith(";") or not line.strip() or line.lstrip().startswith("G_M") or line.startswith("RWD"):
        continue
    parts = line.split()
    if parts and re.match(r"^[a-z][a-z0-9]*$", parts[0]):
        listings[name]["instructions"] += 1
        if parts[0] == "call":
            listings[name]["calls"].append(" ".join(parts[1:]).strip("[]"))
for name, info in listings.items():
    short = re.sub(r"\(.*", "", name)
    calls = {}
    for c in info["calls"]:
        calls[c] = calls.get(c, 0) + 1
    called = "; ".join(f"{n}× {re.sub(r'[(].*', '', c)}" for c, n in calls.items()) or "none"
    print(f"{short} ({info['tier']}): {info['instructions']} instructions; calls: {called}")
PY
echo "listings in $OUT/jit.txt" >&2
