"""PyTorch's own optimizer cost on this machine, next to minima's in `npm run bench` when torch is
importable: time per training step of the MNIST MLP (784-256-10, ReLU, softmax cross-entropy,
batch 64) with torch.optim.SGD, AdamW in its default (foreach), single-tensor and fused
implementations, and SAM (two gradient evaluations, the davda54 algorithm written inline), each
relative to SGD. Estimator as the JS bench: the fastest 20-step window, interleaved repeats.
Prints one JSON object. Usage: python3 torch_ref.py [steps] [repeats] [batch]"""
import json
import sys
import time

import torch


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    torch.manual_seed(0)
    xs = torch.rand(20, batch, 784)
    ys = torch.randint(0, 10, (20, batch))
    loss_fn = torch.nn.CrossEntropyLoss()

    def window(kind):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
        params = list(net.parameters())
        if kind == "adamw":
            opt = torch.optim.AdamW(params, lr=0.01)
        elif kind == "adamw (single tensor)":
            opt = torch.optim.AdamW(params, lr=0.01, foreach=False)
        elif kind == "adamw (fused)":
            opt = torch.optim.AdamW(params, lr=0.01, fused=True)
        else:
            opt = torch.optim.SGD(params, lr=0.01)

        def grads(x, y):
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            return loss

        def step(i):
            x, y = xs[i % 20], ys[i % 20]
            grads(x, y)
            if kind == "sam":
                with torch.no_grad():
                    norm = torch.norm(torch.stack([p.grad.norm(p=2) for p in params]), p=2)
                    scale = 0.05 / (norm + 1e-12)
                    old = [p.data.clone() for p in params]
                    for p in params:
                        p.add_(p.grad * scale)
                grads(x, y)
                with torch.no_grad():
                    for p, o in zip(params, old):
                        p.data = o
            opt.step()

        times = []
        for i in range(steps):
            t = time.perf_counter()
            step(i)
            times.append(time.perf_counter() - t)
        return min(sum(times[i:i + 20]) / 20 for i in range(20, len(times) - 19, 20))

    kinds = ["sgd", "adamw", "adamw (single tensor)", "adamw (fused)", "sam"]
    best = {}
    for _ in range(repeats):
        for kind in kinds:
            best[kind] = min(best.get(kind, float("inf")), window(kind))
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": batch,
        "ms_per_step": {k: v * 1000 for k, v in best.items()},
        "ratio_to_sgd": {k: v / best["sgd"] for k, v in best.items()},
    }))


if __name__ == "__main__":
    main()
