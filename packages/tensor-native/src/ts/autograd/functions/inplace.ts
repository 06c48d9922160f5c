/**
 * In-place ops under autograd, recorded as PyTorch records them: the op runs out of place on
 * a copy of the old value (a formula that needs the old value keeps it, as PyTorch keeps
 * `self` for `mul_`), the result is written back, and its history becomes this tensor's.
 * Tensors the graph saved still carry their version, so `y = x.sigmoid(); y.mul_(2)` then
 * backward() is refused, as there.
 *
 * Only a tensor that owns its storage is recorded: writing through a view (or into a tensor
 * another live view shares) would change values whose history does not know it, so that is
 * refused with a clear error instead (PyTorch rewrites the base's history there).
 */
import { ones } from "../../creation.js";
import { dtypeSize } from "../../dtype.js";
import type { TensorLike } from "../../elementwise.js";
import { checkCast } from "../../inplace.js";
import { opOf, wrapMethod } from "../../method-layers.js";
import { Tensor } from "../../tensor.js";
import { isGradEnabled, noGrad } from "../grad-mode.js";
import { where } from "./elementwise.js";

/** Whether an in-place op on `t` with these operands must be recorded. */
function recorded(t: Tensor, operands: readonly unknown[]): boolean {
  return isGradEnabled() && (t.requiresGrad || operands.some((o) => o instanceof Tensor && o.requiresGrad));
}

/** `t` is its storage's only live tensor (besides what autograd saved) and covers it in order. */
function ownsStorage(t: Tensor): boolean {
  const whole = t.offset === 0 && t.isContiguous() && t.numel() * dtypeSize[t.dtype] === t.storage.nbytes;
  return whole && t.storage.refs - t.storage.savedViews === 1;
}

/** Writes r into t as the plain in-place op would, refusing a result t cannot hold (x_int.add_(1.5)). */
function checkedCopy(t: Tensor, r: Tensor, op: string): void {
  checkCast(t, r, op);
  rawCopy_(t, r);
}

function inPlace(t: Tensor, op: string, compute: (old: Tensor) => Tensor, write: (r: Tensor) => void): Tensor {
  t.check(op);
  if (t.isLeaf && t.requiresGrad)
    throw new Error(
      `${op}: a leaf tensor that requires grad cannot be changed in place while autograd records; do it inside tt.noGrad(() => …) or on a detach()ed tensor`,
    );
  if (!ownsStorage(t))
    throw new Error(
      `${op}: autograd records in-place ops only on a tensor that is not a view and has no live views; use the out-of-place op (x = x.${op.slice(0, -1)}(…)) or clone() first`,
    );
  const old = t.clone();
  const r = compute(old);
  try {
    noGrad(() => write(r)); // the plain copy: writes and bumps the version
  } catch (e) {
    old.dispose();
    r.dispose();
    throw e;
  }
  t.gradFn = r.gradFn;
  t._requiresGrad = r.requiresGrad;
  r.gradFn = null;
  old.dispose();
  r.dispose();
  return t;
}

// The plain copy (no autograd layer): writes the result, bumps the version.
const rawCopy_ = (t: Tensor, src: Tensor): Tensor => opOf("copy_").call(t, src);

for (const name of ["add", "sub", "mul", "div"] as const) {
  wrapMethod(
    "grad",
    `${name}_`,
    (raw) =>
      function (this: Tensor, other: TensorLike): Tensor {
        if (!recorded(this, [other])) return raw.call(this, other);
        return inPlace(
          this,
          `${name}_`,
          (old) => old[name](other),
          (r) => checkedCopy(this, r, `${name}_`),
        );
      },
  );
}

wrapMethod(
  "grad",
  "clamp_",
  (rawClamp_) =>
    function (this: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
      if (!recorded(this, [min, max])) return rawClamp_.call(this, min, max);
      return inPlace(
        this,
        "clamp_",
        (old) => old.clamp(min, max),
        (r) => checkedCopy(this, r, "clamp_"),
      );
    },
);

// copy_ and fill_ replace every value: the old value gets a zero gradient (selected, so a
// NaN or inf in the incoming gradient stays out of it), the source gets the gradient.
// (zero_ is fill_(0), so it goes through this fill_.)
wrapMethod(
  "grad",
  "copy_",
  (raw) =>
    function (this: Tensor, src: Tensor): Tensor {
      if (!recorded(this, [src])) return raw.call(this, src);
      return inPlace(
        this,
        "copy_",
        (old) => where(ones(old.shape, { dtype: "bool", device: old.device }), src, old).to(this.dtype),
        (r) => rawCopy_(this, r),
      );
    },
);
wrapMethod(
  "grad",
  "fill_",
  (raw) =>
    function (this: Tensor, value: number): Tensor {
      if (!recorded(this, [])) return raw.call(this, value);
      return inPlace(
        this,
        "fill_",
        (old) => where(ones(old.shape, { dtype: "bool", device: old.device }), value, old).to(this.dtype),
        (r) => rawCopy_(this, r),
      );
    },
);
