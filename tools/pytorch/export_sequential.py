#!/usr/bin/env python3
"""Export a PyTorch nn.Sequential of Conv1d/Conv2d, pools, Flatten, Linear, BatchNorm1d, LayerNorm and Dropout layers and activations, or a model of LSTM/GRU modules followed by Linear layers, to a safetensors file NnGen loads (and the C# declaration of the same network).

    from export_sequential import export_sequential
    export_sequential(model, "model.safetensors", name="MyNet")

then, in C#, declare the same architecture and load it:

    [Network(Inputs = 3)] [Layer(8, Activation.ReLU)] [Layer(2, Activation.Sigmoid)] public partial class MyNet;
    var net = new MyNet(); net.LoadWeights("model.safetensors");

Layers are numbered 1..L over every kind, in module order (activations belong to the Linear or Conv before them). Tensors, F32
little-endian, named by layer l: a Linear's W{l} = Linear.weight, shape (out, in) = (n[l], n[l-1]), the course's W, and
b{l} = Linear.bias, shape (n[l]); a BatchNorm1d's gamma{l} = weight, beta{l} = bias, running_mean{l} and running_var{l};
a LayerNorm's gamma{l} and beta{l}; a Dropout has none. The metadata records the layer sizes and activations (linear
for every layer but Linear) and, when there is a layer other than Linear, every layer's kind and arguments
(nngen.layers: dense, batch_norm(epsilon=E momentum=M), layer_norm(epsilon=E), dropout(rate=P)), which NnGen checks
against the network it loads into.

Supported modules: Linear (with bias); after a Linear, Sigmoid, Tanh, ReLU, LeakyReLU (negative_slope 0.01, NnGen's),
Softmax(dim=-1 or 1) as the last activation, Identity (a Linear not followed by an activation is linear);
BatchNorm1d (affine, tracking running statistics, momentum not None); LayerNorm over the features (elementwise
affine); Dropout. NnGen applies activations in dense layers only, so an activation after a norm or a dropout is
refused: put it before (Linear, ReLU, BatchNorm1d). The last layer is a Linear. The format is written by hand
(json + struct), so the `safetensors` package is not needed.

Convolutional models. Pass one example's shape, (C, H, W) or (C, L), and get the C# declaration too:

    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 10), nn.Softmax(dim=-1))
    export_sequential(model, "lenet5.safetensors", name="LeNet5", input_shape=(1, 28, 28))
    print(declaration(model, name="LeNet5", input_shape=(1, 28, 28)))   # [Network(Input = new[] { 1, 28, 28 })] [Conv2D(6, Kernel = 5, Padding = 2, ...)] ...

Conv1d/Conv2d (bias, zero padding, square kernel, stride, padding and dilation, any groups, padding='same' or
'valid'): W{l} = weight, (out, in/groups, k, k) or (out, in/groups, k), PyTorch's layout, and b{l} = bias; an
activation right after it belongs to it (softmax does not). MaxPool1d/2d (no dilation, ceil_mode=False) and
AvgPool1d/2d (ceil_mode=False, count_include_pad=True, no divisor_override), square, stride defaulting to the window;
AdaptiveAvgPool1d/2d(1) followed by nn.Flatten() is NnGen's GlobalAvgPool; Flatten (start_dim 1) before the first
Linear. Non-square kernels, ceil_mode, count_include_pad=False, BatchNorm2d (and BatchNorm1d on channels, which
normalize per channel where NnGen normalizes per feature) are refused naming the module. nngen.layer_sizes are the
flattened feature counts (C*H*W), nngen.input_shape the example's shape, and nngen.layers every layer's geometry:
conv2d(out_channels= kernel_h= kernel_w= stride_h= stride_w= pad_top= pad_bottom= pad_left= pad_right= dilation_h=
dilation_w= groups=), conv1d(out_channels= kernel= stride= pad_left= pad_right= dilation= groups=),
max_pool2d/avg_pool2d(kernel_h= kernel_w= stride_h= stride_w= pad_h= pad_w=), max_pool1d/avg_pool1d(kernel= stride=
padding=), global_avg_pool, flatten.

Recurrent models. nn.LSTM and nn.GRU cannot sit in an nn.Sequential (they return a tuple), so any nn.Module is taken:
its children in registration order are its layers, the order its forward() is assumed to apply them in (check it):

    class AmpModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, 32, num_layers=1, batch_first=True)
            self.dense = nn.Linear(32, 1)
        def forward(self, x):                 # x: (batch, steps, 1)
            y, _ = self.lstm(x)
            return self.dense(y)              # at every step; y[:, -1] for one output per sequence
    export_sequential(AmpModel(), "amp.safetensors", name="AmpModel", return_sequences=True)

An LSTM or GRU with batch_first=True, bias=True, bidirectional=False, num_layers 1 or 2 (and an LSTM's proj_size 0)
becomes one NnGen recurrent layer per stacked layer k: Wih{l} = weight_ih_l{k} (G*H, I), Whh{l} = weight_hh_l{k}
(G*H, H), bih{l} = bias_ih_l{k}, bhh{l} = bias_hh_l{k} (G*H), G = 4 for an LSTM (gates i, f, g, o), 3 for a GRU
(r, z, n), PyTorch's layout unchanged. The dropout between stacked layers acts in training only and is not exported.
return_sequences=False says the model keeps only the last step of its last recurrent layer (a label per sequence);
nngen.layers records lstm(return_sequences=true|false) or gru(...) for every recurrent layer.

Command line (makes a test fixture: weights, inputs and PyTorch's outputs in one file):

    python3 export_sequential.py fixture OUT.safetensors --layers 3,8,6,2 --activations relu,tanh,sigmoid --seed 1
        [--examples 16] [--torch-names]

--layers are NnGen's n[0], n[1], ..., n[L] and --activations one entry per layer: an activation for a Linear, or
batch_norm, layer_norm or dropout=P (which keep the size), e.g. --layers 4,8,8,8,6,6,3
--activations relu,batch_norm,dropout=0.3,tanh,layer_norm,softmax. Norm layers get seeded non-trivial weights and
running statistics; the outputs are eval mode's.

--torch-names writes PyTorch's own state_dict names (0.weight, 0.bias, 2.weight, 2.running_mean, ..., with
BatchNorm1d's num_batches_tracked as I64) and no NnGen metadata, as `safetensors.torch.save_file(model.state_dict(),
path)` would, to exercise NnGen's by-position loading.

    python3 export_sequential.py recurrent-fixture OUT.safetensors --kind lstm --inputs 3 --hidden 8 --num-layers 2
        --outputs 2 --activation tanh [--last-step] [--steps 50] [--examples 4] [--seed 1] [--torch-names]

makes a recurrent fixture: a model of one nn.LSTM or nn.GRU "rnn" and an nn.Linear "dense" (+ activation), its
weights, inputs (examples, steps, inputs) and PyTorch's outputs, (examples, steps, outputs) or with --last-step
(examples, outputs), in float32 and from the same weights in float64.

    python3 export_sequential.py conv-fixture OUT.safetensors --model conv2d|conv1d [--examples 5] [--seed 1]
        [--name TorchConv] [--torch-names]

makes a convolutional fixture from one of the seeded models of conv_model() (inputs (examples, C, H, W) or
(examples, C, L)) and prints its C# declaration. The checked-in fixtures of tests/NnGen.Shipping.Tests/Fixtures:
conv-fixture torch-conv2d.safetensors --model conv2d --name TorchConv2D --seed 1, and conv-fixture
torch-conv1d-state-dict.safetensors --model conv1d --name TorchConv1D --seed 2 --torch-names.
"""

