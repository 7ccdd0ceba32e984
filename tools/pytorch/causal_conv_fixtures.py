#!/usr/bin/env python3
"""Write the causal Conv1D fixtures: nn.Conv1d on F.pad(x, (d*(K-1), 0)) run by PyTorch, for the streaming kernels' tests.

    python3 tools/pytorch/causal_conv_fixtures.py [OUT_DIR]     (default tests/Fixtures/causal-conv)

One JSON file per layer, named in LAYERS below: RTNeural's rows (conv1d_8_8_k7: 8 -> 8, K 7; the conv1d_stack layers
1 -> 8 K 3 d 1, 8 -> 8 K 3 d 2, 8 -> 8 K 3 d 4), grouped and depthwise layers and K = 1. y_t = b + sum_k W[:, :, k] .
x_{t-(K-1-k)d}, W (Cout, Cin/g, K) as nn.Conv1d stores it, which is NnGen's layout. Fields:

    in_channels, out_channels, kernel, dilation, groups
    parameters                        weight (Cout x Cin/g x K), bias (Cout), flat
    long                              one stream: previous (P x Cin, the inputs before the window, P = d(K-1) + 5, so
                                      the stream has a nonzero history), x (200 x Cin), y (200 x Cout, the window's outputs)
    batch                             m = 3 streams of T = 25 steps, batch-first: previous (m x P x Cin), x (m x T x Cin),
                                      r (m x T x Cout), y (m x T x Cout), loss = sum(y * r) (float64 from the float32 y),
                                      gradients: weight, bias, x (m x T x Cin), autograd in float32; the previous inputs
                                      are constants (the window's backward pass is truncated there)

Before the previous inputs the stream is silent (zeros, a reset state). Everything runs in float32 through nn.Conv1d; an
independent float64 NumPy loop checks it computes the equation above. float32 values are written in their shortest
round-trip form. torch 1.13 (Debian's python3-torch).
"""

import os
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

LONG_STEPS = 200
BATCH = 3
BATCH_STEPS = 25


def f32(value):
    return str(np.float32(value))


def flat(tensor):
    return [f32(v) for v in tensor.detach().to(torch.float32).reshape(-1).tolist()]


