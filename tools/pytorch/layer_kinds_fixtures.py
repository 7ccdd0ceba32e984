#!/usr/bin/env python3
"""Write the layer-kind fixtures: small networks with batch norm, layer norm and dropout, run by PyTorch.

    python3 tools/pytorch/layer_kinds_fixtures.py [OUT_DIR]     (default tests/Fixtures/layer-kinds)

For each network, one JSON file NnGen's tests compare the generated code with. Layers are numbered 1..L over all kinds
and tensors named as NnGen names them (W{l} of shape (units, inputs) row-major, b{l}, gamma{l}, beta{l},
running_mean{l}, running_var{l}). Fields:

    name, m, step_seed, layers        the network: m examples, the dropout step seed, the layers as NnGen describes them
    inputs, labels                    m x n0 and m x nL, row-major
    parameters, state                 tensor name -> flat values, before the step (state: the running statistics)
    inference_outputs                 eval mode: batch norm with the running statistics, dropout the identity
    masks                             dropout layer number -> m x units of 0/1: the contract's hash mask for step_seed
    training_outputs                  train mode: batch statistics, dropout x * mask * (1 / (1 - p)) with that mask
    cost                              of the training outputs, in float64 from the float32 outputs:
                                      sigmoid: J = -(1/m) sum_examples sum_outputs [y log a + (1 - y) log(1 - a)]
                                      softmax: J = -(1/m) sum_examples sum_outputs y log a
    gradients                         tensor name -> dJ/d(parameter) in train mode (autograd, float32); state has none
    state_after                       the running statistics after the one training forward pass

Everything is computed in float32 by PyTorch's own modules (nn.Linear, nn.BatchNorm1d, nn.LayerNorm); float32
values are written in their shortest round-trip form. torch 1.13.1 (Debian's python3-torch).
"""

import math
import os
import sys

import numpy as np
import torch
from torch import nn

MASK64 = (1 << 64) - 1


def mix(z):
    """The contract's 64-bit mixer (SplitMix64's finalizer after the golden-ratio increment), wrapping like ulong."""
    z = (z + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def dropout_mask(step_seed, layer_index, rate, m, units):
    """keep[e][j] as NnGen.Kernels.DropoutMask decides it: the same for every batch layout, width and thread count."""
    key = mix((step_seed + layer_index * 0xD1B54A32D192ED03) & MASK64)
    scaled = float(np.float32(rate)) * 16777216.0
    threshold = int(math.floor(scaled + 0.5))  # round half away from zero (scaled >= 0)
    keep = np.zeros((m, units), dtype=np.float32)
    for e in range(m):
        for j in range(units):
            bits = mix(key ^ (e * units + j))
            keep[e, j] = 1.0 if (bits >> 40) >= threshold else 0.0
    return keep


class Dropout(nn.Module):
    """Inverted dropout with a fixed mask: x * mask * (1f / (1f - p)), the scale computed in float32 as NnGen does."""

    def __init__(self, rate):
        super().__init__()
        self.rate = rate
        self.mask = None

    def forward(self, x):
        if not self.training:
            return x
        scale = np.float32(1.0) / (np.float32(1.0) - np.float32(self.rate))
        return x * torch.from_numpy(self.mask) * torch.tensor(scale, dtype=torch.float32)


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "softmax": lambda: nn.Softmax(dim=-1)}


def f32(value):
    return str(np.float32(value))


def build(inputs, spec):
    """spec: ("dense", units, activation) | ("batch_norm",) | ("layer_norm",) | ("dropout", rate).
    Returns the layers [(kind, index, modules, description)] and the units of the last."""
    layers = []
    features = inputs
    for index, layer in enumerate(spec, start=1):
        kind = layer[0]
        if kind == "dense":
            linear = nn.Linear(features, layer[1])
            modules = [linear, ACTIVATIONS[layer[2]]()]
            description = "dense"
            features = layer[1]
        elif kind == "batch_norm":
            modules = [nn.BatchNorm1d(features, eps=1e-5, momentum=0.1)]
            description = f"batch_norm(epsilon={f32(1e-5)} momentum={f32(0.1)})"
        elif kind == "layer_norm":
            modules = [nn.LayerNorm(features, eps=1e-5)]
            description = f"layer_norm(epsilon={f32(1e-5)})"
        elif kind == "dropout":
            modules = [Dropout(layer[1])]
            description = f"dropout(rate={f32(layer[1])})"
        else:
            raise ValueError(kind)
        layers.append((kind, index, modules, description, features))
    return layers


def randomize(layers, generator):
    """Non-trivial affine parameters and running statistics (defaults 1, 0, 0, 1 would hide transpositions and mix-ups)."""
    with torch.no_grad():
        for kind, _, modules, _, features in layers:
            norm = modules[0]
            if kind in ("batch_norm", "layer_norm"):
                norm.weight.copy_(1.0 + 0.3 * torch.randn(features, generator=generator))
                norm.bias.copy_(0.2 * torch.randn(features, generator=generator))
            if kind == "batch_norm":
                norm.running_mean.copy_(0.5 * torch.randn(features, generator=generator))
                norm.running_var.copy_(0.5 + torch.rand(features, generator=generator))


def tensors(layers, state):
    """Our tensor name -> torch tensor, parameters (state=False) or running statistics (state=True), in layer order."""
    named = {}
    for kind, index, modules, _, _ in layers:
        module = modules[0]
        if kind == "dense" and not state:
            named[f"W{index}"] = module.weight
            named[f"b{index}"] = module.bias
        elif kind in ("batch_norm", "layer_norm") and not state:
            named[f"gamma{index}"] = module.weight
            named[f"beta{index}"] = module.bias
        elif kind == "batch_norm" and state:
            named[f"running_mean{index}"] = module.running_mean
            named[f"running_var{index}"] = module.running_var
    return named