import argparse
import json
import struct
import sys

import numpy as np
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

_RECURRENT = {nn.LSTM: "lstm", nn.GRU: "gru"}


def _number(value):
    """A float argument as NnGen reads it back: the shortest text of its float32."""
    return str(np.float32(value))


_CONV = {nn.Conv1d: "conv1d", nn.Conv2d: "conv2d"}
_POOLS = {nn.MaxPool1d: "max_pool1d", nn.MaxPool2d: "max_pool2d", nn.AvgPool1d: "avg_pool1d", nn.AvgPool2d: "avg_pool2d"}
_ADAPTIVE = (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)


def _shape_text(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _square(what, name, value):
    """One int for a square kernel (stride, padding, dilation): PyTorch's int or a tuple of equal ints."""
    values = value if isinstance(value, (tuple, list)) else (value,)
    if len(set(values)) != 1:
        raise ValueError(f"module {what}: {name}={tuple(values)} is not square; NnGen's Conv2D, Conv1D and pools take one {name} for every dimension")
    return values[0]


def _output_length(size, kernel, stride, padding, dilation):
    span = dilation * (kernel - 1) + 1
    return (size + padding - span) // stride + 1 if size + padding >= span else 0


def _convolution(what, module, shape):
    """The NnGen layer of an nn.Conv1d/Conv2d on (C, L) or (C, H, W): (arguments dict, output shape)."""
    two_d = isinstance(module, nn.Conv2d)
    if module.bias is None:
        raise ValueError(f"module {what}: bias=False is not supported (NnGen's convolutions have b)")
    if module.padding_mode != "zeros":
        raise ValueError(f"module {what}: padding_mode='{module.padding_mode}'; NnGen pads with zeros")
    if len(shape) != (3 if two_d else 2):
        raise ValueError(f"module {what}: expects (C, {'H, W' if two_d else 'L'}) input, previous layer gives {_shape_text(shape)}")
    if shape[0] != module.in_channels:
        raise ValueError(f"module {what}: expects {module.in_channels} input channels, previous layer gives {_shape_text(shape)}")
    kernel = _square(what, "kernel_size", module.kernel_size)
    stride = _square(what, "stride", module.stride)
    dilation = _square(what, "dilation", module.dilation)
    same = module.padding == "same"
    if same:
        # PyTorch's padding='same' (stride 1): dilation*(kernel-1) zeros, the odd one after the input.
        total = dilation * (kernel - 1)
        before, after = total // 2, total - total // 2
    else:
        before = after = 0 if module.padding == "valid" else _square(what, "padding", module.padding)
    out = [_output_length(size, kernel, stride, before + after, dilation) for size in shape[1:]]
    if min(out) < 1:
        raise ValueError(f"module {what}: kernel {kernel} (dilation {dilation}, stride {stride}, padding {before}) on {_shape_text(shape)} leaves no output")
    arguments = {"out_channels": module.out_channels, "kernel": kernel, "stride": stride, "before": before, "after": after,
                 "dilation": dilation, "groups": module.groups, "same": same}
    return arguments, [module.out_channels] + out


def _pool(what, module, shape):
    """The NnGen layer of an nn.MaxPool*/AvgPool*: (arguments dict, output shape)."""
    two_d = isinstance(module, (nn.MaxPool2d, nn.AvgPool2d))
    if len(shape) != (3 if two_d else 2):
        raise ValueError(f"module {what}: expects (C, {'H, W' if two_d else 'L'}) input, previous layer gives {_shape_text(shape)}")
    if module.ceil_mode:
        raise ValueError(f"module {what}: ceil_mode=True is not supported; NnGen's pools drop a last partial window (ceil_mode=False)")
    if isinstance(module, (nn.MaxPool1d, nn.MaxPool2d)):
        if _square(what, "dilation", module.dilation) != 1:
            raise ValueError(f"module {what}: dilation={module.dilation} is not supported; NnGen's max pools are not dilated")
        if module.return_indices:
            raise ValueError(f"module {what}: return_indices=True is not supported")
    else:
        if not module.count_include_pad:
            raise ValueError(f"module {what}: count_include_pad=False is not supported; NnGen's average counts the padding (PyTorch's default)")
        if getattr(module, "divisor_override", None) is not None:
            raise ValueError(f"module {what}: divisor_override={module.divisor_override} is not supported")
    kernel = _square(what, "kernel_size", module.kernel_size)
    stride = _square(what, "stride", module.stride if module.stride is not None else module.kernel_size)
    padding = _square(what, "padding", module.padding)
    if 2 * padding > kernel:
        raise ValueError(f"module {what}: padding {padding} is more than half the window {kernel}")
    out = [_output_length(size, kernel, stride, 2 * padding, 1) for size in shape[1:]]
    if min(out) < 1:
        raise ValueError(f"module {what}: window {kernel} (stride {stride}, padding {padding}) on {_shape_text(shape)} leaves no output")
    return {"kernel": kernel, "stride": stride, "padding": padding}, [shape[0]] + out


def _entry(kind, arguments):
    """nngen.layers' spelling of a convolution or pool (LayerDescription.Arguments in C#)."""
    a = arguments
    if kind == "conv2d":
        values = [("out_channels", a["out_channels"]), ("kernel_h", a["kernel"]), ("kernel_w", a["kernel"]), ("stride_h", a["stride"]),
                  ("stride_w", a["stride"]), ("pad_top", a["before"]), ("pad_bottom", a["after"]), ("pad_left", a["before"]),
                  ("pad_right", a["after"]), ("dilation_h", a["dilation"]), ("dilation_w", a["dilation"]), ("groups", a["groups"])]
    elif kind == "conv1d":
        values = [("out_channels", a["out_channels"]), ("kernel", a["kernel"]), ("stride", a["stride"]), ("pad_left", a["before"]),
                  ("pad_right", a["after"]), ("dilation", a["dilation"]), ("groups", a["groups"])]
    elif kind.endswith("2d"):
        values = [("kernel_h", a["kernel"]), ("kernel_w", a["kernel"]), ("stride_h", a["stride"]), ("stride_w", a["stride"]),
                  ("pad_h", a["padding"]), ("pad_w", a["padding"])]
    else:
        values = [("kernel", a["kernel"]), ("stride", a["stride"]), ("padding", a["padding"])]
    return f"{kind}(" + " ".join(f"{key}={value}" for key, value in values) + ")"


def describe(model: nn.Module, return_sequences=True, input_shape=None):
    """(layer sizes [n0, n1, ..., nL], activation names, layers [(kind, state_dict prefix, module, nngen.layers entry, k,
    arguments)]) of a supported Sequential or recurrent model; kind is dense, batch_norm, layer_norm, dropout, lstm, gru,
    conv1d, conv2d, max_pool1d, max_pool2d, avg_pool1d, avg_pool2d, global_avg_pool or flatten, k the stacked layer of a
    recurrent module (0 for the others), arguments what the C# declaration needs. return_sequences applies to the last
    recurrent layer; input_shape, (C, H, W) or (C, L), is needed when the model starts with a convolution or pool."""
    modules = list(model.named_children())
    if not modules:
        raise ValueError(f"{type(model).__name__} has no child modules; expected an nn.Sequential or a model of LSTM/GRU and Linear modules")
    sizes, activations, layers = [], [], []
    # The shape one example has between modules: None until known, (n) when flat, (C, L) or (C, H, W) when shaped.
    shape = list(input_shape) if input_shape is not None else None
    if shape is not None:
        if not 1 <= len(shape) <= 3 or min(shape) < 1:
            raise ValueError(f"input_shape {tuple(shape)}: expected (n), (C, L) or (C, H, W) with every dimension at least 1")
        sizes.append(int(np.prod(shape)))

    def chain(name, features):
        nonlocal shape
        if shape is not None and len(shape) > 1:
            raise ValueError(f"module {name}: expects {features} flat inputs, previous layer gives {_shape_text(shape)}; put an nn.Flatten() before it")
        if not sizes:
            sizes.append(features)
        elif features != sizes[-1]:
            raise ValueError(f"module {name}: expects {features} inputs, previous layer gives {sizes[-1]}")

    def shaped(name, module):
        if shape is None:
            raise ValueError(f"module {name} ({type(module).__name__}): the input's shape is unknown; pass input_shape=(C, H, W) or (C, L)")
        return shape

    def activation_after(i):
        """The activation module right after modules[i], if any: (its kind, how many modules it takes)."""
        if i + 1 < len(modules) and type(modules[i + 1][1]) in _ACTIVATIONS:
            next_name, next_module = modules[i + 1]
            kind = _ACTIVATIONS[type(next_module)]
            if kind == "leaky_relu" and abs(next_module.negative_slope - 0.01) > 0:
                raise ValueError(f"module {next_name}: LeakyReLU slope {next_module.negative_slope}; NnGen's is 0.01")
            if kind == "softmax" and next_module.dim not in (-1, 1):
                raise ValueError(f"module {next_name}: Softmax over dim {next_module.dim}; NnGen's is over the features (-1)")
            return kind, 1
        return "linear", 0

    i = 0
    while i < len(modules):
        name, module = modules[i]
        activation = "linear"
        if isinstance(module, nn.Linear):
            if module.bias is None:
                raise ValueError(f"module {name}: Linear without bias is not supported (NnGen layers have b)")
            chain(name, module.in_features)
            sizes.append(module.out_features)
            shape = [module.out_features]
            layers.append(("dense", name, module, "dense", 0, None))
            activation, taken = activation_after(i)
            i += taken
        elif type(module) in _CONV:
            kind = _CONV[type(module)]
            what = f"{name} ({type(module).__name__})"
            arguments, shape = _convolution(what, module, shaped(name, module))
            sizes.append(int(np.prod(shape)))
            layers.append((kind, name, module, _entry(kind, arguments), 0, arguments))
            activation, taken = activation_after(i)
            if activation == "softmax":
                raise ValueError(f"module {modules[i + 1][0]}: softmax after a convolution; NnGen's softmax normalizes a dense output layer")
            i += taken
        elif type(module) in _POOLS:
            kind = _POOLS[type(module)]
            arguments, shape = _pool(f"{name} ({type(module).__name__})", module, shaped(name, module))
            sizes.append(int(np.prod(shape)))
            layers.append((kind, name, module, _entry(kind, arguments), 0, arguments))
        elif isinstance(module, _ADAPTIVE):
            what = f"{name} ({type(module).__name__})"
            two_d = isinstance(module, nn.AdaptiveAvgPool2d)
            size = module.output_size if isinstance(module.output_size, (tuple, list)) else (module.output_size,)
            if any(d != 1 for d in size):
                raise ValueError(f"module {what}: output_size={module.output_size}; NnGen's global average pooling is AdaptiveAvgPool(1)")
            current = shaped(name, module)
            if len(current) != (3 if two_d else 2):
                raise ValueError(f"module {what}: expects (C, {'H, W' if two_d else 'L'}) input, previous layer gives {_shape_text(current)}")
            if not (i + 1 < len(modules) and isinstance(modules[i + 1][1], nn.Flatten)):
                raise ValueError(f"module {what}: NnGen's GlobalAvgPool is AdaptiveAvgPool(1) followed by nn.Flatten(); put the Flatten right after it")
            shape = [current[0]]
            sizes.append(current[0])
            layers.append(("global_avg_pool", name, module, "global_avg_pool", 0, None))
            i += 1
        elif isinstance(module, nn.Flatten):
            if module.start_dim != 1 or module.end_dim != -1:
                raise ValueError(f"module {name} (Flatten): start_dim={module.start_dim}, end_dim={module.end_dim}; NnGen flattens everything but the batch (1, -1)")
            current = shaped(name, module)
            shape = [int(np.prod(current))]
            sizes.append(shape[0])
            layers.append(("flatten", name, module, "flatten", 0, None))
        elif isinstance(module, (nn.BatchNorm2d, nn.BatchNorm3d)) or (isinstance(module, nn.BatchNorm1d) and shape is not None and len(shape) > 1):
            raise ValueError(
                f"module {name} ({type(module).__name__}): normalizes each channel over its positions; NnGen's batch norm normalizes "
                "each feature, so put BatchNorm1d after nn.Flatten()")
        elif isinstance(module, nn.BatchNorm1d):
            if not module.affine or not module.track_running_stats:
                raise ValueError(f"module {name}: BatchNorm1d needs affine=True and track_running_stats=True (NnGen keeps gamma, beta and the running statistics)")
            if module.momentum is None:
                raise ValueError(f"module {name}: BatchNorm1d with momentum=None (a cumulative average) is not supported; NnGen's running statistics use a momentum")
            chain(name, module.num_features)
            sizes.append(module.num_features)
            layers.append(("batch_norm", name, module, f"batch_norm(epsilon={_number(module.eps)} momentum={_number(module.momentum)})", 0, None))
        elif isinstance(module, nn.LayerNorm):
            if len(module.normalized_shape) != 1 or not module.elementwise_affine:
                raise ValueError(f"module {name}: LayerNorm must normalize the features (one dimension) with elementwise_affine=True")
            chain(name, module.normalized_shape[0])
            sizes.append(module.normalized_shape[0])
            layers.append(("layer_norm", name, module, f"layer_norm(epsilon={_number(module.eps)})", 0, None))
        elif type(module) is nn.Dropout:
            if not 0 <= module.p < 1:
                raise ValueError(f"module {name}: Dropout p={module.p}; NnGen's rate is in [0, 1)")
            if not sizes:
                raise ValueError(f"module {name}: a Dropout first has no feature count; start with a Linear")
            sizes.append(sizes[-1])
            layers.append(("dropout", name, module, f"dropout(rate={_number(module.p)})", 0, None))
        elif type(module) in _RECURRENT:
            kind = _RECURRENT[type(module)]
            what = f"module {name} ({type(module).__name__})"
            if not module.batch_first:
                raise ValueError(f"{what}: batch_first=False; NnGen's sequences are batch-first (batch, steps, features): construct it with batch_first=True")
            if not module.bias:
                raise ValueError(f"{what}: bias=False is not supported (NnGen's recurrent layers have bias_ih and bias_hh)")
            if module.bidirectional:
                raise ValueError(f"{what}: bidirectional=True is not supported; NnGen's recurrent layers run forward in time")
            if getattr(module, "proj_size", 0):
                raise ValueError(f"{what}: proj_size={module.proj_size} is not supported; NnGen's LSTM outputs h of its hidden size")
            if module.num_layers not in (1, 2):
                raise ValueError(f"{what}: num_layers={module.num_layers}; NnGen exports 1 or 2 stacked layers per module")
            chain(name, module.input_size)
            shape = [module.hidden_size]
            for k in range(module.num_layers):
                sizes.append(module.hidden_size)
                layers.append((kind, name, module, None, k, None))
                if k + 1 < module.num_layers:
                    activations.append("linear")
        elif type(module) in _ACTIVATIONS:
            after = f"{type(modules[i - 1][1]).__name__} {modules[i - 1][0]}" if i > 0 else "nothing"
            raise ValueError(
                f"module {name} ({type(module).__name__}) follows {after}: NnGen applies activations in dense and convolution layers only; "
                "put it right after a Linear or a Conv (Linear, ReLU, BatchNorm1d)")
        else:
            raise ValueError(f"module {name} ({type(module).__name__}): not a layer or activation NnGen has")
        activations.append(activation)
        i += 1
    if not layers:
        raise ValueError("the Sequential has no layer")
    if layers[-1][0] != "dense":
        raise ValueError(f"module {layers[-1][1]}: the last layer must be a Linear (NnGen's output layer is dense)")
    if "softmax" in activations[:-1]:
        raise ValueError("softmax is only supported as the output activation")
    recurrent = [i for i, layer in enumerate(layers) if layer[0] in ("lstm", "gru")]
    if not recurrent and not return_sequences:
        raise ValueError("return_sequences=False applies to a recurrent layer; the model has no LSTM or GRU")
    for i in recurrent:
        kind, name, module, _, k, arguments = layers[i]
        every_step = return_sequences or i != recurrent[-1]
        layers[i] = (kind, name, module, f"{kind}(return_sequences={'true' if every_step else 'false'})", k, arguments)
    return sizes, activations, layers


_TENSORS = {
    "dense": (("W", "weight"), ("b", "bias")),
    "batch_norm": (("gamma", "weight"), ("beta", "bias"), ("running_mean", "running_mean"), ("running_var", "running_var")),
    "layer_norm": (("gamma", "weight"), ("beta", "bias")),
    "dropout": (),
    "lstm": (("Wih", "weight_ih_l{k}"), ("Whh", "weight_hh_l{k}"), ("bih", "bias_ih_l{k}"), ("bhh", "bias_hh_l{k}")),
    "gru": (("Wih", "weight_ih_l{k}"), ("Whh", "weight_hh_l{k}"), ("bih", "bias_ih_l{k}"), ("bhh", "bias_hh_l{k}")),
    "conv1d": (("W", "weight"), ("b", "bias")),
    "conv2d": (("W", "weight"), ("b", "bias")),
}


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, tensor): floating tensors as F32, int64 ones (num_batches_tracked) as I64. Writes the
    safetensors layout: u64 LE header length, JSON, data."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, tensor in tensors:
        integer = tensor.dtype == torch.int64
        array = tensor.detach().to(torch.int64 if integer else torch.float32).contiguous().cpu().numpy()
        blob = array.astype("<i8" if integer else "<f4").tobytes()
        header[name] = {"dtype": "I64" if integer else "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for blob in blobs:
            file.write(blob)


def export_sequential(model: nn.Module, path, name="TorchSequential", extras=None, torch_names=False, return_sequences=True, input_shape=None):
    """Write model's weights (and extras: list of (name, tensor)) as a safetensors file NnGen loads. return_sequences:
    whether the model's last recurrent layer passes on every step (False: only the last, one output per sequence);
    input_shape: one example's (C, H, W) or (C, L), needed for a model that starts with a convolution or pool."""
    sizes, activations, layers = describe(model, return_sequences, input_shape)
    tensors = []
    for index, (kind, prefix, module, _, k, _) in enumerate(layers, start=1):
        for ours, theirs in _TENSORS.get(kind, ()):
            theirs = theirs.format(k=k)
            tensors.append((f"{prefix}.{theirs}" if torch_names else f"{ours}{index}", getattr(module, theirs)))
        if kind == "batch_norm" and torch_names:
            tensors.append((f"{prefix}.num_batches_tracked", module.num_batches_tracked))
    tensors.extend(extras or [])
    metadata = None if torch_names else {
        "format": "nngen",
        "nngen.format_version": FORMAT_VERSION,
        "nngen.network": name,
        "nngen.layer_sizes": ",".join(str(size) for size in sizes),
        "nngen.activations": ",".join(activations),
        "nngen.exported_from": f"torch {torch.__version__}",
    }
    if metadata is not None and any(layer[0] != "dense" for layer in layers):
        metadata["nngen.layers"] = ",".join(layer[3] for layer in layers)
    if metadata is not None and input_shape is not None and len(input_shape) > 1:
        metadata["nngen.input_shape"] = ",".join(str(d) for d in input_shape)
    write_safetensors(path, tensors, metadata)
    return sizes, activations


_CSHARP_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "linear": "Linear", "softmax": "Softmax"}


