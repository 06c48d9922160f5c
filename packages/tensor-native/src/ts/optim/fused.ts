/**
 * One native pass per parameter: reads p, the gradient and the state once, writes p and
 * the state in place. The writes bypass the in-place tensor methods, so the storage
 * versions that autograd checks are bumped here.
 */
import { backend } from "../dispatch.js";
import type { OptimKind } from "../opcodes.js";
import type { Tensor } from "../tensor.js";

/**
 * Runs the fused update. `grad` and the state tensors are contiguous with p's dtype and
 * size; a state the kind does not use is null. A non-contiguous p is updated through a
 * contiguous copy that is written back.
 */
export function fusedStep(kind: OptimKind, p: Tensor, grad: Tensor, s1: Tensor | null, s2: Tensor | null, hyper: readonly number[]): void {
  for (const t of [p, grad, s1, s2]) t?.check("optimizer step");
  const target = p.isContiguous() ? p : p.clone();
  const be = backend(p.device);
  try {
    be.optimStep(kind, target, grad, s1 ?? target, s2 ?? target, hyper);
    if (target !== p) be.copy(target, p);
  } finally {
    if (target !== p) target.dispose();
  }
  p.storage.version++;
  if (s1 && s1.storage !== p.storage) s1.storage.version++;
  if (s2 && s2.storage !== p.storage && s2.storage !== s1?.storage) s2.storage.version++;
}
