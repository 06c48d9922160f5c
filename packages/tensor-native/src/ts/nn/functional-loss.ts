/** Loss functions with PyTorch's reductions, weights and ignore rules. */
import { sumTo } from "../autograd/grad-utils.js";
import { record, untracked } from "../autograd/record.js";
import { fmtShape, isFloating, isGradEnabled, noGrad, tidy, where, type Tensor } from "./core.js";

/** How a loss reduces its per-element values: their mean (default), sum, or not at all. */
export type Reduction = "mean" | "sum" | "none";

function reduce(op: string, loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  if (reduction === "none") return loss;
  throw new Error(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
}

function sameShape(op: string, input: Tensor, target: Tensor): void {
  if (fmtShape(input.shape) !== fmtShape(target.shape))
    throw new Error(
      `${op}: input of shape ${fmtShape(input.shape)} and target of shape ${fmtShape(target.shape)} differ; reshape one (broadcasting them is almost always a bug)`,
    );
}

/** Options of nllLoss and crossEntropy. */
export interface NllLossOptions {
  /** A weight per class [C], applied to each target's term and (for "mean") its divisor. */
  weight?: Tensor | null;
  /** Targets with this class index add nothing, and do not count in the mean (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Checks class-index targets: integers in [0, C) or the ignore index. */
function checkTargets(op: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  if (target.dtype !== "int64" && target.dtype !== "int32")
    throw new TypeError(`${op}: class-index targets must be int64 or int32, got ${target.dtype}`);
  const want = [input.shape[0], ...input.shape.slice(2)];
  if (fmtShape(target.shape) !== fmtShape(want))
    throw new Error(
      `${op}: input of shape ${fmtShape(input.shape)} needs a target of shape ${fmtShape(want)}, got ${fmtShape(target.shape)}`,
    );
  const C = input.shape[1];
  for (const v of target.data() as BigInt64Array | Int32Array) {
    const c = Number(v);
    if (c !== ignoreIndex && (c < 0 || c >= C)) throw new RangeError(`${op}: target ${c} is out of bounds for ${C} classes`);
  }
}

/** Per-element weighted negative log-likelihoods and their weights (0 where ignored). */
function nllTerms(logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): { terms: Tensor; w: Tensor } {
  const valid = target.ne(ignoreIndex);
  const safe = where(valid, target.long(), 0);
  const picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  const classW = weight ? weight.indexSelect(0, safe.reshape(-1)).reshape([...safe.shape]) : null;
  const w = classW ? where(valid, classW, 0).to(logp.dtype) : valid.to(logp.dtype);
  // where(), not only a zero weight: an ignored target adds nothing and gets no gradient even
  // when its log-probability is infinite or every target is ignored (0/0 mean), as PyTorch.
  return { terms: where(valid, picked.neg().mul(w), 0), w };
}

/** Unbatched input [C] with target [] is treated as a batch of one. */
function batched(input: Tensor, target: Tensor, probs: boolean): [Tensor, Tensor, boolean] {
  return input.ndim === 1 ? [input.unsqueeze(0), probs ? target.unsqueeze(0) : target.reshape(1), true] : [input, target, false];
}

/**
 * Negative log-likelihood of log-probabilities input [N, C] or [N, C, d1, ...] at class
 * indices target [N] or [N, d1, ...]. "mean" divides by the summed weights of the
 * targets that are not ignored.
 *
 * @example
 * nn.F.nllLoss(logits.logSoftmax(1), labels);
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = "mean" } = options;
  return tidy(() => {
    const [x, t, single] = batched(input, target, false);
    checkTargets("nllLoss", x, t, ignoreIndex);
    const { terms, w } = nllTerms(x, t, weight, ignoreIndex);
    if (reduction === "mean") return terms.sum().div(w.sum());
    const r = reduce("nllLoss", terms, reduction);
    return single && reduction === "none" ? r.squeeze(0) : r;
  });
}

/**
 * Cross entropy of logits input [N, C] or [N, C, d1, ...] against class indices (int64,
 * shape [N] or [N, d1, ...]) or class probabilities (float, input's shape), with
 * PyTorch's semantics: class weights (the mean divides by the summed weights of the
 * targets), ignoreIndex (those targets add nothing and do not count), and label
 * smoothing (1 - ε)·nll + ε/C·Σ_c -w_c·log p_c.
 *
 * @example
 * nn.F.crossEntropy(logits, labels, { weight: classWeights, ignoreIndex: 0, labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing: eps = 0 } = options;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be between 0 and 1, got ${eps}`);
  if (!isFloating(input.dtype)) throw new TypeError(`crossEntropy: input must be floating point logits, got ${input.dtype}`);
  const probs = isFloating(target.dtype);
  return tidy(() => {
    const [x, t, single] = batched(input, target, probs);
    const C = x.shape[1];
    if (weight && (weight.ndim !== 1 || weight.shape[0] !== C))
      throw new Error(`crossEntropy: weight must have shape [${C}] (one per class), got ${fmtShape(weight.shape)}`);
    const logp = x.logSoftmax(1);
    const wView = weight ? weight.reshape(x.shape.map((s, i) => (i === 1 ? s : 1))) : null;
    let out: Tensor;
    if (probs) {
      sameShape("crossEntropy", x, t);
      const soft = eps > 0 ? t.mul(1 - eps).add(eps / C) : t;
      const terms = (wView ? logp.mul(wView) : logp).mul(soft).sum(1).neg();
      out = reduce("crossEntropy", terms, reduction);
    } else {
      checkTargets("crossEntropy", x, t, ignoreIndex);
      const { terms, w } = nllTerms(logp, t, weight, ignoreIndex);
      const wsum = reduction === "mean" ? w.sum() : null;
      out = wsum ? terms.sum().div(wsum) : reduce("crossEntropy", terms, reduction);
      if (eps > 0) {
        const smooth = where(t.eq(ignoreIndex), 0, (wView ? logp.mul(wView) : logp).sum(1).neg());
        const s = wsum ? smooth.sum().div(wsum) : reduce("crossEntropy", smooth, reduction);
        out = out.mul(1 - eps).add(s.mul(eps / C));
      }
    }
    return single && reduction === "none" ? out.squeeze(0) : out;
  });
}

/** Options of the elementwise losses. */
export interface ReductionOptions {
  reduction?: Reduction;
}

/** Mean squared error. @example nn.F.mseLoss(pred, y) */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  sameShape("mseLoss", input, target);
  return tidy(() => {
    const d = input.sub(target);
    return reduce("mseLoss", d.mul(d), options.reduction ?? "mean");
  });
}

/** Mean absolute error. @example nn.F.l1Loss(pred, y) */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  sameShape("l1Loss", input, target);
  return tidy(() => reduce("l1Loss", input.sub(target).abs(), options.reduction ?? "mean"));
}

