/**
 * Backward formulas of clamp, where and maskedFill (the table-made elementwise ops get theirs
 * from their records: ops/).
 */
import { where as rawWhere, type Scalar, type TensorLike } from "../../elementwise.js";
import { wrapMethod } from "../../method-layers.js";
import { Tensor } from "../../tensor.js";
import { sumTo } from "../grad-utils.js";
import { record, untracked } from "../record.js";

wrapMethod(
  "grad",
  "clamp",
  (rawClamp) =>
    function (this: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
      const out = untracked(() => rawClamp.call(this, min, max));
      const bounds = [min, max].filter((t): t is Tensor => t instanceof Tensor);
      return record("ClampBackward", out, [this, min, max], [this, ...bounds], (g, [x, ...s]) => {
        const lo = min instanceof Tensor ? s.shift()! : min,
          hi = max instanceof Tensor ? s.shift()! : max;
        // PyTorch's rule: x gets g where lo <= x <= hi; lo where x < lo < hi; hi where x > hi
        // or hi < lo, since clamp is min(max(x, lo), hi) and so gives hi when the bounds cross.
        const both = (p: Tensor | null, q: Tensor | null): Tensor | null => (p && q ? p.logicalAnd(q) : (p ?? q));
        const pass = (m: Tensor | null, shape: readonly number[]): Tensor => sumTo(m ? rawWhere(m, g, 0) : g, shape);
        const toX = both(lo === undefined ? null : x.ge(lo), hi === undefined ? null : x.le(hi));
        const toLo = lo instanceof Tensor ? both(x.lt(lo), hi === undefined ? null : lo.lt(hi)) : null;
        const toHi = hi instanceof Tensor ? (lo === undefined ? x.gt(hi) : x.gt(hi).logicalOr(hi.lt(lo))) : null;
        return [pass(toX, x.shape), lo instanceof Tensor ? pass(toLo, lo.shape) : null, hi instanceof Tensor ? pass(toHi, hi.shape) : null];
      });
    },
);

/**
 * Picks from `a` where `cond` is true, else from `b` (all broadcast together).
 *
 * @example
 * tt.where(x.gt(0), x, 0); // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const out = untracked(() => rawWhere(cond, a, b));
  return record("WhereBackward", out, [cond, a, b], [cond], (g, [c]) => [
    null,
    a instanceof Tensor ? sumTo(rawWhere(c, g, 0), a.shape) : null,
    b instanceof Tensor ? sumTo(rawWhere(c, 0, g), b.shape) : null,
  ]);
}

/** Clamps into [min, max]; either bound may be omitted. @example tt.clamp(x, 0, 1) */
export function clamp(x: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
  return x.clamp(min, max);
}

wrapMethod(
  "grad",
  "maskedFill",
  (rawMaskedFill) =>
    function (this: Tensor, mask: Tensor, value: Scalar | Tensor): Tensor {
      const out = untracked(() => rawMaskedFill.call(this, mask, value));
      return record("MaskedFillBackward", out, [this, value], [mask], (g, [m]) => [
        sumTo(rawWhere(m, 0, g), this.shape), // a larger mask broadcasts x
        value instanceof Tensor ? sumTo(rawWhere(m, g, 0), value.shape) : null,
      ]);
    },
);