def declaration(model: nn.Module, name="TorchSequential", return_sequences=True, input_shape=None):
    """The C# declaration of the same network (attributes on a partial class), to paste beside LoadWeights."""
    sizes, activations, layers = describe(model, return_sequences, input_shape)
    if input_shape is not None and len(input_shape) > 1:
        lines = ["[Network(Input = new[] { " + ", ".join(str(d) for d in input_shape) + " })]"]
    else:
        lines = [f"[Network(Inputs = {sizes[0]})]"]
    for (kind, _, module, entry, _, arguments), activation, units in zip(layers, activations, sizes[1:]):
        csharp = _CSHARP_ACTIVATIONS[activation]
        if kind == "dense":
            lines.append(f"[Dense({units}, Activation.{csharp})]")
        elif kind in ("conv1d", "conv2d"):
            a = arguments
            parts = [str(a["out_channels"]), f"Kernel = {a['kernel']}"]
            if a["stride"] != 1:
                parts.append(f"Stride = {a['stride']}")
            if a["same"]:
                parts.append("PaddingMode = PaddingMode.Same")
            elif a["before"]:
                parts.append(f"Padding = {a['before']}")
            if a["dilation"] != 1:
                parts.append(f"Dilation = {a['dilation']}")
            if a["groups"] != 1:
                parts.append(f"Groups = {a['groups']}")
            if activation != "linear":
                parts.append(f"Activation = Activation.{csharp}")
            lines.append(f"[{'Conv2D' if kind == 'conv2d' else 'Conv1D'}({', '.join(parts)})]")
        elif kind in _POOLS.values():
            a = arguments
            parts = [str(a["kernel"])]
            if a["stride"] != a["kernel"]:
                parts.append(f"Stride = {a['stride']}")
            if a["padding"]:
                parts.append(f"Padding = {a['padding']}")
            attribute = {"max_pool1d": "MaxPool1D", "max_pool2d": "MaxPool2D", "avg_pool1d": "AvgPool1D", "avg_pool2d": "AvgPool2D"}[kind]
            lines.append(f"[{attribute}({', '.join(parts)})]")
        elif kind == "global_avg_pool":
            lines.append("[GlobalAvgPool]")
        elif kind == "flatten":
            lines.append("[Flatten]")
        elif kind == "dropout":
            lines.append(f"[Dropout({_number(module.p)})]")
        elif kind == "batch_norm":
            lines.append(f"[BatchNorm(Epsilon = {_number(module.eps)}, Momentum = {_number(module.momentum)})]")
        elif kind == "layer_norm":
            lines.append(f"[LayerNorm(Epsilon = {_number(module.eps)})]")
        else:
            every_step = "true" in entry
            lines.append(f"[{'Lstm' if kind == 'lstm' else 'Gru'}({units}{'' if every_step else ', ReturnSequences = false'})]")
    lines.append(f"public partial class {name};")
    return "\n".join(lines)


