/**
 * nn: layers, losses and initializers with PyTorch's names and semantics, camelCased.
 *
 * @example
 * const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
 * const loss = nn.F.crossEntropy(model.forward(x), y);
 * loss.backward();
 */
import "./core.js";

export * as functional from "./functional.js";
export * as F from "./functional.js";
export * as init from "./init.js";
export type { Reduction } from "./functional.js";

export { Module, type LoadStateDictOptions, type LoadStateDictResult, type StateDictLike, type StateDictOptions } from "./module.js";
export { isParameter, Parameter } from "./parameter.js";
export { Identity, Linear, type FactoryOptions } from "./linear.js";
export { AdaptiveAvgPool2d, AvgPool2d, Conv2d, Flatten, MaxPool2d, Unflatten, type Conv2dLayerOptions } from "./conv.js";
export { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh } from "./activation.js";
export { Dropout } from "./dropout.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormLayerOptions } from "./normalization.js";
export { Embedding, type EmbeddingLayerOptions } from "./embedding.js";
export { ModuleDict, ModuleList, Sequential } from "./container.js";
export {
  generateSquareSubsequentMask,
  MultiheadAttention,
  TransformerEncoderLayer,
  type AttentionOutput,
  type MultiheadAttentionForwardOptions,
  type MultiheadAttentionOptions,
  type TransformerActivation,
  type TransformerEncoderLayerForwardOptions,
  type TransformerEncoderLayerOptions,
} from "./attention.js";
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss } from "./loss.js";
