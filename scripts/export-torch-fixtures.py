#!/usr/bin/python3
"""Exports small torch modules with torch's own ONNX exporter, as test fixtures.

Each module reproduces one pattern that torch.onnx.export emits for real models (a shape
subgraph, a decomposed LocalResponseNorm, shared parameters as Identity, ...). For every module
and opset it writes NAME.opsetN.onnx and NAME.opsetN.torch.f32 (torch's output), plus one
NAME.input.f32 per module (the seeded input) and fixtures.json describing them, so the tests
need no torch. Raw .f32 files are little-endian float32, row-major.

With --zoo DIR it instead exports the full-size torchvision classification models (seeded
weights, 1x3x224x224 input, 299 for Inception V3) and the paper's AlexNet with LocalResponseNorm,
each with its seeded input and torch's output, for the model table in docs/models.md; these are
large and not committed.

Needs torch 1.13 from Debian (python3-torch python3-torchvision python3-onnx; install
libopenblas0-pthread too, or torch runs on a reference BLAS). Run from the repository root:

    /usr/bin/python3 scripts/export-torch-fixtures.py [--out DIR]
    /usr/bin/python3 scripts/export-torch-fixtures.py --zoo DIR [--opset N] [--only NAME ...]
"""

import argparse
import json
import os
import sys

import torch
from torch import nn

DEFAULT_OUT = os.path.join("tests", "Sparsify.Core.Tests", "Onnx", "TorchFixtures")
OPSETS = (11, 13, 17)


class LrnNet(nn.Module):
    """AlexNet's layer order at small size: conv, ReLU, LRN, max pool, twice, then a classifier."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 12, 5, stride=2, padding=2), nn.ReLU(),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(3, 2),
            nn.Conv2d(12, 16, 3, padding=1), nn.ReLU(),
            nn.LocalResponseNorm(3, alpha=2.0, beta=0.75, k=1.0), nn.MaxPool2d(3, 2))
        self.classifier = nn.Linear(16 * 3 * 3, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class EvenLrn(nn.Module):
    """A LocalResponseNorm of even size, whose window ONNX LRN cannot express: import refuses it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.norm = nn.LocalResponseNorm(4)

    def forward(self, x):
        return self.norm(torch.relu(self.conv(x)))


class SharedParameters(nn.Module):
    """Batch norms at their initial values: the exporter folds them into the convolutions, finds
    equal biases and keeps one initializer, read by the others through Identity (as in VGG-11-BN)."""

    def __init__(self):
        super().__init__()
        layers = []
        for cin, cout in ((3, 8), (8, 8), (8, 8)):
            layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.fc1 = nn.Linear(8 * 8 * 8, 16)
        self.fc2 = nn.Linear(16, 16)
        nn.init.zeros_(self.fc1.bias)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(torch.flatten(self.features(x), 1))))


class ShapeReshape(nn.Module):
    """x.view(x.size(0), -1) and a reshape computed from sizes, exported with a symbolic batch as
    users often do: Shape, Gather, Unsqueeze, Concat, integer Mul and Div feeding Reshape."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        n, c, h, w = y.size()
        y = y.reshape(n, c // 2, 2 * h * w)
        y = y.view(y.size(0), -1)
        return self.fc(y)


class Pooling(nn.Module):
    """avg_pool2d with padding (exported as a zero Pad before AveragePool, as in Inception V3), an
    explicit F.pad before a convolution, and x.mean((2, 3)) (ReduceMean, as in MnasNet)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3)
        self.conv2 = nn.Conv2d(8, 8, 3)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        y = nn.functional.avg_pool2d(torch.relu(self.conv1(x)), 3, stride=1, padding=1)
        y = torch.relu(self.conv2(nn.functional.pad(y, (1, 2, 0, 1))))
        return self.fc(y.mean((2, 3)))