def build(sizes, activations):
    """An nn.Sequential from NnGen's n[0..L] and one entry per layer: an activation name for a Linear, or batch_norm,
    layer_norm, dropout=P (which keep the size)."""
    modules = []
    for fan_in, fan_out, activation in zip(sizes, sizes[1:], activations):
        kind = activation.split("=")[0]
        if kind in ("batch_norm", "layer_norm", "dropout"):
            if fan_out != fan_in:
                raise ValueError(f"{activation} keeps the size: {fan_in} -> {fan_out}")
            if kind == "batch_norm":
                modules.append(nn.BatchNorm1d(fan_in))
            elif kind == "layer_norm":
                modules.append(nn.LayerNorm(fan_in))
            else:
                modules.append(nn.Dropout(float(activation.split("=")[1])))
            continue
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


def randomize_norms(model):
    """Non-trivial gamma, beta and running statistics (PyTorch starts them at 1, 0, 0, 1, which would hide mix-ups).
    Draws nothing for a model without norms, so dense fixtures stay as they were."""
    with torch.no_grad():
        for module in model:
            if isinstance(module, (nn.BatchNorm1d, nn.LayerNorm)):
                module.weight.copy_(1 + 0.3 * torch.randn(module.weight.shape))
                module.bias.copy_(0.2 * torch.randn(module.bias.shape))
            if isinstance(module, nn.BatchNorm1d):
                module.running_mean.copy_(0.5 * torch.randn(module.running_mean.shape))
                module.running_var.copy_(0.5 + torch.rand(module.running_var.shape))
                module.num_batches_tracked.fill_(10)


