/** View ops (no copy) and the ops that assemble tensors from pieces (cat, stack, split). */
import { backend, type ViewLike } from "./dispatch.js";
import { promoteTypes } from "./dtype.js";
import { contiguousOrSelf, contiguousStrides, emptyTensor, fmtShape, normDim, numelOf, Tensor } from "./tensor.js";

export type ShapeArg = number | readonly number[];

/** Accepts f(2, 3) and f([2, 3]). */
export function flatShape(args: readonly ShapeArg[]): number[] {
  const out: number[] = [];
  for (const a of args) {
    if (typeof a === "number") out.push(a);
    else out.push(...a);
  }
  return out;
}

/** Broadcast result shape of several shapes, or a clear error naming them. */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (let i = 0; i < nd; i++) {
    for (const s of shapes) {
      const d = s[s.length - nd + i] ?? 1;
      if (d === 1) continue;
      if (out[i] !== 1 && out[i] !== d)
        throw new Error(`${op}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together (${out[i]} ≠ ${d} at dimension ${i})`);
      out[i] = d;
    }
  }
  return out;
}

/** A view of t with stride 0 along broadcast dims. */
export function expandTo(t: Tensor, shape: readonly number[], op = "expand"): Tensor {
  const v = broadcastView(t, shape, op);
  return t.view_(v.shape, v.strides, v.offset);
}

/**
 * An untracked descriptor of t broadcast to `shape`, for handing straight to a kernel
 * (no Tensor object, so nothing to dispose).
 */
export function broadcastView(t: Tensor | ViewLike, shape: readonly number[], op = "expand"): ViewLike {
  const nd = shape.length, tnd = t.shape.length;
  if (tnd > nd) throw new Error(`${op}: cannot expand shape ${fmtShape(t.shape)} to ${fmtShape(shape)}`);
  const strides = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const j = i - (nd - tnd);
    const size = j >= 0 ? t.shape[j] : 1;
    if (size === shape[i]) strides[i] = j >= 0 ? t.strides[j] : 0;
    else if (size === 1) strides[i] = 0;
    else throw new Error(`${op}: cannot expand shape ${fmtShape(t.shape)} to ${fmtShape(shape)} (${size} ≠ ${shape[i]} at dimension ${i})`);
  }
  return { storage: t.storage, dtype: t.dtype, shape, strides, offset: t.offset };
}

function inferShape(shape: number[], numel: number, op: string, from: readonly number[]): number[] {
  const neg = shape.indexOf(-1);
  if (neg >= 0) {
    const known = numelOf(shape.filter((_, i) => i !== neg));
    if (known === 0 || numel % known !== 0) throw new Error(`${op}: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)}`);
    shape = [...shape];
    shape[neg] = numel / known;
  }
  if (numelOf(shape) !== numel || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error(`${op}: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${numel} elements)`);
  return shape;
}

export function reshape(t: Tensor, shape: number[]): Tensor {
  t.check("reshape");
  shape = inferShape(shape, t.numel(), "reshape", t.shape);
  if (t.isContiguous()) return t.view_(shape, contiguousStrides(shape), t.offset);
  const c = contiguousOrSelf(t);
  const r = c.view_(shape, contiguousStrides(shape), 0);
  c.dispose();
  return r;
}

export function view(t: Tensor, shape: number[]): Tensor {
  t.check("view");
  shape = inferShape(shape, t.numel(), "view", t.shape);
  if (!t.isContiguous())
    throw new Error(`view: the tensor of shape ${fmtShape(t.shape)} is not contiguous; use reshape() or contiguous() first`);
  return t.view_(shape, contiguousStrides(shape), t.offset);
}

export function permute(t: Tensor, dims: number[]): Tensor {
  t.check("permute");
  if (dims.length !== t.ndim) throw new Error(`permute: expected ${t.ndim} dims, got ${fmtShape(dims)}`);
  const d = dims.map((x) => normDim(x, t.ndim, "permute"));
  if (new Set(d).size !== d.length) throw new Error(`permute: repeated dim in ${fmtShape(dims)}`);
  return t.view_(d.map((i) => t.shape[i]), d.map((i) => t.strides[i]), t.offset);
}

export function transpose(t: Tensor, d0: number, d1: number): Tensor {
  t.check("transpose");
  if (t.ndim < 2 && (d0 === 0 || d0 === -1) && (d1 === 0 || d1 === -1)) return t.view_(t.shape, t.strides, t.offset);
  const a = normDim(d0, t.ndim, "transpose"), b = normDim(d1, t.ndim, "transpose");
  const perm = Array.from({ length: t.ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(t, perm);
}

export function squeeze(t: Tensor, dim?: number): Tensor {
  t.check("squeeze");
  if (dim === undefined) {
    const keep = t.shape.map((s, i) => (s !== 1 ? i : -1)).filter((i) => i >= 0);
    return t.view_(keep.map((i) => t.shape[i]), keep.map((i) => t.strides[i]), t.offset);
  }
  if (t.ndim === 0) return t.view_([], [], t.offset);
  const d = normDim(dim, t.ndim, "squeeze");
  if (t.shape[d] !== 1) return t.view_(t.shape, t.strides, t.offset);
  return t.view_(t.shape.filter((_, i) => i !== d), t.strides.filter((_, i) => i !== d), t.offset);
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  t.check("unsqueeze");
  const d = normDim(dim, t.ndim + 1, "unsqueeze");
  const shape = [...t.shape], strides = [...t.strides];
  const st = d < t.ndim ? t.shape[d] * t.strides[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return t.view_(shape, strides, t.offset);
}

export function flatten(t: Tensor, start = 0, end = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normDim(start, t.ndim, "flatten"), e = normDim(end, t.ndim, "flatten");
  if (s > e) throw new Error(`flatten: start dim ${start} comes after end dim ${end}`);
  return reshape(t, [...t.shape.slice(0, s), numelOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)]);
}

/** Elements [start, end) with a step along dim, as a view; negative bounds count from the end. */
export function slice(t: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  t.check("slice");
  const d = normDim(dim, t.ndim, "slice");
  const n = t.shape[d];
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = clamp(start), e = Math.max(s, clamp(end ?? n));
  const shape = [...t.shape], strides = [...t.strides];
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = t.strides[d] * step;
  return t.view_(shape, strides, t.offset + (shape[d] > 0 ? s * t.strides[d] : 0));
}

export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, t.ndim, "narrow");
  const n = t.shape[d];
  const s = start < 0 ? start + n : start;
  if (s < 0 || length < 0 || s + length > n)
    throw new RangeError(`narrow: start ${start} + length ${length} exceeds dimension ${dim} of size ${n}`);
  return slice(t, d, s, s + length);
}

export function select(t: Tensor, dim: number, index: number): Tensor {
  t.check("select");
  const d = normDim(dim, t.ndim, "select");
  const n = t.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n)
    throw new RangeError(`select: index ${index} is out of range for dimension ${dim} of size ${n}`);
  const i = index < 0 ? index + n : index;
  return t.view_(t.shape.filter((_, k) => k !== d), t.strides.filter((_, k) => k !== d), t.offset + i * t.strides[d]);
}

