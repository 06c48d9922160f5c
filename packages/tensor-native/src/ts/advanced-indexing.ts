/**
 * Integer-array and boolean-mask indexing (NumPy's "advanced indexing" along the first
 * dims), built on indexSelect so autograd needs no formula of its own.
 */
import { fromTypedArray } from "./creation.js";
import { broadcastShapes } from "./shape.js";
import { defineOps } from "./method-layers.js";
import { fmtShape, type Tensor } from "./tensor.js";

/** Row-major coordinates of the true (non-zero) entries: an int64 tensor [count, ndim]. */
export function nonzero(x: Tensor): Tensor {
  x.check("nonzero");
  const ne = x.dtype === "bool" ? x : x.ne(0);
  const flat = ne.data() as Uint8Array;
  if (ne !== x) ne.dispose();
  const hits: number[] = [];
  for (let i = 0; i < flat.length; i++) if (flat[i]) hits.push(i);
  const nd = x.ndim;
  const coords = new BigInt64Array(hits.length * nd);
  hits.forEach((lin, r) => {
    for (let d = nd - 1; d >= 0; d--) {
      coords[r * nd + d] = BigInt(lin % x.shape[d]);
      lin = Math.floor(lin / x.shape[d]);
    }
  });
  return fromTypedArray(coords, [hits.length, nd], { device: x.device });
}

/** Flat positions of a mask's true entries, int64. */
function truePositions(mask: Tensor): Tensor {
  const m = mask.data() as Uint8Array;
  let n = 0;
  for (let i = 0; i < m.length; i++) if (m[i]) n++;
  const picks = new BigInt64Array(n);
  for (let i = 0, k = 0; i < m.length; i++) if (m[i]) picks[k++] = BigInt(i);
  return fromTypedArray(picks, [n], { device: mask.device });
}

/**
 * idx flattened, with negative entries counted from the end as Python's x[idx] does
 * (indexSelect itself refuses them, as PyTorch's index_select).
 */
function wrapNegative(idx: Tensor, size: number): Tensor {
  const vals = Array.from(idx.data() as BigInt64Array | Int32Array, Number);
  const bad = vals.find((v) => v < -size || v >= size);
  if (bad !== undefined) throw new RangeError(`index: index ${bad} is out of range for a dimension of size ${size} (dimension 0)`);
  if (!vals.some((v) => v < 0)) return idx.reshape(-1);
  return fromTypedArray(
    BigInt64Array.from(vals, (v) => BigInt(v < 0 ? v + size : v)),
    [vals.length],
    { device: idx.device },
  );
}

/**
 * `x[index]` as in PyTorch: an integer tensor picks along dim 0 (the result has shape
 * [...index.shape, ...x.shape.slice(1)]); a bool mask over x's leading dims picks the
 * entries where it is true (shape [count, ...rest]).
 *
 * @example
 * x.index(tt.tensor([2, 0]));   // rows 2 and 0
 * x.index(x.gt(0));             // the positive entries, 1-D
 */
export function index(x: Tensor, idx: Tensor): Tensor {
  x.check("index");
  idx.check("index");
  if (idx.dtype === "bool") {
    const k = idx.ndim;
    if (k > x.ndim || idx.shape.some((s, i) => s !== x.shape[i]))
      throw new Error(`index: a mask of shape ${fmtShape(idx.shape)} does not match the leading dims of ${fmtShape(x.shape)}`);
    const rest = x.shape.slice(k);
    const flat = x.reshape([-1, ...rest]);
    const lin = truePositions(idx);
    const out = flat.indexSelect(0, lin);
    lin.dispose();
    flat.dispose();
    return out;
  }
  if (idx.dtype !== "int64" && idx.dtype !== "int32") throw new TypeError(`index: expected an integer or bool tensor, got ${idx.dtype}`);
  if (x.ndim === 0) throw new Error("index: a 0-d tensor cannot be indexed");
  const flatIdx = wrapNegative(idx, x.shape[0]);
  const rows = x.indexSelect(0, flatIdx);
  flatIdx.dispose();
  const out = rows.reshape([...idx.shape, ...x.shape.slice(1)]);
  rows.dispose();
  return out;
}

/**
 * The entries of x where the mask is true, as a 1-D tensor (x and mask broadcast together).
 *
 * @example
 * tt.maskedSelect(x, x.gt(0));
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  x.check("maskedSelect");
  mask.check("maskedSelect");
  if (mask.dtype !== "bool") throw new TypeError(`maskedSelect: mask must be a bool tensor, got ${mask.dtype}`);
  // Both sides broadcast, as in PyTorch: a mask larger than x repeats x's entries.
  const shape = broadcastShapes("maskedSelect", x.shape, mask.shape);
  const ex = x.expand(shape),
    m = mask.expand(shape);
  const flat = ex.reshape(-1);
  const full = m.reshape(-1);
  const out = index(flat, full);
  for (const t of [ex, m, flat, full]) t.dispose();
  return out;
}

declare module "./tensor.js" {
  interface Tensor {
    /** PyTorch's `x[index]` for an integer or bool tensor (see tt.index). @example x.index(x.gt(0)) */
    index(idx: Tensor): Tensor;
    /** Entries where the mask is true, 1-D. @example x.maskedSelect(x.gt(0)) */
    maskedSelect(mask: Tensor): Tensor;
    /** Coordinates of non-zero entries, [count, ndim] int64. @example x.nonzero() */
    nonzero(): Tensor;
  }
}

defineOps({
  index(idx) {
    return index(this, idx);
  },
  maskedSelect(mask) {
    return maskedSelect(this, mask);
  },
  nonzero() {
    return nonzero(this);
  },
});