/**
 * Smooth L1: 0.5·d²/beta where |d| < beta, else |d| - 0.5·beta (default beta 1).
 *
 * @example
 * nn.F.smoothL1Loss(pred, y, { beta: 0.5 });
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  const { reduction = "mean", beta = 1 } = options;
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  sameShape("smoothL1Loss", input, target);
  // beta 0 is |d|, with PyTorch's gradient at d = 0: -1 for the input (its kernel takes
  // d <= -beta first) and -1 for the target too (it runs the same kernel with the two
  // swapped), not abs()'s 0. s.detach() - s is 0 with exactly those gradients.
  if (beta === 0)
    return tidy(() => {
      const d = input.sub(target);
      const s = input.add(target);
      return reduce("smoothL1Loss", where(d.gt(0), d, where(d.lt(0), d.neg(), s.detach().sub(s))), reduction);
    });
  return tidy(() => {
    const d = input.sub(target);
    const a = d.abs();
    const near = a.lt(beta);
    // The square only where it is taken: an infinite d there would send 0·inf = NaN back.
    const dn = where(near, d, 0);
    return reduce("smoothL1Loss", where(near, dn.mul(dn).mul(0.5 / beta), a.sub(0.5 * beta)), reduction);
  });
}

/** Options of the binary cross entropies. */
export interface BceOptions extends ReductionOptions {
  /** Rescales each element's loss (broadcast to the input). */
  weight?: Tensor | null;
}

