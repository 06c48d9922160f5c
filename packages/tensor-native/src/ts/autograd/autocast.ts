/**
 * Mixed precision (as torch.autocast): inside autocast(), matmul and conv2d run in a
 * 16-bit dtype, and the ops that need range or precision (softmax, logSoftmax,
 * logsumexp, reductions, exp/log/pow, and the losses built from them) run in float32.
 * Other ops follow the usual type promotion. Casts are ordinary differentiable ops, so
 * gradients come back in each parameter's own dtype.
 */
import { isFloating, type DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";

/** Options of autocast(). */
export interface AutocastOptions {
  /** The low-precision dtype (default bfloat16, the CPU's choice, as PyTorch). */
  dtype?: "bfloat16" | "float16";
  /** Set false to turn autocast off inside an enclosing autocast (default true). */
  enabled?: boolean;
}

let current: DType | null = null;

/** The dtype autocast runs matmul/conv2d in now, or null outside autocast(). */
export function autocastDType(): DType | null {
  return current;
}

/**
 * Runs `fn` with mixed precision. An async `fn` keeps autocast on until it settles.
 *
 * @example
 * const loss = tt.autocast({ dtype: "bfloat16" }, () => lossFn(model.forward(x), y));
 * loss.backward(); // parameters stay float32, and so do their gradients
 */
export function autocast<T>(options: AutocastOptions, fn: () => T): T {
  const dtype = options.dtype ?? "bfloat16";
  if (dtype !== "bfloat16" && dtype !== "float16")
    throw new TypeError(`autocast: dtype must be "bfloat16" or "float16", got ${String(dtype)}`);
  const prev = current;
  current = options.enabled === false ? null : dtype;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    current = prev;
    throw e;
  }
  if (result instanceof Promise)
    return result.finally(() => {
      current = prev;
    }) as T;
  current = prev;
  return result;
}

/** For matmul/conv2d: floating inputs in the autocast dtype (unchanged outside autocast). */
export function lowPrecision(t: Tensor): Tensor;
export function lowPrecision(t: Tensor | undefined): Tensor | undefined;
export function lowPrecision(t: Tensor | undefined): Tensor | undefined {
  // float64 stays as it is, as in PyTorch's autocast (only float32 and 16-bit inputs are cast).
  if (!current || !t || !isFloating(t.dtype) || t.dtype === current || t.dtype === "float64") return t;
  return t.to(current);
}

/** For precision-sensitive ops: 16-bit inputs widened to float32 inside autocast. */
export function fullPrecision(t: Tensor): Tensor {
  if (!current || (t.dtype !== "float16" && t.dtype !== "bfloat16")) return t;
  return t.to("float32");
}
