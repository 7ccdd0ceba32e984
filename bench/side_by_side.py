#!/usr/bin/env python3
"""Prints NnGen beside RTNeural, ONNX Runtime, NumPy and PyTorch, with ratios and the performance issue's targets.

Usage: side_by_side.py --nngen nngen-1.csv [...] [--rtneural rtneural-1.csv [...]] [--python python-1.csv [...]]

nngen-*.csv     output of `dotnet run -c Release --project tests/NnGen.Benchmarks -- --quick ...`
                (header `name,median_ns,allocated_bytes,cpu_ns,min_ns`; ONNX Runtime rows are the `Onnx*` names)
rtneural-*.csv  stdout of /tmp/rtn/bin/rtneural_bench_<backend> (`rtneural_<workload>_<backend>,median_ns,min_ns`)
python-*.csv    stdout of bench/python_peers.py (`numpy_<row>,median_ns,min_ns`, `torch_<row>,…`)

One file per round and program. Each cell is the range (lowest–highest) of the per-round medians. A ratio is
computed round by round (a round runs the programs one after another, so its figures share the machine's state) and
shown as a range too; a verdict takes the worst round (see verdict(): best samples for 1-thread rows). "NnGen CPU" is the best sample of the calling
thread's CPU time. The "best" column sets NnGen's best sample against the peer's: wall clock against RTNeural (its
harness has no CPU clock), thread CPU time against ONNX Runtime, NumPy and PyTorch; on a loaded machine it leaves out
most of the time spent waiting for a core, so it is the figure to read there (for 1-thread rows). The
absolute targets were set on a Zen 4 machine; the ratio targets are the ones that carry across machines.
"""
import argparse
import csv
import sys

RTNEURAL_BACKENDS = ["eigen", "xsimd", "stl"]

# label, NnGen row, the peer a ratio is taken against (source:name), other peers shown, targets.
# A target is ("peer", max ratio to the ratio peer), ("row", NnGen row, max ratio to it) or ("ns", max time).
LATENCY = [
    ("Predict [2,4,1] tanh/sigmoid, latency", "PlanarLatency", "rtneural:2_4_1", ["onnx:OnnxPlanarLatency"],
     [("peer", 0.5), ("other", "onnx:OnnxPlanarLatency", 0.1)]),
    ("Predict [16,64,64,1] ReLU, linear out, latency", "MediumLinearLatency", "rtneural:16_64_64_1", ["onnx:OnnxMediumLinearLatency"],
     [("peer", 0.6), ("other", "onnx:OnnxMediumLinearLatency", 0.1)]),
    ("Predict [16,64,64,1] ReLU, sigmoid out, latency", "MediumSigmoidLatency", "rtneural:16_64_64_1_sigmoid", ["onnx:OnnxMediumSigmoidLatency"],
     [("peer", 0.6), ("other", "onnx:OnnxMediumSigmoidLatency", 0.1)]),
    ("Predict [12288,20,7,5,1], latency", "DeepLatency", "rtneural:12288_20_7_5_1", ["onnx:OnnxDeepLatency"],
     [("peer", 0.6), ("other", "onnx:OnnxDeepLatency", 0.1)]),
    ("PredictBatch 10,000 × [784,256,128,10], 1 thread", "FashionPredictBatch", "onnx:OnnxFashionPredictBatch",
     ["python:torch_FashionPredictBatch"], [("peer", 0.9)]),
    ("PredictBatch 10,000 × [784,256,128,10], 2 threads", "FashionPredictBatch2Threads", "onnx:OnnxFashionPredictBatch2Threads",
     ["python:torch_FashionPredictBatch2Threads"], [("row", "FashionPredictBatch", 0.55)]),
]

