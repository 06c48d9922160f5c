// Op codes shared with src/ts/opcodes.ts (keep in sync).
#pragma once

namespace tt {

enum UnaryOp : int {
  U_NEG = 0, U_ABS, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TANH, U_SIGMOID,
  U_RELU, U_GELU, U_SILU, U_LOGICAL_NOT, U_COUNT
};

enum BinaryOp : int {
  B_ADD = 0, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN,
  B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_COUNT
};

enum ReduceOp : int {
  R_SUM = 0, R_MEAN, R_PROD, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN, R_VAR, R_LOGSUMEXP,
  R_SOFTMAX, R_LOGSOFTMAX
};

}  // namespace tt
