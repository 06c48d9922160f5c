/**
 * The schedulers under PyTorch's module name: `optim.lrScheduler.StepLR` is
 * `torch.optim.lr_scheduler.StepLR` (each is also exported from `optim` directly).
 *
 * @example
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100 });
 */
export { LRScheduler, type AnyOptimizer, type SchedulerOptions, type SchedulerStateDict } from "./lr-scheduler.js";
export {
  ExponentialLR,
  LambdaLR,
  MultiplicativeLR,
  MultiStepLR,
  StepLR,
  type ExponentialLROptions,
  type LambdaLROptions,
  type LrLambda,
  type MultiStepLROptions,
  type StepLROptions,
} from "./decay-lr.js";
export { ConstantLR, LinearLR, type ConstantLROptions, type LinearLROptions } from "./warmup-lr.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine-lr.js";
export { OneCycleLR, type OneCycleLROptions } from "./one-cycle-lr.js";
export { SequentialLR, type SequentialLROptions } from "./sequential-lr.js";
