/** Op codes shared with src/native/ops.h (keep in sync). */
export const U = {
  neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, rsqrt: 5, sin: 6, cos: 7, tanh: 8, sigmoid: 9,
  relu: 10, gelu: 11, silu: 12, logicalNot: 13,
} as const;

export const B = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6,
  eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
} as const;

export const R = {
  sum: 0, mean: 1, prod: 2, max: 3, min: 4, argmax: 5, argmin: 6, var: 7, logsumexp: 8,
  softmax: 9, logSoftmax: 10,
} as const;
