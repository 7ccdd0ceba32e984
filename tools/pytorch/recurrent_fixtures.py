#!/usr/bin/env python3
"""Write the recurrent-layer fixtures: nn.LSTM and nn.GRU (batch_first) run by PyTorch, for the runtime kernels' tests.

    python3 tools/pytorch/recurrent_fixtures.py [OUT_DIR]     (default tests/Fixtures/recurrent)

One JSON file per module: {lstm,gru}_i{I}_h{H}.json (num_layers 1) and {lstm,gru}_stacked.json (num_layers 2). Tensors are
named as PyTorch's state_dict names them (weight_ih_l{k} of shape (G*H, in) row-major, weight_hh_l{k} (G*H, H), bias_ih_l{k},
bias_hh_l{k}, gate rows in PyTorch's order: LSTM i, f, g, o; GRU r, z, n), which is NnGen's layout. Fields:

    kind, inputs, units, layers       the module: "lstm" or "gru", I, H, num_layers
    parameters                        state_dict name -> flat values
    long                              one sequence of `steps` (1,000) steps from nonzero initial states:
                                      x (steps x I), h0 and c0 (layers x H; c0 only for LSTM), hs (steps x H, the last
                                      layer's h_t at every step), h_n and c_n (layers x H)
    batch                             m = 3 sequences of T = 25 steps, batch-first: x (m x T x I), h0, c0 (layers x m x H),
                                      r (m x T x H), hs (m x T x H), loss = sum(hs * r) (float64 from the float32 hs),
                                      gradients: state_dict name -> dloss/dparameter, and "x" -> dloss/dx (m x T x I),
                                      autograd in float32; the initial states are constants

Everything runs in float32 through PyTorch's own modules; an independent float64 NumPy forward pass checks that the
modules compute the equations NnGen implements (GRU with the reset gate applied after the hidden product). float32 values
are written in their shortest round-trip form. torch 1.13 (Debian's python3-torch).
"""

import os
import sys

import numpy as np
import torch
from torch import nn

LONG_STEPS = 1000
BATCH = 3
BATCH_STEPS = 25


def f32(value):
    return str(np.float32(value))


def flat(tensor):
    return [f32(v) for v in tensor.detach().to(torch.float32).reshape(-1).tolist()]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference(kind, parameters, layers, x, h0, c0):
    """float64 forward of a batch-first x (m, T, I) from h0, c0 (layers, m, H): the last layer's hs (m, T, H)."""
    sequence = x.astype(np.float64)
    for k in range(layers):
        w_ih = parameters[f"weight_ih_l{k}"].astype(np.float64)
        w_hh = parameters[f"weight_hh_l{k}"].astype(np.float64)
        b_ih = parameters[f"bias_ih_l{k}"].astype(np.float64)
        b_hh = parameters[f"bias_hh_l{k}"].astype(np.float64)
        h = h0[k].astype(np.float64)
        c = c0[k].astype(np.float64) if kind == "lstm" else None
        units = h.shape[1]
        outputs = []
        for t in range(sequence.shape[1]):
            ax = sequence[:, t, :] @ w_ih.T + b_ih
            ah = h @ w_hh.T + b_hh
            if kind == "lstm":
                a = ax + ah
                i, f = sigmoid(a[:, :units]), sigmoid(a[:, units:2 * units])
                g, o = np.tanh(a[:, 2 * units:3 * units]), sigmoid(a[:, 3 * units:])
                c = f * c + i * g
                h = o * np.tanh(c)
            else:
                r = sigmoid(ax[:, :units] + ah[:, :units])
                z = sigmoid(ax[:, units:2 * units] + ah[:, units:2 * units])
                n = np.tanh(ax[:, 2 * units:] + r * ah[:, 2 * units:])
                h = (1 - z) * n + z * h
            outputs.append(h)
        sequence = np.stack(outputs, axis=1)
    return sequence


