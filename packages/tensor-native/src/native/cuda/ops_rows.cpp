// Row reductions, random fills, index ops and the fused optimizer step on the device.
#include <cmath>
#include <string>

#include "../ops.h"
#include "device_ops.h"

namespace tt::cuda {

void op_reduce(Device& d, int op, const View& x, int64_t outer, int64_t n, const View& out, double correction) {
  TTReduceArgs args{};
  args.x = device_address(x);
  args.out = device_address(out);
  args.outer = outer;
  args.n = n;
  args.code = op;
  args.correction = correction;
  std::string kernel;
  if (op == R_SOFTMAX || op == R_LOGSOFTMAX) {
    if (x.dtype != DType::F32 && x.dtype != DType::F64) throw Error("softmax needs a floating point input");
    kernel = std::string("tt_softmax_") + dtype_suffix(x.dtype);
  } else {
    const char* ts = compute_suffix(x.dtype, "reduce");
    const char* os = compute_suffix(out.dtype, "reduce");
    // float32 rows may reduce into float64 (std keeps its variance there until the root).
    const bool ok = std::string(os) == ts || out.dtype == DType::I64 || (x.dtype == DType::F32 && out.dtype == DType::F64);
    if (!ok) throw Error(std::string("reduce: no kernel from ") + ts + " to " + os);
    kernel = std::string("tt_reduce_") + ts + "_" + os;
  }
  if (outer > 0) d.launch(d.function("reduce.cu", kernel.c_str()), (uint64_t)outer, &args, true);
}

void op_random(Device& d, int kind, const View& out, double p1, double p2, uint64_t seed, uint64_t offset) {
  if (kind < 0 || kind >= RANDOM_COUNT) throw Error("random: unknown kind");
  TTRandomArgs args{};
  args.out = device_address(out);
  args.n = out.numel();
  args.kind = kind;
  args.seed = seed;
  args.offset = offset;
  args.p1 = p1;
  args.p2 = p2;
  args.lo = (int64_t)p1;
  args.hi = (int64_t)p2;
  const std::string kernel = std::string("tt_random_") + dtype_suffix(out.dtype);
  if (args.n) d.launch(d.function("random.cu", kernel.c_str()), (uint64_t)args.n, &args);
}

void op_index(Device& d, int kind, const View& x, const View& idx, const View& other, int64_t outer, int64_t xdim, int64_t inner,
              int64_t idim) {
  TTIndexArgs args{};
  args.x = device_address(x);
  args.idx = device_address(idx);
  args.out = device_address(other);
  args.outer = outer;
  args.xdim = xdim;
  args.inner = inner;
  args.idim = idim;
  args.count = outer * idim * inner;
  std::string kernel;
  if (kind == INDEX_SELECT) kernel = "tt_index_select_" + std::to_string(dtype_size(x.dtype));
  else if (kind == INDEX_GATHER) kernel = "tt_gather_" + std::to_string(dtype_size(x.dtype));
  else if (kind == INDEX_SCATTER_ADD) kernel = std::string("tt_scatter_add_") + compute_suffix(x.dtype, "scatterAdd");
  else throw Error("index: unknown kind");
  if (args.count) d.launch(d.function("index.cu", kernel.c_str()), (uint64_t)args.count, &args);
}

void op_optim(Device& d, int kind, const View& p, const View& g, const View& s1, const View& s2, const double* h) {
  if (p.dtype != DType::F32 && p.dtype != DType::F64) throw Error("optimizer: parameters must be float32 or float64");
  TTOptimArgs args{};
  args.p = device_address(p);
  args.g = device_address(g);
  args.s1 = device_address(s1);
  args.s2 = device_address(s2);
  args.n = p.numel();
  args.kind = kind;
  for (int i = 0; i < 7; i++) args.h[i] = h[i];
  if (kind != OPTIM_SGD) {  // the bias corrections, computed once as optim.cpp does
    const double bc1 = 1 - std::pow(h[1], h[5]), bc2 = 1 - std::pow(h[2], h[5]);
    args.step_size = h[0] / bc1;
    args.bc2_sqrt = std::sqrt(bc2);
  }
  const std::string kernel = std::string(kind == OPTIM_SGD ? "tt_sgd_" : "tt_adam_") + dtype_suffix(p.dtype);
  if (args.n) d.launch(d.function("optim.cu", kernel.c_str()), (uint64_t)args.n, &args);
}

}  // namespace tt::cuda
