#!/usr/bin/env python3
"""Prints NnGen, RTNeural and ONNX Runtime side by side, with ratios and the targets of the performance issue.

Usage: side_by_side.py --nngen nngen-1.csv [nngen-2.csv ...] --rtneural rtneural-1.csv [rtneural-2.csv ...]

nngen-*.csv     output of `dotnet run -c Release --project tests/NnGen.Benchmarks -- --quick ...`
                (header `name,median_ns,allocated_bytes,cpu_ns,min_ns`; ONNX Runtime rows are the `Onnx*` names)
rtneural-*.csv  stdout of /tmp/rtn/bin/rtneural_bench_<backend> (`rtneural_<workload>_<backend>,median_ns,min_ns`)

One file per round. Each cell is the range (lowest–highest) of the per-round medians; a ratio is computed round by
round (the rounds interleave the programs, so a round's figures share the machine's state) and shown as a range too.
"best" columns use each program's best (lowest) wall-clock sample of 31, which on a shared machine leaves out most of
the time spent waiting for a core.
"""
import argparse
import csv
import sys

# (label, NnGen row, RTNeural workload or None, ONNX Runtime row or None, target text, target ratio vs RTNeural, vs ORT)
ROWS = [
    ("Predict [2,4,1] tanh/sigmoid, latency", "PlanarLatency", "2_4_1", "OnnxPlanarLatency", "≤ 0.5× RTNeural, ≤ 0.1× ORT", 0.5, 0.1),
    ("Predict [16,64,64,1] ReLU, linear out, latency", "MediumLinearLatency", "16_64_64_1", "OnnxMediumLinearLatency", "≤ 0.6× RTNeural, ≤ 0.1× ORT", 0.6, 0.1),
    ("Predict [16,64,64,1] ReLU, sigmoid out, latency", "MediumSigmoidLatency", "16_64_64_1_sigmoid", "OnnxMediumSigmoidLatency", "≤ 0.6× RTNeural, ≤ 0.1× ORT", 0.6, 0.1),
    ("Predict [12288,20,7,5,1], latency", "DeepLatency", "12288_20_7_5_1", "OnnxDeepLatency", "≤ 0.6× RTNeural, ≤ 0.1× ORT", 0.6, 0.1),
    ("PredictBatch 10,000 × [784,256,128,10], 1 thread", "FashionPredictBatch", None, "OnnxFashionPredictBatch", "≤ 0.9× ORT", None, 0.9),
    ("PredictBatch 10,000 × [784,256,128,10], 2 threads", "FashionPredictBatch2Threads", None, "OnnxFashionPredictBatch2Threads", "≤ 0.55× NnGen 1 thread", None, None),
]

BACKENDS = ["eigen", "xsimd", "stl"]


def read_nngen(path):
    rows = {}
    with open(path, newline="") as f:
        for record in csv.DictReader(f):
            best = record.get("min_ns") or record["cpu_ns"]
            rows[record["name"]] = (float(record["median_ns"]), float(best), int(record["allocated_bytes"]))
    return rows


def read_rtneural(path):
    rows = {}
    with open(path, newline="") as f:
        for record in csv.reader(f):
            if len(record) != 3 or not record[0].startswith("rtneural_"):
                continue
            name = record[0][len("rtneural_"):]
            backend = next((b for b in BACKENDS if name.endswith("_" + b)), None)
            if backend is None:
                continue
            rows[(name[: -len(backend) - 1], backend)] = (float(record[1]), float(record[2]))
    return rows


def time_text(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e4:
        return f"{ns / 1e3:.1f} µs"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def span(values, text):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    lo, hi = min(values), max(values)
    return text(lo) if text(lo) == text(hi) else f"{text(lo)}–{text(hi)}"


def ratio_text(r):
    return f"{r:.2f}×"


def ratios(a_rounds, b_rounds):
    return [a / b for a, b in zip(a_rounds, b_rounds) if a is not None and b is not None and b > 0]


def verdict(values, target):
    if target is None or not values:
        return ""
    worst = max(values)
    return "met" if worst <= target else f"missed by {worst / target:.2f}×"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nngen", nargs="+", required=True)
    parser.add_argument("--rtneural", nargs="*", default=[])
    args = parser.parse_args()

    nngen = [read_nngen(p) for p in args.nngen]
    rtn = [read_rtneural(p) for p in args.rtneural]
    backends = [b for b in BACKENDS if any(any(k[1] == b for k in r) for r in rtn)]

    def ours(name, column):
        return [r[name][column] if name in r else None for r in nngen]

    def peer(workload, backend, column):
        if workload is None:
            return [None] * max(1, len(rtn))
        return [r[(workload, backend)][column] if (workload, backend) in r else None for r in rtn] or [None]

    header = ["workload", "NnGen", "bytes/call"] + [f"RTNeural {b}" for b in backends] + [
        "ONNX Runtime", "NnGen / RTNeural eigen", "NnGen / ORT", "best: NnGen / RTNeural", "best: NnGen / ORT", "target", "verdict"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    one_thread_batch = ours("FashionPredictBatch", 0)
    for label, mine, workload, onnx, target, vs_rtn, vs_ort in ROWS:
        median = ours(mine, 0)
        best = ours(mine, 1)
        allocated = [b for b in ours(mine, 2) if b is not None]
        ort_median = ours(onnx, 0) if onnx else [None]
        ort_best = ours(onnx, 1) if onnx else [None]
        rtn_median = peer(workload, "eigen", 0)
        rtn_best = peer(workload, "eigen", 1)
        r_rtn = ratios(median, rtn_median) if workload else []
        r_ort = ratios(median, ort_median) if onnx else []
        checks = []
        if vs_rtn is not None:
            checks.append(verdict(r_rtn, vs_rtn))
        if vs_ort is not None:
            checks.append(verdict(r_ort, vs_ort))
        if mine == "FashionPredictBatch2Threads":
            scaling = ratios(median, one_thread_batch)
            checks.append(verdict(scaling, 0.55) + f" (2t/1t {span(scaling, ratio_text)})")
        cells = [label, span(median, time_text), span(allocated, lambda b: f"{b:.0f} B")]
        cells += [span(peer(workload, b, 0), time_text) for b in backends]
        cells += [span(ort_median, time_text), span(r_rtn, ratio_text), span(r_ort, ratio_text),
                  span(ratios(best, rtn_best), ratio_text) if workload else "—",
                  span(ratios(best, ort_best), ratio_text) if onnx else "—", target,
                  "; ".join(c for c in checks if c)]
        print("| " + " | ".join(cells) + " |")
    missing = [mine for _, mine, *_ in ROWS if all(mine not in r for r in nngen)]
    if missing:
        print(f"\nnot measured in these files: {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