/**
 * Binary cross entropy of probabilities in [0, 1]; each log is clamped at -100, as
 * PyTorch, so a confident mistake costs 100 rather than infinity.
 *
 * @example
 * nn.F.binaryCrossEntropy(logits.sigmoid(), y);
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  const { weight = null, reduction = "mean" } = options;
  sameShape("binaryCrossEntropy", input, target);
  return tidy(() => {
    const [lo, hi] = noGrad(() => (input.numel() ? [input.min().item(), input.max().item()] : [0, 0]));
    if (!(Number(lo) >= 0 && Number(hi) <= 1))
      throw new RangeError(
        `binaryCrossEntropy: every input must be between 0 and 1 (got values in [${lo}, ${hi}]); for logits use binaryCrossEntropyWithLogits`,
      );
    let loss = bceTerms(input, target);
    if (weight) loss = loss.mul(weight);
    return reduce("binaryCrossEntropy", loss, reduction);
  });
}

/**
 * -(t·log x + (1 - t)·log(1 - x)) per element, each log clamped at -100, with PyTorch's
 * gradients rather than the ones of the clamped logs: (x - t) / max((1 - x)·x, 1e-12) for
 * the input (finite at x = 0 or 1) and log(1 - x) - log(x) for the target.
 */
function bceTerms(input: Tensor, target: Tensor): Tensor {
  const out = untracked(() => {
    const pos = input.log().clamp(-100),
      neg = input.neg().add(1).log().clamp(-100);
    return target.mul(pos).add(target.neg().add(1).mul(neg)).neg();
  });
  return record("BinaryCrossEntropyBackward", out, [input, target], [input, target], (g, [x, t]) => [
    input.requiresGrad ? g.mul(x.sub(t)).div(x.neg().add(1).mul(x).clamp(1e-12)) : null,
    target.requiresGrad ? g.mul(x.neg().add(1).log().sub(x.log())) : null,
  ]);
}

/** Options of binaryCrossEntropyWithLogits. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term, one per class (broadcast over the last dim): > 1 raises recall. */
  posWeight?: Tensor | null;
}

/**
 * Sigmoid + binary cross entropy in one numerically stable step (PyTorch's formula with
 * max(-x, 0)), with optional posWeight.
 *
 * @example
 * nn.F.binaryCrossEntropyWithLogits(logits, y, { posWeight: tt.tensor([3], { dtype: "float32" }) });
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const { weight = null, posWeight = null, reduction = "mean" } = options;
  sameShape("binaryCrossEntropyWithLogits", input, target);
  if (isGradEnabled() && (weight?.requiresGrad || posWeight?.requiresGrad))
    throw new Error(
      "binaryCrossEntropyWithLogits: weight and posWeight cannot require grad (as in PyTorch, the loss is not differentiable in them); detach() them",
    );
  return tidy(() => {
    // log(1 + exp(-x)) = max(-x, 0) + log(1 + exp(-|x|)): never overflows, right at ±inf.
    const softplus = (x: Tensor): Tensor => x.neg().clamp(0).add(x.abs().neg().exp().add(1).log());
    const lossOf = (x: Tensor, t: Tensor, w: Tensor | null, pw: Tensor | null): Tensor => {
      const linear = t.neg().add(1).mul(x);
      const l = pw ? linear.add(pw.sub(1).mul(t).add(1).mul(softplus(x))) : linear.add(softplus(x));
      return w ? l.mul(w) : l;
    };
    const out = untracked(() => lossOf(input, target, weight, posWeight));
    // PyTorch's closed forms: finite at x = ±inf, where differentiating the stable form above gives NaN.
    const loss = record("BinaryCrossEntropyWithLogitsBackward", out, [input, target, weight, posWeight], [input, target], (g, [x, t]) => {
      const gw = weight ? g.mul(weight) : g;
      const pwt = posWeight ? posWeight.mul(t) : t;
      const gx = pwt.add(1).sub(t).mul(x.sigmoid()).sub(pwt).mul(gw);
      // d/dt: log σ(-x) - pw·log σ(x) = (pw - 1)·softplus(-x) - x.
      const gt = posWeight ? posWeight.sub(1).mul(softplus(x)).sub(x).mul(gw) : x.neg().mul(gw);
      return [sumTo(gx, input.shape), sumTo(gt, target.shape), null, null];
    });
    return reduce("binaryCrossEntropyWithLogits", loss, reduction);
  });
}
