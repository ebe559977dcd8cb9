"""PyTorch CPU timings of the workloads that the Swift core benchmarks run, printed as one JSON
line so that the Swift benchmark can report its own figures as ratios measured in the same run.

    python torch_reference.py mlp --threads 1
    python torch_reference.py gemm --size 1024 --threads 1

Workloads: gemm, mlp (784-512-512-10, batch 128), cnn (two 3x3 conv + pool blocks, batch 128),
gpt (6 pre-LayerNorm blocks, width 384, 6 heads, context 256, vocabulary 8192, batch 8),
conv (one 3x3 64->64 layer on 32x32, batch 32, forward and forward+backward).
Each training step is forward, backward and an Adam update on random inputs with fixed seeds.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timeit(fn, samples, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.fc1, self.fc2 = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        y = scores.softmax(-1) @ v
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocabulary=8192, width=384, heads=6, layers=6, context=256):
        super().__init__()
        self.token = nn.Embedding(vocabulary, width)
        self.position = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocabulary, bias=False)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.token(ids) + self.position(torch.arange(t))
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def training_step(model, inputs, loss_fn):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model, inputs)
        loss.backward()
        optimizer.step()

    return step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["gemm", "mlp", "cnn", "gpt", "conv"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    result = {}
    if args.workload == "gemm":
        n = args.size
        a, b = torch.randn(n, n), torch.randn(n, n)
        best, median = timeit(lambda: a @ b, args.samples)
        result = {"best": best, "median": median, "gflops": 2 * n**3 / best / 1e9}
    elif args.workload == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
        x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
        best, median = timeit(training_step(model, (x, y), lambda m, i: F.cross_entropy(m(i[0]), i[1])), args.samples)
        result = {"best": best, "median": median}
    elif args.workload == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
        x, y = torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))
        best, median = timeit(training_step(model, (x, y), lambda m, i: F.cross_entropy(m(i[0]), i[1])), args.samples)
        result = {"best": best, "median": median}
    elif args.workload == "gpt":
        model = GPT()
        ids = torch.randint(0, 8192, (8, 256))
        targets = torch.randint(0, 8192, (8, 256))
        loss_fn = lambda m, i: F.cross_entropy(m(i[0]).view(-1, 8192), i[1].view(-1))
        best, median = timeit(training_step(model, (ids, targets), loss_fn), max(3, args.samples // 2), warmup=1)
        result = {"best": best, "median": median}
    elif args.workload == "conv":
        conv = nn.Conv2d(64, 64, 3, padding=1)
        x = torch.randn(32, 64, 32, 32, requires_grad=True)
        with torch.no_grad():
            fbest, fmedian = timeit(lambda: conv(x), args.samples)

        def forward_backward():
            conv.zero_grad(set_to_none=True)
            x.grad = None
            conv(x).sum().backward()

        bbest, bmedian = timeit(forward_backward, args.samples)
        result = {"best": fbest, "median": fmedian, "train_best": bbest, "train_median": bmedian}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