class InvertedResidual(nn.Module):
    """MobileNet V2's block: 1x1 expansion, ReLU6, 3x3 depthwise, ReLU6, 1x1 projection, and the
    shortcut; ReLU6 exports as Clip (bounds as attributes at opset 10 and before, inputs since)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU6())
        self.block = nn.Sequential(
            nn.Conv2d(16, 96, 1, bias=False), nn.BatchNorm2d(96), nn.ReLU6(),
            nn.Conv2d(96, 96, 3, padding=1, groups=96, bias=False), nn.BatchNorm2d(96), nn.ReLU6(),
            nn.Conv2d(96, 16, 1, bias=False), nn.BatchNorm2d(16))
        self.fc = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 5))
        # Scale the stem so that ReLU6 clips at 6 as well as at 0.
        with torch.no_grad():
            self.stem[0].weight.mul_(8)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                nn.init.uniform_(m.weight, 0.5, 1.5)
                nn.init.uniform_(m.bias, -0.2, 0.2)

    def forward(self, x):
        x = self.stem(x)
        x = x + self.block(x)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class SqueezeExcitation(nn.Module):
    """MobileNet V3 and EfficientNet's pieces: hardswish (HardSwish at opset 14 and later, before that
    x * HardSigmoid(x)), a depthwise convolution, a squeeze-and-excitation gate (global pool, two 1x1
    convolutions, hardsigmoid, a per-channel Mul) and SiLU (x * Sigmoid(x))."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.expand = nn.Conv2d(8, 32, 1)
        self.depthwise = nn.Conv2d(32, 32, 3, padding=1, groups=32)
        self.squeeze = nn.Conv2d(32, 8, 1)
        self.excite = nn.Conv2d(8, 32, 1)
        self.project = nn.Conv2d(32, 16, 1)
        self.fc = nn.Linear(16, 5)
        with torch.no_grad():
            self.stem.weight.mul_(4)

    def forward(self, x):
        x = nn.functional.hardswish(self.stem(x))
        x = self.depthwise(self.expand(x))
        gate = nn.functional.adaptive_avg_pool2d(x, 1)
        gate = nn.functional.hardsigmoid(self.excite(torch.relu(self.squeeze(gate))))
        x = nn.functional.silu(self.project(x * gate))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class PreActivation(nn.Module):
    """DenseNet's pieces: batch norms that follow a Concat or a pool rather than a convolution (a
    per-channel affine step each), then ReLU and a convolution, and a last norm before the pool."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.norm1 = nn.BatchNorm2d(8)
        self.conv1 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(24)
        self.conv2 = nn.Conv2d(24, 16, 1, bias=False)
        self.norm3 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 5)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                nn.init.uniform_(m.weight, 0.5, 1.5)
                nn.init.uniform_(m.bias, -0.2, 0.2)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat([x, self.conv1(torch.relu(self.norm1(x)))], 1)
        x = nn.functional.avg_pool2d(self.conv2(torch.relu(self.norm2(x))), 2)
        x = torch.relu(self.norm3(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class ChannelShuffle(nn.Module):
    """ShuffleNet V2's units: x.chunk(2, dim=1) (Slice or Split), a branch with a depthwise convolution,
    a Concat, and the channel shuffle (Reshape, Transpose, Reshape); then a downsampling unit whose
    two branches both read the whole input."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 1)
        self.branch = nn.Sequential(
            nn.Conv2d(8, 8, 1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.Conv2d(8, 8, 1), nn.ReLU())
        self.down1 = nn.Sequential(nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16), nn.Conv2d(16, 16, 1), nn.ReLU())
        self.down2 = nn.Sequential(nn.Conv2d(16, 16, 1), nn.ReLU(), nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16))
        self.fc1 = nn.Linear(32, 64)
        self.fc2 = nn.Linear(64, 5)

    @staticmethod
    def shuffle(x, groups):
        n, c, h, w = x.size()
        x = x.view(n, groups, c // groups, h, w)
        x = torch.transpose(x, 1, 2).contiguous()
        return x.view(n, -1, h, w)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        a, b = x.chunk(2, dim=1)
        x = self.shuffle(torch.cat((a, self.branch(b)), dim=1), 2)
        x = self.shuffle(torch.cat((self.down1(x), self.down2(x)), dim=1), 2)
        return self.fc2(torch.relu(self.fc1(x.mean([2, 3]))))


class LayerNormGelu(nn.Module):
    """ConvNeXt's block: a 7x7 depthwise convolution, a permute to channels-last, LayerNorm, Linear
    (MatMul on NHWC), GELU (its Erf form), Linear, a permute back, a per-channel layer scale and the
    shortcut; a LayerNorm2d before a downsampling convolution and before the classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 2, stride=2)
        self.stem_norm = nn.LayerNorm(16, eps=1e-6)
        self.depthwise = nn.Conv2d(16, 16, 7, padding=3, groups=16)
        self.norm = nn.LayerNorm(16, eps=1e-6)
        self.expand = nn.Linear(16, 64)
        self.project = nn.Linear(64, 16)
        self.layer_scale = nn.Parameter(torch.rand(16, 1, 1) + 0.5)
        self.down_norm = nn.LayerNorm(16, eps=1e-6)
        self.down = nn.Conv2d(16, 32, 2, stride=2)
        self.head_norm = nn.LayerNorm(32, eps=1e-6)
        self.fc = nn.Linear(32, 5)
        for m in (self.stem_norm, self.norm, self.down_norm, self.head_norm):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.2, 0.2)

    @staticmethod
    def norm2d(norm, x):
        return norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    def forward(self, x):
        x = self.norm2d(self.stem_norm, self.stem(x))
        y = self.depthwise(x).permute(0, 2, 3, 1)
        y = self.project(nn.functional.gelu(self.expand(self.norm(y))))
        x = x + self.layer_scale * y.permute(0, 3, 1, 2)
        x = self.down(self.norm2d(self.down_norm, x))
        x = self.norm2d(self.head_norm, nn.functional.adaptive_avg_pool2d(x, 1))
        return self.fc(torch.flatten(x, 1))


class Activations(nn.Module):
    """Functions of one value that torch models use: LeakyReLU (YOLO, GANs), tanh, erf, exp, negation,
    sqrt, and arithmetic with constants (x / c, x - c, c - x), each a step of its own or folded into the
    convolution before it."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.conv3 = nn.Conv2d(16, 32, 1)
        self.fc1 = nn.Linear(32, 64)
        self.fc2 = nn.Linear(64, 5)

    def forward(self, x):
        a = nn.functional.leaky_relu(self.conv1(x), 0.1)
        b = torch.tanh(a) + torch.erf(a / 2)
        c = torch.sqrt(b * b + 1) + torch.exp(-a)
        d = 1 - torch.tanh((self.conv2(c) - 0.5) / 3)
        e = nn.functional.leaky_relu(self.conv3(d), 0.2)
        return self.fc2(torch.relu(self.fc1(e.mean([2, 3]))))


class Padding(nn.Module):
    """Pads no layer can absorb: ReflectionPad2d (style transfer, super-resolution), ReplicationPad2d
    and a ConstantPad2d of a nonzero value, each before a convolution."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3)
        self.conv2 = nn.Conv2d(16, 16, 3)
        self.conv3 = nn.Conv2d(16, 32, 3)
        self.fc1 = nn.Linear(32, 64)
        self.fc2 = nn.Linear(64, 5)

    def forward(self, x):
        x = torch.relu(self.conv1(nn.functional.pad(x, (1, 1, 1, 1), mode="reflect")))
        x = torch.relu(self.conv2(nn.functional.pad(x, (2, 0, 1, 2), mode="replicate")))
        x = torch.relu(self.conv3(nn.functional.pad(x, (1, 1, 0, 1), value=0.5)))
        return self.fc2(torch.relu(self.fc1(x.mean([2, 3]))))


class Reductions(nn.Module):
    """Reductions other than a mean over H and W: the mean over the channels kept as a map (CBAM's
    spatial attention input), a sum over H and W, and a mean over W and then H."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(17, 32, 1)
        self.fc1 = nn.Linear(32, 64)
        self.fc2 = nn.Linear(64, 5)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        a = torch.relu(self.conv2(torch.cat([x, x.mean(dim=1, keepdim=True)], 1)))
        s = a.sum((2, 3)) / 64
        w = a.mean(3).mean(2)
        return self.fc2(torch.relu(self.fc1(s + w)))


class Broadcasting(nn.Module):
    """Arithmetic of two computed values whose shapes differ and broadcast as numpy's do: a map minus its
    mean over the rows, divided by a gate per row, the outer sum of a column and a row, a power with a
    computed exponent, and a 4-D map times a 3-D one."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.mix = nn.Conv2d(8, 64, 1)
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 5)

    def forward(self, x):
        a = self.conv(x)
        scaled = (a - a.mean(2, keepdim=True)) / torch.sigmoid(a.sum(3, keepdim=True))
        outer = a.mean(2, keepdim=True) + a.mean(3, keepdim=True)
        powered = torch.pow(torch.sigmoid(scaled), torch.sigmoid(outer.mean(1, keepdim=True)))
        y = torch.relu(self.mix(powered * a.mean(1) + outer))
        return self.fc2(torch.relu(self.fc1(y.mean([2, 3]))))


class Attention(nn.Module):
    """Self-attention over a feature map's pixels (a non-local block, a vision transformer's core):
    1x1 convolutions for queries, keys and values, the pixels flattened and transposed, the scores a
    MatMul of two computed values scaled and softmaxed over the last axis, a second MatMul by the
    values, and the result reshaped back onto the map beside the shortcut."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.query = nn.Conv2d(16, 8, 1)
        self.key = nn.Conv2d(16, 8, 1)
        self.value = nn.Conv2d(16, 16, 1)
        self.head = nn.Conv2d(16, 64, 1)
        self.fc = nn.Linear(64, 5)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        n, c, h, w = x.shape
        q = self.query(x).flatten(2).transpose(1, 2)
        k = self.key(x).flatten(2)
        scores = torch.softmax(torch.matmul(q, k) / 8 ** 0.5, dim=-1)
        v = self.value(x).flatten(2)
        attended = torch.matmul(v, scores.transpose(1, 2)).reshape(n, c, h, w)
        y = torch.relu(self.head(x + attended))
        return self.fc(y.mean([2, 3]))