def reference(weight, bias, x, kernel, dilation, groups):
    """float64 y (m, T, Cout) of a batch-first x (m, T, Cin) with zeros before it."""
    weight = weight.astype(np.float64)
    m, steps, cin = x.shape
    cout = weight.shape[0]
    per_in, per_out = cin // groups, cout // groups
    y = np.zeros((m, steps, cout))
    for o in range(cout):
        first = (o // per_out) * per_in
        for t in range(steps):
            total = np.full(m, float(bias[o]))
            for k in range(kernel):
                s = t - (kernel - 1 - k) * dilation
                if s >= 0:
                    total += x[:, s, first:first + per_in].astype(np.float64) @ weight[o, :, k]
            y[:, t, o] = total
    return y


def run(conv, x, dilation, kernel):
    """Batch-first (m, T, Cin) -> (m, T, Cout), causal: zeros before the first input."""
    return conv(F.pad(x.transpose(1, 2), (dilation * (kernel - 1), 0))).transpose(1, 2)


def make(cin, cout, kernel, dilation, groups, seed):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed + 1000)
    conv = nn.Conv1d(cin, cout, kernel, dilation=dilation, groups=groups)
    weight, bias = conv.weight.detach().clone(), conv.bias.detach().clone()
    previous_steps = dilation * (kernel - 1) + 5

    # One stream: a sine per channel with noise, its first previous_steps samples given as history.
    time = torch.arange(previous_steps + LONG_STEPS, dtype=torch.float32).reshape(1, -1, 1)
    whole = (torch.sin(time * torch.linspace(0.02, 0.2, cin).reshape(1, 1, cin)) +
             0.3 * torch.randn(1, previous_steps + LONG_STEPS, cin, generator=generator)).to(torch.float32)
    with torch.no_grad():
        long_y = run(conv, whole, dilation, kernel)[:, previous_steps:, :]
    check = reference(weight.numpy(), bias.numpy(), whole.numpy(), kernel, dilation, groups)[:, previous_steps:, :]
    assert np.abs(check - long_y.numpy()).max() < 1e-5, "torch forward differs from the float64 reference"

    # A batch with a loss sum(y * r) over the window; the previous inputs carry no gradient.
    previous = (1.5 * torch.randn(BATCH, previous_steps, cin, generator=generator)).to(torch.float32)
    batch_x = (1.5 * torch.randn(BATCH, BATCH_STEPS, cin, generator=generator)).to(torch.float32).requires_grad_(True)
    r = torch.randn(BATCH, BATCH_STEPS, cout, generator=generator).to(torch.float32)
    conv.zero_grad()
    batch_y = run(conv, torch.cat([previous, batch_x], dim=1), dilation, kernel)[:, previous_steps:, :]
    (batch_y * r).sum().backward()
    loss = float((batch_y.detach().to(torch.float64) * r.to(torch.float64)).sum())
    check = reference(weight.numpy(), bias.numpy(), torch.cat([previous, batch_x.detach()], dim=1).numpy(), kernel, dilation, groups)
    assert np.abs(check[:, previous_steps:, :] - batch_y.detach().numpy()).max() < 1e-5, "torch batch forward differs from the float64 reference"

    return {
        "in_channels": cin,
        "out_channels": cout,
        "kernel": kernel,
        "dilation": dilation,
        "groups": groups,
        "parameters": {"weight": flat(weight), "bias": flat(bias)},
        "long": {"steps": LONG_STEPS, "previous_steps": previous_steps, "previous": flat(whole[:, :previous_steps, :]),
                 "x": flat(whole[:, previous_steps:, :]), "y": flat(long_y)},
        "batch": {"m": BATCH, "steps": BATCH_STEPS, "previous_steps": previous_steps, "previous": flat(previous),
                  "x": flat(batch_x), "r": flat(r), "y": flat(batch_y), "loss": loss,
                  "gradients": {"weight": flat(conv.weight.grad), "bias": flat(conv.bias.grad), "x": flat(batch_x.grad)}},
    }


def to_json(fixture):
    """JSON with float32 numbers in their shortest round-trip form (json.dumps would print the float64 expansion)."""
    def value(v):
        if isinstance(v, dict):
            return "{" + ", ".join(f'"{k}": {value(x)}' for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, str):
            return v
        return repr(v)

    lines = ",\n".join(f'  "{key}": {value(v)}' for key, v in fixture.items())
    return "{\n" + lines + "\n}\n"


# name, in channels, out channels, kernel, dilation, groups, seed
LAYERS = [
    ("conv_8_8_k7", 8, 8, 7, 1, 1, 61),
    ("stack1_1_8_k3_d1", 1, 8, 3, 1, 1, 62),
    ("stack2_8_8_k3_d2", 8, 8, 3, 2, 1, 63),
    ("stack3_8_8_k3_d4", 8, 8, 3, 4, 1, 64),
    ("grouped_6_4_k3_d2_g2", 6, 4, 3, 2, 2, 65),
    ("depthwise_4_4_k2_d3_g4", 4, 4, 2, 3, 4, 66),
    ("pointwise_3_5_k1", 3, 5, 1, 1, 1, 67),
    ("wide_12_20_k5_d1", 12, 20, 5, 1, 1, 68),
]


def main(argv):
    directory = argv[0] if argv else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Fixtures", "causal-conv")
    os.makedirs(directory, exist_ok=True)
    torch.set_num_threads(1)
    for name, cin, cout, kernel, dilation, groups, seed in LAYERS:
        fixture = make(cin, cout, kernel, dilation, groups, seed)
        path = os.path.join(directory, name + ".json")
        with open(path, "w", encoding="utf-8") as file:
            file.write(to_json(fixture))
        print(f"wrote {os.path.normpath(path)}: loss {fixture['batch']['loss']:.6f}, torch {torch.__version__}")


if __name__ == "__main__":
    main(sys.argv[1:])