# Per-sample streams of RTNeural's recurrent workloads (input 1, Dense 1 after): Step with the output fed back, and
# Process over blocks of 64 samples reported per sample (RecurrentStreamingWorkloads).
# Targets: Step at most 0.8× RTNeural, Process per sample at most Step.
# PackedStep: the packed step a frozen network runs (RecurrentKernels.*StepPacked) with the Dense 1 readout, same bits as Step.
# ONNX Runtime beside Step (one call per sample) and Process (one call per block of 64), RecurrentStreamingOnnxWorkloads.
RECURRENT = [
    (f"{kind.upper()} 1→{units}→1, {mode} per sample", f"Stream{kind}{units}{mode}", f"rtneural:{kind.lower()}_1_{units}_1",
     [f"onnx:OnnxStream{kind}{units}{'Process' if mode == 'Process' else 'Step'}"],
     [("peer", 0.8)] + ([("row", f"Stream{kind}{units}Step", 1.0)] if mode == "Process" else []))
    for kind, units in [("Gru", 8), ("Gru", 16), ("Lstm", 16), ("Lstm", 32), ("Lstm", 40)] for mode in ["Step", "PackedStep", "Process"]
]

# RTNeural's causal convolution workloads (CausalConvStreamingWorkloads, generated networks with RTNeural's weights):
# conv1d_8_8_k7 (Conv1D 8→8, kernel 7, Dense 8→1; 8 inputs, x[0] fed back) and conv1d_stack (Conv1D 1→8→8→8, kernel 3,
# dilations 1/2/4, tanh, Dense 8→1). Step and the frozen copy's Step with the output fed back, Process over blocks of 64.
# Targets (issue 25, point 4): Step at most 0.8× RTNeural; Process per sample at most Step.
CAUSAL_CONV = [
    (f"{label}, {mode} per sample", f"StreamConv{row}{mode}", f"rtneural:{workload}", [],
     [("peer", 0.8)] + ([("row", f"StreamConv{row}Step", 1.0)] if mode == "Process" else []))
    for label, row, workload in [("Conv1D 8→8 K7 + Dense 1", "8x8K7", "conv1d_8_8_k7"),
                                 ("Conv1D 1→8→8→8 K3 d1/2/4 tanh + Dense 1", "Stack", "conv1d_stack")]
    for mode in ["Step", "FrozenStep", "Process"]
]

TRAINING = [
    ("Train iteration [12288,20,7,5,1], m = 209, 1 thread", "DeepTrainIteration", "python:numpy_DeepTrainIteration",
     ["python:torch_DeepTrainIteration"], [("ns", 2.2e6)]),
    ("Train iteration [12288,20,7,5,1], m = 209, 2 threads", "DeepTrainIteration2Threads", None, [],
     [("ns", 1.2e6), ("row", "DeepTrainIteration", 1 / 1.8)]),
    ("Full-batch iteration [30,16,1], m = 455", "TabularIteration", "python:numpy_TabularIteration",
     ["python:torch_TabularIteration"], [("ns", 12e3), ("peer", 0.25)]),
    ("Fashion-MNIST epoch, batch 128, 1 thread (Fit)", "FashionEpoch", "python:torch_FashionEpoch", [],
     [("ns", 0.75e9), ("peer", 0.5)]),
    ("Fashion-MNIST epoch, batch 128, 2 threads (Fit)", "FashionEpoch2Threads", "python:torch_FashionEpoch2Threads", [],
     [("ns", 0.42e9), ("row", "FashionEpoch", 0.6)]),
    ("Fashion-MNIST epoch, the 469 updates alone, 1 thread", "FashionEpochSteps", "python:torch_FashionEpoch", [], []),
    ("[4,32,16,4] tanh, 10,000 examples full batch, Adam step, 1 thread (SimpleChains.jl's workload)", "SimpleChainsAdamStep",
     "python:torch_SimpleChainsAdamStep", [], [("ns", 0.6e6)]),
    ("[4,32,16,4] tanh, 10,000 examples full batch, Adam step, 2 threads", "SimpleChainsAdamStep2Threads",
     "python:torch_SimpleChainsAdamStep2Threads", [], [("ns", 0.35e6)]),
    ("Fit [2,4,1] planar, 10,000 iterations", "PlanarFit", "python:numpy_PlanarFit", [], [("ns", 15e6)]),
    ("Adam step, LSTM-32 + Dense 1, 16 × 2,048 steps, 1 thread (Fit)", "LstmTrainStep", "python:torch_LstmTrainStep", [],
     [("peer", 0.1)]),
]

