// N-API surface of the CUDA backend. Views come through the shared metadata buffer as for
// the CPU entry points, with one addition: a by-value scalar operand (see napi/views.h).
// Each entry checks its arguments and reads all of its metadata first, then its handles
// (every storage on the op's device), then relates views and parameters, and only then
// touches the device: a malformed call is a JS error, never a GPU fault, and it is the
// same error on a machine without a GPU.
#include "addon_cuda.h"

#include <algorithm>
#include <string>

#include "../allocator.h"
#include "../napi/args.h"
#include "../napi/checks.h"
#include "../napi/entry.h"
#include "../napi/handles.h"
#include "../napi/views.h"
#include "../ops.h"
#include "device.h"
#include "device_ops.h"
#include "loader.h"

namespace tt::cuda {
namespace {

using namespace ::tt::napi;
constexpr ::tt::Device kCuda = ::tt::Device::CUDA;

void release(Napi::Env env, Storage* s) {
  if (!s->data && !s->block) return;
  if (s->block) device(s->device_index).allocator().free(static_cast<Block*>(s->block));
  s->data = nullptr;
  s->block = nullptr;
  Napi::MemoryManagement::AdjustExternalMemory(env, -(int64_t)s->nbytes);
}

// The view m over the CUDA storage of argument i.
Bound gpu_view(const Args& a, size_t i, const ViewMeta& m) { return bind(m, storage_of(a, i, kCuda), a.entry()); }

Operand operand(const Bound& b) {
  Operand o;
  o.v = b.v;
  o.scalar = b.scalar;
  o.bits = b.bits;
  return o;
}

// The device all storages live on; every one must be on the same GPU.
Device& device_of(std::initializer_list<const Bound*> bound) {
  int idx = -1;
  for (const Bound* b : bound) {
    if (!b->storage) continue;
    if (idx >= 0 && b->storage->device_index != idx)
      throw Error("Expected all tensors to be on the same device, but found at least two devices, cuda:" + std::to_string(idx) +
                  " and cuda:" + std::to_string(b->storage->device_index) + "!");
    idx = b->storage->device_index;
  }
  if (idx < 0) throw Error("an op needs at least one CUDA tensor");
  return device(idx);
}

ENTRY(Alloc)
  const Args a(info, "alloc", 2);
  const int idx = a.device_index(0);
  if (a.number(1, "byte count") < 0) throw Error("alloc: negative allocation");
  const int64_t nbytes = a.size(1, "byte count");
  Device& d = device(idx);
  auto* s = new Storage();
  s->nbytes = (size_t)nbytes;
  s->device = kCuda;
  s->device_index = idx;
  try {
    Block* b = d.allocator().allocate(s->nbytes);
    s->block = b;
    s->data = b ? reinterpret_cast<void*>(b->ptr) : nullptr;
    s->block_bytes = b ? b->size : 0;
  } catch (...) {
    delete s;
    throw;
  }
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), nbytes);
  return wrap_storage(info.Env(), s, [](Napi::Env env, Storage* st) {
    try {
      release(env, st);
    } catch (...) {}
    delete st;
  });
END

ENTRY(Free)
  const Args a(info, "free", 1);
  release(info.Env(), storage_handle(a, 0, kCuda));
  return info.Env().Undefined();
END

ENTRY(Upload)
  const Args a(info, "upload", 3);
  const int64_t off = a.size(1, "byte offset");
  const Args::Bytes src = a.bytes(2, "data");
  Storage* s = storage_of(a, 0, kCuda);
  if (off + (int64_t)src.len > (int64_t)s->nbytes) throw Error("write out of bounds");
  if (src.len) device(s->device_index).upload(reinterpret_cast<uint64_t>(s->data) + (uint64_t)off, src.data, src.len);
  return info.Env().Undefined();
END

ENTRY(Download)
  const Args a(info, "download", 3);
  const int64_t off = a.size(1, "byte offset"), len = a.size(2, "byte length");
  Storage* s = storage_of(a, 0, kCuda);
  if (off + len > (int64_t)s->nbytes) throw Error("read out of bounds");
  auto buf = Napi::ArrayBuffer::New(info.Env(), (size_t)len);
  if (len) device(s->device_index).download(buf.Data(), reinterpret_cast<uint64_t>(s->data) + (uint64_t)off, (size_t)len);
  return buf;
