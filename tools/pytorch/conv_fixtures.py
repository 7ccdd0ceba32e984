#!/usr/bin/env python3
"""Write the convolution and pooling fixtures: PyTorch's modules on seeded inputs, for the runtime kernels' tests.

    python3 tools/pytorch/conv_fixtures.py [OUT_DIR]     (default tests/Fixtures/conv)

One JSON file per case. Every case runs one module in float32 on x (batch x C x H x W, or batch x C x L for 1-D: NCHW),
takes loss = sum(out * r) for a seeded r of out's shape, and lets autograd give the gradients. Fields:

    kind          "conv", "maxpool", "avgpool" or "globalavgpool"
    geometry      the layer as NnGen's ConvGeometry / PoolGeometry constructors take it (1-D: height 1, kernel height 1);
                  globalavgpool: channels, height, width
    batch         m
    x, out, r     flat NCHW values
    weight, bias  conv only: (Cout, Cin / groups, kh, kw) and (Cout), PyTorch's layout (1-D: kh = 1)
    loss          sum(out * r) in float64 from the float32 out, as a string (shortest round trip, or "NaN")
    gradients     dloss/d name for "x" and, for conv, "weight" and "bias"

Asymmetric padding is nn.ZeroPad2d / nn.ConstantPad1d before a convolution with padding 0, as PyTorch itself spells it.
A NaN is written as the string "NaN"; every other float in its shortest round-trip form. torch 1.13 (Debian's python3-torch).
"""

import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn


def f32(value):
    value = np.float32(value)
    return "NaN" if math.isnan(value) else str(value)


def flat(tensor):
    return [f32(v) for v in tensor.detach().to(torch.float32).reshape(-1).tolist()]


def conv_geometry(cin, h, w, cout, kh, kw, sh, sw, top, bottom, left, right, dh, dw, groups):
    return dict(inChannels=cin, inHeight=h, inWidth=w, outChannels=cout, kernelHeight=kh, kernelWidth=kw,
                strideHeight=sh, strideWidth=sw, padTop=top, padBottom=bottom, padLeft=left, padRight=right,
                dilationHeight=dh, dilationWidth=dw, groups=groups)


def run(module, x, seed):
    x = x.clone().requires_grad_(True)
    out = module(x)
    generator = torch.Generator().manual_seed(seed + 1)
    r = torch.rand(out.shape, generator=generator) * 2 - 1
    loss = (out * r).sum()
    loss.backward()
    loss = float((out.detach().double() * r.double()).sum())
    return x, out, r, "NaN" if math.isnan(loss) else repr(loss)


def conv_case(name, seed, batch, cin, cout, size, kernel, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1):
    """size (H, W) or (L,); kernel, stride, dilation per axis; padding (top, bottom, left, right) or (left, right) for 1-D."""
    torch.manual_seed(seed)
    one_d = len(size) == 1
    if one_d:
        conv = nn.Conv1d(cin, cout, kernel[0], stride=stride[0], dilation=dilation[0], groups=groups)
        pad = nn.ConstantPad1d(padding, 0.0)
        geometry = conv_geometry(cin, 1, size[0], cout, 1, kernel[0], 1, stride[0], 0, 0, padding[0], padding[1], 1, dilation[0], groups)
    else:
        conv = nn.Conv2d(cin, cout, kernel, stride=stride, dilation=dilation, groups=groups)
        top, bottom, left, right = padding
        pad = nn.ZeroPad2d((left, right, top, bottom))
        geometry = conv_geometry(cin, size[0], size[1], cout, kernel[0], kernel[1], stride[0], stride[1], top, bottom, left, right,
                                 dilation[0], dilation[1], groups)
    module = nn.Sequential(pad, conv)
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand((batch, cin) + tuple(size), generator=generator) * 2 - 1
    x, out, r, loss = run(module, x, seed)
    check_conv(x.detach().numpy(), conv, padding, one_d, out.detach().numpy())
    return dict(kind="conv", geometry=geometry, batch=batch, x=flat(x), weight=flat(conv.weight), bias=flat(conv.bias),
                out=flat(out), r=flat(r), loss=loss,
                gradients={"x": flat(x.grad), "weight": flat(conv.weight.grad), "bias": flat(conv.bias.grad)})