# Issue 25's LeNet-5 on Fashion-MNIST (ConvolutionWorkloads, ConvolutionOnnxWorkloads; python_peers.py's torch_LeNet5*),
# then the parts of an epoch: one batch's gradient and each convolution's kernels at batch 128 (no peer: they say where
# the epoch's time goes).
CONVOLUTION = [
    ("LeNet-5 epoch, Fashion-MNIST, Adam, batch 128, 1 thread (Fit)", "LeNet5Epoch", "python:torch_LeNet5Epoch", [], [("ns", 2.5e9)]),
    ("LeNet-5 epoch, Fashion-MNIST, Adam, batch 128, 2 threads (Fit)", "LeNet5Epoch2Threads", "python:torch_LeNet5Epoch2Threads", [],
     [("ns", 1.4e9)]),
    ("PredictBatch 10,000 × LeNet-5, 1 thread", "LeNet5PredictBatch", "onnx:OnnxLeNet5PredictBatch",
     ["python:torch_LeNet5PredictBatch"], [("peer", 0.9)]),
    ("PredictBatch 10,000 × LeNet-5, 2 threads", "LeNet5PredictBatch2Threads", "onnx:OnnxLeNet5PredictBatch2Threads",
     ["python:torch_LeNet5PredictBatch2Threads"], []),
    ("LeNet-5 gradient of one batch of 128 (469 per epoch)", "LeNet5Gradients128", None, [], []),
    ("Conv 1→6, 5×5, pad 2, 28×28: forward, batch 128", "LeNet5Conv1Forward128", None, [], []),
    ("Conv 1→6, 5×5, pad 2, 28×28: backward (dW, db), batch 128", "LeNet5Conv1Backward128", None, [], []),
    ("Conv 6→16, 5×5, 14×14: forward, batch 128", "LeNet5Conv2Forward128", None, [], []),
    ("Conv 6→16, 5×5, 14×14: backward (dW, db, dA), batch 128", "LeNet5Conv2Backward128", None, [], []),
]

# LeNet-5's multiply-adds per example: conv 1 6·25·784, conv 2 16·150·100, dense 400·120 + 120·84 + 84·10.
LENET5_CONV1, LENET5_CONV2, LENET5_DENSE = 6 * 25 * 784, 16 * 150 * 100, 400 * 120 + 120 * 84 + 84 * 10
LENET5_FORWARD = 2 * (LENET5_CONV1 + LENET5_CONV2 + LENET5_DENSE)
# Training: forward, as much again for dW, and dA for every layer but the first.
LENET5_TRAIN = 2 * LENET5_FORWARD + 2 * (LENET5_CONV2 + LENET5_DENSE)

