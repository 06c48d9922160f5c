/**
 * Smoothing as TensorBoard does it: an exponential moving average, debiased so the first
 * points are not pulled towards zero. Weight 0 leaves the curve as it is; 0.99 is very smooth.
 */

/** Where a running average stands after the points it has seen. */
export interface EmaState {
  /** The biased average. */
  last: number;
  /** weight ** (points seen), for the debiasing. */
  weightPow: number;
}

export const emaStart = (): EmaState => ({ last: 0, weightPow: 1 });

/**
 * Smooths `values[from..to)` into `out[from..to)`, continuing from `state` (so points can
 * be smoothed as they arrive). Values must be finite.
 */
export function emaInto(
  values: ArrayLike<number>,
  from: number,
  to: number,
  weight: number,
  out: { [i: number]: number },
  state: EmaState,
): void {
  let { last, weightPow } = state;
  for (let i = from; i < to; i++) {
    last = last * weight + (1 - weight) * values[i];
    weightPow *= weight;
    out[i] = weight === 0 ? values[i] : last / (1 - weightPow);
  }
  state.last = last;
  state.weightPow = weightPow;
}

/** The smoothed copy of a whole series. @example ema([1, 2, 3], 0.6) */
export function ema(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  emaInto(values, 0, values.length, weight, out, emaStart());
  return out;
}