END

// Bytes between a CUDA and a CPU storage (see HostCopyKind); a download waits.
ENTRY(CopyHost)
  const Args a(info, "copyHost", 6);
  const int kind = a.code(0, HOST_COPY_COUNT, "kind");
  const int64_t goff = a.size(2, "CUDA byte offset"), coff = a.size(4, "CPU byte offset"), n = a.size(5, "byte count");
  Storage* g = storage_of(a, 1, kCuda);
  Storage* c = storage_of(a, 3, ::tt::Device::CPU);
  if (goff + n > (int64_t)g->nbytes || coff + n > (int64_t)c->nbytes) throw Error("copy out of bounds");
  Device& d = device(g->device_index);
  const uint64_t gp = reinterpret_cast<uint64_t>(g->data) + (uint64_t)goff;
  char* cp = static_cast<char*>(c->data) + coff;
  if (n == 0) return info.Env().Undefined();
  if (kind == HOST_COPY_UPLOAD) d.upload(gp, cp, (size_t)n);
  else d.download(cp, gp, (size_t)n);
  return info.Env().Undefined();
END

ENTRY(Copy)
  const Args a(info, "copy", 2);
  MetaReader m(info.Env(), "copy");
  const ViewMeta sm = m.view(), dm = m.view();
  const Bound s = gpu_view(a, 0, sm), o = gpu_view(a, 1, dm);
  require_same_shape(s.v, o.v, "copy");
  op_copy(device_of({&s, &o}), s.v, o.v);
  return info.Env().Undefined();
END

ENTRY(Fill)
  const Args a(info, "fill", 1);
  MetaReader m(info.Env(), "fill");
  const ViewMeta om = m.view();
  const double value = m.number();
  const Bound o = gpu_view(a, 0, om);
  require_contiguous(o.v, "fill");
  op_fill(device_of({&o}), o.v, value);
  return info.Env().Undefined();
END

ENTRY(Unary)
  const Args a(info, "unary", 3);
  const int op = a.code(0, U_COUNT, "op");
  MetaReader m(info.Env(), "unary");
  const ViewMeta xm = m.view(), om = m.view();
  const Bound x = gpu_view(a, 1, xm), o = gpu_view(a, 2, om);
  check_unary(x.v, o.v);
  op_unary(device_of({&x, &o}), op, x.v, o.v);
  return info.Env().Undefined();
END

ENTRY(Binary)
  const Args a(info, "binary", 4);
  const int op = a.code(0, B_COUNT, "op");
  MetaReader m(info.Env(), "binary");
  const ViewMeta xm = m.view(true), ym = m.view(true), om = m.view();
  const Bound x = bind_operand(xm, a, 1, kCuda), y = bind_operand(ym, a, 2, kCuda), o = gpu_view(a, 3, om);
  check_binary(op, x, y, o.v);
  op_binary(device_of({&x, &y, &o}), op, operand(x), operand(y), o.v);
  return info.Env().Undefined();
END

ENTRY(Where)
  const Args a(info, "where", 4);
  MetaReader m(info.Env(), "where");
  const ViewMeta cm = m.view(true), xm = m.view(true), ym = m.view(true), om = m.view();
  const Bound c = bind_operand(cm, a, 0, kCuda), x = bind_operand(xm, a, 1, kCuda), y = bind_operand(ym, a, 2, kCuda);
  const Bound o = gpu_view(a, 3, om);
  check_where(c, x, y, o.v);
  op_where(device_of({&c, &x, &y, &o}), operand(c), operand(x), operand(y), o.v);
  return info.Env().Undefined();
END

ENTRY(Reduce)
  const Args a(info, "reduce", 3);
  const int op = a.code(0, R_COUNT, "op");
  MetaReader m(info.Env(), "reduce");
  const ViewMeta xm = m.view(), om = m.view();
  const ReduceParams r = read_reduce(m);
  const Bound x = gpu_view(a, 1, xm), o = gpu_view(a, 2, om);
  check_reduce(op, r, x.v, o.v);
  op_reduce(device_of({&x, &o}), op, x.v, r.outer, r.n, o.v, r.correction);
  return info.Env().Undefined();