def fixture(arguments):
    sizes = [int(size) for size in arguments.layers.split(",")]
    activations = arguments.activations.split(",")
    torch.manual_seed(arguments.seed)
    model = build(sizes, activations).eval()
    randomize_norms(model)
    inputs = torch.randn(arguments.examples, sizes[0], dtype=torch.float32) * 2
    with torch.no_grad():
        outputs = model(inputs)
        # The same network in double precision from the same float32 weights: the reference closest to exact.
        outputs64 = model.double()(inputs.double())
        model.float()
    extras = [("fixture.inputs", inputs), ("fixture.outputs", outputs), ("fixture.outputs_f64", outputs64.float())]
    export_sequential(model, arguments.output, name=arguments.name, extras=extras, torch_names=arguments.torch_names)
    print(f"wrote {arguments.output}: {sizes} {activations}, {arguments.examples} examples, torch {torch.__version__}")


class RecurrentModel(nn.Module):
    """One nn.LSTM or nn.GRU "rnn" (batch_first) and an nn.Linear "dense" with an optional activation "activation",
    applied at every step, or with return_sequences=False to the last step only."""

    def __init__(self, kind, inputs, hidden, num_layers, outputs, activation, return_sequences):
        super().__init__()
        self.rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(inputs, hidden, num_layers=num_layers, batch_first=True)
        self.dense = nn.Linear(hidden, outputs)
        if activation != "linear":
            self.activation = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU(), "softmax": nn.Softmax(dim=-1)}[activation]
        self.return_sequences = return_sequences

    def forward(self, x):
        y, _ = self.rnn(x)
        if not self.return_sequences:
            y = y[:, -1, :]
        y = self.dense(y)
        return self.activation(y) if hasattr(self, "activation") else y


