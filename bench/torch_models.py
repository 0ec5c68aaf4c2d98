"""PyTorch's side of `npm run bench`'s model comparison (bench/models.ts): the same models, batch
sizes and optimizers as minima's side, trained on random data of the right shape, one "epoch" (a
fixed number of whole steps: forward, backward, update) per request. Runs as a server so both sides
interleave in one run: one JSON request per line on stdin
  {"model": "resnet20", "optimizer": "sgd", "batch": 128, "steps": 4, "warmup": 1, "threads": 2, "device": "cpu"}
one JSON answer per line on stdout {"seconds": ..., "samples_per_s": ...}; the first line it prints
is {"torch": version, "threads": n}. Models as minima's registry entries:
  mlp       784-256-10, ReLU (MNIST)
  cnn       minima's `cnn` defaults (the quickstart): conv3x3 32 - ReLU - maxpool2, conv3x3 64 - ReLU
            - maxpool2, dense 128 - ReLU, dense 10 (MNIST 28x28x1)
  resnet20  akamaster/pytorch_resnet_cifar10 resnet20 (option A shortcuts), CIFAR 32x32x3
  wrn16-4   xternalz/WideResNet-pytorch WRN-16-4, no dropout, CIFAR 32x32x3
"device": "cuda" runs on the GPU (each step's loss.item() synchronises it; bench/gpu-check.ts).
Optimizers: sgd (lr 0.1, momentum 0.9, weight decay 5e-4: the ResNet/WRN recipe), adamw (lr 1e-3,
weight decay 5e-4, torch's default foreach implementation), sam (davda54/sam's two passes,
rho 0.05, around that sgd)."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = (planes - cin) // 2 if stride != 1 or cin != planes else None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        short = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + short)


class ResNet(nn.Module):
    def __init__(self, n=3, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for s, planes in enumerate([16, 32, 64]):
            for i in range(n):
                layers.append(BasicBlock(cin, planes, 2 if s > 0 and i == 0 else 1))
                cin = planes
        self.layers = nn.Sequential(*layers)
        self.linear = nn.Linear(64, classes)

    def forward(self, x):
        out = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.linear(F.adaptive_avg_pool2d(out, 1).flatten(1))


class WideBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.short = None if cin == cout and stride == 1 else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        act = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(act))))
        return y + (x if self.short is None else self.short(act))


class WideResNet(nn.Module):
    def __init__(self, depth=16, k=4, classes=10):
        super().__init__()
        n = (depth - 4) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        blocks, cin = [], 16
        for s, cout in enumerate([16 * k, 32 * k, 64 * k]):
            for i in range(n):
                blocks.append(WideBlock(cin, cout, 2 if s > 0 and i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        out = F.relu(self.bn(self.blocks(self.conv1(x))))
        return self.fc(F.adaptive_avg_pool2d(out, 1).flatten(1))


def build(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), (1, 28, 28)
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10)), (1, 28, 28)
    if name == "resnet20":
        return ResNet(3), (3, 32, 32)
    if name == "wrn16-4":
        return WideResNet(16, 4), (3, 32, 32)
    raise ValueError(f"unknown model {name}")


def epoch(req):
    if "threads" in req:
        torch.set_num_threads(req["threads"])
    torch.manual_seed(0)
    device = torch.device(req.get("device", "cpu"))
    net, shape = build(req["model"])
    net = net.to(device)
    net.train()
    params = list(net.parameters())
    kind = req["optimizer"]
    if kind == "adamw":
        opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=5e-4)
    else:
        opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=5e-4)
    batch = req["batch"]
    xs = [torch.rand(batch, *shape).to(device) for _ in range(2)]
    ys = [torch.randint(0, 10, (batch,)).to(device) for _ in range(2)]

    def grads(x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        return loss

    def step(i):
        x, y = xs[i % 2], ys[i % 2]
        loss = grads(x, y)
        if kind == "sam":
            with torch.no_grad():
                norm = torch.norm(torch.stack([p.grad.norm(p=2) for p in params if p.grad is not None]), p=2)
                scale = 0.05 / (norm + 1e-12)
                old = [p.data.clone() for p in params]
                for p in params:
                    if p.grad is not None:
                        p.add_(p.grad * scale)
            grads(x, y)
            with torch.no_grad():
                for p, o in zip(params, old):
                    p.data = o
        opt.step()
        return loss.item()

    for i in range(req.get("warmup", 1)):
        step(i)
    t = time.perf_counter()
    for i in range(req["steps"]):
        step(i)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "samples_per_s": req["steps"] * batch / seconds}


def main():
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "cuda": torch.cuda.is_available(),
                      "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}), flush=True)
    default_threads = torch.get_num_threads()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            req.setdefault("threads", default_threads)
            print(json.dumps(epoch(req)), flush=True)
        except Exception as err:  # noqa: BLE001 - reported to the caller, who prints it
            print(json.dumps({"error": f"{type(err).__name__}: {err}"}), flush=True)


if __name__ == "__main__":
    main()