# Essential FLOP per call (2 per multiply-add of the matrix products; activations and updates not counted), for the
# "% of peak" column: forward 2·Σ n[l]·n[l-1] per example; training adds as much for dW and 2·Σ_{l≥2} n[l]·n[l-1] for dA.
FLOP = {
    "MediumLinearLatency": 10_368, "MediumSigmoidLatency": 10_368, "DeepLatency": 491_880,
    "FashionPredictBatch": 10_000 * 469_504, "FashionPredictBatch2Threads": 10_000 * 469_504,
    "DeepTrainIteration": 209 * (2 * 491_880 + 360), "DeepTrainIteration2Threads": 209 * (2 * 491_880 + 360),
    "TabularIteration": 455 * (2 * 992 + 32),
    "FashionEpoch": 60_000 * (2 * 469_504 + 68_096), "FashionEpoch2Threads": 60_000 * (2 * 469_504 + 68_096),
    "FashionEpochSteps": 60_000 * (2 * 469_504 + 68_096),
    "SimpleChainsAdamStep": 10_000 * (2 * 1_408 + 1_152), "SimpleChainsAdamStep2Threads": 10_000 * (2 * 1_408 + 1_152),
    "LeNet5Epoch": 60_000 * LENET5_TRAIN, "LeNet5Epoch2Threads": 60_000 * LENET5_TRAIN,
    "LeNet5PredictBatch": 10_000 * LENET5_FORWARD, "LeNet5PredictBatch2Threads": 10_000 * LENET5_FORWARD,
    "LeNet5Gradients128": 128 * LENET5_TRAIN,
    "LeNet5Conv1Forward128": 128 * 2 * LENET5_CONV1, "LeNet5Conv1Backward128": 128 * 2 * LENET5_CONV1,
    "LeNet5Conv2Forward128": 128 * 2 * LENET5_CONV2, "LeNet5Conv2Backward128": 128 * 4 * LENET5_CONV2,
    # Recurrent rows: 2·G·H·(in + H) + 2·H for the Dense 1 after, the RTNeural harness's count (gates not counted).
    **{f"Stream{kind}{units}{mode}": 2 * gates * units * (1 + units) + 2 * units
       for kind, gates in [("Gru", 3), ("Lstm", 4)] for units in [8, 16, 32, 40] for mode in ["Step", "PackedStep", "Process"]},
    # Causal convolution rows: 2·out·in·K per conv and 2·8 for the Dense 1, the RTNeural harness's count.
    **{f"StreamConv{row}{mode}": flop for row, flop in [("8x8K7", 2 * 8 * 8 * 7 + 2 * 8), ("Stack", 2 * (8 * 1 * 3 + 2 * 8 * 8 * 3) + 2 * 8)]
       for mode in ["Step", "FrozenStep", "Process"]},
}
# FLOP of one MachineLimits.FmaPeak call (and of FmaPeak256's): 1.6 MFLOP, run at the widest width the kernels use
# (100,000 256-bit FMAs of 8 lanes, or 50,000 512-bit FMAs of 16 where the CPU has AVX-512F).
PEAK_FLOP = 100_000 * 16
# The peak every "% of peak" column is set against: the widest width's, one thread or two; the 256-bit rows of older
# runs stand in where a file has no FmaPeak row.
PEAK_ROWS = {1: ["FmaPeak", "FmaPeak256"], 2: ["FmaPeakTwoThreads", "FmaPeak256TwoThreads"]}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def read_nngen(path):
    rows = {}
    lines = read_csv(path)
    if not lines:
        return rows
    header = lines[0]
    for line in lines[1:]:
        record = dict(zip(header, line))
        best = record.get("min_ns") or record["cpu_ns"]
        rows[record["name"]] = (float(record["median_ns"]), float(best), int(record["allocated_bytes"]), float(record["cpu_ns"]))
    return rows


def read_rtneural(path):
    rows = {}
    for record in read_csv(path):
        if len(record) != 3 or not record[0].startswith("rtneural_"):
            continue
        name = record[0][len("rtneural_"):]
        backend = next((b for b in RTNEURAL_BACKENDS if name.endswith("_" + b)), None)
        if backend is not None:
            rows[(name[: -len(backend) - 1], backend)] = (float(record[1]), float(record[2]))
    return rows


def read_python(path):
    # name, median, min wall, [best thread CPU]; without a CPU column the min wall stands in for it.
    return {r[0]: (float(r[1]), float(r[2]), None, float(r[3] if len(r) > 3 else r[2])) for r in read_csv(path) if len(r) >= 3}


def time_text(ns):
    if ns >= 1e8:
        return f"{ns / 1e9:.3f} s"
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
    lo, hi = text(min(values)), text(max(values))
    return lo if lo == hi else f"{lo}–{hi}"


def ratio_text(r):
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.3f}×"


def ratios(a_rounds, b_rounds):
    return [a / b for a, b in zip(a_rounds, b_rounds) if a is not None and b is not None and b > 0]


class Results:
    def __init__(self, nngen, rtneural, python):
        self.nngen, self.rtneural, self.python = nngen, rtneural, python

    def rounds(self, key, column):
        """Per-round values (column 0: median, 1: best wall-clock sample, 3: best thread-CPU sample; RTNeural has no
        CPU column, its min stands in) of a source:name key, or of an NnGen row name."""
        source, _, name = key.partition(":") if ":" in key else ("nngen", ":", key)
        if source in ("nngen", "onnx"):
            return [r[name][column] if name in r else None for r in self.nngen]
        if source == "rtneural":
            column = min(column, 1)
            return [r[(name, "eigen")][column] if (name, "eigen") in r else None for r in self.rtneural] or [None]
        if source == "python":
            return [r[name][column] if name in r else None for r in self.python] or [None]
        raise ValueError(key)

    def has(self, key):
        return any(v is not None for v in self.rounds(key, 0))


