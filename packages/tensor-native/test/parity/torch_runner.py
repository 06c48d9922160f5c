"""Runs fuzz programs against PyTorch: one JSON batch of programs per line on stdin, one
JSON line of results on stdout. Each step is a Python expression evaluated with the
earlier steps' values in scope; a step that reads an error is skipped."""
import json
import math
import sys
import warnings

import torch

import torch_helpers

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
GLOBALS = {"torch": torch, "nan": math.nan, "inf": math.inf, "F": torch.nn.functional, "nn": torch.nn}
GLOBALS.update({k: v for k, v in vars(torch_helpers).items() if callable(v) and v.__module__ == "torch_helpers"})


def num(x):
    if isinstance(x, bool):
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def encode(v):
    if v is None:
        return {"kind": "none"}
    if isinstance(v, torch.Tensor):
        t = v.detach()
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.float()
        data = [num(float(x)) for x in t.reshape(-1).tolist()]
        dtype = str(v.dtype).replace("torch.", "")
        return {"kind": "tensor", "dtype": dtype, "shape": list(v.shape), "data": data, "rg": bool(v.requires_grad)}
    if isinstance(v, bool):
        return {"kind": "scalar", "value": v}
    if isinstance(v, (int, float)):
        return {"kind": "scalar", "value": num(v)}
    if isinstance(v, (list, tuple)):
        return {"kind": "list", "items": [encode(x) for x in v]}
    return {"kind": "other", "text": type(v).__name__}


def run(program):
    # One namespace as globals, so lambdas (hooks, closures) see the program's values too.
    scope = dict(GLOBALS)
    out = []
    for step in program["steps"]:
        if any(r not in scope for r in step["refs"]):
            out.append({"kind": "skip"})
            continue
        try:
            value = eval(step["py"], scope)
            scope[step["out"]] = value
            out.append(encode(value) if step.get("compare", True) else {"kind": "none"})
        except Exception as e:  # noqa: BLE001 - every error is a result to compare
            out.append({"kind": "error", "message": f"{type(e).__name__}: {e}"})
    return out


def main():
    for line in sys.stdin:
        batch = json.loads(line)
        results = []
        for program in batch:
            try:
                results.append(run(program))
            except Exception as e:  # noqa: BLE001
                results.append([{"kind": "error", "message": f"runner: {e}"}])
        sys.stdout.write(json.dumps(results) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
