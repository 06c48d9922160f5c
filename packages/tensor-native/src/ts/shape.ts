/** View ops (no copy) and the ops that assemble tensors from pieces (cat, stack, split). */
import { backend, type ViewLike } from "./dispatch.js";
import { promoteTypes } from "./dtype.js";
import { contiguousStrides, numelOf } from "./strides.js";
import { contiguousOrSelf, emptyTensor, fmtShape, normDim, Tensor } from "./tensor.js";

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
        throw new Error(
          `${op}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast together (${out[i]} ≠ ${d} at dimension ${i})`,
        );
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
  const nd = shape.length,
    tnd = t.shape.length;
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
    if (known === 0 || numel % known !== 0)
      throw new Error(`${op}: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)}`);
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
  // A view whenever the strides allow one (as PyTorch: a transposed tensor reshaped to its
  // own shape stays transposed), a contiguous copy otherwise.
  const strides = viewStrides(t.shape, t.strides, shape);
  if (strides) return t.view_(shape, strides, t.offset);
  const c = contiguousOrSelf(t);
  const r = c.view_(shape, contiguousStrides(shape), 0);
  c.dispose();
  return r;
}

/**
 * A view of t with a new shape, sharing its storage: possible whenever each run of dims
 * that the new shape merges or splits is laid out contiguously within itself (so a
 * transposed or sliced tensor can often be viewed), as PyTorch's view.
 */
export function view(t: Tensor, shape: number[]): Tensor {
  t.check("view");
  shape = inferShape(shape, t.numel(), "view", t.shape);
  const strides = viewStrides(t.shape, t.strides, shape);
  if (!strides)
    throw new Error(
      `view: shape ${fmtShape(shape)} is not compatible with the input's size ${fmtShape(t.shape)} and strides ${fmtShape(t.strides)}: dims it merges are not contiguous with each other; use reshape() (which copies) instead`,
    );
  return t.view_(shape, strides, t.offset);
}

/**
 * The strides that let `newShape` view a tensor of `shape`/`strides`, or null when no view
 * exists (PyTorch's computeStride). Walking from the last dim, the old dims split into
 * chunks that are contiguous within themselves; the new dims must tile each chunk exactly,
 * and take strides from that chunk's base stride.
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (shape.length === 0) return newShape.map(() => 1);
  const numel = numelOf(shape);
  if (numel === 0) return fmtShape(shape) === fmtShape(newShape) ? [...strides] : contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let vd = newShape.length - 1;
  let base = strides[strides.length - 1];
  let chunkNumel = 1,
    viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    chunkNumel *= shape[d];
    // A chunk ends at dim 0 or where the next-outer dim does not continue it.
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== chunkNumel * base)) {
      while (vd >= 0 && (viewNumel < chunkNumel || newShape[vd] === 1)) {
        out[vd] = viewNumel * base;
        viewNumel *= newShape[vd];
        vd--;
      }
      if (viewNumel !== chunkNumel) return null;
      if (d > 0) {
        base = strides[d - 1];
        chunkNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return vd === -1 ? out : null;
}

export function permute(t: Tensor, dims: number[]): Tensor {
  t.check("permute");
  if (dims.length !== t.ndim) throw new Error(`permute: expected ${t.ndim} dims, got ${fmtShape(dims)}`);
  const d = dims.map((x) => normDim(x, t.ndim, "permute"));
  if (new Set(d).size !== d.length) throw new Error(`permute: repeated dim in ${fmtShape(dims)}`);
  return t.view_(
    d.map((i) => t.shape[i]),
    d.map((i) => t.strides[i]),
    t.offset,
  );
}

export function transpose(t: Tensor, d0: number, d1: number): Tensor {
  t.check("transpose");
  if (t.ndim < 2 && (d0 === 0 || d0 === -1) && (d1 === 0 || d1 === -1)) return t.view_(t.shape, t.strides, t.offset);
  const a = normDim(d0, t.ndim, "transpose"),
    b = normDim(d1, t.ndim, "transpose");
  const perm = Array.from({ length: t.ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(t, perm);
}

export function squeeze(t: Tensor, dim?: number): Tensor {
  t.check("squeeze");
  if (dim === undefined) {
    const keep = t.shape.map((s, i) => (s !== 1 ? i : -1)).filter((i) => i >= 0);
    return t.view_(
      keep.map((i) => t.shape[i]),
      keep.map((i) => t.strides[i]),
      t.offset,
    );
  }
  const d = normDim(dim, t.ndim, "squeeze"); // a 0-d tensor takes dim 0 or -1
  if (t.ndim === 0) return t.view_([], [], t.offset);
  if (t.shape[d] !== 1) return t.view_(t.shape, t.strides, t.offset);
  return t.view_(
    t.shape.filter((_, i) => i !== d),
    t.strides.filter((_, i) => i !== d),
    t.offset,
  );
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  t.check("unsqueeze");
  const d = normDim(dim, t.ndim + 1, "unsqueeze");
  const shape = [...t.shape],
    strides = [...t.strides];
  const st = d < t.ndim ? t.shape[d] * t.strides[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return t.view_(shape, strides, t.offset);
}

export function flatten(t: Tensor, start = 0, end = -1): Tensor {
  const s = normDim(start, t.ndim, "flatten"),
    e = normDim(end, t.ndim, "flatten");
  if (t.ndim === 0) return reshape(t, [1]);
  if (s > e) throw new Error(`flatten: start dim ${start} comes after end dim ${end}`);
  return reshape(t, [...t.shape.slice(0, s), numelOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)]);
}

/** PyTorch's error for ops that pick positions along a dim, which a 0-d tensor lacks. */
function noDims(op: string, t: Tensor): void {
  if (t.ndim === 0) throw new RangeError(`${op}: cannot be applied to a 0-d tensor (shape []); it has no dimension to index`);
}

