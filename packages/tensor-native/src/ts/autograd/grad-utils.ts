/** Shape helpers shared by the backward formulas. */
import { zeros } from "../creation.js";
import { reductionDims } from "../reduce.js";
import { fmtShape, type Tensor } from "../tensor.js";

/** Sums a broadcast gradient back down to an input's shape. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (fmtShape(g.shape) === fmtShape(shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  const s = dims.length ? g.sum(dims, true) : g;
  return s.reshape([...shape]);
}

/** The reduced dims of a reduction, normalized and sorted (an empty list means all, as the forward does). */
export function reducedDims(dims: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  return reductionDims(dims, ndim, op);
}

/** A reduction's output (or its gradient) reshaped to keepdim form, broadcastable to the input. */
export function keepDims(t: Tensor, inShape: readonly number[], dims: readonly number[]): Tensor {
  return t.reshape(inShape.map((s, i) => (dims.includes(i) ? 1 : s)));
}

/** A gradient broadcast back over the reduced dims (a view). */
export function unreduce(g: Tensor, inShape: readonly number[], dims: readonly number[]): Tensor {
  return keepDims(g, inShape, dims).expand([...inShape]);
}

/** Zeros of `shape` in g's dtype with `g` written through `place` (a view of the zeros). */
export function scatterInto(shape: readonly number[], g: Tensor, place: (z: Tensor) => Tensor): Tensor {
  const z = zeros([...shape], { dtype: g.dtype, device: g.device });
  const v = place(z);
  v.copy_(g);
  v.dispose();
  return z;
}
