/** Module.to(): converting a module's parameters and buffers to another dtype or device. */
import { requireCuda } from "../cuda/availability.js";
import { isDeviceName, normalizeDevice } from "../cuda/device.js";
import { DTYPES, isFloating, keep, noGrad, withoutScopes, type DType, type Device, type Tensor } from "./core.js";
import type { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/**
 * @internal Replaces each parameter and buffer of every module under `root` that the
 * target changes (floating ones for a dtype, all for a device) by a converted copy
 * (parameters stay leaves with their requiresGrad; gradients convert too; a tensor shared
 * by two modules stays shared), then frees the old tensors.
 */
export function convertModule(root: Module, target: string): void {
  let changes: (t: Tensor) => boolean;
  let to: DType | Device;
  if (isDeviceName(target)) {
    const device = normalizeDevice(target);
    if (device !== "cpu") requireCuda(target); // before anything is replaced
    changes = (t) => t.device !== device;
    to = device;
  } else if ((DTYPES as readonly string[]).includes(target)) {
    const dtype = target as DType;
    changes = (t) => isFloating(t.dtype) && t.dtype !== dtype;
    to = dtype;
  } else {
    throw new Error(
      `Module.to: expected a dtype (${DTYPES.join(", ")}) or a device ("cpu", "cuda", "cuda:N"), got ${JSON.stringify(target)}`,
    );
  }
  const moved = new Map<Tensor, Tensor>();
  const convert = (t: Tensor, param: boolean): Tensor => {
    if (!changes(t)) return t;
    let n = moved.get(t);
    if (!n) {
      // Outside any tidy scope: these replace the module's own tensors.
      n = withoutScopes(() => noGrad(() => t.to(to)));
      n = param ? Parameter(n, t.requiresGrad) : keep(n);
      const g = t.grad;
      if (g && !g.isDisposed) n.grad = withoutScopes(() => noGrad(() => g.to(to)));
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
