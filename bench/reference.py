#!/usr/bin/env python3
"""The PyTorch reference for `da3 bench`: the same backbones and the same fine-tune, linear-probe
and DA3 training steps, written as a researcher would write them in plain PyTorch (eager mode,
autograd), measured the same way as the workbench measures itself:

- step time: median wall time of the measured steps, after warm-up steps;
- with --paired, each method's steps beside fine-tune steps in the same process, the order
  alternating, and the median of the pairs' ratios (as `da3 bench speed` pairs its worker JVMs);
- training memory: peak RSS during a step above the idle baseline. /proc/self/clear_refs resets
  VmHWM before each step. Run with MALLOC_MMAP_THRESHOLD_=131072 so freed tensors leave the
  process. The baseline is read after one warm-up step on a scratch copy.

Prints one JSON object per method on stdout. Used by bench/compare.sh; runs with Debian's
python3-torch (CPU).

    python3 bench/reference.py --arch resnet26 --width 64 --image-size 64 --batch 32 --threads 2 --methods finetune,linear,da3
"""
import argparse
import copy
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- backbones (same layout as the workbench)

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def main(self, x):
        return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))

    def shortcut(self, x):
        return x if self.downsample is None else self.downsample(x)

    def forward(self, x):
        return F.relu(self.shortcut(x) + self.main(x))


