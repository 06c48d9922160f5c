/** Schedulers in sequence, as `torch.optim.lr_scheduler.SequentialLR`. */
import { bisectRight, LRScheduler, type AnyOptimizer, type SchedulerOptions, type SchedulerStateDict } from "./lr-scheduler.js";

/** SequentialLR's options. */
export interface SequentialLROptions extends SchedulerOptions {
  /** The schedulers, all over the same optimizer, in the order they run. */
  schedulers: LRScheduler[];
  /** The steps at which the next scheduler takes over (one fewer than schedulers). */
  milestones: readonly number[];
}

/**
 * Runs one scheduler until the first milestone, the next one until the second, and so
 * on; each scheduler after the first starts its schedule afresh at its milestone.
 *
 * @example
 * // linear warmup for 500 steps, then cosine decay
 * const warmup = new optim.LinearLR(opt, { startFactor: 0.01, totalIters: 500 });
 * const cosine = new optim.CosineAnnealingLR(opt, { tMax: 9500 });
 * const sched = new optim.SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [500] });
 */
export class SequentialLR extends LRScheduler {
  _schedulers: LRScheduler[];
  _milestones: number[];

  constructor(optimizer: AnyOptimizer, options: SequentialLROptions) {
    super(optimizer, -1);
    const { schedulers, milestones } = options ?? {};
    if (!Array.isArray(schedulers) || schedulers.length === 0 || schedulers.some((s) => !(s instanceof LRScheduler)))
      throw new TypeError("SequentialLR: schedulers must be a non-empty list of LR schedulers");
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new Error(
          `SequentialLR: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1)
      throw new Error(
        `SequentialLR: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${Array.isArray(milestones) ? milestones.length : String(milestones)}`,
      );
    this._schedulers = [...schedulers];
    this._milestones = [...milestones];
    this.lastEpoch = (options.lastEpoch ?? -1) + 1;
    // Undo the first step each scheduler took when it was made, then start the first one.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this._schedulers) s.lastEpoch -= 1;
    this._schedulers[0]._initialStep();
    this._lastLr = this._schedulers[0].getLastLr();
  }

  override step(): void {
    this.lastEpoch++;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const s = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) s._stepTo(0);
    else s.step();
    this._lastLr = s.getLastLr();
  }

  /** The lr the current scheduler set. */
  override getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Includes each scheduler's own state under `_schedulers`. */
  override stateDict(): SchedulerStateDict {
    const sd = super.stateDict();
    sd._schedulers = this._schedulers.map((s) => s.stateDict());
    return sd;
  }

  override loadStateDict(state: SchedulerStateDict): void {
    const { _schedulers: inner, ...rest } = state;
    if (Array.isArray(inner) && inner.length !== this._schedulers.length)
      throw new Error(`SequentialLR.loadStateDict: the state has ${inner.length} schedulers, this one has ${this._schedulers.length}`);
    super.loadStateDict(rest);
    if (Array.isArray(inner)) inner.forEach((s, i) => this._schedulers[i].loadStateDict(s as SchedulerStateDict));
  }
}
