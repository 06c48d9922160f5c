/**
 * The binary elementwise ops (broadcasting, PyTorch's type promotion), one record each, as
 * ops/unary-table.ts: the key is the name, its JSDoc the doc of the method (`x.add(y)`), the
 * record the kernel's code and the gradient. ops/elementwise-methods.ts makes the method,
 * the free function (`tt.add(x, y)`) and the autograd rule from it. The dtype rules of each
 * op (true division, bool arithmetic, integer powers…) are binaryOp's, in elementwise.ts.
 *
 * Adding one: its CPU and CUDA kernels (src/native/elementwise.cpp, vec_impl.inc,
 * src/native/cuda/kernels/elementwise.cu), its code (ops.h's BinaryOp and opcodes.ts's B),
 * its dtype rules in binaryOp where they are special, a record here, its name in the
 * free-function list of index.ts and in test/parity/ops-pointwise.ts (test/op-table.test.ts
 * checks the codes and both lists).
 */
import { zeros } from "../creation.js";
import { where, type TensorLike } from "../elementwise.js";
import { B, type BinaryCode } from "../opcodes.js";
import { Tensor } from "../tensor.js";

/** What a binary formula may read: only the tensors its op saved, and which inputs need a gradient. */
export interface BinaryCtx {
  a: Tensor;
  b: TensorLike;
  out: Tensor;
  needA: boolean;
  needB: boolean;
}

/** The gradients of a and b; null where none is needed. */
export type Grads = [Tensor | null, Tensor | null];

/** A tensor a binary op's node keeps: the first operand, the second (when a tensor), or the result. */
export type Saved = "a" | "b" | "out";

export interface BinaryRecord {
  code: BinaryCode;
  /**
   * What the formula reads for the inputs that need a gradient, as PyTorch saves it, so the
   * same in-place changes are refused: after `y = a.mul(w)` with only `w` requiring grad,
   * changing `w` in place is fine and changing `a` makes backward() refuse.
   */
  saves?: (needA: boolean, needB: boolean) => Saved[];
  /** The gradients of a and b (before summing back to their shapes); none: not differentiable. */
  backward?: (g: Tensor, c: BinaryCtx) => Grads;
  /** Inside tt.autocast, run in float32 (PyTorch's fp32 list). */
  autocastFp32?: true;
}

const none = (): Saved[] => [];
const both = (): Saved[] => ["a", "b"];
// As PyTorch: ties split the gradient evenly, the strict loser gets 0 (selected, since
// g * 0 would keep a NaN or Inf of g), and a NaN on either side passes g to both.
const pick = (lose: Tensor, tie: Tensor, g: Tensor): Tensor => where(lose, 0, where(tie, g.div(2), g));

// The backward rules spell out their return type (see unary-table.ts).
export const BINARY = {
  /** Elementwise sum with broadcasting. @example x.add(1); x.add(y); tt.add(x, y) */
  add: { code: B.add, saves: none, backward: (g): Grads => [g, g] },
  /** Elementwise difference. @example x.sub(y); tt.sub(x, y) */
  sub: { code: B.sub, saves: none, backward: (g): Grads => [g, g.neg()] },
  /** Elementwise product. @example x.mul(2); tt.mul(x, y) */
  mul: {
    code: B.mul,
    saves: (na, nb) => [...(na ? ["b" as const] : []), ...(nb ? ["a" as const] : [])],
    backward: (g, c): Grads => [c.needA ? g.mul(c.b) : null, c.needB ? g.mul(c.a) : null],
  },
  /** True division (integers give float32). @example x.div(2); tt.div(x, y) */
  div: {
    code: B.div,
    saves: (na, nb) => [...(na || nb ? ["b" as const] : []), ...(nb ? ["a" as const] : [])],
    // -g·(a/b)/b, as PyTorch: a·g or b·b alone could overflow where the quotient does not.
    backward: (g, c): Grads => [c.needA ? g.div(c.b) : null, c.needB ? g.mul(c.a.div(c.b).div(c.b)).neg() : null],
  },
  /**
   * Elementwise power. Integer tensors raised to a negative JS number throw (as in
   * PyTorch); a negative integer tensor exponent gives 1 for base 1, ±1 for base -1, else 0.
   * @example x.pow(2); tt.pow(x, 2)
   */
  pow: {
    code: B.pow,
    saves: (_na, nb) => ["a", "b", ...(nb ? ["out" as const] : [])],
    // As PyTorch: an exponent of 0 gives the base a zero gradient (not 0 * 0^-1 = NaN), and a
    // base of 0 under an exponent >= 0 gives the exponent one (not 0 * log 0 = NaN).
    backward: (g, c): Grads => {
      const { a, b } = c;
      if (!(b instanceof Tensor))
        return [b === 0 ? zeros(a.shape, { dtype: g.dtype, device: g.device }) : g.mul(b).mul(a.pow((b as number) - 1)), null];
      const ga = c.needA ? where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null;
      return [ga, c.needB ? g.mul(where(a.eq(0).logicalAnd(b.ge(0)), 0, c.out.mul(a.log()))) : null];
    },
    autocastFp32: true,
  },
  /** Elementwise maximum (NaN propagates). @example x.maximum(y); tt.maximum(x, y) */
  maximum: {
    code: B.maximum,
    saves: both,
    backward: (g, { a, b, needB }): Grads => [pick(a.lt(b), a.eq(b), g), needB ? pick(a.gt(b), a.eq(b), g) : null],
  },
  /** Elementwise minimum (NaN propagates). @example x.minimum(y); tt.minimum(x, y) */
  minimum: {
    code: B.minimum,
    saves: both,
    backward: (g, { a, b, needB }): Grads => [pick(a.gt(b), a.eq(b), g), needB ? pick(a.lt(b), a.eq(b), g) : null],
  },
  /** x == other, as a bool tensor. @example x.eq(0); tt.eq(x, y) */
  eq: { code: B.eq },
  /** x != other, as a bool tensor. @example x.ne(0); tt.ne(x, y) */
  ne: { code: B.ne },
  /** x < other, as a bool tensor. @example x.lt(0); tt.lt(x, y) */
  lt: { code: B.lt },
  /** x <= other, as a bool tensor. @example x.le(0); tt.le(x, y) */
  le: { code: B.le },
  /** x > other, as a bool tensor. @example x.gt(0); tt.gt(x, y) */
  gt: { code: B.gt },
  /** x >= other, as a bool tensor. @example x.ge(0); tt.ge(x, y) */
  ge: { code: B.ge },
} satisfies Record<string, BinaryRecord>;

export type BinaryName = keyof typeof BINARY;
