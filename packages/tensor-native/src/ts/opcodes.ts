/**
 * The numbers the addon's entries take, mirroring the enums of src/native/ops.h: same names
 * (C++ `U_LOGICAL_NOT` is `U.logicalNot`, `WINDOW_MAX_POOL` is `WINDOW.maxPool`), same
 * values, in the same order. test/op-table.test.ts parses ops.h and fails on any drift,
 * so a new code goes into both files.
 */

/** UnaryOp: the elementwise unary kernels (what each computes: ops/unary-table.ts). */
export const U = {
  neg: 0,
  abs: 1,
  exp: 2,
  log: 3,
  sqrt: 4,
  rsqrt: 5,
  sin: 6,
  cos: 7,
  tanh: 8,
  sigmoid: 9,
  relu: 10,
  gelu: 11,
  silu: 12,
  logicalNot: 13,
} as const;

/** BinaryOp (C++ `B_MAX` and `B_MIN` are `maximum` and `minimum`, the method names). */
export const B = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  maximum: 5,
  minimum: 6,
  eq: 7,
  ne: 8,
  lt: 9,
  le: 10,
  gt: 11,
  ge: 12,
} as const;

/** ReduceOp. */
export const R = {
  sum: 0,
  mean: 1,
  prod: 2,
  max: 3,
  min: 4,
  argmax: 5,
  argmin: 6,
  var: 7,
  logsumexp: 8,
  softmax: 9,
  logSoftmax: 10,
} as const;

/** RandomKind: what `random` fills with (p1, p2: [low, high), mean and std, [low, high), start and step). */
export const RANDOM = { uniform: 0, normal: 1, randint: 2, arange: 3 } as const;

/** IndexKind: indexSelect, gather, or scatterAdd (which updates x from the third view). */
export const INDEX = { select: 0, gather: 1, scatterAdd: 2 } as const;

/** WindowKind: `window2d`'s im2col or pooling. */
export const WINDOW = { im2col: 0, maxPool: 1, avgPool: 2 } as const;

/** WindowBackwardKind: col2im, or a pooling's gradient (each value is its forward's). */
export const WINDOW_BACKWARD = { col2im: 0, maxPool: 1, avgPool: 2 } as const;

/** OptimKind: the fused update `optimStep` runs. */
export const OPTIM = { sgd: 0, adam: 1, adamW: 2 } as const;

/** HostCopyKind: which way `cuda.copyHost` moves bytes. */
export const HOST_COPY = { upload: 0, download: 1 } as const;

type Codes<T> = T[keyof T];
export type UnaryCode = Codes<typeof U>;
export type BinaryCode = Codes<typeof B>;
export type ReduceCode = Codes<typeof R>;
export type RandomKind = Codes<typeof RANDOM>;
export type IndexKind = Codes<typeof INDEX>;
export type WindowKind = Codes<typeof WINDOW>;
export type WindowBackwardKind = Codes<typeof WINDOW_BACKWARD>;
export type OptimKind = Codes<typeof OPTIM>;
export type HostCopyKind = Codes<typeof HOST_COPY>;

/** Each ops.h enum by its C++ name, with the object that mirrors it (what the drift test walks). */
export const NATIVE_ENUMS = {
  UnaryOp: U,
  BinaryOp: B,
  ReduceOp: R,
  RandomKind: RANDOM,
  IndexKind: INDEX,
  WindowKind: WINDOW,
  WindowBackwardKind: WINDOW_BACKWARD,
  OptimKind: OPTIM,
  HostCopyKind: HOST_COPY,
} as const;
