/**
 * The tensor API the layers are built on. It loads every Tensor method (with autograd), so
 * importing any nn file on its own still gets differentiable ops.
 */
import "../install-methods.js";

export { Tensor, fmtShape } from "../tensor.js";
export { DTYPES, isFloating, type DType } from "../dtype.js";
export type { Device } from "../dispatch.js";
export { arange, empty, fromTypedArray, full, ones, rand, randn, zeros } from "../creation.js";
export { oneHot } from "../indexing.js";
export type { Pair } from "../conv.js";
export { avgPool2d, cat, conv2d, embedding, isGradEnabled, maxPool2d, noGrad, stack, where } from "../autograd/index.js";
export { keep, tidy, withoutScopes } from "../memory.js";
