// copy, fill, unary, binary and where on the device.
#include <cstring>
#include <string>

#include "../ops.h"
#include "../strided.h"
#include "device_ops.h"

namespace tt::cuda {
namespace {

Operand of(const View& v) {
  Operand o;
  o.v = v;
  return o;
}

void run_elementwise(Device& d, const char* file, const std::string& kernel, const View& out, const Operand* const* ops, int nops,
                     int64_t code) {
  TTElementwiseArgs args{};
  build_iteration(out, ops, nops, &args.it, args.op);
  args.code = code;
  if (args.it.numel == 0) return;
  d.launch(d.function(file, kernel.c_str()), (uint64_t)args.it.numel, &args);
}

}  // namespace

void op_copy(Device& d, const View& src, const View& dst) {
  const Operand s = of(src), o = of(dst);
  const Operand* ops[] = {&s, &o};
  run_elementwise(d, "copy.cu", std::string("tt_copy_") + dtype_suffix(src.dtype) + "_" + dtype_suffix(dst.dtype), dst, ops, 2, 0);
}

void op_fill(Device& d, const View& dst, double value) {
  TTFillArgs args{};
  args.ptr = device_address(dst);
  args.n = dst.numel();
  const size_t es = dtype_size(dst.dtype);
  TT_DISPATCH_ALL(dst.dtype, T, {
    T v = Narrow<T>::go(value);
    std::memcpy(&args.bits, &v, sizeof v);
  });
  const std::string kernel = "tt_fill_" + std::to_string(es);
  if (args.n) d.launch(d.function("elementwise.cu", kernel.c_str()), (uint64_t)args.n, &args);
}

void op_unary(Device& d, int op, const View& x, const View& out) {
  if (op < 0 || op >= U_COUNT) throw Error("unary: unknown op");
  const bool floating = x.dtype == DType::F32 || x.dtype == DType::F64;
  if (!floating && op != U_NEG && op != U_ABS && op != U_RELU && op != U_LOGICAL_NOT) throw Error("unary op needs a floating point input");
  const Operand a = of(x), o = of(out);
  const Operand* ops[] = {&a, &o};
  run_elementwise(d, "elementwise.cu", std::string("tt_unary_") + compute_suffix(x.dtype, "unary"), out, ops, 2, op);
}

void op_binary(Device& d, int op, const Operand& a, const Operand& b, const View& out) {
  if (op < 0 || op >= B_COUNT) throw Error("binary: unknown op");
  const bool cmp = op >= B_EQ;
  const DType t = a.v.dtype;
  if (cmp ? out.dtype != DType::Bool && out.dtype != DType::U8
          : (out.dtype != t && !(t == DType::Bool && out.dtype == DType::U8) && !(t == DType::U8 && out.dtype == DType::Bool)))
    throw Error("binary: output dtype does not match the operands");
  const Operand o = of(out);
  const Operand* ops[] = {&a, &b, &o};
  run_elementwise(d, "elementwise.cu", std::string("tt_binary_") + compute_suffix(t, "binary"), out, ops, 3, op);
}

void op_where(Device& d, const Operand& cond, const Operand& a, const Operand& b, const View& out) {
  if (cond.v.dtype != DType::Bool && cond.v.dtype != DType::U8) throw Error("where: the condition must be bool");
  const Operand o = of(out);
  const Operand* ops[] = {&cond, &a, &b, &o};
  run_elementwise(d, "elementwise.cu", "tt_where_" + std::to_string(dtype_size(out.dtype)), out, ops, 4, 0);
}

}  // namespace tt::cuda
