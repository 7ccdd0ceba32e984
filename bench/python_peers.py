#!/usr/bin/python3
"""The training rows of the performance issue in NumPy and PyTorch, on one thread unless a row says otherwise.

Usage: /usr/bin/python3 bench/python_peers.py [filter ...]    (Debian's python3-numpy and python3-torch; with
       Debian's libopenblas0-pthread installed, both run on OpenBLAS, otherwise on the system's default BLAS)

stdout: `name,median_ns,min_ns,cpu_ns` per row (no header; cpu_ns: the best sample of the calling thread's CPU time,
which leaves out waiting for a core; it counts one thread only, so read it for the 1-thread rows), the names matching the NnGen rows in
tests/NnGen.Benchmarks (TrainingWorkloads, Workloads) with a `numpy_` or `torch_` prefix. stderr: versions and
settings. float32 everywhere, as in NnGen; the data are synthetic and of the rows' sizes, as in the NnGen rows:

  TabularIteration       one full-batch gradient-descent iteration of [30,16,1] tanh/sigmoid on 455 examples
  DeepTrainIteration     one full-batch iteration of [12288,20,7,5,1] ReLU/sigmoid on 209 examples
  PlanarFit              10,000 full-batch iterations of [2,4,1] tanh/sigmoid on 400 examples (NumPy only)
  FashionEpoch           one epoch of [784,256,128,10] ReLU/softmax + cross-entropy, Adam, batches of 128 from a fresh
                         shuffle of 60,000 examples (PyTorch only; `FashionEpoch2Threads` with torch.set_num_threads(2))
  FashionPredictBatch    10,000 examples through the same network, no grad (PyTorch)
  SimpleChainsAdamStep   one full-batch Adam step of [4,32,16,4] tanh/tanh/identity + squared error on 10,000
                         examples, SimpleChains.jl's README workload (PyTorch only; `SimpleChainsAdamStep2Threads`
                         with torch.set_num_threads(2))
  LeNet5Epoch            one epoch of issue 25's LeNet-5 (Conv2d 6 k5 pad 2, ReLU, MaxPool 2, Conv2d 16 k5, ReLU, MaxPool
                         2, Flatten, Linear 120, ReLU, Linear 84, ReLU, Linear 10) + cross-entropy, Adam, batches of 128
                         from a fresh shuffle of 60,000 images of 1 × 28 × 28 (`LeNet5Epoch2Threads` on two threads)
  LeNet5PredictBatch     10,000 images through the same network, no grad, softmax (`LeNet5PredictBatch2Threads`)

The NumPy code is the course's (Z = W·A + b column-major per example, dZ[L] = A[L] − Y, dW = dZ·A[l-1]ᵀ / m, …).
The PyTorch code is what a PyTorch user writes: nn.Sequential of nn.Linear, a loss, loss.backward(), optimizer.step().
"""
import os
import sys
import time

# Debian's NumPy and PyTorch call whatever libblas.so.3 the alternatives system points at, by default the netlib
# reference BLAS (unblocked loops, ~100× slower on the cat network's products than an optimized BLAS). Where Debian's
# libopenblas0-pthread is installed, run on OpenBLAS without changing the system's choice: the loader reads
# LD_LIBRARY_PATH only at start, so re-execute with it.
OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
if os.path.isdir(OPENBLAS) and OPENBLAS not in os.environ.get("LD_LIBRARY_PATH", "").split(":"):
    environment = dict(os.environ, LD_LIBRARY_PATH=":".join(filter(None, [OPENBLAS, os.environ.get("LD_LIBRARY_PATH")])))
    os.execve(sys.executable, [sys.executable] + sys.argv, environment)

# One BLAS thread for NumPy (set before NumPy loads its BLAS); PyTorch's threads are set per row.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import numpy as np  # noqa: E402

SAMPLES = 31
SAMPLE_NS = 10_000_000
WARMUP_NS = 1_000_000_000
LONG_SAMPLES = 3


def measure(name, call, warmups=2):
    """Warms up for a second (and at least `warmups` calls), then times SAMPLES samples of ~10 ms (or LONG_SAMPLES
    single calls of slow rows)."""
    started = time.perf_counter_ns()
    calls = 0
    while calls < warmups or time.perf_counter_ns() - started < WARMUP_NS:
        call()
        calls += 1
    per_call = (time.perf_counter_ns() - started) / calls
    loops = max(1, round(SAMPLE_NS / per_call))
    samples = []
    cpu = []
    for _ in range(LONG_SAMPLES if per_call > 100_000_000 else SAMPLES):
        cpu_before = time.thread_time_ns()
        before = time.perf_counter_ns()
        for _ in range(loops):
            call()
        samples.append((time.perf_counter_ns() - before) / loops)
        cpu.append((time.thread_time_ns() - cpu_before) / loops)
    samples.sort()
    print(f"{name},{samples[len(samples) // 2]:.1f},{samples[0]:.1f},{min(cpu):.1f}", flush=True)


