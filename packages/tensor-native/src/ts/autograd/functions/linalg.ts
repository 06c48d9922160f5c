/** Backward formulas of matmul, the indexing ops and embedding. */
import { zeros } from "../../creation.js";
import {
  embedding as rawEmbedding,
  gather as rawGather,
  indexSelect as rawIndexSelect,
  scatterAdd as rawScatterAdd,
} from "../../indexing.js";
import { matmul as rawMatmul } from "../../matmul.js";
import { broadcastShapes } from "../../shape.js";
import { wrapMethod } from "../../method-layers.js";
import { normDim, type Tensor } from "../../tensor.js";
import { scatterInto, sumTo } from "../grad-utils.js";
import { autocastDType, lowPrecision } from "../autocast.js";
import { record, untracked } from "../record.js";

/**
 * Matrix product. 1-D operands are treated as a row (left) or column (right) vector and
 * that dimension is removed from the result; leading dims broadcast as batch dims.
 *
 * @example
 * tt.randn([8, 64, 32]).matmul(tt.randn([32, 16])).shape; // [8, 64, 16]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (autocastDType()) return matmulRecorded(lowPrecision(a), lowPrecision(b));
  return matmulRecorded(a, b);
}

function matmulRecorded(a: Tensor, b: Tensor): Tensor {
  const out = untracked(() => rawMatmul(a, b));
  return record("MatmulBackward", out, [a, b], [a, b], (g, [x, y]) => {
    // Lift vectors to matrices, as the forward did, then reduce broadcast batch dims.
    const a2 = x.ndim === 1 ? x.unsqueeze(0) : x,
      b2 = y.ndim === 1 ? y.unsqueeze(-1) : y;
    const batch = broadcastShapes("matmul", a2.shape.slice(0, -2), b2.shape.slice(0, -2));
    const g2 = g.reshape([...batch, a2.shape[a2.ndim - 2], b2.shape[b2.ndim - 1]]);
    const ga = a.requiresGrad ? sumTo(rawMatmul(g2, b2.transpose(-1, -2)), a2.shape).reshape([...x.shape]) : null;
    const gb = b.requiresGrad ? sumTo(rawMatmul(a2.transpose(-1, -2), g2), b2.shape).reshape([...y.shape]) : null;
    return [ga, gb];
  });
}
// The grad layers of these methods are the recorded functions above (not wrappers of the plain op).
wrapMethod(
  "grad",
  "matmul",
  () =>
    function (this: Tensor, o: Tensor): Tensor {
      return matmul(this, o);
    },
);

/** Index-shaped tensor broadcast along the other dims of `like`, for scatterAdd. */
function spreadIndex(index: Tensor, dim: number, like: Tensor): Tensor {
  const shape = like.shape.map((s, i) => (i === dim ? index.numel() : 1));
  return index.reshape(shape).expand([...like.shape]);
}

/** Entries along `dim` picked by a 1-D index. @example tt.indexSelect(x, 0, tt.tensor([2, 0])) */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const out = untracked(() => rawIndexSelect(x, dim, index));
  const d = normDim(dim, x.ndim, "indexSelect");
  return record("IndexSelectBackward", out, [x], [index], (g, [idx]) => [
    x.ndim === 0 ? g.sum() : zeros(x.shape, { dtype: g.dtype, device: g.device }).scatterAdd(d, spreadIndex(idx, d, g), g),
  ]);
}
wrapMethod(
  "grad",
  "indexSelect",
  () =>
    function (this: Tensor, d: number, i: Tensor): Tensor {
      return indexSelect(this, d, i);
    },
);

/** out[i][j] = x[index[i][j]][j] for dim 0 (likewise for others). @example tt.gather(x, 1, idx) */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const out = untracked(() => rawGather(x, dim, index));
  const d = normDim(dim, x.ndim, "gather");
  return record("GatherBackward", out, [x], [index], (g, [idx]) => [
    zeros(x.shape, { dtype: g.dtype, device: g.device }).scatterAdd(d, idx, g),
  ]);
}
wrapMethod(
  "grad",
  "gather",
  () =>
    function (this: Tensor, d: number, i: Tensor): Tensor {
      return gather(this, d, i);
    },
);

/** Out-of-place scatter-add along dim. @example tt.zeros([3]).scatterAdd(0, idx, src) */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const out = untracked(() => rawScatterAdd(x, dim, index, src));
  const d = normDim(dim, x.ndim, "scatterAdd");
  return record("ScatterAddBackward", out, [x, index, src], [index], (g, [idx]) => {
    // src may be larger than the index: the elements the index never reaches get zero.
    const picked = rawGather(g, d, idx);
    const gsrc = picked.shape.every((n, i) => n === src.shape[i])
      ? picked
      : scatterInto(src.shape, picked, (z) => picked.shape.reduce((v, n, i) => v.narrow(i, 0, n), z));
    return [g, null, gsrc];
  });
}
wrapMethod(
  "grad",
  "scatterAdd",
  () =>
    function (this: Tensor, d: number, i: Tensor, s: Tensor): Tensor {
      return scatterAdd(this, d, i, s);
    },
);

/**
 * Rows of `weight` picked by integer `indices` (any shape): the result has shape
 * [...indices.shape, weight.shape[1]].
 *
 * @example
 * tt.embedding(tt.tensor([[1, 0]]), tt.randn([10, 4])).shape; // [1, 2, 4]
 */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  const out = untracked(() => rawEmbedding(indices, weight));
  return record("EmbeddingBackward", out, [weight], [indices], (g, [idx]) => {
    const D = weight.shape[1],
      flat = idx.reshape(-1);
    const rows = g.reshape(flat.numel(), D);
    return [zeros(weight.shape, { dtype: g.dtype, device: g.device }).scatterAdd(0, flat.reshape(-1, 1).expand(flat.numel(), D), rows)];
  });
}