def best_column(key):
    """Against RTNeural (wall clock only) the best wall-clock samples; against the others the best thread-CPU samples,
    which on a loaded machine leave out the time spent waiting for a core (1-thread rows only: CPU time counts one thread)."""
    return 1 if key.startswith("rtneural:") else 3


def peer_label(key):
    source, _, name = key.partition(":")
    if source == "rtneural":
        return "RTNeural (Eigen)"
    if source == "onnx":
        return "ONNX Runtime"
    return ("NumPy " if name.startswith("numpy_") else "PyTorch ") + ("2 threads" if name.endswith("2Threads") else "1 thread")


def verdict(results, mine, ratio_key, target):
    """Met or missed by how much, over the worst round: 1-thread rows by their best samples (thread CPU time, or wall
    clock against RTNeural), 2-thread rows by their wall-clock medians (CPU time counts one thread)."""
    two_threads = mine.endswith("2Threads")

    def values(key):
        return results.rounds(key, 0 if two_threads else best_column(key))

    if target[0] == "ns":
        got, limit, what = [v for v in results.rounds(mine, 0 if two_threads else 3) if v is not None], target[1], f"≤ {time_text(target[1])}"
    elif target[0] == "peer":
        got, limit, what = ratios(results.rounds(mine, 0 if two_threads else best_column(ratio_key)), values(ratio_key)), target[1], f"≤ {target[1]:.2g}× {peer_label(ratio_key)}"
    elif target[0] == "other":
        got, limit, what = ratios(results.rounds(mine, 0 if two_threads else best_column(target[1])), values(target[1])), target[2], f"≤ {target[2]:.2g}× {peer_label(target[1])}"
    else:
        got, limit, what = ratios(results.rounds(mine, 0), results.rounds(target[1], 0)), target[2], f"≤ {target[2]:.2g}× {target[1]}"
    if not got:
        return f"{what}: not measured"
    worst = max(got)
    return f"{what}: met" if worst <= limit else f"{what}: missed by {worst / limit:.2f}×"


def peak_share(results, mine):
    """The row's FLOP rate per round against the FMA peak at the widest accelerated width measured in the same round
    (two threads' for 2-thread rows)."""
    if mine not in FLOP:
        return "—"
    peak_row = next((row for row in PEAK_ROWS[2 if mine.endswith("2Threads") else 1] if results.has(row)), None)
    if peak_row is None:
        return "—"
    # 1-thread rows by their best thread-CPU sample against FmaPeak256's; 2-thread rows by wall-clock medians.
    column = 0 if mine.endswith("2Threads") else 3
    shares = [FLOP[mine] / ns / (PEAK_FLOP / peak) for ns, peak in zip(results.rounds(mine, column), results.rounds(peak_row, column))
              if ns is not None and peak is not None]
    return span([100 * x for x in shares], lambda x: f"{x:.0f} %")


def machine(results):
    """What MachineLimits measured in the same rounds: the FMA peak at the widest width (FmaPeak, the "% of peak"
    columns' reference) and at 256 bits, the W1 read floor, the [2,4,1] chain floor."""
    parts = []
    for row, text in [("FmaPeak", lambda ns: f"{PEAK_FLOP / ns:.0f} GFLOP/s"),
                      ("FmaPeakTwoThreads", lambda ns: f"{PEAK_FLOP / ns:.0f} GFLOP/s"),
                      ("FmaPeak256", lambda ns: f"{PEAK_FLOP / ns:.0f} GFLOP/s"),
                      ("FmaPeak256TwoThreads", lambda ns: f"{PEAK_FLOP / ns:.0f} GFLOP/s"),
                      ("ReadDeepW1", time_text), ("TanhDotSigmoidLatency", time_text)]:
        if results.has(row):
            values = results.rounds(row, 0 if row.endswith("TwoThreads") else 3)
            # A higher rate is a lower time: span() orders by the value passed, so pass rates for the peak rows.
            if row.startswith("FmaPeak"):
                parts.append(f"{row} {span([PEAK_FLOP / v for v in values if v], lambda g: f'{g:.0f} GFLOP/s')}")
            else:
                parts.append(f"{row} {span(values, text)}")
    if parts:
        print("\nMachine, same rounds (MachineLimits): " + "; ".join(parts) + ".")


