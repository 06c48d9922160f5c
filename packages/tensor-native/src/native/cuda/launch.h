// What the host side of a kernel launch needs: the argument blocks (the same header the
// kernels include), operands that may be by-value scalars, dtype suffixes of kernel names,
// and the merge of dims that lets most elementwise launches run as one flat loop.
#pragma once
#include <cstdint>
#include <string>

#include "../common.h"

#define TT_MAX_DIMS 16
#define TT_BLOCK 256
#include "kernels/tt_args.h"

namespace tt::cuda {

static_assert(TT_MAX_DIMS == kMaxDims, "kernels and views must agree on the rank limit");
static_assert(sizeof(TTOperand) == 16 + 8 * TT_MAX_DIMS, "TTOperand must have no padding");
static_assert(sizeof(TTElementwiseArgs) == sizeof(TTIter) + 4 * sizeof(TTOperand) + 8, "no padding");

// A view on the device, or a scalar passed by value (raw bits of its dtype).
struct Operand {
  View v{};
  bool scalar = false;
  uint64_t bits = 0;
};

// "f32", "bf16", "b8"… as in kernel names.
const char* dtype_suffix(DType d);
// The suffix of the dtype kernels compute in (bool computes as u8); throws for half types.
const char* compute_suffix(DType d, const char* op);

inline uint64_t device_address(const View& v) { return reinterpret_cast<uint64_t>(v.data); }

// The iteration space of `out` with every operand's strides (scalars: 0), size-1 dims
// dropped and adjacent dims merged where all operands allow it.
void build_iteration(const View& out, const Operand* const* ops, int nops, TTIter* it, TTOperand* dst);

}  // namespace tt::cuda
