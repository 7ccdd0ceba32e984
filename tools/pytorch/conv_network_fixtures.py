#!/usr/bin/env python3
"""Write the convolutional-network fixtures: the generated networks of tests/NnGen.Networks.Tests/ConvolutionalNetworks.cs
built again from PyTorch's own modules, run on the same weights and inputs.

    python3 tools/pytorch/conv_network_fixtures.py [OUT_DIR]     (default tests/Fixtures/conv-networks)

One JSON file per network. Layers are numbered 1..L over all kinds, tensors named as NnGen names them: W{l} in PyTorch's
weight layout ((out, in / groups, kh, kw) for Conv2d, (out, in / groups, k) for Conv1d, (out, in) for Linear), b{l}.
Fields:

    name, m                           the network and the number of examples
    inputs, labels                    m x n0 (NCHW / NCL flattened) and m x nL, row-major
    parameters                        tensor name -> flat values
    outputs                           the network's outputs (softmax or sigmoid applied)
    cost                              in float64 from the float32 outputs:
                                      sigmoid: J = -(1/m) sum [y log a + (1 - y) log(1 - a)]
                                      softmax: J = -(1/m) sum y log a
    gradients                         tensor name -> dJ/d(parameter) (autograd, float32)

Causal padding is F.pad(x, (dilation * (k - 1), 0)) before an unpadded Conv1d; 'same' is Conv1d's padding='same'.
Everything runs in float32; an independent float64 NumPy forward pass (direct loops, not PyTorch) checks each network's
outputs, so the modules compute what NnGen's attributes declare. float32 values are written in their shortest
round-trip form. torch 1.13 (Debian's python3-torch).
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class CausalConv1d(nn.Module):
    def __init__(self, cin, cout, k, dilation=1, groups=1):
        super().__init__()
        self.left = dilation * (k - 1)
        self.conv = nn.Conv1d(cin, cout, k, dilation=dilation, groups=groups)

    def forward(self, x):
        return self.conv(F.pad(x, (self.left, 0)))


def networks():
    """name -> (input shape, [(NnGen layer number or None, module)], output kind)."""
    return {
        "lenet_small": ((1, 12, 12), [
            (1, nn.Conv2d(1, 4, 3, padding=1)), (None, nn.ReLU()),
            (None, nn.MaxPool2d(2)),
            (3, nn.Conv2d(4, 6, 3)), (None, nn.Tanh()),
            (None, nn.AvgPool2d(2)),
            (None, nn.Flatten()),
            (6, nn.Linear(24, 10)), (None, nn.ReLU()),
            (7, nn.Linear(10, 3)),
        ], "softmax"),
        "one_d": ((3, 20), [
            (1, nn.Conv1d(3, 6, 3, padding="same")), (None, nn.Tanh()),
            (2, CausalConv1d(6, 6, 3, dilation=2, groups=2)), (None, nn.ReLU()),
            (None, nn.MaxPool1d(3, stride=2, padding=1)),
            (None, nn.AvgPool1d(2)),
            (None, nn.AdaptiveAvgPool1d(1)), (None, nn.Flatten()),
            (6, nn.Linear(6, 1)),
        ], "sigmoid"),
        "strided": ((2, 9, 7), [
            (1, nn.Conv2d(2, 4, 3, stride=2, padding=2, dilation=2, groups=2)),
            (None, nn.MaxPool2d(3, stride=1, padding=1)),
            (3, nn.Conv2d(4, 3, 2)), (None, nn.Sigmoid()),
            (None, nn.Flatten()),
            (5, nn.Linear(36, 2)),
        ], "softmax"),
    }


def conv_reference(x, w, b, stride, pad, dilation, groups):
    """Direct float64 convolution over (C, H, W) with pad = (top, bottom, left, right)."""
    cin, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    sh, sw = stride
    dh, dw = dilation
    top, bottom, left, right = pad
    ho = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + left + right - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((cout, ho, wo))
    per_group = cout // groups
    for co in range(cout):
        g = co // per_group
        for oy in range(ho):
            for ox in range(wo):
                s = b[co]
                for c in range(cg):
                    for ky in range(kh):
                        for kx in range(kw):
                            y = oy * sh + ky * dh - top
                            xx = ox * sw + kx * dw - left
                            if 0 <= y < h and 0 <= xx < wd:
                                s += w[co, c, ky, kx] * x[g * cg + c, y, xx]
                out[co, oy, ox] = s
    return out


def pool_reference(x, k, stride, pad, kind):
    c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = k, stride, pad
    ho = (h + 2 * ph - kh) // sh + 1
    wo = (w + 2 * pw - kw) // sw + 1
    out = np.zeros((c, ho, wo))
    for ch in range(c):
        for oy in range(ho):
            for ox in range(wo):
                values = []
                for ky in range(kh):
                    for kx in range(kw):
                        y, xx = oy * sh + ky - ph, ox * sw + kx - pw
                        inside = 0 <= y < h and 0 <= xx < w
                        values.append(x[ch, y, xx] if inside else (-np.inf if kind == "max" else 0.0))
                out[ch, oy, ox] = max(values) if kind == "max" else sum(values) / (kh * kw)
    return out


def reference_forward(shape, layers, kind, example):
    """The float64 forward pass of one example with direct loops, from the modules' parameters."""
    x = example.astype(np.float64).reshape(shape)
    one_d = len(shape) == 2
    if one_d:
        x = x[:, None, :]
    for _, module in layers:
        conv = module.conv if isinstance(module, CausalConv1d) else module
        if isinstance(conv, (nn.Conv1d, nn.Conv2d)):
            w = conv.weight.detach().double().numpy()
            b = conv.bias.detach().double().numpy()
            if w.ndim == 3:
                w = w[:, :, None, :]
                k = w.shape[3]
                d = conv.dilation[0]
                if isinstance(module, CausalConv1d):
                    pad = (0, 0, d * (k - 1), 0)
                elif conv.padding == "same":
                    total = d * (k - 1)
                    pad = (0, 0, total // 2, total - total // 2)
                else:
                    pad = (0, 0, conv.padding[0], conv.padding[0])
                x = conv_reference(x, w, b, (1, conv.stride[0]), pad, (1, d), conv.groups)
            else:
                p = conv.padding
                x = conv_reference(x, w, b, conv.stride, (p[0], p[0], p[1], p[1]), conv.dilation, conv.groups)
        elif isinstance(module, (nn.MaxPool1d, nn.AvgPool1d)):
            k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
            s = module.stride if isinstance(module.stride, int) else module.stride[0]
            p = module.padding if isinstance(module.padding, int) else module.padding[0]
            x = pool_reference(x, (1, k), (1, s), (0, p), "max" if isinstance(module, nn.MaxPool1d) else "avg")
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
            x = pool_reference(x, pair(module.kernel_size), pair(module.stride), pair(module.padding),
                               "max" if isinstance(module, nn.MaxPool2d) else "avg")
        elif isinstance(module, nn.AdaptiveAvgPool1d):
            x = x.mean(axis=(1, 2))
        elif isinstance(module, nn.Flatten):
            x = x.reshape(-1)
        elif isinstance(module, nn.Linear):
            x = module.weight.detach().double().numpy() @ x.reshape(-1) + module.bias.detach().double().numpy()
        elif isinstance(module, nn.ReLU):
            x = np.maximum(x, 0)
        elif isinstance(module, nn.Tanh):
            x = np.tanh(x)
        elif isinstance(module, nn.Sigmoid):
            x = 1 / (1 + np.exp(-x))
        else:
            raise ValueError(f"no reference for {module}")
    if kind == "softmax":
        e = np.exp(x - x.max())
        return e / e.sum()
    return 1 / (1 + np.exp(-x))


def floats(tensor):
    return [float(np.float32(v)) for v in np.asarray(tensor, dtype=np.float32).reshape(-1)]


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "Fixtures", "conv-networks")
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(25)
    m = 5
    for name, (shape, layers, kind) in networks().items():
        model = nn.Sequential(*[module for _, module in layers])
        n0 = int(np.prod(shape))
        x = torch.rand(m, *shape) * 2 - 1
        logits = model(x)
        outputs_count = logits.shape[1]
        if kind == "softmax":
            classes = torch.randint(0, outputs_count, (m,))
            y = F.one_hot(classes, outputs_count).float()
            a = torch.softmax(logits, dim=1)
            cost = -(y * torch.log(a)).sum() / m
        else:
            y = (torch.rand(m, 1) > 0.5).float()
            a = torch.sigmoid(logits)
            cost = -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum() / m
        model.zero_grad()
        cost.backward()

        reference = np.stack([reference_forward(shape, layers, kind, x[i].numpy()) for i in range(m)])
        err = np.abs(reference - a.detach().double().numpy()).max()
        assert err < 1e-5, f"{name}: PyTorch and the float64 reference differ by {err}"

        parameters, gradients = {}, {}
        for number, module in layers:
            if number is None:
                continue
            target = module.conv if isinstance(module, CausalConv1d) else module
            parameters[f"W{number}"] = floats(target.weight.detach())
            parameters[f"b{number}"] = floats(target.bias.detach())
            gradients[f"W{number}"] = floats(target.weight.grad)
            gradients[f"b{number}"] = floats(target.bias.grad)
        a64 = a.detach().double().numpy()
        y64 = y.double().numpy()
        cost64 = (-(y64 * np.log(a64)).sum() / m) if kind == "softmax" else (-(y64 * np.log(a64) + (1 - y64) * np.log(1 - a64)).sum() / m)
        fixture = {
            "name": name,
            "m": m,
            "inputs": floats(x.reshape(m, n0)),
            "labels": floats(y),
            "parameters": parameters,
            "outputs": floats(a.detach()),
            "cost": float(cost64),
            "gradients": gradients,
        }
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(fixture, f, separators=(",", ":"))
        print(f"{name}: outputs {tuple(a.shape)}, cost {cost64:.6f}, float64 reference within {err:.2e}")


if __name__ == "__main__":
    main()
