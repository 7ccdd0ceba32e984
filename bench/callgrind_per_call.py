#!/usr/bin/env python3
"""Instructions per call, by function, from two callgrind runs of `NnGen.Benchmarks --calls <method> <n>`.

Usage: callgrind_per_call.py <base.out> <base perf map> <long.out> <long perf map> <extra calls> [top]

The runs differ only in the number of calls, so every function's instruction count grows by its share of the extra
calls. JIT-compiled methods have no symbols in callgrind's output; the runtime's perf map (DOTNET_PerfMapEnabled=1
writes /tmp/perf-<pid>.map: start, size, name) names them. Functions are matched by name across the two runs (the JIT
places code at different addresses each run), and the difference is divided by the extra calls. Prints
`function,instructions_per_call` for the largest ones, then the total.
"""
import bisect
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*?)\s*$")
UNKNOWN = re.compile(r"\?\?\?:0x([0-9a-fA-F]+)")


def perf_map(path):
    entries = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 2)
                if len(parts) == 3:
                    entries.append((int(parts[0], 16), int(parts[1], 16), parts[2]))
    except FileNotFoundError:
        pass
    entries.sort()
    return [e[0] for e in entries], entries


def resolve(name, starts, entries):
    match = UNKNOWN.search(name)
    if not match:
        return re.sub(r"\s*\[[^\]]*\]$", "", name)
    address = int(match.group(1), 16)
    i = bisect.bisect_right(starts, address) - 1
    if i >= 0 and address < entries[i][0] + entries[i][1]:
        return entries[i][2]
    return "unresolved " + name.split(" ")[0]


def functions(out, map_path):
    starts, entries = perf_map(map_path)
    text = subprocess.run(["callgrind_annotate", "--threshold=100", out], capture_output=True, text=True, check=True).stdout
    totals = {}
    body = text.split("file:function", 1)[-1]
    for line in body.splitlines():
        m = LINE.match(line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        name = resolve(m.group(2), starts, entries)
        totals[name] = totals.get(name, 0) + int(m.group(1).replace(",", ""))
    program = re.search(r"([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", text)
    return totals, int(program.group(1).replace(",", "")) if program else sum(totals.values())


def main():
    base_out, base_map, long_out, long_map, extra = sys.argv[1:6]
    top = int(sys.argv[6]) if len(sys.argv) > 6 else 12
    extra = int(extra)
    base, base_total = functions(base_out, base_map)
    long, long_total = functions(long_out, long_map)
    per_call = {name: (long.get(name, 0) - base.get(name, 0)) / extra for name in set(base) | set(long)}
    for name, value in sorted(per_call.items(), key=lambda item: -item[1])[:top]:
        if value >= 0.5:
            print(f"{name},{value:.1f}")
    print(f"TOTAL,{(long_total - base_total) / extra:.1f}")


if __name__ == "__main__":
    main()