def check_conv(x, conv, padding, one_d, out):
    """An independent float64 direct convolution, so a fixture cannot silently record a different operation."""
    w = conv.weight.detach().double().numpy()
    b = conv.bias.detach().double().numpy()
    if one_d:
        x = x[:, :, None, :]
        w = w[:, :, None, :]
        out = out[:, :, None, :]
        top, bottom, (left, right) = 0, 0, padding
        (sh, sw), (dh, dw) = (1, conv.stride[0]), (1, conv.dilation[0])
    else:
        top, bottom, left, right = padding
        (sh, sw), (dh, dw) = conv.stride, conv.dilation
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)))
    cout, cin_g, kh, kw = w.shape
    groups = conv.groups
    ho, wo = out.shape[2], out.shape[3]
    expected = np.zeros(out.shape)
    for co in range(cout):
        g = co // (cout // groups)
        for oy in range(ho):
            for ox in range(wo):
                patch = xp[:, g * cin_g:(g + 1) * cin_g, oy * sh:oy * sh + dh * (kh - 1) + 1:dh, ox * sw:ox * sw + dw * (kw - 1) + 1:dw]
                expected[:, co, oy, ox] = (patch * w[co]).sum(axis=(1, 2, 3)) + b[co]
    error = np.abs(expected - out).max()
    assert error <= 1e-5 * max(1.0, np.abs(expected).max()), error


def pool_case(name, seed, batch, kind, channels, size, kernel, stride, padding, values=None):
    one_d = len(size) == 1
    if one_d:
        module = (nn.MaxPool1d if kind == "maxpool" else nn.AvgPool1d)(kernel[0], stride=stride[0], padding=padding[0])
        geometry = dict(channels=channels, inHeight=1, inWidth=size[0], kernelHeight=1, kernelWidth=kernel[0],
                        strideHeight=1, strideWidth=stride[0], padHeight=0, padWidth=padding[0])
    else:
        module = (nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d)(kernel, stride=stride, padding=padding)
        geometry = dict(channels=channels, inHeight=size[0], inWidth=size[1], kernelHeight=kernel[0], kernelWidth=kernel[1],
                        strideHeight=stride[0], strideWidth=stride[1], padHeight=padding[0], padWidth=padding[1])
    if kind == "avgpool":
        assert module.count_include_pad and not module.ceil_mode
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand((batch, channels) + tuple(size), generator=generator) * 2 - 1 if values is None else values
    x, out, r, loss = run(module, x, seed)
    return dict(kind=kind, geometry=geometry, batch=batch, x=flat(x), out=flat(out), r=flat(r), loss=loss,
                gradients={"x": flat(x.grad)})


def global_case(name, seed, batch, channels, size):
    module = nn.AdaptiveAvgPool1d(1) if len(size) == 1 else nn.AdaptiveAvgPool2d(1)
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand((batch, channels) + tuple(size), generator=generator) * 2 - 1
    x, out, r, loss = run(module, x, seed)
    height, width = (1, size[0]) if len(size) == 1 else size
    return dict(kind="globalavgpool", geometry=dict(channels=channels, height=height, width=width), batch=batch,
                x=flat(x), out=flat(out), r=flat(r), loss=loss, gradients={"x": flat(x.grad)})


def ties(batch, channels, size, seed):
    """Values from {-1, 0, 1}: most windows hold their maximum more than once, so the first-maximum rule is exercised."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(-1, 2, (batch, channels) + size, generator=generator).to(torch.float32)


def with_nans(batch, channels, size, seed):
    """Random values with about one in eight a NaN: windows with one NaN and with several."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand((batch, channels) + size, generator=generator) * 2 - 1
    mask = torch.rand(x.shape, generator=generator) < 0.125
    x[mask] = float("nan")
    return x


