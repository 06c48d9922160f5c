/**
 * In-place ops (PyTorch's trailing underscore): they write into this tensor's storage and
 * return this tensor. Every write bumps the storage's version, so a tensor saved for
 * backward that changed afterwards is reported instead of giving a wrong gradient;
 * autograd/functions/inplace.ts records them when a tensor involved requires grad.
 */
import { isGradEnabled } from "./autograd/grad-mode.js";
import { backend } from "./dispatch.js";
import { canCast, dtypeSize } from "./dtype.js";
import { binaryOp, type TensorLike } from "./elementwise.js";
import { B, RANDOM, type BinaryCode } from "./opcodes.js";
import { broadcastView } from "./shape.js";
import { defineOps } from "./method-layers.js";
import { fmtShape, Tensor } from "./tensor.js";

function guard(t: Tensor, op: string): void {
  t.check(op);
  // An expanded view writes several elements into one place: which one wins is undefined
  // (fill_ writes one value everywhere, so PyTorch allows it there, and so do we).
  if (op !== "fill_" && t.numel() > 0 && t.shape.some((n, i) => n > 1 && t.strides[i] === 0))
    throw new Error(
      `${op}: more than one element of the tensor written to refers to a single memory location (an expand() view); clone() it first`,
    );
  if (isGradEnabled() && t.requiresGrad)
    throw new Error(
      `${op}: a ${t.isLeaf ? "leaf tensor" : "tensor"} that requires grad cannot be changed in place while autograd records; do it inside tt.noGrad(() => …) or on a detach()ed tensor`,
    );
}

/** PyTorch refuses in-place results of a higher category than the tensor (x_int.add_(1.5)). */
export function checkCast(t: Tensor, r: Tensor, op: string): void {
  if (!canCast(r.dtype, t.dtype))
    throw new TypeError(
      `${op}: result type ${r.dtype} can't be cast to the desired output type ${t.dtype}; use the out-of-place op or cast first`,
    );
}

/** Writes src (broadcast to t's shape, cast to t's dtype) into t. */
function writeInto(t: Tensor, src: Tensor, op: string): Tensor {
  if (src.ndim > t.ndim || src.shape.some((d, i) => d !== 1 && d !== t.shape[t.ndim - src.ndim + i]))
    throw new Error(`${op}: a result of shape ${fmtShape(src.shape)} cannot be written into a tensor of shape ${fmtShape(t.shape)}`);
  backend(t.device).copy(broadcastView(src, t.shape, op), t);
  t.storage.version++;
  return t;
}

/** Whether t's elements fill a block of memory, each once (a permutation of a contiguous layout). */
function denseBlock(t: Tensor): boolean {
  const dims = t.shape
    .map((n, i) => [n, t.strides[i]] as const)
    .filter(([n]) => n !== 1)
    .sort((a, b) => a[1] - b[1]);
  let expect = 1;
  for (const [n, st] of dims) {
    if (st !== expect) return false;
    expect *= n;
  }
  return true;
}

/**
 * PyTorch's rule for an operand that shares memory with the tensor written to: the very
 * same elements in the same order are fine (x.add_(x)), a partial or reordered overlap
 * (x.add_(x.t()), x[1:].add_(x[:-1])) is refused, since the result would depend on the order
 * of the writes. Layouts too irregular to compare are let through, as there.
 */
function checkOverlap(t: Tensor, src: unknown, op: string): void {
  if (!(src instanceof Tensor) || src.storage !== t.storage || !denseBlock(t) || !denseBlock(src)) return;
  const [a0, a1] = [t.offset * dtypeSize[t.dtype], (t.offset + t.numel()) * dtypeSize[t.dtype]];
  const [b0, b1] = [src.offset * dtypeSize[src.dtype], (src.offset + src.numel()) * dtypeSize[src.dtype]];
  const same =
    a0 === b0 &&
    a1 === b1 &&
    t.dtype === src.dtype &&
    t.shape.every((n, i) => n === 1 || (src.shape[i] === n && src.strides[i] === t.strides[i])) &&
    t.ndim === src.ndim;
  if (!same && a0 < b1 && b0 < a1)
    throw new Error(`${op}: some elements of the input and of the tensor written to refer to the same memory; clone() the input first`);
}