class ResNet26(nn.Module):
    """Visual Decathlon style: 3x3 stem to width/2, three stages of four basic blocks, stride 2 each."""

    def __init__(self, width=64):
        super().__init__()
        stem = max(4, width // 2)
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        blocks = []
        cin = stem
        for s in range(3):
            cout = width << s
            for i in range(4):
                blocks.append(BasicBlock(cin, cout, 2 if i == 0 else 1))
                cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.feature_dim = cin
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def stem(self, x):
        return F.relu(self.bn1(self.conv1(x)))

    def forward(self, x):
        h = self.stem(x)
        for b in self.blocks:
            h = b(h)
        return h.mean((2, 3))


def backbone(arch, width):
    if arch == "resnet26":
        return ResNet26(width)
    import torchvision
    net = getattr(torchvision.models, arch)(weights=None)
    net.fc = nn.Identity()
    return net


# ---------------------------------------------------------------- DA3 as in docs/methods.md, in plain autograd

class Da3Adaptor(nn.Module):
    def __init__(self, block, reduction=16, pool=4, kernel=3, gate_init=3.0):
        super().__init__()
        cin = block.conv1.in_channels
        cout = block.conv2.out_channels
        hid = max(4, cin // reduction)
        self.block = block
        self.fc1 = nn.Linear(cin, hid)
        nn.init.zeros_(self.fc1.bias)
        self.fc2 = nn.Linear(hid, cout)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)
        self.spatial = nn.Conv2d(2, 1, kernel, 1, kernel // 2)
        nn.init.zeros_(self.spatial.bias)
        self.gamma = nn.Parameter(torch.zeros(1))
        self.gate_w = nn.Parameter(torch.randn(1, cin) / math.sqrt(cin))
        self.gate_b = nn.Parameter(torch.full((1,), gate_init))
        self.pool = max(pool, block.conv1.stride[0])
        self.ste = None

    def pooled_main(self, s):
        """F applied to the pooled input: tap-summed weights, frozen BN affine, ReLU between."""
        b = self.block
        h = s
        for conv, bn, last in ((b.conv1, b.bn1, False), (b.conv2, b.bn2, True)):
            k = conv.weight.sum((2, 3))
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            h = (h @ k.t() - bn.running_mean) * scale + bn.bias
            if not last:
                h = F.relu(h)
        return h.detach()

    def forward(self, x):
        b = self.block
        s = x.mean((2, 3))
        z = F.linear(s / torch.sqrt((s * s).mean(1, keepdim=True) + 1e-2), self.gate_w, self.gate_b)
        g = (z > 0).float()
        main = b.main(x)
        sig = torch.sigmoid(z)
        delta = sig - sig.detach()
        term = main * g.view(-1, 1, 1, 1) + (delta * self.pooled_main(s)).view(main.shape[0], -1, 1, 1)
        self.ste = g.view(-1) + delta.view(-1)
        a = self.fc2(F.relu(self.fc1(s))).view(main.shape[0], -1, 1, 1)
        p = F.avg_pool2d(x, self.pool, self.pool, ceil_mode=True)
        idx = p.argmax(1, keepdim=True)
        maps = torch.cat([p.mean(1, keepdim=True), p.gather(1, idx)], 1)
        m = self.spatial(maps)
        factor = -(-main.shape[2] // m.shape[2])
        m = m.repeat_interleave(factor, 2).repeat_interleave(factor, 3)[:, :, :main.shape[2], :main.shape[3]]
        return F.relu(b.shortcut(x) + term + a + self.gamma * m)


class Da3Net(nn.Module):
    def __init__(self, net, classes, lam=1.0, rho=0.7):
        super().__init__()
        self.net = net
        self.adaptors = nn.ModuleList(Da3Adaptor(b) for b in net.blocks)
        self.head = nn.Linear(net.feature_dim, classes)
        self.lam = lam
        self.rho = rho

    def forward(self, x):
        h = self.net.stem(x)
        for a in self.adaptors:
            h = a(h)
        return self.head(h.mean((2, 3)))

    def budget(self):
        devs = [(a.ste.mean() - self.rho) ** 2 for a in self.adaptors]
        return self.lam * sum(devs) / len(devs)


# ---------------------------------------------------------------- methods

def make(method, arch, width, classes):
    net = backbone(arch, width)
    if method == "finetune":
        model = nn.Sequential(net, nn.Linear(net.feature_dim if arch == "resnet26" else
                                             (512 if arch == "resnet18" else 2048), classes))
        model.train()
        return model, list(model.parameters()), None
    for p in net.parameters():
        p.requires_grad_(False)
    net.eval()  # frozen BN: running statistics, never updated
    if method == "linear":
        dim = net.feature_dim if arch == "resnet26" else (512 if arch == "resnet18" else 2048)
        head = nn.Linear(dim, classes)

        def forward(x):
            with torch.no_grad():
                f = net(x)
            return head(f)
        forward.layout = nn.ModuleList([net, head])  # what a layout change applies to
        return forward, list(head.parameters()), None
    if method == "da3":
        if arch != "resnet26":
            raise SystemExit("the reference DA3 is written for resnet26")
        model = Da3Net(net, classes)
        params = [p for p in model.parameters() if p.requires_grad]
        return model, params, model.budget
    raise SystemExit("unknown method " + method)


# ---------------------------------------------------------------- measurement

def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return -1


def peak():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return -1


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def step_fn(model, params, budget, lr):
    opt = torch.optim.SGD(params, lr=lr, momentum=0.9)

    def step(x, y):
        opt.zero_grad(set_to_none=False)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        if budget is not None:
            loss = loss + budget()
        loss.backward()
        opt.step()
        return float(loss)
    return step


def measure(method, args):
    torch.manual_seed(7)
    x = torch.rand(args.batch, 3, args.image_size, args.image_size) * 2 - 1
    if args.channels_last:
        # the layout the workbench's autograd steps use (docs/benchmarks.md); the default stays NCHW,
        # as a researcher's script would have it
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.arange(args.batch) % args.classes
    # warm-up on a scratch copy: kernels and caches belong to the baseline
    scratch = make(method, args.arch, args.width, args.classes)
    if args.channels_last:
        getattr(scratch[0], "layout", scratch[0]).to(memory_format=torch.channels_last)
    step_fn(*scratch, lr=0.01)(x, y)
    del scratch
    model, params, budget = make(method, args.arch, args.width, args.classes)
    if args.channels_last:
        getattr(model, "layout", model).to(memory_format=torch.channels_last)
    step = step_fn(model, params, budget, lr=0.01)
    baseline = rss()
    peaks, times = [], []
    for _ in range(args.warmup + args.steps):
        reset_peak()
        t0 = time.perf_counter()
        step(x, y)
        times.append(time.perf_counter() - t0)
        peaks.append(peak() - baseline)
    measured = times[args.warmup:]
    return {
        "label": method + ("[channels_last]" if args.channels_last else ""),
        "engine": "pytorch-eager",
        "step_seconds": statistics.median(measured),
        "images_per_second": args.batch / statistics.median(measured),
        "step_peak_bytes": max(peaks[args.warmup:]),
        "baseline_bytes": baseline,
        "trainable_params": sum(p.numel() for p in params),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "malloc_mmap_threshold": os.environ.get("MALLOC_MMAP_THRESHOLD_"),
    }


def paired(method, args):
    """The method's steps each beside a fine-tune step in this process, the order alternating: the
    ratio of each pair, as `da3 bench speed` pairs its probes (speed only, no memory)."""
    torch.manual_seed(7)
    x = torch.rand(args.batch, 3, args.image_size, args.image_size) * 2 - 1
    y = torch.arange(args.batch) % args.classes
    ft = step_fn(*make("finetune", args.arch, args.width, args.classes), lr=0.01)
    other = step_fn(*make(method, args.arch, args.width, args.classes), lr=0.01)

    def timed(step):
        t0 = time.perf_counter()
        step(x, y)
        return time.perf_counter() - t0
    for _ in range(args.warmup):
        timed(ft)
        timed(other)
    ratios, tf, tm = [], [], []
    for i in range(args.steps):
        if i % 2 == 0:
            a = timed(ft)
            b = timed(other)
        else:
            b = timed(other)
            a = timed(ft)
        tf.append(a)
        tm.append(b)
        ratios.append(b / a)
    return {
        "label": method,
        "engine": "pytorch-eager",
        "paired_with": "finetune",
        "vs_finetune": statistics.median(ratios),
        "pairs": len(ratios),
        "step_seconds": statistics.median(tm),
        "finetune_step_seconds": statistics.median(tf),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="resnet26")
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--methods", default="finetune,linear,da3")
    ap.add_argument("--channels-last", action="store_true",
                    help="run the model and the images in the channels-last memory format")
    ap.add_argument("--paired", action="store_true",
                    help="time each method's steps beside fine-tune steps in this process and print the ratios")
    args = ap.parse_args()
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be at least 1 and --warmup at least 0")
    torch.set_num_threads(args.threads)
    for m in args.methods.split(","):
        print(json.dumps(paired(m, args) if args.paired else measure(m, args)), flush=True)


if __name__ == "__main__":
    main()
