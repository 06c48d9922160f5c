"""Stand-ins for PyTorch 1.13 ops whose CPU kernels are wrong on some inputs, written with
ops that are right. The runner has them in scope; a reproduction that uses one carries
its definition."""
import torch
import torch.nn.functional as F


def gelu(x):
    """F.gelu, whose float32/bfloat16 backward reads a non-contiguous gradient as if it were
    contiguous (garbage such as 3e20 after a transpose): the exact erf form in float32."""
    if not x.is_floating_point() or x.dtype == torch.float64:
        return F.gelu(x)
    v = x.float()
    return v.mul(0.5).mul(torch.erf(v.mul(0.7071067811865476)).add(1)).to(x.dtype)
