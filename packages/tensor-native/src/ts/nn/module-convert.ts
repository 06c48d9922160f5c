/** Module.to(): converting a module's floating point parameters and buffers to another dtype. */
import { DTYPES, isFloating, keep, noGrad, withoutScopes, type DType, type Tensor } from "./core.js";
import type { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/**
 * @internal Replaces each floating parameter and buffer of every module under `root` by a
 * converted copy (parameters stay leaves with their requiresGrad; gradients convert
 * too; a tensor shared by two modules stays shared), then frees the old tensors.
 */
export function convertModule(root: Module, target: string): void {
  if (target === "cpu") return;
  if (!(DTYPES as readonly string[]).includes(target))
    throw new Error(`Module.to: device "${target}" is not available; only "cpu" is built in this package`);
  const dtype = target as DType;
  const moved = new Map<Tensor, Tensor>();
  const convert = (t: Tensor, param: boolean): Tensor => {
    if (!isFloating(t.dtype) || t.dtype === dtype) return t;
    let n = moved.get(t);
    if (!n) {
      // Outside any tidy scope: these replace the module's own tensors.
      n = withoutScopes(() => noGrad(() => t.to(dtype)));
      n = param ? Parameter(n, t.requiresGrad) : keep(n);
      const g = t.grad;
      if (g && !g.isDisposed) n.grad = withoutScopes(() => noGrad(() => g.to(dtype)));
      moved.set(t, n);
    }
    return n;
  };
  for (const m of root.modules()) {
    const own = m as unknown as Record<string, unknown>;
    for (const [k, t] of m.ownParameters()) own[k] = convert(t, true);
    for (const [k, t] of m.ownBuffers()) own[k] = convert(t, false);
  }
  for (const old of moved.keys()) {
    old.grad?.dispose();
    old.dispose();
  }
}