function binaryInPlace(op: BinaryCode, name: string) {
  return function (this: Tensor, other: TensorLike): Tensor {
    guard(this, name);
    checkOverlap(this, other, name);
    const r = binaryOp(op, this, other);
    try {
      checkCast(this, r, name);
      return writeInto(this, r, name);
    } finally {
      r.dispose();
    }
  };
}

declare module "./tensor.js" {
  interface Tensor {
    /** In-place add. @example x.add_(1) */
    add_(other: TensorLike): Tensor;
    /** In-place subtract. @example w.sub_(g.mul(lr)) */
    sub_(other: TensorLike): Tensor;
    /** In-place multiply. @example g.mul_(0.5) */
    mul_(other: TensorLike): Tensor;
    /** In-place divide. @example x.div_(2) */
    div_(other: TensorLike): Tensor;
    /** In-place clamp. @example x.clamp_(0, 1) */
    clamp_(min?: TensorLike, max?: TensorLike): Tensor;
    /** Copies src (broadcast, cast) into this tensor. @example w.copy_(saved) */
    copy_(src: Tensor): Tensor;
    /** Sets every element to value. @example b.fill_(0) */
    fill_(value: number): Tensor;
    /** Sets every element to zero. @example x.zero_() */
    zero_(): Tensor;
    /** Fills with uniform samples in [low, high). @example w.uniform_(-0.1, 0.1) */
    uniform_(low?: number, high?: number): Tensor;
    /** Fills with normal samples. @example w.normal_(0, 0.02) */
    normal_(mean?: number, std?: number): Tensor;
  }
}

function randomInPlace(kind: typeof RANDOM.uniform | typeof RANDOM.normal, name: string) {
  return function (this: Tensor, p1 = 0, p2 = 1): Tensor {
    guard(this, name);
    if (!this.isContiguous()) throw new Error(`${name}: expects a contiguous tensor`);
    if (this.dtype !== "float32" && this.dtype !== "float64") throw new TypeError(`${name}: expects float32 or float64, got ${this.dtype}`);
    backend(this.device).random(kind, this, p1, p2);
    this.storage.version++;
    return this;
  };
}

defineOps({
  add_: binaryInPlace(B.add, "add_"),
  sub_: binaryInPlace(B.sub, "sub_"),
  mul_: binaryInPlace(B.mul, "mul_"),
  div_: binaryInPlace(B.div, "div_"),
  clamp_(min, max) {
    guard(this, "clamp_");
    checkOverlap(this, min, "clamp_");
    checkOverlap(this, max, "clamp_");
    const r = this.clamp(min, max);
    try {
      checkCast(this, r, "clamp_");
      return writeInto(this, r, "clamp_");
    } finally {
      r.dispose();
    }
  },
  copy_(src) {
    guard(this, "copy_");
    src.check("copy_");
    checkOverlap(this, src, "copy_");
    return writeInto(this, src, "copy_");
  },
  fill_(value) {
    guard(this, "fill_");
    if (this.isContiguous()) {
      backend(this.device).fill(this, value);
      this.storage.version++;
      return this;
    }
    const tmp = this.contiguous();
    const c = tmp === this ? tmp : tmp.clone();
    backend(this.device).fill(c, value);
    writeInto(this, c, "fill_");
    c.dispose();
    if (tmp !== c) tmp.dispose();
    return this;
  },
  zero_() {
    return this.fill_(0);
  },
  uniform_: randomInPlace(RANDOM.uniform, "uniform_"),
  normal_: randomInPlace(RANDOM.normal, "normal_"),
});