# name: (module, input shape, whether the batch dimension is exported as symbolic, why import refuses it)
FIXTURES = {
    "lrn": (LrnNet, (1, 3, 32, 32), False, None),
    "lrn-even-size": (EvenLrn, (1, 3, 8, 8), False, "only odd sizes are supported"),
    "shared-parameters": (SharedParameters, (1, 3, 8, 8), False, None),
    "shape-reshape": (ShapeReshape, (1, 3, 8, 8), True, None),
    "pooling": (Pooling, (1, 3, 10, 10), False, None),
    "inverted-residual": (InvertedResidual, (1, 3, 12, 12), False, None),
    "squeeze-excitation": (SqueezeExcitation, (1, 3, 10, 10), False, None),
    "pre-activation": (PreActivation, (1, 3, 8, 8), False, None),
    "channel-shuffle": (ChannelShuffle, (1, 3, 8, 8), False, None),
    "layer-norm-gelu": (LayerNormGelu, (1, 3, 16, 16), False, None),
    "activations": (Activations, (1, 3, 8, 8), False, None),
    "padding": (Padding, (1, 3, 8, 8), False, None),
    "reductions": (Reductions, (1, 3, 8, 8), False, None),
    "broadcasting": (Broadcasting, (1, 3, 8, 8), False, None),
    "attention": (Attention, (1, 3, 6, 6), False, None),
}