def recurrent_fixture(arguments):
    torch.manual_seed(arguments.seed)
    every_step = not arguments.last_step
    model = RecurrentModel(arguments.kind, arguments.inputs, arguments.hidden, arguments.num_layers, arguments.outputs,
                           arguments.activation, every_step).eval()
    inputs = torch.randn(arguments.examples, arguments.steps, arguments.inputs, dtype=torch.float32)
    with torch.no_grad():
        outputs = model(inputs)
        outputs64 = model.double()(inputs.double())
        model.float()
    extras = [("fixture.inputs", inputs), ("fixture.outputs", outputs), ("fixture.outputs_f64", outputs64.float())]
    sizes, activations = export_sequential(model, arguments.output, name=arguments.name, extras=extras,
                                           torch_names=arguments.torch_names, return_sequences=every_step)
    print(f"wrote {arguments.output}: {sizes} {activations}, {arguments.kind} x{arguments.num_layers}, "
          f"{'every step' if every_step else 'last step'}, {arguments.examples} x {arguments.steps} steps, torch {torch.__version__}")


def conv_model(kind):
    """The seeded convolutional fixtures' models and input shapes (the C# tests build the same architectures):
    conv2d: (2, 12, 11) -> Conv2d(2, 4, 3, stride 2, padding 1) ReLU -> MaxPool2d(2, stride 1) -> Conv2d(4, 6, 3, padding
    'same', dilation 2, groups 2) Tanh -> AvgPool2d(3, stride 1, padding 1) -> Flatten -> Linear(150, 8) ReLU -> Dropout
    -> Linear(8, 3) Softmax; conv1d: (3, 40) -> Conv1d(3, 8, 4, padding 'same': 1 before, 2 after) LeakyReLU -> MaxPool1d(3, stride 2, padding 1)
    -> Conv1d(8, 8, 3, padding 'same', dilation 2, groups 4) Sigmoid -> AvgPool1d(2) -> AdaptiveAvgPool1d(1) -> Flatten
    -> Linear(8, 2)."""
    if kind == "conv2d":
        return nn.Sequential(
            nn.Conv2d(2, 4, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2, stride=1),
            nn.Conv2d(4, 6, 3, padding="same", dilation=2, groups=2), nn.Tanh(), nn.AvgPool2d(3, stride=1, padding=1),
            nn.Flatten(), nn.Linear(150, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3), nn.Softmax(dim=-1)), (2, 12, 11)
    return nn.Sequential(
        nn.Conv1d(3, 8, 4, padding="same"), nn.LeakyReLU(0.01), nn.MaxPool1d(3, stride=2, padding=1),
        nn.Conv1d(8, 8, 3, padding="same", dilation=2, groups=4), nn.Sigmoid(), nn.AvgPool1d(2),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 2)), (3, 40)


