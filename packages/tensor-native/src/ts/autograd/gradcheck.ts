/** Finite-difference checks of the analytic gradients (as torch.autograd.gradcheck). */
import { fromTypedArray } from "../creation.js";
import { tidy } from "../memory.js";
import { fmtShape, type Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";

/** Options of gradcheck(). */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw with the first mismatch instead of returning false (default true). */
  raiseException?: boolean;
}

function toList(r: Tensor | readonly Tensor[]): Tensor[] {
  return Array.isArray(r) ? [...r] : [r as Tensor];
}

/**
 * Compares the gradients backward() computes for `fn` at `inputs` with central finite
 * differences. Inputs should be float64 tensors with requiresGrad set; every output
 * element's gradient is checked.
 *
 * @example
 * const x = tt.randn([3, 4], { dtype: "float64", requiresGrad: true });
 * tt.gradcheck((a) => a.tanh().sum(1), [x]); // true
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = options;
  const fail = (msg: string): boolean => {
    if (raiseException) throw new Error(`gradcheck: ${msg}`);
    return false;
  };
  for (const x of inputs)
    if (x.requiresGrad && x.dtype !== "float64") return fail(`inputs should be float64 for a meaningful check, got ${x.dtype}`);
  const outs = toList(fn(...inputs));
  const checked = inputs.filter((x) => x.requiresGrad);
  for (const [oi, out] of outs.entries()) {
    const n = out.numel();
    for (let j = 0; j < n; j++) {
      // Analytic: the gradient of out.flatten()[j].
      for (const x of checked) x.grad = null;
      const seed = new Float64Array(n);
      seed[j] = 1;
      const onehot = fromTypedArray(seed, [...out.shape]).to(out.dtype);
      out.backward(onehot, { retainGraph: true });
      for (const x of checked) {
        const analytic = x.grad ? Array.from(x.grad.to("float64").data() as Float64Array) : new Array<number>(x.numel()).fill(0);
        const base = x.data() as Float64Array;
        const xi = inputs.indexOf(x);
        for (let k = 0; k < x.numel(); k++) {
          // Evaluate on a perturbed copy: the inputs themselves stay untouched.
          const at = (v: number): number =>
            tidy(() => {
              const data = Float64Array.from(base);
              data[k] = v;
              const moved = fromTypedArray(data, [...x.shape]);
              const args = inputs.map((t, i) => (i === xi ? moved : t));
              const r = noGrad(() => toList(fn(...args))[oi]);
              return Number((r.to("float64").data() as Float64Array)[j]);
            });
          const numeric = (at(base[k] + eps) - at(base[k] - eps)) / (2 * eps);
          if (!(Math.abs(numeric - analytic[k]) <= atol + rtol * Math.abs(numeric)))
            return fail(
              `output ${oi} element ${j}, input of shape ${fmtShape(x.shape)} element ${k}: analytic ${analytic[k]} vs numerical ${numeric}`,
            );
        }
      }
    }
  }
  for (const x of checked) x.grad = null;
  return true;
}
