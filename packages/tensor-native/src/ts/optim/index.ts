/**
 * Optimizers, LR schedulers and gradient clipping with `torch.optim`'s names and
 * semantics (camelCase). Each optimizer updates a parameter in one fused native pass.
 *
 * @example
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
 * const sched = new optim.OneCycleLR(opt, { maxLr: 1e-2, totalSteps: 1000 });
 * for (let i = 0; i < 1000; i++) {
 *   tt.tidy(() => {
 *     opt.zeroGrad();
 *     lossOf(batch(i)).backward();
 *     optim.clipGradNorm(model.parameters(), 1.0);
 *     opt.step();
 *     sched.step();
 *   });
 * }
 */
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupInit } from "./optimizer.js";
export { SGD, type SGDOptions, type SGDState } from "./sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamState } from "./adam.js";
export { clipGradNorm, clipGradNorm_, clipGradValue, clipGradValue_ } from "./clip.js";
export * from "./lr-schedulers.js";
export * as lrScheduler from "./lr-schedulers.js";
