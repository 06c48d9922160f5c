/** Dropout, shared by the functional API, the Dropout layer and attention. */
import { rand, tidy, type Tensor } from "./core.js";

/**
 * Inverted dropout: zeroes each element with probability p (from the global generator)
 * and scales the rest by 1/(1-p); the identity when not training.
 *
 * @example
 * nn.F.dropout(x, 0.1, model.training);
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability has to be between 0 and 1, got ${p}`);
  if (!training || p === 0) return x;
  return tidy(() => {
    if (p === 1) return x.mul(0);
    const keepMask = rand([...x.shape], { dtype: x.dtype === "float64" ? "float64" : "float32", device: x.device }).ge(p);
    return x.mul(keepMask).mul(1 / (1 - p));
  });
}
