/**
 * The unary elementwise ops, one record each. The key is the name; the JSDoc on it is the
 * doc editors show for the method (`x.exp()`); the record holds the kernel's code, the
 * dtypes it takes and the gradient. ops/elementwise-methods.ts makes the method, the free
 * function (`tt.exp(x)`) and the autograd rule from it.
 *
 * Adding one: its CPU kernel (src/native/elementwise.cpp, and vec_impl.inc for a vector
 * form), its CUDA kernel (src/native/cuda/kernels/elementwise.cu), its code (ops.h's
 * UnaryOp and opcodes.ts's U, which test/op-table.test.ts keeps equal), a record here, its
 * name in the free-function list of index.ts and its PyTorch spelling in
 * test/parity/ops-pointwise.ts (both checked by the same test).
 */
import { where } from "../elementwise.js";
import { U, type UnaryCode } from "../opcodes.js";
import type { Tensor } from "../tensor.js";

export interface UnaryRecord {
  code: UnaryCode;
  /**
   * Integer and bool inputs: computed in their own dtype (unset), in float32 ("promote", as
   * torch.exp), or refused ("refuse", as PyTorch's gelu, which has no integer kernel).
   */
  ints?: "promote" | "refuse";
  /** The error for a bool input, where PyTorch has no bool kernel (and no promotion applies). */
  noBool?: string;
  /** The result's dtype when it is not the (promoted) input's: logicalNot gives a mask. */
  result?: "bool";
  /** What the gradient formula reads, as PyTorch saves it: the input "x", the result "y", or nothing. */
  saves?: "x" | "y" | "none";
  /** The gradient of the input from the gradient of the result `g` and the saved tensor. None: not differentiable. */
  backward?: (g: Tensor, saved: Tensor) => Tensor;
  /** Inside tt.autocast, run in float32 (PyTorch's fp32 list). */
  autocastFp32?: true;
}

const sign = (x: Tensor): Tensor => where(x.gt(0), 1, where(x.lt(0), -1, 0));

// The backward rules spell out their return type: the Tensor interface is built from this
// table's keys (ops/elementwise-methods.ts), so inferring them from Tensor's methods would be circular.
export const UNARY = {
  /** -x. @example x.neg(); tt.neg(x) */
  neg: {
    code: U.neg,
    noBool: "neg: negating a bool tensor is not supported (as in PyTorch); use logicalNot",
    saves: "none",
    backward: (g): Tensor => g.neg(),
  },
  /** |x|. @example x.abs(); tt.abs(x) */
  abs: {
    code: U.abs,
    noBool: "abs: a bool tensor has no absolute value (as in PyTorch); cast first",
    saves: "x",
    backward: (g, x): Tensor => g.mul(sign(x)),
  },
  /** e to the x (integers give float32). @example x.exp(); tt.exp(x) */
  exp: { code: U.exp, ints: "promote", saves: "y", backward: (g, y): Tensor => g.mul(y), autocastFp32: true },
  /** Natural logarithm. @example x.log(); tt.log(x) */
  log: { code: U.log, ints: "promote", saves: "x", backward: (g, x): Tensor => g.div(x), autocastFp32: true },
  /** Square root. @example x.sqrt(); tt.sqrt(x) */
  sqrt: { code: U.sqrt, ints: "promote", saves: "y", backward: (g, y): Tensor => g.div(y.mul(2)) },
  /** 1 / sqrt(x). @example x.rsqrt(); tt.rsqrt(x) */
  rsqrt: { code: U.rsqrt, ints: "promote", saves: "y", backward: (g, y): Tensor => g.mul(y.pow(3)).mul(-0.5), autocastFp32: true },
  /** Sine (radians). @example x.sin(); tt.sin(x) */
  sin: { code: U.sin, ints: "promote", saves: "x", backward: (g, x): Tensor => g.mul(x.cos()) },
  /** Cosine (radians). @example x.cos(); tt.cos(x) */
  cos: { code: U.cos, ints: "promote", saves: "x", backward: (g, x): Tensor => g.mul(x.sin()).neg() },
  /** Hyperbolic tangent. @example x.tanh(); tt.tanh(x) */
  tanh: { code: U.tanh, ints: "promote", saves: "y", backward: (g, y): Tensor => g.mul(y.mul(y).neg().add(1)) },
  /** 1 / (1 + e^-x). @example x.sigmoid(); tt.sigmoid(x) */
  sigmoid: { code: U.sigmoid, ints: "promote", saves: "y", backward: (g, y): Tensor => g.mul(y).mul(y.neg().add(1)) },
  /** max(x, 0). @example x.relu(); tt.relu(x) */
  relu: {
    code: U.relu,
    noBool: "relu: bool inputs are not supported (as in PyTorch); cast first",
    saves: "y",
    // Zero only where the result is <= 0 (x <= 0): a NaN passes its gradient on, as PyTorch's threshold_backward.
    backward: (g, y): Tensor => where(y.le(0), 0, g),
  },
  /** Exact (erf) GELU, as torch.nn.functional.gelu. @example x.gelu(); tt.gelu(x) */
  gelu: {
    code: U.gelu,
    ints: "refuse",
    saves: "x",
    // d/dx x·Φ(x) = Φ(x) + x·φ(x); Φ(x) = gelu(x) / x away from 0 (gelu recomputed: only x is saved).
    backward: (g, x): Tensor => {
      // Near 0 (denormals included, where gelu(x) / x underflows) Φ(x) is 1/2 to double precision.
      const cdf = where(x.abs().lt(1e-30), 0.5, x.gelu().div(x));
      const pdf = x
        .mul(x)
        .mul(-0.5)
        .exp()
        .mul(1 / Math.sqrt(2 * Math.PI));
      return g.mul(cdf.add(x.mul(pdf)));
    },
  },
  /** x * sigmoid(x). @example x.silu(); tt.silu(x) */
  silu: {
    code: U.silu,
    ints: "refuse",
    saves: "x",
    backward: (g, x): Tensor => {
      const s = x.sigmoid();
      return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
    },
  },
  /** True where zero (NaN counts as non-zero), as a bool tensor. @example mask.logicalNot(); tt.logicalNot(mask) */
  logicalNot: { code: U.logicalNot, result: "bool" },
} satisfies Record<string, UnaryRecord>;

export type UnaryName = keyof typeof UNARY;