/**
 * Joins tensors along an existing dimension.
 *
 * @example
 * tt.cat([tt.zeros([2, 3]), tt.ones([1, 3])], 0).shape; // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("cat: expected a non-empty list of tensors");
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0)).map((t) => t.check("cat"));
  if (parts.length === 0) return tensors[0].view_(tensors[0].shape, tensors[0].strides, tensors[0].offset);
  const ref = parts[0];
  const d = normDim(dim, ref.ndim, "cat");
  let dtype = ref.dtype;
  for (const p of parts) {
    if (p.ndim !== ref.ndim || p.shape.some((s, i) => i !== d && s !== ref.shape[i]))
      throw new Error(`cat: shapes ${parts.map((x) => fmtShape(x.shape)).join(", ")} do not match except in dimension ${d}`);
    if (p.dtype !== dtype) dtype = promoteTypes(dtype, p.dtype);
  }
  const shape = [...ref.shape];
  shape[d] = parts.reduce((a, p) => a + p.shape[d], 0);
  const out = emptyTensor(shape, dtype, ref.device);
  let at = 0;
  for (const p of parts) {
    const dst = slice(out, d, at, at + p.shape[d]);
    backend(out.device).copy(p, dst);
    dst.dispose();
    at += p.shape[d];
  }
  return out;
}

/** Joins tensors of one shape along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("stack: expected a non-empty list of tensors");
  const ref = tensors[0];
  for (const t of tensors)
    if (fmtShape(t.shape) !== fmtShape(ref.shape))
      throw new Error(`stack: all tensors must have the same shape, got ${tensors.map((x) => fmtShape(x.shape)).join(", ")}`);
  const d = normDim(dim, ref.ndim + 1, "stack");
  const views = tensors.map((t) => unsqueeze(t, d));
  const out = cat(views, d);
  for (const v of views) v.dispose();
  return out;
}

/** Splits into pieces of `size` along dim (or of the given sizes); the pieces are views. */
export function split(t: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim(dim, t.ndim, "split");
  const n = t.shape[d];
  const sizes: number[] = [];
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`split: size must be a positive integer, got ${size}`);
    for (let at = 0; at < n; at += size) sizes.push(Math.min(size, n - at));
  } else {
    if (size.reduce((a, b) => a + b, 0) !== n) throw new Error(`split: sizes ${fmtShape(size)} do not add up to ${n}`);
    sizes.push(...size);
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(narrow(t, d, at, s));
    at += s;
  }
  return out;
}

/** Splits into `chunks` nearly equal views along dim. */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normDim(dim, t.ndim, "chunk");
  return split(t, Math.max(1, Math.ceil(t.shape[d] / chunks)), d);
}
