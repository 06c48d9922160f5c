/**
 * Gradient clipping, as `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`: call it
 * between backward() and step().
 */
import { noGrad } from "../autograd/grad-mode.js";
import { tidy } from "../memory.js";
import { Tensor } from "../tensor.js";

function gradsOf(parameters: Tensor | Iterable<Tensor>, op: string): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  const grads: Tensor[] = [];
  for (const p of list) {
    if (!(p instanceof Tensor)) throw new TypeError(`${op}: expected Tensors, got ${typeof p}`);
    if (p.grad && !p.grad.isDisposed) grads.push(p.grad);
  }
  return grads;
}

/** The normType-norm of one gradient, as a JS number. */
function normOf(g: Tensor, normType: number): number {
  return tidy(() => {
    if (normType === Infinity) return Number(g.abs().max().item());
    if (normType === 2) return Math.sqrt(Number(g.mul(g).sum().item()));
    if (normType === 1) return Number(g.abs().sum().item());
    return Number(g.abs().pow(normType).sum().item()) ** (1 / normType);
  });
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (the norm of
 * the per-gradient norms) is at most `maxNorm`, and returns that total norm before
 * clipping. As PyTorch: the scale is maxNorm / (total + 1e-6), clamped to 1; `normType`
 * may be Infinity (largest absolute value). Parameters without a gradient are ignored.
 *
 * @example
 * loss.backward();
 * const norm = optim.clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm(parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, errorIfNonfinite = false): number {
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm))
    throw new TypeError(`clipGradNorm: maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0))
    throw new RangeError(`clipGradNorm: normType must be a positive number or Infinity, got ${String(normType)}`);
  const grads = gradsOf(parameters, "clipGradNorm");
  if (grads.length === 0) return 0;
  return noGrad(() => {
    const norms = grads.map((g) => normOf(g, normType));
    const total = normType === Infinity ? Math.max(...norms) : norms.reduce((a, n) => a + n ** normType, 0) ** (1 / normType);
    if (errorIfNonfinite && !Number.isFinite(total))
      throw new Error(
        `clipGradNorm: the total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, pass errorIfNonfinite = false`,
      );
    const coef = Math.min(maxNorm / (total + 1e-6), 1);
    if (coef !== 1) for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** `torch.nn.utils.clip_grad_norm_`'s name for clipGradNorm. @example optim.clipGradNorm_(params, 1) */
export const clipGradNorm_ = clipGradNorm;

/**
 * Clamps every gradient of `parameters` to [−clipValue, clipValue] in place.
 *
 * @example
 * loss.backward();
 * optim.clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== "number" || Number.isNaN(clipValue))
    throw new TypeError(`clipGradValue: clipValue must be a number, got ${String(clipValue)}`);
  const grads = gradsOf(parameters, "clipGradValue");
  noGrad(() => {
    for (const g of grads) g.clamp_(-clipValue, clipValue);
  });
}

/** `torch.nn.utils.clip_grad_value_`'s name for clipGradValue. @example optim.clipGradValue_(params, 0.5) */
export const clipGradValue_ = clipGradValue;
