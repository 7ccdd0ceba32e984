#!/usr/bin/env python3
"""Export a PyTorch nn.Sequential of Linear layers and activations to a safetensors file NnGen loads.

    from export_sequential import export_sequential
    export_sequential(model, "model.safetensors", name="MyNet")

then, in C#, declare the same architecture and load it:

    [Network(Inputs = 3)] [Layer(8, Activation.ReLU)] [Layer(2, Activation.Sigmoid)] public partial class MyNet;
    var net = new MyNet(); net.LoadWeights("model.safetensors");

Layout: tensors W1, b1, W2, b2, ... in F32 little-endian; W[l] is Linear.weight, shape (out, in) = (n[l], n[l-1]), the
course's W; b[l] is Linear.bias, shape (n[l]). The metadata records the layer sizes and activations, which NnGen checks
against the network it loads into. Supported modules: Linear (with bias), Sigmoid, Tanh, ReLU, LeakyReLU
(negative_slope 0.01, NnGen's), Softmax(dim=-1 or 1) as the last activation, Identity; a Linear not followed by an
activation is linear. The format is written by hand (json + struct), so the `safetensors` package is not needed.

Command line (makes a test fixture: weights, inputs and PyTorch's outputs in one file):

    python3 export_sequential.py fixture OUT.safetensors --layers 3,8,6,2 --activations relu,tanh,sigmoid --seed 1
        [--examples 16] [--torch-names]

--torch-names writes PyTorch's own state_dict names (0.weight, 0.bias, 2.weight, ...) and no NnGen metadata, as
`safetensors.torch.save_file(model.state_dict(), path)` would, to exercise NnGen's by-position loading.
"""

import argparse
import json
import struct
import sys

import torch
from torch import nn

FORMAT_VERSION = "1"

_ACTIVATIONS = {
    nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh",
    nn.ReLU: "relu",
    nn.LeakyReLU: "leaky_relu",
    nn.Softmax: "softmax",
    nn.Identity: "linear",
}


def describe(model: nn.Sequential):
    """(layer sizes [n0, n1, ..., nL], activation names, [(state_dict prefix, Linear)]) of a supported Sequential."""
    modules = list(model.named_children())
    sizes, activations, linears = [], [], []
    i = 0
    while i < len(modules):
        name, module = modules[i]
        if not isinstance(module, nn.Linear):
            raise ValueError(f"module {name} ({type(module).__name__}): expected Linear")
        if module.bias is None:
            raise ValueError(f"module {name}: Linear without bias is not supported (NnGen layers have b)")
        if not sizes:
            sizes.append(module.in_features)
        elif module.in_features != sizes[-1]:
            raise ValueError(f"module {name}: expects {module.in_features} inputs, previous layer gives {sizes[-1]}")
        sizes.append(module.out_features)
        linears.append((name, module))
        activation = "linear"
        if i + 1 < len(modules) and not isinstance(modules[i + 1][1], nn.Linear):
            next_name, next_module = modules[i + 1]
            kind = _ACTIVATIONS.get(type(next_module))
            if kind is None:
                raise ValueError(f"module {next_name} ({type(next_module).__name__}): not an activation NnGen has")
            if kind == "leaky_relu" and abs(next_module.negative_slope - 0.01) > 0:
                raise ValueError(f"module {next_name}: LeakyReLU slope {next_module.negative_slope}; NnGen's is 0.01")
            if kind == "softmax" and next_module.dim not in (-1, 1):
                raise ValueError(f"module {next_name}: Softmax over dim {next_module.dim}; NnGen's is over the features (-1)")
            activation = kind
            i += 1
        activations.append(activation)
        i += 1
    if not linears:
        raise ValueError("the Sequential has no Linear layer")
    if "softmax" in activations[:-1]:
        raise ValueError("softmax is only supported as the output activation")
    return sizes, activations, linears


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, float32 tensor). Writes the safetensors layout: u64 LE header length, JSON, data."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, tensor in tensors:
        array = tensor.detach().to(torch.float32).contiguous().cpu().numpy()
        blob = array.astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for blob in blobs:
            file.write(blob)


def export_sequential(model: nn.Sequential, path, name="TorchSequential", extras=None, torch_names=False):
    """Write model's weights (and extras: list of (name, tensor)) as a safetensors file NnGen loads."""
    sizes, activations, linears = describe(model)
    tensors = []
    for layer, (prefix, linear) in enumerate(linears, start=1):
        tensors.append((f"{prefix}.weight" if torch_names else f"W{layer}", linear.weight))
        tensors.append((f"{prefix}.bias" if torch_names else f"b{layer}", linear.bias))
    tensors.extend(extras or [])
    metadata = None if torch_names else {
        "format": "nngen",
        "nngen.format_version": FORMAT_VERSION,
        "nngen.network": name,
        "nngen.layer_sizes": ",".join(str(size) for size in sizes),
        "nngen.activations": ",".join(activations),
        "nngen.exported_from": f"torch {torch.__version__}",
    }
    write_safetensors(path, tensors, metadata)
    return sizes, activations


def build(sizes, activations):
    modules = []
    for fan_in, fan_out, activation in zip(sizes, sizes[1:], activations):
        modules.append(nn.Linear(fan_in, fan_out))
        if activation == "sigmoid":
            modules.append(nn.Sigmoid())
        elif activation == "tanh":
            modules.append(nn.Tanh())
        elif activation == "relu":
            modules.append(nn.ReLU())
        elif activation == "leaky_relu":
            modules.append(nn.LeakyReLU(0.01))
        elif activation == "softmax":
            modules.append(nn.Softmax(dim=-1))
        elif activation != "linear":
            raise ValueError(f"unknown activation {activation}")
    return nn.Sequential(*modules)


def fixture(arguments):
    sizes = [int(size) for size in arguments.layers.split(",")]
    activations = arguments.activations.split(",")
    torch.manual_seed(arguments.seed)
    model = build(sizes, activations).eval()
    inputs = torch.randn(arguments.examples, sizes[0], dtype=torch.float32) * 2
    with torch.no_grad():
        outputs = model(inputs)
        # The same network in double precision from the same float32 weights: the reference closest to exact.
        outputs64 = model.double()(inputs.double())
        model.float()
    extras = [("fixture.inputs", inputs), ("fixture.outputs", outputs), ("fixture.outputs_f64", outputs64.float())]
    export_sequential(model, arguments.output, name=arguments.name, extras=extras, torch_names=arguments.torch_names)
    print(f"wrote {arguments.output}: {sizes} {activations}, {arguments.examples} examples, torch {torch.__version__}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("fixture", help="make a test fixture from a seeded random Sequential")
    make.add_argument("output")
    make.add_argument("--layers", required=True, help="n0,n1,...,nL")
    make.add_argument("--activations", required=True, help="one per layer: sigmoid, tanh, relu, leaky_relu, linear, softmax")
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--examples", type=int, default=16)
    make.add_argument("--name", default="TorchSequential")
    make.add_argument("--torch-names", action="store_true")
    arguments = parser.parse_args(argv)
    if arguments.command == "fixture":
        fixture(arguments)


if __name__ == "__main__":
    main(sys.argv[1:])