def uniform(rng, shape, low=-0.5, high=0.5):
    return rng.uniform(low, high, size=shape).astype(np.float32)


# ---- NumPy: the course's L-layer network, float32 ---------------------------------------------------------------
class NumPyNetwork:
    def __init__(self, sizes, activations, seed):
        rng = np.random.default_rng(seed)
        self.activations = activations
        self.W = [uniform(rng, (sizes[l], sizes[l - 1])) / np.float32(np.sqrt(sizes[l - 1])) for l in range(1, len(sizes))]
        self.b = [np.zeros((sizes[l], 1), np.float32) for l in range(1, len(sizes))]

    def iteration(self, X, Y, rate):
        m = X.shape[1]
        A = [X]
        for W, b, g in zip(self.W, self.b, self.activations):
            Z = W @ A[-1] + b
            if g == "relu":
                A.append(np.maximum(Z, 0))
            elif g == "tanh":
                A.append(np.tanh(Z))
            else:
                A.append(1 / (1 + np.exp(-Z)))
        AL = A[-1]
        cost = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
        dZ = AL - Y
        for l in reversed(range(len(self.W))):
            dW = (dZ @ A[l].T) / m
            db = np.sum(dZ, axis=1, keepdims=True) / m
            if l > 0:
                dA = self.W[l].T @ dZ
                g = self.activations[l - 1]
                dZ = dA * (A[l] > 0) if g == "relu" else dA * (1 - A[l] ** 2) if g == "tanh" else dA * A[l] * (1 - A[l])
            self.W[l] -= rate * dW
            self.b[l] -= rate * db
        return cost


def numpy_rows(selected):
    rng = np.random.default_rng(10)
    if selected("TabularIteration"):
        net = NumPyNetwork([30, 16, 1], ["tanh", "sigmoid"], 1)
        X = uniform(rng, (30, 455)) * np.float32(np.sqrt(12))
        Y = (rng.uniform(size=(1, 455)) > 0.5).astype(np.float32)
        measure("numpy_TabularIteration", lambda: net.iteration(X, Y, 0.1))
    if selected("DeepTrainIteration"):
        net = NumPyNetwork([12288, 20, 7, 5, 1], ["relu", "relu", "relu", "sigmoid"], 2)
        X = rng.uniform(size=(12288, 209)).astype(np.float32)
        Y = (rng.uniform(size=(1, 209)) > 0.66).astype(np.float32)
        measure("numpy_DeepTrainIteration", lambda: net.iteration(X, Y, 1e-6))
    if selected("PlanarFit"):
        X = uniform(rng, (2, 400)) * 8
        Y = (rng.uniform(size=(1, 400)) > 0.5).astype(np.float32)

        def fit():
            net = NumPyNetwork([2, 4, 1], ["tanh", "sigmoid"], 3)
            for _ in range(10_000):
                net.iteration(X, Y, 1.2)

        measure("numpy_PlanarFit", fit)


