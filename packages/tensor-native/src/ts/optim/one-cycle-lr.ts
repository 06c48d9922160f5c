/** The 1cycle policy, as `torch.optim.lr_scheduler.OneCycleLR`. */
import { Optimizer } from "./optimizer.js";
import { LRScheduler, perGroup, type AnyOptimizer, type SchedulerOptions } from "./lr-scheduler.js";

/** OneCycleLR's options (PyTorch's, in camelCase). */
export interface OneCycleLROptions extends SchedulerOptions {
  /** The peak lr, or one per param group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Share of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD) or beta1 (Adam) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** The momentum at the peak lr (default 0.85), or one per group. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the start and end (default 0.95), or one per group. */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) instead of two (default false). */
  threePhase?: boolean;
}

type LrKey = "initialLr" | "maxLr" | "minLr";
type MomentumKey = "maxMomentum" | "baseMomentum";
interface Phase {
  endStep: number;
  startLr: LrKey;
  endLr: LrKey;
  startMomentum: MomentumKey;
  endMomentum: MomentumKey;
}

function positiveInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
    throw new RangeError(`OneCycleLR: Expected positive integer ${what}, but got ${String(v)}`);
  return v;
}

// Writes initialLr/maxLr/minLr (and the momentum bounds) into the groups before the base
// constructor reads initialLr, as PyTorch does.
function prepare(optimizer: AnyOptimizer, o: OneCycleLROptions) {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`OneCycleLR: expected an optimizer, got ${String(optimizer)}`);
  if (!o || typeof o !== "object") throw new TypeError("OneCycleLR: options { maxLr, totalSteps } are required");
  let totalSteps: number;
  if (o.totalSteps !== undefined) totalSteps = positiveInt(o.totalSteps, "totalSteps");
  else if (o.epochs === undefined || o.stepsPerEpoch === undefined)
    throw new Error("OneCycleLR: You must define either totalSteps OR (epochs AND stepsPerEpoch)");
  else totalSteps = positiveInt(o.epochs, "epochs") * positiveInt(o.stepsPerEpoch, "stepsPerEpoch");
  const pctStart = o.pctStart ?? 0.3;
  if (typeof pctStart !== "number" || !(pctStart >= 0 && pctStart <= 1))
    throw new RangeError(`OneCycleLR: Expected float between 0 and 1 pctStart, but got ${String(pctStart)}`);
  const annealStrategy = o.annealStrategy ?? "cos";
  if (annealStrategy !== "cos" && annealStrategy !== "linear")
    throw new Error(`OneCycleLR: annealStrategy must be one of "cos" or "linear", instead got ${String(annealStrategy)}`);
  const lastEpoch = o.lastEpoch ?? -1;
  const divFactor = o.divFactor ?? 25,
    finalDivFactor = o.finalDivFactor ?? 1e4;
  const maxLrs = perGroup(optimizer, o.maxLr, "maxLr", "OneCycleLR");
  if (lastEpoch === -1)
    optimizer.paramGroups.forEach((g, i) => {
      g.initialLr = maxLrs[i] / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = g.initialLr / finalDivFactor;
    });
  const cycleMomentum = o.cycleMomentum ?? true;
  const useBeta1 = "betas" in optimizer.defaults;
  if (cycleMomentum) {
    if (!("momentum" in optimizer.defaults) && !useBeta1)
      throw new Error("OneCycleLR: optimizer must support momentum (SGD) or betas (Adam) with `cycleMomentum` enabled");
    const maxM = perGroup(optimizer, o.maxMomentum ?? 0.95, "maxMomentum", "OneCycleLR");
    const baseM = perGroup(optimizer, o.baseMomentum ?? 0.85, "baseMomentum", "OneCycleLR");
    if (lastEpoch === -1)
      optimizer.paramGroups.forEach((g, i) => {
        if (useBeta1) g.betas = [maxM[i], ...(g.betas as number[]).slice(1)];
        else g.momentum = maxM[i];
        g.maxMomentum = maxM[i];
        g.baseMomentum = baseM[i];
      });
  }
  return { totalSteps, pctStart, annealStrategy, cycleMomentum, useBeta1, threePhase: o.threePhase ?? false };
}

/**
 * The 1cycle policy (Smith): the lr rises from maxLr/divFactor to maxLr over pctStart of
 * the cycle, then anneals to a minimum far below; momentum (or Adam's beta1) moves the
 * opposite way. Step it after every batch; totalSteps + 1 calls to step() is an error.
 *
 * @example
 * const sched = new optim.OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: loader.length });
 * // per batch: opt.step(); sched.step();
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  pctStart: number;
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1: boolean;
  threePhase: boolean;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    const cfg = prepare(optimizer, options);
    super(optimizer, options.lastEpoch);
    this.totalSteps = cfg.totalSteps;
    this.pctStart = cfg.pctStart;
    this.annealStrategy = cfg.annealStrategy;
    this.cycleMomentum = cfg.cycleMomentum;
    this.useBeta1 = cfg.useBeta1;
    this.threePhase = cfg.threePhase;
    this._initialStep();
  }

  private phases(): Phase[] {
    const up = this.pctStart * this.totalSteps;
    const last = this.totalSteps - 1;
    if (this.threePhase)
      return [
        { endStep: up - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
        { endStep: 2 * up - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        { endStep: last, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
      ];
    return [
      { endStep: up - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
      { endStep: last, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
    ];
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "linear") return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  override getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps)
      throw new Error(`OneCycleLR: Tried to step ${step + 1} times. The specified number of total steps is ${this.totalSteps}`);
    const phases = this.phases();
    return this.optimizer.paramGroups.map((g) => {
      const v = g as Record<string, unknown>;
      let start = 0,
        lr = NaN,
        momentum = NaN;
      for (let i = 0; i < phases.length; i++) {
        const ph = phases[i];
        if (step <= ph.endStep || i === phases.length - 1) {
          // A phase of no length (pctStart·totalSteps of 1, or 2 with threePhase) has no schedule: raise, as
          // PyTorch does (ZeroDivisionError), rather than set every lr to NaN.
          if (ph.endStep === start)
            throw new Error(
              `OneCycleLR: phase ${i + 1} of the schedule has no steps (pctStart ${this.pctStart} of totalSteps ${this.totalSteps}); use more totalSteps or another pctStart`,
            );
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(v[ph.startLr] as number, v[ph.endLr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(v[ph.startMomentum] as number, v[ph.endMomentum] as number, pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}
