/** Attaches a GradNode to an op's result when any input requires grad. */
import { isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";
import { GradNode, type BackwardFn, type Edge } from "./node.js";

function edgeOf(t: Tensor): Edge {
  return t.gradFn
    ? { kind: "node", node: t.gradFn, shape: t.shape, dtype: t.dtype }
    : { kind: "leaf", tensor: t, shape: t.shape, dtype: t.dtype };
}

/** Whether an op on these operands must be recorded. */
export function needsGrad(...inputs: readonly unknown[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t instanceof Tensor && t.requiresGrad) return true;
  return false;
}

/**
 * Marks `out` as made by `name` from `inputs`; `backward(grad, saved)` returns one
 * gradient per input (null for inputs that need none). Non-tensor inputs get no edge.
 */
export function record(name: string, out: Tensor, inputs: readonly unknown[], saved: readonly Tensor[], backward: BackwardFn): Tensor {
  if (!needsGrad(...inputs) || !isFloating(out.dtype)) return out;
  const next = inputs.map((t) => (t instanceof Tensor && t.requiresGrad ? edgeOf(t) : null));
  out.gradFn = new GradNode(name, next, saved, backward);
  out._requiresGrad = true;
  return out;
}

/** Runs an op's plain implementation without recording what it does inside. */
export function untracked<T>(fn: () => T): T {
  return isGradEnabled() ? noGrad(fn) : fn();
}
