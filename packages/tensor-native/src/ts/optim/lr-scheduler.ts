/**
 * The base of the learning-rate schedulers, as `torch.optim.lr_scheduler.LRScheduler`:
 * each step() sets every param group's `lr` for the next optimizer step, with PyTorch's
 * (recursive) formulas so the sequence matches torch's.
 */
import { camelCase, Optimizer, snakeCase } from "./optimizer.js";

/** Any optimizer a scheduler can drive. */
export type AnyOptimizer = Optimizer<any, any>;

/** Options every scheduler takes. */
export interface SchedulerOptions {
  /**
   * The index of the last step when resuming (PyTorch's `last_epoch`); -1 (default)
   * starts a new schedule. Resuming needs `initialLr` in the param groups, which a
   * loaded optimizer state dict provides.
   */
  lastEpoch?: number;
}

/** A scheduler's state: its fields in PyTorch's snake_case names (`last_epoch`, `base_lrs`…). */
export type SchedulerStateDict = Record<string, unknown>;

const warned = new WeakSet<LRScheduler>();
// Fields whose PyTorch name is not the plain snake_case of ours.
const torchNames: Record<string, string> = { tMax: "T_max" };
const ourNames: Record<string, string> = Object.fromEntries(Object.entries(torchNames).map(([k, v]) => [v, k]));

function plainCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainCopy);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainCopy(x)]));
  return v;
}

/**
 * Base class of the schedulers. Call `scheduler.step()` once per optimizer step (or per
 * epoch), after `optimizer.step()`. A subclass sets its fields, then calls
 * `this._initialStep()` at the end of its constructor, and implements getLr().
 *
 * @example
 * const sched = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) { train(); sched.step(); }
 */
export abstract class LRScheduler {
  /** The optimizer whose param groups this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Each group's starting lr (its `initialLr`). */
  baseLrs: number[];
  /** Steps taken; 0 right after construction (PyTorch's `last_epoch`). */
  lastEpoch: number;
  /** @internal */
  _stepCount = 0;
  /** @internal */
  _lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    const name = new.target.name;
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${name}: expected an optimizer, got ${String(optimizer)}`);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1)
      throw new RangeError(`${name}: lastEpoch must be an integer ≥ -1, got ${lastEpoch}`);
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined)
        throw new Error(
          `${name}: paramGroups[${i}] has no initialLr while resuming at lastEpoch ${lastEpoch}; load the optimizer's state dict first`,
        );
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** @internal Resets the step counts and takes the first step (PyTorch's `_initial_step`). */
  _initialStep(): void {
    this.optimizer._stepCount = 0;
    this._stepCount = 0;
    this.step();
  }

  /**
   * The step's formula: each group's lr for the current lastEpoch, from the groups'
   * current lr (PyTorch's chainable form). step() calls it; to read the lr, use getLastLr().
   */
  abstract getLr(): number[];

  /** The lr at lastEpoch from baseLrs alone, where a closed form exists (used by SequentialLR). */
  protected closedFormLr?(): number[];

  /**
   * Advances the schedule one step and writes the new lr into every param group.
   *
   * @example
   * opt.step();
   * sched.step();
   */
  step(): void {
    this._stepTo(undefined);
  }

  /** @internal step(), or a jump to `epoch` through the closed form (PyTorch's deprecated step(epoch)). */
  _stepTo(epoch: number | undefined): void {
    if (this._stepCount === 1 && this.optimizer._stepCount < 1 && !warned.has(this)) {
      warned.add(this);
      console.warn(
        `${this.constructor.name}: step() was called before optimizer.step(); call optimizer.step() first, or the first value of the schedule is skipped`,
      );
    }
    this._stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
    });
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The lr of each param group as set by the last step().
   *
   * @example
   * sched.getLastLr(); // [0.01]
   */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /**
   * The scheduler's state (every field but the optimizer and functions, with PyTorch's
   * names), for loadStateDict().
   *
   * @example
   * const s = sched.stateDict(); // { last_epoch: 10, base_lrs: [0.1], _last_lr: [...], ... }
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === "optimizer" || typeof v === "function") continue;
      out[torchNames[k] ?? snakeCase(k)] = Array.isArray(v) ? v.map((x) => (typeof x === "function" ? null : plainCopy(x))) : plainCopy(v);
    }
    return out;
  }

  /**
   * Restores a state from stateDict(); keys this scheduler does not have are ignored.
   *
   * @example
   * const sched2 = new optim.StepLR(opt2, { stepSize: 30 });
   * sched2.loadStateDict(sched.stateDict());
   */
  loadStateDict(state: SchedulerStateDict): void {
    if (!state || typeof state !== "object")
      throw new TypeError(`${this.constructor.name}.loadStateDict: expected an object made by stateDict()`);
    const base = state.base_lrs;
    if (Array.isArray(base) && base.length !== this.optimizer.paramGroups.length)
      throw new Error(
        `${this.constructor.name}.loadStateDict: the state has ${base.length} base lr(s), the optimizer has ${this.optimizer.paramGroups.length} param group(s)`,
      );
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(state)) {
      const field = ourNames[k] ?? camelCase(k);
      const cur = self[field];
      if (!(field in this) || field === "optimizer" || typeof cur === "function") continue;
      if (Array.isArray(cur) && cur.some((x) => typeof x === "function")) continue;
      self[field] = plainCopy(v);
    }
  }
}

/** Rightmost insertion point of x in the sorted list (Python's bisect_right). */
export function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** One value per param group: a single value repeated, or a list whose length must match. */
export function perGroup(optimizer: AnyOptimizer, value: number | readonly number[], what: string, scheduler: string): number[] {
  const n = optimizer.paramGroups.length;
  if (typeof value === "number") return new Array<number>(n).fill(value);
  if (!Array.isArray(value) || value.length !== n)
    throw new Error(`${scheduler}: expected ${n} values for ${what}, got ${Array.isArray(value) ? value.length : String(value)}`);
  return [...value];
}