END

// meta after the views: transa, transb, m, n, k, lda, ldb, ldc, strideA, strideB, strideC, batch.
GemmCall read_gemm(MetaReader& m) {
  GemmCall c{};
  c.transa = (int)m.integer(0, 1, "transa");
  c.transb = (int)m.integer(0, 1, "transb");
  c.m = m.integer(1, kMaxExact, "m");
  c.n = m.integer(1, kMaxExact, "n");
  c.k = m.integer(1, kMaxExact, "k");
  c.lda = m.integer(1, kMaxExact, "lda");
  c.ldb = m.integer(1, kMaxExact, "ldb");
  c.ldc = m.integer(1, kMaxExact, "ldc");
  c.stride_a = m.integer(0, kMaxExact, "strideA");
  c.stride_b = m.integer(0, kMaxExact, "strideB");
  c.stride_c = m.integer(0, kMaxExact, "strideC");
  c.batch = m.integer(1, kMaxExact, "batch");
  return c;
}

// Elements of b's storage from its view's offset on.
int64_t available_elements(const Bound& b) { return (int64_t)(b.storage->nbytes / dtype_size(b.v.dtype)) - b.offset; }

// The highest element a column-major operand of a strided-batched GEMM touches, + 1
// (every factor is below 2^53, so this cannot overflow 128 bits).
__int128 gemm_extent(int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch) {
  return (__int128)(batch - 1) * stride + (rows - 1) + (__int128)(cols - 1) * ld + 1;
}

// a, b: cuBLAS's A and B operands; o: C (see src/ts/cuda/gemm-plan.ts).
ENTRY(Gemm)
  const Args a(info, "gemm", 4);
  const bool tf32 = a.boolean(3, "allowTf32");
  MetaReader m(info.Env(), "gemm");
  const ViewMeta am = m.view(), bm = m.view(), om = m.view();
  const GemmCall c = read_gemm(m);
  const Bound x = gpu_view(a, 0, am), y = gpu_view(a, 1, bm), o = gpu_view(a, 2, om);
  const DType t = o.v.dtype;
  if (x.v.dtype != t || y.v.dtype != t) throw Error("matmul: operand dtypes do not match");
  const int64_t ar = c.transa ? c.k : c.m, ac = c.transa ? c.m : c.k;
  const int64_t br = c.transb ? c.n : c.k, bc = c.transb ? c.k : c.n;
  if (c.lda < ar || c.ldb < br || c.ldc < c.m) throw Error("matmul: leading dimensions too small");
  if (gemm_extent(ar, ac, c.lda, c.stride_a, c.batch) > available_elements(x) ||
      gemm_extent(br, bc, c.ldb, c.stride_b, c.batch) > available_elements(y) ||
      gemm_extent(c.m, c.n, c.ldc, c.stride_c, c.batch) > available_elements(o))
    throw Error("matmul: GEMM operands out of bounds of their storage");
  op_gemm(device_of({&x, &y, &o}), x.v, y.v, o.v, c, tf32);
  return info.Env().Undefined();
END

// Integer matmul (no cuBLAS), checked as the CPU's matmul.
ENTRY(MatmulInt)
  const Args a(info, "matmulInt", 3);
  MetaReader m(info.Env(), "matmulInt");
  const ViewMeta am = m.view(), bm = m.view(), om = m.view();
  const Bound x = gpu_view(a, 0, am), y = gpu_view(a, 1, bm), o = gpu_view(a, 2, om);
  check_matmul(x.v, y.v, o.v);
  op_matmul_int(device_of({&x, &y, &o}), x.v, y.v, o.v);
  return info.Env().Undefined();
END

