# Peer timings for bench/tensor.ts: PyTorch CPU or numpy, same cases, best of N runs.
# Usage: /usr/bin/python3 bench/tensor-peers.py torch|numpy THREADS   (prints one JSON object)
import json, sys, time

lib, threads = sys.argv[1], int(sys.argv[2])
reps = 5

def best(fn, n=reps):
    fn()
    t = float("inf")
    for _ in range(n):
        s = time.perf_counter(); fn(); t = min(t, time.perf_counter() - s)
    return t

out = {"threads": threads}
if lib == "torch":
    import torch
    torch.set_num_threads(threads)
    out["version"] = torch.__version__
    for n in (256, 512, 1024, 2048):
        a, b = torch.randn(n, n), torch.randn(n, n)
        out[f"matmul{n}"] = best(lambda: a @ b)
    if threads == 2:
        m = 1 << 24
        a, b, c = torch.randn(m), torch.randn(m), torch.randn(m)
        out["add"] = best(lambda: a + b)
        out["fma"] = best(lambda: a * b + c)
        out["exp"] = best(lambda: torch.exp(a))
        s = torch.randn(4096, 4096)
        out["softmax"] = best(lambda: torch.softmax(s, -1))
        x, w = torch.randn(64, 32, 28, 28), torch.randn(64, 32, 3, 3)
        out["conv2d"] = best(lambda: torch.nn.functional.conv2d(x, w, padding=1))
else:
    import numpy as np
    out["version"] = np.__version__
    rs = np.random.RandomState(0)
    for n in (256, 512, 1024, 2048):
        a, b = rs.rand(n, n).astype(np.float32), rs.rand(n, n).astype(np.float32)
        out[f"matmul{n}"] = best(lambda: a @ b)
    if threads == 2:
        m = 1 << 24
        a, b, c = (rs.rand(m).astype(np.float32) for _ in range(3))
        out["add"] = best(lambda: a + b)
        out["fma"] = best(lambda: a * b + c)
        out["exp"] = best(lambda: np.exp(a))
        s = rs.rand(4096, 4096).astype(np.float32)
        def softmax():
            e = np.exp(s - s.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        out["softmax"] = best(softmax)
print(json.dumps(out))