/** Elements [start, end) with a step along dim, as a view; negative bounds count from the end. */
export function slice(t: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  t.check("slice");
  noDims("slice", t);
  const d = normDim(dim, t.ndim, "slice");
  const n = t.shape[d];
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = clamp(start),
    e = Math.max(s, clamp(end ?? n));
  const shape = [...t.shape],
    strides = [...t.strides];
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = t.strides[d] * step;
  return t.view_(shape, strides, t.offset + (shape[d] > 0 ? s * t.strides[d] : 0));
}

export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  t.check("narrow");
  noDims("narrow", t);
  const d = normDim(dim, t.ndim, "narrow");
  const n = t.shape[d];
  const s = start < 0 ? start + n : start;
  if (s < 0 || length < 0 || s + length > n)
    throw new RangeError(`narrow: start ${start} + length ${length} exceeds dimension ${dim} of size ${n}`);
  return slice(t, d, s, s + length);
}

export function select(t: Tensor, dim: number, index: number): Tensor {
  t.check("select");
  noDims("select", t);
  const d = normDim(dim, t.ndim, "select");
  const n = t.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n)
    throw new RangeError(`select: index ${index} is out of range for dimension ${dim} of size ${n}`);
  const i = index < 0 ? index + n : index;
  return t.view_(
    t.shape.filter((_, k) => k !== d),
    t.strides.filter((_, k) => k !== d),
    t.offset + i * t.strides[d],
  );
}

/**
 * Joins tensors along an existing dimension. The result's dtype promotes over every input,
 * empty ones included; 1-d empty tensors ([0], PyTorch's legacy placeholder) may join any
 * shape and add nothing else.
 *
 * @example
 * tt.cat([tt.zeros([2, 3]), tt.ones([1, 3])], 0).shape; // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("cat: expected a non-empty list of tensors");
  tensors.forEach((t, i) => {
    t.check("cat");
    if (t.ndim === 0) throw new Error(`cat: a 0-d tensor (at position ${i}) cannot be concatenated; unsqueeze it or use stack`);
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) {
    normDim(dim, 1, "cat");
    return emptyTensor([0], dtype, tensors[0].device);
  }
  const ref = parts[0];
  const d = normDim(dim, ref.ndim, "cat");
  for (const p of parts) {
    if (p.ndim !== ref.ndim || p.shape.some((s, i) => i !== d && s !== ref.shape[i]))
      throw new Error(`cat: shapes ${parts.map((x) => fmtShape(x.shape)).join(", ")} do not match except in dimension ${d}`);
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

/**
 * Splits into pieces of `size` along dim (the last may be smaller), or of the given sizes;
 * the pieces are views. A zero-size dim gives one empty piece, as in PyTorch.
 */
export function split(t: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  t.check("split");
  if (t.ndim === 0) throw new RangeError("split: expects a tensor with at least 1 dimension, got a 0-d tensor");
  const d = normDim(dim, t.ndim, "split");
  const n = t.shape[d];
  const sizes: number[] = [];
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`split: size must be a non-negative integer, got ${size}`);
    if (size === 0 && n !== 0) throw new RangeError(`split: size can only be 0 if the dimension is 0, but dimension ${d} has size ${n}`);
    for (let at = 0; at < n; at += size) sizes.push(Math.min(size, n - at));
    if (sizes.length === 0) sizes.push(0);
  } else {
    if (size.some((s) => !Number.isInteger(s) || s < 0))
      throw new RangeError(`split: sizes must be non-negative integers, got ${fmtShape(size)}`);
    if (size.reduce((a, b) => a + b, 0) !== n)
      throw new Error(`split: sizes ${fmtShape(size)} do not add up to ${n} (dimension ${d} of shape ${fmtShape(t.shape)})`);
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

/**
 * The piece sizes of chunk(t, chunks, dim), as PyTorch: pieces of ceil(n / chunks), so
 * there may be fewer than `chunks`; a zero-size dim gives `chunks` empty pieces.
 */
export function chunkSizes(t: Tensor, chunks: number, dim: number): number[] {
  if (t.ndim === 0) throw new RangeError("chunk: expects a tensor with at least 1 dimension, got a 0-d tensor");
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const n = t.shape[normDim(dim, t.ndim, "chunk")];
  if (n === 0) return new Array<number>(chunks).fill(0);
  const size = Math.ceil(n / chunks);
  const sizes: number[] = [];
  for (let at = 0; at < n; at += size) sizes.push(Math.min(size, n - at));
  return sizes;
}

/** Splits into `chunks` nearly equal views along dim. */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  t.check("chunk");
  return split(t, chunkSizes(t, chunks, dim), dim);
}