def make(kind, inputs, units, layers, seed):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed + 1000)
    module = (nn.LSTM if kind == "lstm" else nn.GRU)(inputs, units, num_layers=layers, batch_first=True)
    parameters = {name: value.detach().clone() for name, value in module.state_dict().items()}
    numpy_parameters = {name: value.numpy() for name, value in parameters.items()}

    def states(m):
        h0 = (0.5 * torch.randn(layers, m, units, generator=generator)).to(torch.float32)
        c0 = (0.5 * torch.randn(layers, m, units, generator=generator)).to(torch.float32)
        return h0, c0

    def run(x, h0, c0):
        return module(x, (h0, c0)) if kind == "lstm" else module(x, h0)

    # One long sequence: a slow sine with noise, so the states move through their range for all 1,000 steps.
    time = torch.arange(LONG_STEPS, dtype=torch.float32).reshape(1, LONG_STEPS, 1)
    long_x = (torch.sin(time * torch.linspace(0.01, 0.05, inputs).reshape(1, 1, inputs)) +
              0.3 * torch.randn(1, LONG_STEPS, inputs, generator=generator)).to(torch.float32)
    long_h0, long_c0 = states(1)
    with torch.no_grad():
        long_hs, long_final = run(long_x, long_h0, long_c0)
    long_h_n, long_c_n = long_final if kind == "lstm" else (long_final, None)
    check = reference(kind, numpy_parameters, layers, long_x.numpy(), long_h0.numpy(), long_c0.numpy())
    assert np.abs(check - long_hs.numpy()).max() < 1e-4, f"{kind}: torch forward differs from the float64 reference"

    # A small batch with a loss sum(hs * r): its gradients are dloss/dparameters and dloss/dx.
    batch_x = (1.5 * torch.randn(BATCH, BATCH_STEPS, inputs, generator=generator)).to(torch.float32).requires_grad_(True)
    batch_h0, batch_c0 = states(BATCH)
    r = torch.randn(BATCH, BATCH_STEPS, units, generator=generator).to(torch.float32)
    module.zero_grad()
    batch_hs, _ = run(batch_x, batch_h0, batch_c0)
    (batch_hs * r).sum().backward()
    loss = float((batch_hs.detach().to(torch.float64) * r.to(torch.float64)).sum())
    check = reference(kind, numpy_parameters, layers, batch_x.detach().numpy(), batch_h0.numpy(), batch_c0.numpy())
    assert np.abs(check - batch_hs.detach().numpy()).max() < 1e-5, f"{kind}: torch batch forward differs from the float64 reference"
    gradients = {name: value.grad for name, value in module.named_parameters()}
    gradients["x"] = batch_x.grad

    long_fields = {"steps": LONG_STEPS, "x": flat(long_x), "h0": flat(long_h0)}
    batch_fields = {"m": BATCH, "steps": BATCH_STEPS, "x": flat(batch_x), "h0": flat(batch_h0)}
    if kind == "lstm":
        long_fields["c0"] = flat(long_c0)
        batch_fields["c0"] = flat(batch_c0)
    long_fields.update({"hs": flat(long_hs), "h_n": flat(long_h_n)})
    if kind == "lstm":
        long_fields["c_n"] = flat(long_c_n)
    batch_fields.update({"r": flat(r), "hs": flat(batch_hs), "loss": loss, "gradients": {k: flat(v) for k, v in gradients.items()}})
    return {
        "kind": kind,
        "inputs": inputs,
        "units": units,
        "layers": layers,
        "parameters": {name: flat(value) for name, value in parameters.items()},
        "long": long_fields,
        "batch": batch_fields,
    }


def to_json(fixture):
    """JSON with float32 numbers in their shortest round-trip form (json.dumps would print the float64 expansion)."""
    def value(v):
        if isinstance(v, dict):
            return "{" + ", ".join(f'"{k}": {value(x)}' for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, str) and is_number(v):
            return v
        if isinstance(v, str):
            return '"' + v + '"'
        return repr(v)

    lines = ",\n".join(f'  "{key}": {value(v)}' for key, v in fixture.items())
    return "{\n" + lines + "\n}\n"


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return text not in ("nan", "inf", "-inf")


# name, kind, inputs, units, num_layers, seed
MODULES = [
    (f"{kind}_i{inputs}_h{units}", kind, inputs, units, 1, seed)
    for seed, (kind, inputs, units) in enumerate(
        [(kind, inputs, units) for kind in ("lstm", "gru") for inputs in (1, 3) for units in (8, 16)], start=21)
] + [
    ("lstm_stacked", "lstm", 3, 8, 2, 41),
    ("gru_stacked", "gru", 3, 8, 2, 42),
]


def main(argv):
    directory = argv[0] if argv else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Fixtures", "recurrent")
    os.makedirs(directory, exist_ok=True)
    torch.set_num_threads(1)
    for name, kind, inputs, units, layers, seed in MODULES:
        fixture = make(kind, inputs, units, layers, seed)
        path = os.path.join(directory, name + ".json")
        with open(path, "w", encoding="utf-8") as file:
            file.write(to_json(fixture))
        print(f"wrote {os.path.normpath(path)}: loss {fixture['batch']['loss']:.6f}, torch {torch.__version__}")


if __name__ == "__main__":
    main(sys.argv[1:])