class PaperAlexNet(nn.Module):
    """AlexNet as Krizhevsky et al. and the FCCM 2017 paper describe it: grouped convolutions and
    LocalResponseNorm after the first two, on a 227x227 input."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(),
            nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def zoo():
    import torchvision.models as models
    return {
        "alexnet-lrn": (PaperAlexNet, 227),
        "alexnet": (models.alexnet, 224),
        "resnet50": (models.resnet50, 224),
        "resnext50_32x4d": (models.resnext50_32x4d, 224),
        "wide_resnet50_2": (models.wide_resnet50_2, 224),
        # torchvision's own init for these two (normal, std 0.01) leaves the logits equal to the
        # last bias to 1e-11, which would check nothing; torch's default init keeps them input-dependent.
        "googlenet": (lambda: models.googlenet(aux_logits=False, init_weights=False), 224),
        "mobilenet_v2": (models.mobilenet_v2, 224),
        "mobilenet_v3_small": (models.mobilenet_v3_small, 224),
        "efficientnet_b0": (models.efficientnet_b0, 224),
        "squeezenet1_1": (models.squeezenet1_1, 224),
        "vgg11_bn": (models.vgg11_bn, 224),
        "densenet121": (models.densenet121, 224),
        "inception_v3": (lambda: models.inception_v3(aux_logits=False, init_weights=False), 299),
        "mnasnet1_0": (models.mnasnet1_0, 224),
        "regnet_y_400mf": (models.regnet_y_400mf, 224),
        "shufflenet_v2_x1_0": (models.shufflenet_v2_x1_0, 224),
        "convnext_tiny": (models.convnext_tiny, 224),
    }


def export_zoo(out, opset, only):
    os.makedirs(out, exist_ok=True)
    described = []
    for name, (build, size) in zoo().items():
        if only and name not in only:
            continue
        torch.manual_seed(0)
        module = build().eval()
        x = torch.rand(1, 3, size, size)
        with torch.no_grad():
            expected = module(x)
        torch.onnx.export(module, x, os.path.join(out, f"{name}.onnx"), opset_version=opset,
                          input_names=["input"], output_names=["output"])
        write_f32(os.path.join(out, f"{name}.input.f32"), x)
        write_f32(os.path.join(out, f"{name}.torch.f32"), expected)
        described.append({"name": name, "inputShape": [1, 3, size, size], "outputShape": list(expected.shape), "opset": opset})
        print(f"exported {name}", file=sys.stderr)
    with open(os.path.join(out, "zoo.json"), "w") as f:
        json.dump({"torch": torch.__version__, "models": described}, f, indent=2)
        f.write("\n")


def write_f32(path, tensor):
    with open(path, "wb") as f:
        f.write(tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--zoo", metavar="DIR", help="export the full-size models to DIR instead")
    parser.add_argument("--opset", type=int, default=13, help="the opset of the --zoo export (default 13)")
    parser.add_argument("--only", nargs="*", help="with --zoo, only these models")
    args = parser.parse_args()
    if args.zoo:
        export_zoo(args.zoo, args.opset, args.only)
        return

    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)

    described = []
    for name, (build, input_shape, symbolic_batch, refused) in FIXTURES.items():
        torch.manual_seed(0)
        module = build().eval()
        x = torch.rand(input_shape) * 2 - 1
        write_f32(os.path.join(args.out, f"{name}.input.f32"), x)
        with torch.no_grad():
            expected = module(x)
        for opset in OPSETS:
            stem = f"{name}.opset{opset}"
            dynamic = {"input": {0: "batch"}, "output": {0: "batch"}} if symbolic_batch else None
            torch.onnx.export(module, x, os.path.join(args.out, stem + ".onnx"), opset_version=opset,
                              input_names=["input"], output_names=["output"], dynamic_axes=dynamic)
            write_f32(os.path.join(args.out, stem + ".torch.f32"), expected)
        described.append({
            "name": name,
            "input": f"{name}.input.f32",
            "inputShape": list(input_shape),
            "outputShape": list(expected.shape),
            "opsets": list(OPSETS),
            "refused": refused,
        })

    with open(os.path.join(args.out, "fixtures.json"), "w") as f:
        json.dump({"torch": torch.__version__, "fixtures": described}, f, indent=2)
        f.write("\n")
    print(f"wrote {len(described)} fixtures at opsets {', '.join(map(str, OPSETS))} to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