def flat(tensor):
    return [f32(v) for v in tensor.detach().to(torch.float32).reshape(-1).tolist()]


def reference_inference(layers, x, parameters, state):
    """An independent float64 NumPy forward pass in eval mode, to check the torch modules were wired as described."""
    a = x.astype(np.float64)
    for kind, index, modules, _, _ in layers:
        if kind == "dense":
            w = np.array(parameters[f"W{index}"], dtype=np.float64)
            b = np.array(parameters[f"b{index}"], dtype=np.float64)
            z = a @ w.T + b
            activation = type(modules[1]).__name__
            if activation == "ReLU":
                a = np.maximum(z, 0)
            elif activation == "Tanh":
                a = np.tanh(z)
            elif activation == "Sigmoid":
                a = 1 / (1 + np.exp(-z))
            else:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                a = e / e.sum(axis=1, keepdims=True)
        elif kind == "batch_norm":
            mean = np.array(state[f"running_mean{index}"], dtype=np.float64)
            var = np.array(state[f"running_var{index}"], dtype=np.float64)
            a = (a - mean) / np.sqrt(var + 1e-5) * parameters[f"gamma{index}"] + parameters[f"beta{index}"]
        elif kind == "layer_norm":
            mean = a.mean(axis=1, keepdims=True)
            var = a.var(axis=1, keepdims=True)
            a = (a - mean) / np.sqrt(var + 1e-5) * parameters[f"gamma{index}"] + parameters[f"beta{index}"]
    return a


def make(name, inputs, spec, m, seed, step_seed, loss):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed + 1000)
    layers = build(inputs, spec)
    model = nn.Sequential(*[module for layer in layers for module in layer[2]])
    randomize(layers, generator)
    outputs = spec[-1][1]
    x = (1.5 * torch.randn(m, inputs, generator=generator)).to(torch.float32)
    if loss == "categorical":
        classes = torch.randint(0, outputs, (m,), generator=generator)
        y = torch.nn.functional.one_hot(classes, outputs).to(torch.float32)
    else:
        y = torch.randint(0, 2, (m, outputs), generator=generator).to(torch.float32)

    parameters = {key: value.detach().clone() for key, value in tensors(layers, state=False).items()}
    state = {key: value.detach().clone() for key, value in tensors(layers, state=True).items()}

    model.eval()
    with torch.no_grad():
        inference = model(x)
    reference = reference_inference(layers, x.numpy(), {k: v.numpy() for k, v in parameters.items()}, {k: v.numpy() for k, v in state.items()})
    assert np.abs(reference - inference.numpy()).max() < 1e-5, f"{name}: torch eval forward differs from the float64 reference"

    masks = {}
    for kind, index, modules, _, features in layers:
        if kind == "dropout":
            modules[0].mask = dropout_mask(step_seed, index, modules[0].rate, m, features)
            masks[str(index)] = modules[0].mask
    model.train()
    model.zero_grad()
    a = model(x)
    if loss == "categorical":
        cost_graph = -(y * torch.log(a)).sum() / m
    else:
        cost_graph = -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum() / m
    cost_graph.backward()
    a64 = a.detach().to(torch.float64).numpy()
    y64 = y.to(torch.float64).numpy()
    if loss == "categorical":
        cost = float(-(y64 * np.log(a64)).sum() / m)
    else:
        cost = float(-(y64 * np.log(a64) + (1 - y64) * np.log(1 - a64)).sum() / m)
    gradients = {key: value.grad for key, value in tensors(layers, state=False).items()}
    state_after = tensors(layers, state=True)

    return {
        "name": name,
        "m": m,
        "step_seed": step_seed,
        "layers": [layer[3] for layer in layers],
        "layer_sizes": [inputs] + [layer[4] for layer in layers],
        "activations": [type(layer[2][1]).__name__.lower() if layer[0] == "dense" else "linear" for layer in layers],
        "inputs": flat(x),
        "labels": flat(y),
        "parameters": {key: flat(value) for key, value in parameters.items()},
        "state": {key: flat(value) for key, value in state.items()},
        "inference_outputs": flat(inference),
        "masks": {key: flat(torch.from_numpy(value)) for key, value in masks.items()},
        "training_outputs": flat(a),
        "cost": cost,
        "gradients": {key: flat(value) for key, value in gradients.items()},
        "state_after": {key: flat(value) for key, value in state_after.items()},
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


NETWORKS = [
    ("bn", 5, [("dense", 6, "relu"), ("batch_norm",), ("dense", 3, "softmax")], 0, "categorical", 11),
    ("ln", 5, [("dense", 6, "tanh"), ("layer_norm",), ("dense", 1, "sigmoid")], 0, "binary", 12),
    ("dropout", 5, [("dense", 6, "relu"), ("dropout", 0.25), ("dense", 2, "sigmoid")], 12345, "binary", 13),
    ("fashion", 12, [("dense", 10, "relu"), ("batch_norm",), ("dropout", 0.2), ("dense", 8, "relu"), ("layer_norm",), ("dense", 4, "softmax")], 777, "categorical", 14),
]


def main(argv):
    directory = argv[0] if argv else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Fixtures", "layer-kinds")
    os.makedirs(directory, exist_ok=True)
    for name, inputs, spec, step_seed, loss, seed in NETWORKS:
        fixture = make(name, inputs, spec, 8, seed, step_seed, loss)
        path = os.path.join(directory, name + ".json")
        with open(path, "w", encoding="utf-8") as file:
            file.write(to_json(fixture))
        print(f"wrote {os.path.normpath(path)}: cost {fixture['cost']}, torch {torch.__version__}")


if __name__ == "__main__":
    main(sys.argv[1:])
