/**
 * Loads every module that contributes Tensor methods, so importing this one gives the whole
 * API. The order of these imports does not matter: method-layers.ts assembles each method
 * from its op and its layers (autograd, autocast) in whatever order they arrive.
 */
import "./methods.js";
import "./inplace.js";
import "./advanced-indexing.js";
import "./logical.js";
import "./ops/elementwise-methods.js";
import "./autograd/index.js";