# ---- PyTorch -----------------------------------------------------------------------------------------------------
def torch_rows(selected):
    import torch
    from torch import nn

    torch.manual_seed(0)
    torch.set_num_threads(1)

    def full_batch(sizes, activations, m, rate):
        layers = []
        for l in range(1, len(sizes)):
            layers.append(nn.Linear(sizes[l - 1], sizes[l]))
            layers.append({"relu": nn.ReLU(), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid()}[activations[l - 1]])
        model = nn.Sequential(*layers)
        optimizer = torch.optim.SGD(model.parameters(), lr=rate)
        X = torch.rand(m, sizes[0])
        Y = (torch.rand(m, 1) > 0.5).float()
        loss = nn.BCELoss()

        def iteration():
            optimizer.zero_grad(set_to_none=True)
            cost = loss(model(X), Y)
            cost.backward()
            optimizer.step()

        return iteration

    if selected("TabularIteration"):
        measure("torch_TabularIteration", full_batch([30, 16, 1], ["tanh", "sigmoid"], 455, 0.1))
    if selected("DeepTrainIteration"):
        measure("torch_DeepTrainIteration", full_batch([12288, 20, 7, 5, 1], ["relu", "relu", "relu", "sigmoid"], 209, 1e-6))

    def fashion():
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))

    if selected("FashionEpoch"):
        X = torch.rand(60_000, 784)
        labels = torch.randint(0, 10, (60_000,))
        for threads, name in ((1, "torch_FashionEpoch"), (2, "torch_FashionEpoch2Threads")):
            torch.set_num_threads(threads)
            model = fashion()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            loss = nn.CrossEntropyLoss()

            def epoch():
                order = torch.randperm(60_000)
                for start in range(0, 60_000, 128):
                    batch = order[start:start + 128]
                    optimizer.zero_grad(set_to_none=True)
                    cost = loss(model(X[batch]), labels[batch])
                    cost.backward()
                    optimizer.step()

            measure(name, epoch)
        torch.set_num_threads(1)
    if selected("SimpleChainsAdamStep"):
        X = torch.rand(10_000, 4) * 2 - 1
        Y = torch.sin(3 * X) * 0.5
        for threads, name in ((1, "torch_SimpleChainsAdamStep"), (2, "torch_SimpleChainsAdamStep2Threads")):
            torch.set_num_threads(threads)
            model = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 4))
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            loss = nn.MSELoss()

            def adam_step():
                optimizer.zero_grad(set_to_none=True)
                cost = loss(model(X), Y)
                cost.backward()
                optimizer.step()

            measure(name, adam_step)
        torch.set_num_threads(1)
    if selected("LstmTrainStep"):
        # Issue 24's training row: nn.LSTM(1, 32) + nn.Linear(32, 1) on 16 sequences x 2,048 steps, MSE at every step.
        class Amp(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(1, 32, batch_first=True)
                self.dense = nn.Linear(32, 1)

            def forward(self, x):
                return self.dense(self.lstm(x)[0])

        model = Amp()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        X = torch.rand(16, 2048, 1) - 0.5
        Y = torch.tanh(2 * X)
        loss = nn.MSELoss()

        def lstm_step():
            optimizer.zero_grad(set_to_none=True)
            cost = loss(model(X), Y)
            cost.backward()
            optimizer.step()

        measure("torch_LstmTrainStep", lstm_step)
    if selected("FashionPredictBatch"):
        model = fashion()
        X = torch.rand(10_000, 784)
        for threads, name in ((1, "torch_FashionPredictBatch"), (2, "torch_FashionPredictBatch2Threads")):
            torch.set_num_threads(threads)

            def predict():
                with torch.no_grad():
                    torch.softmax(model(X), dim=1)

            measure(name, predict)
        torch.set_num_threads(1)

    def lenet5():
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    if selected("LeNet5Epoch"):
        X = torch.rand(60_000, 1, 28, 28)
        labels = torch.randint(0, 10, (60_000,))
        for threads, name in ((1, "torch_LeNet5Epoch"), (2, "torch_LeNet5Epoch2Threads")):
            torch.set_num_threads(threads)
            model = lenet5()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            loss = nn.CrossEntropyLoss()

            def epoch():
                order = torch.randperm(60_000)
                for start in range(0, 60_000, 128):
                    batch = order[start:start + 128]
                    optimizer.zero_grad(set_to_none=True)
                    cost = loss(model(X[batch]), labels[batch])
                    cost.backward()
                    optimizer.step()

            # An epoch takes seconds to tens of seconds here: one warm-up call is enough to reach steady state.
            measure(name, epoch, warmups=1)
        torch.set_num_threads(1)
    if selected("LeNet5PredictBatch"):
        model = lenet5()
        X = torch.rand(10_000, 1, 28, 28)
        for threads, name in ((1, "torch_LeNet5PredictBatch"), (2, "torch_LeNet5PredictBatch2Threads")):
            torch.set_num_threads(threads)

            def predict():
                with torch.no_grad():
                    torch.softmax(model(X), dim=1)

            measure(name, predict)
        torch.set_num_threads(1)


def main():
    filters = sys.argv[1:]

    def selected(name):
        return not filters or any(f.lower() in name.lower() for f in filters)

    blas = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line or "lapack" in line})
    print(f"python_peers: NumPy {np.__version__}, BLAS {', '.join(blas) or 'unknown'}", file=sys.stderr)
    numpy_rows(selected)
    try:
        import torch
    except ImportError:
        print("python_peers: PyTorch is not installed (apt-get install python3-torch); its rows are skipped", file=sys.stderr)
        return
    print(f"python_peers: PyTorch {torch.__version__}, threads 1 unless the row says 2", file=sys.stderr)
    torch_rows(selected)


if __name__ == "__main__":
    main()
