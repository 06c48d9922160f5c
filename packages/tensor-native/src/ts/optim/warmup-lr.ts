/** Schedulers that scale the lr by a factor for a number of steps: ConstantLR and LinearLR (warmup). */
import { LRScheduler, type AnyOptimizer, type SchedulerOptions } from "./lr-scheduler.js";

function iters(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
    throw new RangeError(`${name}: totalIters must be a positive integer, got ${String(v)}`);
  return v;
}

/** ConstantLR's options. */
export interface ConstantLROptions extends SchedulerOptions {
  /** The factor applied until totalIters (default 1/3), in [0, 1]. */
  factor?: number;
  /** Steps with the reduced lr (default 5). */
  totalIters?: number;
}

/**
 * lr = initialLr × factor for the first totalIters steps, then initialLr.
 *
 * @example
 * const sched = new optim.ConstantLR(opt, { factor: 0.5, totalIters: 4 });
 */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: AnyOptimizer, options: ConstantLROptions = {}) {
    super(optimizer, options.lastEpoch);
    const factor = options.factor ?? 1 / 3;
    if (typeof factor !== "number" || !(factor >= 0 && factor <= 1))
      throw new RangeError(`ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got ${String(factor)}`);
    this.factor = factor;
    this.totalIters = iters(options.totalIters ?? 5, "ConstantLR");
    this._initialStep();
  }

  override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0)));
  }
}

/** LinearLR's options. */
export interface LinearLROptions extends SchedulerOptions {
  /** The factor at step 0 (default 1/3), in (0, 1]. */
  startFactor?: number;
  /** The factor from step totalIters on (default 1), in [0, 1]. */
  endFactor?: number;
  /** Steps to go from startFactor to endFactor (default 5). */
  totalIters?: number;
}

/**
 * Scales the lr by a factor that moves linearly from startFactor to endFactor over
 * totalIters steps: linear warmup (0.1 → 1) or linear decay (1 → 0).
 *
 * @example
 * const warmup = new optim.LinearLR(opt, { startFactor: 0.01, totalIters: 500 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    super(optimizer, options.lastEpoch);
    const start = options.startFactor ?? 1 / 3,
      end = options.endFactor ?? 1;
    if (typeof start !== "number" || !(start > 0 && start <= 1))
      throw new RangeError(
        `LinearLR: Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got ${String(start)}`,
      );
    if (typeof end !== "number" || !(end >= 0 && end <= 1))
      throw new RangeError(`LinearLR: Ending multiplicative factor expected to be between 0 and 1, got ${String(end)}`);
    this.startFactor = start;
    this.endFactor = end;
    this.totalIters = iters(options.totalIters ?? 5, "LinearLR");
    this._initialStep();
  }

  override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    const f = 1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d);
    return groups.map((g) => g.lr * f);
  }

  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((b) => b * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
}
