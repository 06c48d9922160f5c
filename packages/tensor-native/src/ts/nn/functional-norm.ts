/** Functional layer norm and batch norm. */
import { fmtShape, noGrad, tidy, type Tensor } from "./core.js";

/** Options of layerNorm. */
export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Normalizes over the trailing dims given by normalizedShape (biased variance), then
 * scales by weight and shifts by bias when given.
 *
 * @example
 * nn.F.layerNorm(x, [512], { weight: g, bias: b });
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  const { weight = null, bias = null, eps = 1e-5 } = options;
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - shape.length);
  if (shape.length === 0 || shape.length > x.ndim || fmtShape(tail) !== fmtShape(shape))
    throw new Error(`layerNorm: input of shape ${fmtShape(x.shape)} does not end with the normalized shape ${fmtShape(shape)}`);
  for (const [what, t] of [
    ["weight", weight],
    ["bias", bias],
  ] as const)
    if (t && fmtShape(t.shape) !== fmtShape(shape))
      throw new Error(`layerNorm: ${what} of shape ${fmtShape(t.shape)} does not match the normalized shape ${fmtShape(shape)}`);
  const dims = shape.map((_, i) => x.ndim - shape.length + i);
  return tidy(() => {
    const mean = x.mean(dims, true);
    const inv = x.var(dims, true, 0).add(eps).rsqrt();
    let y = x.sub(mean).mul(inv);
    if (weight) y = y.mul(weight);
    if (bias) y = y.add(bias);
    return y;
  });
}

/** Options of batchNorm. */
export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize by the batch's statistics and update the running ones (default false). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  eps?: number;
}

/**
 * Batch norm over dim 1 of x [N, C, ...]. Training uses the batch mean and biased
 * variance, and (when given) updates runningMean/runningVar in place without recording:
 * r = (1 - momentum)·r + momentum·batch, with the unbiased variance for runningVar, as
 * PyTorch. Otherwise the running statistics normalize.
 *
 * @example
 * nn.F.batchNorm(x, bn.running_mean, bn.running_var, { training: true });
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (x.ndim < 2) throw new Error(`batchNorm: expected an input [N, C, ...], got shape ${fmtShape(x.shape)}`);
  const C = x.shape[1];
  for (const [what, t] of [
    ["weight", weight],
    ["bias", bias],
    ["runningMean", runningMean],
    ["runningVar", runningVar],
  ] as const)
    if (t && (t.ndim !== 1 || t.shape[0] !== C))
      throw new Error(`batchNorm: ${what} of shape ${fmtShape(t.shape)} does not match the ${C} channels of input ${fmtShape(x.shape)}`);
  const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const perChannel = x.shape.map((s, i) => (i === 1 ? s : 1));
  const n = x.numel() / C;
  return tidy(() => {
    let mean: Tensor, variance: Tensor;
    if (training) {
      if (n <= 1)
        throw new Error(`batchNorm: expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`);
      mean = x.mean(dims, true);
      variance = x.var(dims, true, 0);
      if (runningMean || runningVar)
        noGrad(() => {
          runningMean?.mul_(1 - momentum).add_(mean.reshape(C).mul(momentum));
          runningVar?.mul_(1 - momentum).add_(variance.reshape(C).mul((momentum * n) / (n - 1)));
        });
    } else {
      if (!runningMean || !runningVar) throw new Error("batchNorm: evaluation needs runningMean and runningVar (or pass training: true)");
      mean = runningMean.reshape(perChannel);
      variance = runningVar.reshape(perChannel);
    }
    let y = x.sub(mean).mul(variance.add(eps).rsqrt());
    if (weight) y = y.mul(weight.reshape(perChannel));
    if (bias) y = y.add(bias.reshape(perChannel));
    return y;
  });
}
