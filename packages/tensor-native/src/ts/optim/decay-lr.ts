/** Schedulers that decay the lr by a factor: LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ExponentialLR. */
import { bisectRight, LRScheduler, type AnyOptimizer, type SchedulerOptions, type SchedulerStateDict } from "./lr-scheduler.js";

/** A factor as a function of the step count. */
export type LrLambda = (epoch: number) => number;

function lambdas(optimizer: AnyOptimizer, f: LrLambda | readonly LrLambda[], name: string): LrLambda[] {
  const n = optimizer.paramGroups.length;
  if (typeof f === "function") return new Array<LrLambda>(n).fill(f);
  if (!Array.isArray(f) || f.length !== n)
    throw new Error(`${name}: Expected ${n} lr_lambdas, but got ${Array.isArray(f) ? f.length : typeof f}`);
  if (f.some((x) => typeof x !== "function")) throw new TypeError(`${name}: lrLambda must be functions`);
  return [...f];
}

/** LambdaLR's options. */
export interface LambdaLROptions extends SchedulerOptions {
  /** The factor of the initial lr at each step, or one function per param group. */
  lrLambda: LrLambda | readonly LrLambda[];
}

/**
 * lr = initialLr × lrLambda(step).
 *
 * @example
 * const sched = new optim.LambdaLR(opt, { lrLambda: (e) => 0.95 ** e });
 */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    super(optimizer, options?.lastEpoch);
    this.lrLambdas = lambdas(optimizer, options?.lrLambda, "LambdaLR");
    this._initialStep();
  }

  override getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
}

/**
 * lr = previous lr × lrLambda(step), from the second step on.
 *
 * @example
 * const sched = new optim.MultiplicativeLR(opt, { lrLambda: () => 0.95 });
 */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    super(optimizer, options?.lastEpoch);
    this.lrLambdas = lambdas(optimizer, options?.lrLambda, "MultiplicativeLR");
    this._initialStep();
  }

  override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch > 0) return groups.map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
    return groups.map((g) => g.lr);
  }
}

function positiveInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new RangeError(`${what} must be a positive integer, got ${String(v)}`);
  return v;
}

function finite(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${what} must be a finite number, got ${String(v)}`);
  return v;
}

/** StepLR's options. */
export interface StepLROptions extends SchedulerOptions {
  /** Steps between decays. */
  stepSize: number;
  /** The factor applied every stepSize steps (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies the lr by gamma every stepSize steps.
 *
 * @example
 * const sched = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 }); // 0.1 → 0.01 at step 30
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    super(optimizer, options?.lastEpoch);
    this.stepSize = positiveInt(options.stepSize, "StepLR: stepSize");
    this.gamma = finite(options.gamma ?? 0.1, "StepLR: gamma");
    this._initialStep();
  }

  override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** MultiStepLR's options. */
export interface MultiStepLROptions extends SchedulerOptions {
  /** Steps at which the lr is multiplied by gamma (a repeated milestone applies gamma again). */
  milestones: readonly number[];
  /** Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies the lr by gamma at each milestone.
 *
 * @example
 * const sched = new optim.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  /** Sorted, with repeats. */
  milestones: number[];
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    super(optimizer, options?.lastEpoch);
    if (!Array.isArray(options.milestones) || options.milestones.some((m) => !Number.isInteger(m)))
      throw new TypeError(`MultiStepLR: milestones must be a list of integers, got ${String(options.milestones)}`);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = finite(options.gamma ?? 0.1, "MultiStepLR: gamma");
    this._initialStep();
  }

  override getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.optimizer.paramGroups.map((g) => (hits ? g.lr * this.gamma ** hits : g.lr));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }

  /** As PyTorch's: milestones as a Counter ({ "30": 1, "80": 1 }). */
  override stateDict(): SchedulerStateDict {
    const sd = super.stateDict();
    const counts: Record<string, number> = {};
    for (const m of this.milestones) counts[m] = (counts[m] ?? 0) + 1;
    sd.milestones = counts;
    return sd;
  }

  override loadStateDict(state: SchedulerStateDict): void {
    const { milestones, ...rest } = state;
    super.loadStateDict(rest);
    if (Array.isArray(milestones)) this.milestones = [...(milestones as number[])].sort((a, b) => a - b);
    else if (milestones && typeof milestones === "object")
      this.milestones = Object.entries(milestones as Record<string, number>)
        .flatMap(([m, n]) => new Array<number>(n).fill(Number(m)))
        .sort((a, b) => a - b);
  }
}

/** ExponentialLR's options. */
export interface ExponentialLROptions extends SchedulerOptions {
  /** The factor applied at every step. */
  gamma: number;
}

/**
 * Multiplies the lr by gamma at every step.
 *
 * @example
 * const sched = new optim.ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    super(optimizer, options?.lastEpoch);
    this.gamma = finite(options.gamma, "ExponentialLR: gamma");
    this._initialStep();
  }

  override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    return groups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}