def cases():
    yield "conv2d_basic", conv_case("conv2d_basic", 1, 5, 3, 4, (7, 6), (3, 3), padding=(1, 1, 1, 1))
    yield "conv2d_stride2_asymmetric", conv_case("conv2d_stride2_asymmetric", 2, 4, 2, 5, (9, 8), (3, 2), stride=(2, 2), padding=(2, 0, 1, 3))
    yield "conv2d_dilation2", conv_case("conv2d_dilation2", 3, 3, 3, 2, (10, 9), (3, 3), padding=(2, 2, 2, 2), dilation=(2, 2))
    yield "conv2d_groups2", conv_case("conv2d_groups2", 4, 6, 4, 6, (8, 7), (3, 3), stride=(2, 1), padding=(1, 1, 0, 2), groups=2)
    yield "conv2d_lenet_conv1", conv_case("conv2d_lenet_conv1", 5, 2, 1, 6, (28, 28), (5, 5), padding=(2, 2, 2, 2))
    yield "conv2d_lenet_conv2", conv_case("conv2d_lenet_conv2", 6, 3, 6, 16, (14, 14), (5, 5))
    yield "conv2d_pointwise", conv_case("conv2d_pointwise", 7, 4, 6, 3, (5, 4), (1, 1), groups=3)
    yield "conv1d_stride2_dilation2", conv_case("conv1d_stride2_dilation2", 8, 5, 2, 3, (11,), (3,), stride=(2,), padding=(1, 1), dilation=(2,))
    yield "conv1d_depthwise", conv_case("conv1d_depthwise", 9, 3, 4, 4, (13,), (5,), padding=(2, 2), groups=4)
    yield "conv1d_causal", conv_case("conv1d_causal", 10, 2, 3, 5, (16,), (3,), padding=(4, 0), dilation=(2,))
    yield "maxpool2d_k2", pool_case("maxpool2d_k2", 11, 19, "maxpool", 3, (8, 6), (2, 2), (2, 2), (0, 0))
    yield "maxpool2d_k3s2p1", pool_case("maxpool2d_k3s2p1", 12, 19, "maxpool", 2, (7, 9), (3, 3), (2, 2), (1, 1))
    yield "maxpool2d_ties", pool_case("maxpool2d_ties", 13, 19, "maxpool", 2, (6, 6), (3, 2), (1, 2), (1, 1), ties(19, 2, (6, 6), 13))
    yield "maxpool2d_nan", pool_case("maxpool2d_nan", 14, 19, "maxpool", 2, (6, 6), (3, 3), (1, 1), (1, 1), with_nans(19, 2, (6, 6), 14))
    yield "avgpool2d_k2", pool_case("avgpool2d_k2", 15, 19, "avgpool", 3, (8, 6), (2, 2), (2, 2), (0, 0))
    yield "avgpool2d_k3s2p1", pool_case("avgpool2d_k3s2p1", 16, 19, "avgpool", 2, (7, 9), (3, 3), (2, 2), (1, 1))
    yield "maxpool1d_k3s2p1", pool_case("maxpool1d_k3s2p1", 17, 19, "maxpool", 3, (12,), (3,), (2,), (1,))
    yield "avgpool1d_k3s2p1", pool_case("avgpool1d_k3s2p1", 18, 19, "avgpool", 3, (12,), (3,), (2,), (1,))
    yield "globalavgpool2d", global_case("globalavgpool2d", 19, 19, 4, (5, 6))
    yield "globalavgpool1d", global_case("globalavgpool1d", 20, 19, 3, (9,))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "Fixtures", "conv")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name, case in cases():
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as stream:
            json.dump(case, stream, separators=(",", ":"))
            stream.write("\n")
        print(name)


if __name__ == "__main__":
    main()