// meta after the view: p1, p2, seed (low, high 32 bits), offset (low, high 32 bits).
ENTRY(Random)
  const Args a(info, "random", 2);
  const int kind = a.code(0, RANDOM_COUNT, "kind");
  MetaReader m(info.Env(), "random");
  const ViewMeta om = m.view();
  const RandomParams r = read_random(m, kind);
  uint64_t words[4];
  for (uint64_t& w : words) w = (uint64_t)m.integer(0, UINT32_MAX, "random seed and offset words");
  const Bound o = gpu_view(a, 1, om);
  require_contiguous(o.v, "random");
  op_random(device_of({&o}), kind, o.v, r.p1, r.p2, words[0] | words[1] << 32, words[2] | words[3] << 32);
  return info.Env().Undefined();
END

ENTRY(IndexOp)
  const Args a(info, "indexOp", 4);
  const int kind = a.code(0, INDEX_COUNT, "kind");
  MetaReader m(info.Env(), "indexOp");
  const ViewMeta xm = m.view(), im = m.view(), om = m.view();
  const IndexSizes s = read_index(m);
  const Bound x = gpu_view(a, 1, xm), idx = gpu_view(a, 2, im), o = gpu_view(a, 3, om);
  check_index(kind, s, x.v, idx.v, o.v);
  op_index(device_of({&x, &idx, &o}), kind, x.v, idx.v, o.v, s.outer, s.xdim, s.inner, s.idim);
  return info.Env().Undefined();
END

ENTRY(Window2d)
  const Args a(info, "window2d", 3);
  const int kind = a.code(0, WINDOW_COUNT, "kind");
  MetaReader m(info.Env(), "window2d");
  const ViewMeta xm = m.view(), om = m.view();
  const Conv2dGeom g = read_geometry(m);
  const Bound x = gpu_view(a, 1, xm), o = gpu_view(a, 2, om);
  check_window(kind, x.v, o.v, g);
  op_window(device_of({&x, &o}), kind, x.v, o.v, g);
  return info.Env().Undefined();
END

ENTRY(Window2dBackward)
  const Args a(info, "window2dBackward", 4);
  const int kind = a.code(0, WINDOW_BACKWARD_COUNT, "kind");
  MetaReader m(info.Env(), "window2dBackward");
  const ViewMeta xm = m.view(), ym = m.view(), om = m.view();
  const Conv2dGeom g = read_geometry(m);
  const Bound x = gpu_view(a, 1, xm), y = gpu_view(a, 2, ym), o = gpu_view(a, 3, om);
  check_window_backward(kind, x.v, y.v, o.v, g);
  op_window_backward(device_of({&x, &y, &o}), kind, x.v, y.v, o.v, g);
  return info.Env().Undefined();
END

ENTRY(OptimStep)
  const Args a(info, "optimStep", 5);
  const int kind = a.code(0, OPTIM_COUNT, "kind");
  MetaReader m(info.Env(), "optimStep");
  const ViewMeta pm = m.view(), gm = m.view(), m1 = m.view(), m2 = m.view();
  const double* hyper = read_optim_hyper(m);
  const Bound p = gpu_view(a, 1, pm), g = gpu_view(a, 2, gm), s1 = gpu_view(a, 3, m1), s2 = gpu_view(a, 4, m2);
  check_optim(p.v, g.v, s1.v, s2.v);
  op_optim(device_of({&p, &g, &s1, &s2}), kind, p.v, g.v, s1.v, s2.v, hyper);
  return info.Env().Undefined();
END

}  // namespace

void register_exports(Napi::Env env, Napi::Object exports) {
  auto o = Napi::Object::New(env);
  const Export fns[] = {
      {"alloc", Alloc},
      {"free", Free},
      {"upload", Upload},
      {"download", Download},
      {"copyHost", CopyHost},
      {"copy", Copy},
      {"fill", Fill},
      {"unary", Unary},
      {"binary", Binary},
      {"where", Where},
      {"reduce", Reduce},
      {"gemm", Gemm},
      {"matmulInt", MatmulInt},
      {"random", Random},
      {"indexOp", IndexOp},
      {"window2d", Window2d},
      {"window2dBackward", Window2dBackward},
      {"optimStep", OptimStep},
  };
  export_functions(env, o, fns);
  register_info_exports(env, o);
  exports.Set("cuda", o);
}

}  // namespace tt::cuda
