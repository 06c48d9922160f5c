/** Autograd: loading this module wraps the tensor ops with their backward formulas. */
import "./tensor-methods.js";
import "./functions/elementwise.js";
import "./functions/reduce.js";
import "./functions/shape.js";
import "./functions/linalg.js";
import "./functions/inplace.js";

export { enableGrad, isGradEnabled, noGrad } from "./grad-mode.js";
export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { autocast, autocastDType, type AutocastOptions } from "./autocast.js";
export { GradScaler, type GradScalerOptions } from "./grad-scaler.js";
export type { BackwardOptions } from "./engine.js";
export type { GradHook } from "./node.js";
export type { HookHandle } from "./tensor-methods.js";
export { clamp, where } from "./functions/elementwise.js";
export { cat, chunk, split, stack } from "./functions/shape.js";
export { embedding, gather, indexSelect, matmul, scatterAdd } from "./functions/linalg.js";
export { avgPool2d, conv2d, maxPool2d } from "./functions/conv.js";