def conv_fixture(arguments):
    torch.manual_seed(arguments.seed)
    model, input_shape = conv_model(arguments.model)
    model.eval()
    inputs = torch.randn(arguments.examples, *input_shape, dtype=torch.float32)
    with torch.no_grad():
        outputs = model(inputs)
        outputs64 = model.double()(inputs.double())
        model.float()
    extras = [("fixture.inputs", inputs), ("fixture.outputs", outputs), ("fixture.outputs_f64", outputs64.float())]
    sizes, activations = export_sequential(model, arguments.output, name=arguments.name, extras=extras,
                                           torch_names=arguments.torch_names, input_shape=input_shape)
    print(declaration(model, name=arguments.name, input_shape=input_shape))
    print(f"wrote {arguments.output}: {sizes} {activations}, {arguments.examples} examples of {input_shape}, torch {torch.__version__}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("fixture", help="make a test fixture from a seeded random Sequential")
    make.add_argument("output")
    make.add_argument("--layers", required=True, help="n0,n1,...,nL")
    make.add_argument("--activations", required=True, help="one per layer: sigmoid, tanh, relu, leaky_relu, linear, softmax, batch_norm, layer_norm, dropout=P")
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--examples", type=int, default=16)
    make.add_argument("--name", default="TorchSequential")
    make.add_argument("--torch-names", action="store_true")
    recurrent = commands.add_parser("recurrent-fixture", help="make a test fixture from a seeded random LSTM or GRU followed by a Linear")
    recurrent.add_argument("output")
    recurrent.add_argument("--kind", choices=("lstm", "gru"), required=True)
    recurrent.add_argument("--inputs", type=int, required=True)
    recurrent.add_argument("--hidden", type=int, required=True)
    recurrent.add_argument("--num-layers", type=int, default=1)
    recurrent.add_argument("--outputs", type=int, required=True)
    recurrent.add_argument("--activation", default="linear", choices=("linear", "sigmoid", "tanh", "relu", "softmax"))
    recurrent.add_argument("--last-step", action="store_true")
    recurrent.add_argument("--steps", type=int, default=50)
    recurrent.add_argument("--examples", type=int, default=4)
    recurrent.add_argument("--seed", type=int, default=1)
    recurrent.add_argument("--name", default="TorchRecurrent")
    recurrent.add_argument("--torch-names", action="store_true")
    conv = commands.add_parser("conv-fixture", help="make a test fixture from a seeded random convolutional Sequential (prints its C# declaration)")
    conv.add_argument("output")
    conv.add_argument("--model", choices=("conv2d", "conv1d"), required=True)
    conv.add_argument("--examples", type=int, default=5)
    conv.add_argument("--seed", type=int, default=1)
    conv.add_argument("--name", default="TorchConv")
    conv.add_argument("--torch-names", action="store_true")
    arguments = parser.parse_args(argv)
    if arguments.command == "fixture":
        fixture(arguments)
    elif arguments.command == "recurrent-fixture":
        recurrent_fixture(arguments)
    elif arguments.command == "conv-fixture":
        conv_fixture(arguments)


if __name__ == "__main__":
    main(sys.argv[1:])
