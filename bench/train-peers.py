# PyTorch CPU timings for bench/train.ts: ms per training step (forward, loss, backward,
# Adam step) of the MLP and the small CNN, median of N steps after a warm-up.
# Usage: /usr/bin/python3 bench/train-peers.py THREADS STEPS   (prints one JSON object)
import json, statistics, sys, time

import torch
import torch.nn as nn

threads, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)), torch.randn(128, 784), torch.randint(0, 10, (128,))


def cnn():
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10))
    return model, torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))


def time_steps(make):
    model, x, y = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    times = []
    for _ in range(steps):
        s = time.perf_counter()
        step()
        times.append((time.perf_counter() - s) * 1000)
    return statistics.median(times)


print(json.dumps({"version": torch.__version__, "threads": threads, "mlp": time_steps(mlp), "cnn": time_steps(cnn)}))
