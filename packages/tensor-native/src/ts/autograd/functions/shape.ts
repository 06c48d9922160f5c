/** Backward formulas of the view ops, casts, and the ops that join or split tensors. */
import type { Device } from "../../dispatch.js";
import type { DType } from "../../dtype.js";
import { zeros } from "../../creation.js";
import * as S from "../../shape.js";
import { wrapMethod } from "../../method-layers.js";
import { normDim, type Tensor } from "../../tensor.js";
import { scatterInto, sumTo } from "../grad-utils.js";
import { record, untracked } from "../record.js";

type Method = (this: Tensor, ...args: unknown[]) => Tensor;
type ShapeMethod =
  | "reshape"
  | "view"
  | "squeeze"
  | "unsqueeze"
  | "flatten"
  | "contiguous"
  | "clone"
  | "float"
  | "double"
  | "half"
  | "bfloat16"
  | "to"
  | "transpose"
  | "t"
  | "permute"
  | "expand"
  | "narrow"
  | "select"
  | "slice";

/** Adds the grad layer `wrap` makes from the plain method (arguments passed through as they are). */
function wrapGrad(name: ShapeMethod, wrap: (raw: Method) => Method): void {
  wrapMethod("grad", name, (inner) => wrap(inner as unknown as Method) as unknown as Tensor[typeof name]);
}

/** Wraps a one-input method whose gradient is a function of the incoming gradient only. */
function viewLike(
  name: ShapeMethod,
  grad: (g: Tensor, x: { shape: readonly number[]; dtype: DType; device: Device }, args: unknown[]) => Tensor,
): void {
  const label = `${name[0].toUpperCase()}${name.slice(1)}Backward`;
  wrapGrad(
    name,
    (raw) =>
      function (this: Tensor, ...args: unknown[]): Tensor {
        const out = untracked(() => raw.apply(this, args));
        if (out === this) return out; // to() of the same dtype
        const meta = { shape: this.shape, dtype: this.dtype, device: this.device };
        return record(label, out, [this], [], (g) => [grad(g, meta, args)]);
      },
  );
}

const back = (g: Tensor, x: { shape: readonly number[] }): Tensor => g.reshape([...x.shape]);
for (const name of ["reshape", "view", "squeeze", "unsqueeze", "flatten"] as const) viewLike(name, back);
for (const name of ["contiguous", "clone", "float", "double", "half", "bfloat16"] as const) viewLike(name, (g) => g);
// A device copy sends the gradient back to the source device (the engine casts the dtype).
viewLike("to", (g, x) => (g.device === x.device ? g : g.to(x.device)));
viewLike("transpose", (g, _x, [a, b]) => g.transpose(a as number, b as number));
viewLike("t", (g) => g.t());
viewLike("permute", (g, x, args) => {
  const dims = S.flatShape(args as S.ShapeArg[]).map((d) => normDim(d, x.shape.length, "permute"));
  const inverse = new Array<number>(dims.length);
  dims.forEach((d, i) => (inverse[d] = i));
  return g.permute(inverse);
});
viewLike("expand", (g, x) => sumTo(g, x.shape));

function placed(name: "narrow" | "select" | "slice"): void {
  const label = `${name[0].toUpperCase()}${name.slice(1)}Backward`;
  wrapGrad(
    name,
    (raw) =>
      function (this: Tensor, ...args: unknown[]): Tensor {
        const out = untracked(() => raw.apply(this, args));
        // Only the input's shape is needed (PyTorch saves no tensor here either).
        const shape = this.shape;
        return record(label, out, [this], [], (g) => [scatterInto(shape, g, (z) => raw.apply(z, args))]);
      },
  );
}
placed("narrow");
placed("select");
placed("slice");

// Pieces are narrow() views, so each gets its own NarrowBackward. (These grad layers replace
// the plain split and chunk rather than call them.)
wrapMethod(
  "grad",
  "split",
  () =>
    function (this: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
      const d = normDim(dim, this.ndim, "split");
      const pieces = untracked(() => S.split(this, size, d));
      const starts: number[] = [];
      let at = 0;
      for (const p of pieces) {
        starts.push(at);
        at += p.shape[d];
      }
      if (!this.requiresGrad) return pieces;
      return pieces.map((p, i) => {
        p.dispose();
        return this.narrow(d, starts[i], p.shape[d]);
      });
    },
);
wrapMethod(
  "grad",
  "chunk",
  () =>
    function (this: Tensor, chunks: number, dim = 0): Tensor[] {
      return this.split(S.chunkSizes(this, chunks, dim), dim);
    },
);

/**
 * Joins tensors along an existing dimension.
 *
 * @example
 * tt.cat([tt.zeros([2, 3]), tt.ones([1, 3])], 0).shape; // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const out = untracked(() => S.cat(tensors, dim));
  const d = normDim(dim, out.ndim, "cat");
  return record("CatBackward", out, tensors, [], (g) => {
    let at = 0;
    return tensors.map((t) => {
      // cat skips these legacy [0] pieces; their gradient is empty, as in PyTorch.
      if (t.ndim === 1 && t.shape[0] === 0) return zeros([0], { dtype: g.dtype, device: g.device });
      const piece = g.narrow(d, at, t.shape[d]);
      at += t.shape[d];
      return piece;
    });
  });
}

/** Joins tensors of one shape along a new dimension. @example tt.stack([a, b], 0) */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const out = untracked(() => S.stack(tensors, dim));
  const d = normDim(dim, out.ndim, "stack");
  return record("StackBackward", out, tensors, [], (g) => tensors.map((_, i) => g.select(d, i)));
}

/** Splits into pieces of `size` along dim (views). @example tt.split(x, 2, 0) */
export function split(t: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  return t.split(size, dim);
}

/** Splits into `chunks` nearly equal views along dim. @example tt.chunk(x, 3, 1) */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  return t.chunk(chunks, dim);
}