def table(results, title, rows):
    rows = [row for row in rows if results.has(row[1])]
    if not rows:
        return
    print(f"\n### {title}\n")
    header = ["workload", "NnGen", "NnGen CPU", "bytes/call", "% of FMA peak", "peer", "peer time", "NnGen / peer", "best: NnGen / peer",
              "others", "targets"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, mine, ratio_key, others, targets in rows:
        median = results.rounds(mine, 0)
        allocated = [r[mine][2] for r in results.nngen if mine in r]
        cells = [label, span(median, time_text), span(results.rounds(mine, 3), time_text), span(allocated, lambda b: f"{b:.0f} B"),
                 peak_share(results, mine)]
        if ratio_key and results.has(ratio_key):
            cells += [peer_label(ratio_key), span(results.rounds(ratio_key, 0), time_text),
                      span(ratios(median, results.rounds(ratio_key, 0)), ratio_text),
                      span(ratios(results.rounds(mine, best_column(ratio_key)), results.rounds(ratio_key, best_column(ratio_key))), ratio_text)]
        else:
            cells += ["—"] * 4
        shown = []
        for key in others:
            if results.has(key):
                shown.append(f"{peer_label(key)} {span(results.rounds(key, 0), time_text)} "
                             f"(NnGen {span(ratios(median, results.rounds(key, 0)), ratio_text)})")
        cells.append("; ".join(shown) or "—")
        cells.append("; ".join(verdict(results, mine, ratio_key, t) for t in targets) or "—")
        print("| " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nngen", nargs="+", required=True)
    parser.add_argument("--rtneural", nargs="*", default=[])
    parser.add_argument("--python", nargs="*", default=[])
    args = parser.parse_args()
    results = Results([read_nngen(p) for p in args.nngen], [read_rtneural(p) for p in args.rtneural],
                      [read_python(p) for p in args.python])

    backends = [b for b in RTNEURAL_BACKENDS if any(any(k[1] == b for k in r) for r in results.rtneural)]
    table(results, "Inference: NnGen, RTNeural, ONNX Runtime (1 thread unless noted)", LATENCY)
    extra = [b for b in backends if b != "eigen"]
    if extra:
        print(f"\nOther RTNeural backends (median ranges): " + "; ".join(
            f"{workload} {b} {span([r.get((workload, b), (None,))[0] for r in results.rtneural], time_text)}"
            for workload in ["2_4_1", "16_64_64_1", "16_64_64_1_sigmoid", "12288_20_7_5_1",
                             "gru_1_8_1", "gru_1_16_1", "lstm_1_16_1", "lstm_1_32_1", "lstm_1_40_1",
                             "conv1d_8_8_k7", "conv1d_stack"] for b in extra))
    table(results, "Recurrent streaming: NnGen Step and Process, RTNeural, ONNX Runtime (1 thread, per sample)", RECURRENT)
    table(results, "Causal convolution streaming: NnGen Step and Process, RTNeural (1 thread, per sample)", CAUSAL_CONV)
    table(results, "Training: NnGen, NumPy, PyTorch (1 thread unless noted)", TRAINING)
    table(results, "Convolutional networks: LeNet-5 on Fashion-MNIST, NnGen, ONNX Runtime, PyTorch (1 thread unless noted)", CONVOLUTION)
    machine(results)
    missing = [row[1] for row in LATENCY + RECURRENT + CAUSAL_CONV + TRAINING + CONVOLUTION if not results.has(row[1])]
    if missing:
        print(f"\nnot in these files: {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
