// Op codes and the `kind` argument of the multi-kernel entries, as the addon receives them
// from TypeScript. src/ts/opcodes.ts mirrors every enum here (same names, same values);
// test/op-table.test.ts parses this file and fails when the two drift. Each enum ends with
// a *_COUNT sentinel, so a range check is `k >= 0 && k < X_COUNT`. This header is also
// compiled by NVRTC (tt_common.cuh includes it): plain enums only, no standard headers.
#pragma once

namespace tt {

enum UnaryOp : int {
  U_NEG = 0,
  U_ABS,
  U_EXP,
  U_LOG,
  U_SQRT,
  U_RSQRT,
  U_SIN,
  U_COS,
  U_TANH,
  U_SIGMOID,
  U_RELU,
  U_GELU,
  U_SILU,
  U_LOGICAL_NOT,
  U_COUNT
};

enum BinaryOp : int { B_ADD = 0, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_COUNT };

enum ReduceOp : int { R_SUM = 0, R_MEAN, R_PROD, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN, R_VAR, R_LOGSUMEXP, R_SOFTMAX, R_LOGSOFTMAX, R_COUNT };

// random(kind, out): p1, p2 are uniform's [low, high), normal's mean and std, randint's
// [low, high), arange's start and step (arange shares the entry: it fills by position).
enum RandomKind : int { RANDOM_UNIFORM = 0, RANDOM_NORMAL, RANDOM_RANDINT, RANDOM_ARANGE, RANDOM_COUNT };

// indexOp(kind, x, idx, out) over [outer, xdim, inner]; scatterAdd updates x in place and
// reads its source from the third view.
enum IndexKind : int { INDEX_SELECT = 0, INDEX_GATHER, INDEX_SCATTER_ADD, INDEX_COUNT };

// window2d(kind, x, out): im2col, or a pooling over NCHW.
enum WindowKind : int { WINDOW_IM2COL = 0, WINDOW_MAX_POOL, WINDOW_AVG_POOL, WINDOW_COUNT };

// window2dBackward(kind, a, b, out): col2im (a = cols), or a pooling's gradient (a = x,
// b = gradient of the output). Each value is its forward's WindowKind.
enum WindowBackwardKind : int { WINDOW_BACKWARD_COL2IM = 0, WINDOW_BACKWARD_MAX_POOL, WINDOW_BACKWARD_AVG_POOL, WINDOW_BACKWARD_COUNT };

// optimStep(kind, p, g, s1, s2): see optim_step in kernels.h for the hyperparameters.
enum OptimKind : int { OPTIM_SGD = 0, OPTIM_ADAM, OPTIM_ADAMW, OPTIM_COUNT };

// cuda.copyHost(kind, ...): which way the bytes go between a CPU and a CUDA storage.
enum HostCopyKind : int { HOST_COPY_UPLOAD = 0, HOST_COPY_DOWNLOAD, HOST_COPY_COUNT };

}  // namespace tt
