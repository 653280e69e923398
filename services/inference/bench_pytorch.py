#!/usr/bin/python3
"""Times SkinLens' B0 in Python PyTorch, for the C++/PyTorch ratio in docs/BENCHMARKS.md.

The network is the same architecture as common/model's SkinNet (EfficientNet-B0 backbone,
squeeze-and-excitation to a quarter of the block's input channels, 1x1 head conv to 1280,
global average pool, five linear heads of five grades), written here because torchvision is
not installed. Weights are random; only speed is measured. Configurations, as DESIGN.md lists
them:
  eager            nn.Module in eval mode under torch.inference_mode(), NCHW
  channels_last    the same with weights and input in channels-last
  script_freeze    torch.jit.freeze(torch.jit.script(model)) (conv+BN folded), NCHW
  optimize         torch.jit.optimize_for_inference(frozen) (oneDNN layouts, fusions)

With --cpp_bench, first runs the C++ model benchmark (skinlens-inference-bench --mode=model)
with the same sizes, batches and threads, then prints C++ best / PyTorch fastest per size and
batch: both in one run, on one machine.

Usage:
  /usr/bin/python3 services/inference/bench_pytorch.py --sizes 224,128 --batches 1,2,4,8,16 \
      --threads 2 --min_time 2 \
      --cpp_bench build-inference/services/inference/skinlens-inference-bench
"""
import argparse
import re
import subprocess
import sys
import time

import torch
from torch import nn

B0_STAGES = [  # expand, kernel, stride, repeats, channels (EfficientNet-B0, Table 1)
    (1, 3, 1, 1, 16), (6, 3, 2, 2, 24), (6, 5, 2, 2, 40), (6, 3, 2, 3, 80),
    (6, 5, 1, 3, 112), (6, 5, 2, 4, 192), (6, 3, 1, 1, 320)]


def conv_bn_act(cin, cout, k, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)]
    if act:
        layers.append(nn.SiLU(inplace=True))
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, channels, squeezed):
        super().__init__()
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        s = torch.sigmoid(self.expand(nn.functional.silu(self.reduce(s))))
        return x * s


class MBConv(nn.Module):
    def __init__(self, cin, cout, expand, kernel, stride):
        super().__init__()
        mid = cin * expand
        self.expand = conv_bn_act(cin, mid, 1) if expand != 1 else nn.Identity()
        self.depthwise = conv_bn_act(mid, mid, kernel, stride, groups=mid)
        self.se = SqueezeExcite(mid, max(1, cin // 4))
        self.project = conv_bn_act(mid, cout, 1, act=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.se(self.depthwise(self.expand(x))))
        return x + y if self.residual else y


class SkinNetB0(nn.Module):
    def __init__(self, attributes=5, grades=5):
        super().__init__()
        self.stem = conv_bn_act(3, 32, 3, 2)
        blocks, cin = [], 32
        for expand, kernel, stride, repeats, cout in B0_STAGES:
            for i in range(repeats):
                blocks.append(MBConv(cin, cout, expand, kernel, stride if i == 0 else 1))
                cin = cout
        self.stages = nn.Sequential(*blocks)
        self.head_conv = conv_bn_act(320, 1280, 1)
        self.heads = nn.Linear(1280, attributes * grades)  # five 1280x5 heads, as one matrix
        self.attributes, self.grades = attributes, grades

    def forward(self, x):
        features = self.stages(self.stem(x))
        pooled = self.head_conv(features).mean((2, 3))
        return self.heads(pooled).view(-1, self.attributes, self.grades), features


def time_model(fn, x, min_time):
    with torch.inference_mode():
        fn(x)  # warm-up (and the JIT's profiling runs)
        fn(x)
        runs, start = 0, time.perf_counter()
        while runs < 3 or time.perf_counter() - start < min_time:
            fn(x)
            runs += 1
        return runs * x.shape[0] / (time.perf_counter() - start)


def pytorch_results(sizes, batches, min_time):
    torch.manual_seed(0)
    model = SkinNetB0().eval()
    params = sum(p.numel() for p in model.parameters())
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"B0 with {params:,} parameters", flush=True)
    with torch.inference_mode():
        frozen = torch.jit.freeze(torch.jit.script(model))
        optimized = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(model)))
    model_cl = SkinNetB0().eval().to(memory_format=torch.channels_last)
    model_cl.load_state_dict(model.state_dict())
    configs = {
        "eager": (model, False),
        "channels_last": (model_cl, True),
        "script_freeze": (frozen, False),
        "optimize": (optimized, False),
    }
    results = {}
    for size in sizes:
        for batch in batches:
            x = torch.randn(batch, 3, size, size)
            for name, (fn, cl) in configs.items():
                xi = x.contiguous(memory_format=torch.channels_last) if cl else x
                ips = time_model(fn, xi, min_time)
                results[(size, batch, name)] = ips
                print(f"pytorch size={size} batch={batch:2d} {name:14s} {ips:8.1f} images/s",
                      flush=True)
    return results, list(configs)


def cpp_results(binary, sizes, batches, threads, min_time):
    cmd = [binary, "--mode=model", f"--sizes={','.join(map(str, sizes))}",
           f"--batches={','.join(map(str, batches))}", f"--threads={threads}",
           f"--min_time={min_time}s"]
    print("running", " ".join(cmd), flush=True)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    print(out, end="", flush=True)
    best = {}
    for m in re.finditer(r"^best\s+size=(\d+) batch=\s*(\d+)\s+([\d.]+) images/s\s+(\S+)", out,
                         re.M):
        best[(int(m.group(1)), int(m.group(2)))] = (float(m.group(3)), m.group(4))
    return best


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="224,128")
    parser.add_argument("--batches", default="1,2,4,8,16")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--min_time", type=float, default=2.0, help="seconds per measurement")
    parser.add_argument("--cpp_bench", help="path of skinlens-inference-bench, for the ratios")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
    torch.set_num_threads(args.threads)

    cpp = cpp_results(args.cpp_bench, sizes, batches, args.threads,
                      args.min_time) if args.cpp_bench else {}
    py, names = pytorch_results(sizes, batches, args.min_time)
    print("\n| size | batch | " + " | ".join(names) + " | C++ best (layout) | C++ / eager | "
          "C++ / fastest PyTorch |")
    print("|---" * (len(names) + 5) + "|")
    for size in sizes:
        for batch in batches:
            row = [py[(size, batch, n)] for n in names]
            fastest = max(row)
            line = f"| {size} | {batch} | " + " | ".join(f"{v:.1f}" for v in row)
            if (size, batch) in cpp:
                ips, layout = cpp[(size, batch)]
                line += f" | {ips:.1f} ({layout}) | {ips / row[0]:.2f} | {ips / fastest:.2f} |"
            else:
                line += " | | | |"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
