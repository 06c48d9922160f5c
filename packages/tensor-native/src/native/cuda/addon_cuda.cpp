// N-API surface of the CUDA backend. Views come through the shared metadata buffer as for
// the CPU entry points ([dtype, ndim, offset, shape..., strides...]); a by-value scalar
// operand is [dtype, -1, low 32 bits, high 32 bits] with a null handle. Every view is
// checked against its storage, and every storage must be on the op's device, before
// anything is queued: bad metadata is a JS error, never a GPU fault.
#include "addon_cuda.h"

#include <cstring>
#include <string>
#include <vector>

#include "../allocator.h"
#include "../interrupt.h"
#include "../ops.h"
#include "../view_checks.h"
#include "device.h"
#include "device_ops.h"
#include "loader.h"
#include "napi_entry.h"

namespace tt::cuda {
namespace {

double* g_meta = nullptr;
size_t g_meta_len = 0;

void release(Napi::Env env, Storage* s) {
  if (!s->data && !s->block) return;
  if (s->block) device(s->device_index).allocator().free(static_cast<Block*>(s->block));
  s->data = nullptr;
  s->block = nullptr;
  Napi::MemoryManagement::AdjustExternalMemory(env, -(int64_t)s->nbytes);
}

Storage* storage_of(const Napi::Value& v) {
  if (!v.IsExternal()) throw Error("expected a storage handle");
  Storage* s = v.As<Napi::External<Storage>>().Data();
  if (s->device != ::tt::Device::CUDA) throw Error("expected a CUDA tensor, got a CPU one");
  if (!s->data && s->nbytes > 0) throw Error("tensor storage was already freed");
  return s;
}

Storage* cpu_storage_of(const Napi::Value& v) {
  if (!v.IsExternal()) throw Error("expected a storage handle");
  Storage* s = v.As<Napi::External<Storage>>().Data();
  if (s->device != ::tt::Device::CPU) throw Error("expected a CPU tensor, got a CUDA one");
  if (!s->data && s->nbytes > 0) throw Error("tensor storage was already freed");
  return s;
}

struct Read {
  Operand op;
  Storage* storage = nullptr;  // null for scalars
  int64_t offset = 0;          // elements
};

// One operand at meta[*pos]; handle null/undefined only for a by-value scalar.
Read read(const Napi::Value& handle, size_t* pos, bool allow_scalar) {
  Read r;
  size_t p = *pos;
  if (p + 3 > g_meta_len) throw Error("metadata overflow");
  int dt = (int)g_meta[p];
  if (dt < 0 || dt > 7) throw Error("bad dtype code");
  View& v = r.op.v;
  v.dtype = (DType)dt;
  if (g_meta[p + 1] == -1) {
    if (!allow_scalar || !(handle.IsNull() || handle.IsUndefined())) throw Error("unexpected scalar operand");
    if (p + 4 > g_meta_len) throw Error("metadata overflow");
    r.op.scalar = true;
    r.op.bits = (uint64_t)(uint32_t)g_meta[p + 2] | ((uint64_t)(uint32_t)g_meta[p + 3] << 32);
    v.ndim = 0;
    *pos = p + 4;
    return r;
  }
  r.storage = storage_of(handle);
  v.ndim = (int)g_meta[p + 1];
  if (v.ndim < 0 || v.ndim > kMaxDims) throw Error("too many dimensions (at most 16)");
  r.offset = (int64_t)g_meta[p + 2];
  p += 3;
  if (p + 2 * (size_t)v.ndim > g_meta_len) throw Error("metadata overflow");
  int64_t lo = r.offset, hi = r.offset;
  bool empty = false;
  for (int d = 0; d < v.ndim; d++) {
    v.shape[d] = (int64_t)g_meta[p + d];
    v.strides[d] = (int64_t)g_meta[p + v.ndim + d];
    if (v.shape[d] < 0) throw Error("negative size");
    if (v.shape[d] == 0) empty = true;
    int64_t span = (v.shape[d] - 1) * v.strides[d];
    if (span > 0) hi += span; else lo += span;
  }
  *pos = p + 2 * (size_t)v.ndim;
  const int64_t es = (int64_t)dtype_size(v.dtype);
  if (!empty && (lo < 0 || (hi + 1) * es > (int64_t)r.storage->nbytes)) throw Error("view out of bounds of its storage");
  v.data = static_cast<char*>(r.storage->data) + r.offset * es;
  return r;
}

// The device all storages live on; every one must be on the same GPU.
Device& device_of(std::initializer_list<const Read*> reads) {
  int idx = -1;
  for (const Read* r : reads) {
    if (!r->storage) continue;
    if (idx >= 0 && r->storage->device_index != idx)
      throw Error("Expected all tensors to be on the same device, but found at least two devices, cuda:" +
                  std::to_string(idx) + " and cuda:" + std::to_string(r->storage->device_index) + "!");
    idx = r->storage->device_index;
  }
  if (idx < 0) throw Error("an op needs at least one CUDA tensor");
  return device(idx);
}

// A scalar operand broadcasts to anything; a view must have the output's shape.
void require_operand_shape(const Operand& o, const View& out, const char* op) {
  if (!o.scalar) require_same_shape(o.v, out, op);
}

Conv2dGeom geom_at(size_t p) {
  Conv2dGeom g{};
  int64_t* f[] = {&g.kh, &g.kw, &g.sh, &g.sw, &g.ph, &g.pw, &g.dh, &g.dw, &g.oh, &g.ow};
  if (p + 10 > g_meta_len) throw Error("metadata overflow");
  for (int i = 0; i < 10; i++) *f[i] = (int64_t)g_meta[p + i];
  if (g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1 || g.ph < 0 || g.pw < 0 || g.oh < 0 || g.ow < 0)
    throw Error("window2d: bad geometry");
  return g;
}

ENTRY(Alloc)
  const int idx = device_index_arg(info[0]);
  const int64_t nbytes = info[1].As<Napi::Number>().Int64Value();
  if (nbytes < 0) throw Error("negative allocation");
  Device& d = device(idx);
  auto* s = new Storage();
  s->nbytes = (size_t)nbytes;
  s->device = ::tt::Device::CUDA;
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
  return Napi::External<Storage>::New(info.Env(), s, [](Napi::Env env, Storage* st) {
    try {
      release(env, st);
    } catch (...) {
    }
    delete st;
  });
END

ENTRY(Free)
  if (!info[0].IsExternal()) throw Error("expected a storage handle");
  Storage* s = info[0].As<Napi::External<Storage>>().Data();
  if (s->device != ::tt::Device::CUDA) throw Error("free: not a CUDA storage");
  release(info.Env(), s);
  return info.Env().Undefined();
END

ENTRY(Upload)
  Storage* s = storage_of(info[0]);
  const int64_t off = info[1].As<Napi::Number>().Int64Value();
  auto ta = info[2].As<Napi::TypedArray>();
  const size_t len = ta.ByteLength();
  if (off < 0 || off + (int64_t)len > (int64_t)s->nbytes) throw Error("write out of bounds");
  if (len) device(s->device_index).upload(reinterpret_cast<uint64_t>(s->data) + (uint64_t)off,
                                          static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), len);
  return info.Env().Undefined();
END

ENTRY(Download)
  Storage* s = storage_of(info[0]);
  const int64_t off = info[1].As<Napi::Number>().Int64Value(), len = info[2].As<Napi::Number>().Int64Value();
  if (off < 0 || len < 0 || off + len > (int64_t)s->nbytes) throw Error("read out of bounds");
  auto buf = Napi::ArrayBuffer::New(info.Env(), (size_t)len);
  if (len) device(s->device_index).download(buf.Data(), reinterpret_cast<uint64_t>(s->data) + (uint64_t)off, (size_t)len);
  return buf;
END

// kind 0: CPU storage -> CUDA storage; 1: CUDA -> CPU (waits). Byte ranges, checked.
ENTRY(CopyHost)
  const int kind = info[0].As<Napi::Number>().Int32Value();
  Storage* g = storage_of(info[1]);
  const int64_t goff = info[2].As<Napi::Number>().Int64Value();
  Storage* c = cpu_storage_of(info[3]);
  const int64_t coff = info[4].As<Napi::Number>().Int64Value(), n = info[5].As<Napi::Number>().Int64Value();
  if (n < 0 || goff < 0 || coff < 0 || goff + n > (int64_t)g->nbytes || coff + n > (int64_t)c->nbytes)
    throw Error("copy out of bounds");
  Device& d = device(g->device_index);
  const uint64_t gp = reinterpret_cast<uint64_t>(g->data) + (uint64_t)goff;
  char* cp = static_cast<char*>(c->data) + coff;
  if (n == 0) return info.Env().Undefined();
  if (kind == 0) d.upload(gp, cp, (size_t)n);
  else d.download(cp, gp, (size_t)n);
  return info.Env().Undefined();
END

ENTRY(Copy)
  size_t p = 0;
  Read s = read(info[0], &p, false), o = read(info[1], &p, false);
  Device& d = device_of({&s, &o});
  require_same_shape(s.op.v, o.op.v, "copy");
  op_copy(d, s.op.v, o.op.v);
  return info.Env().Undefined();
END

ENTRY(Fill)
  size_t p = 0;
  Read o = read(info[0], &p, false);
  require_contiguous(o.op.v, "fill");
  if (p + 1 > g_meta_len) throw Error("metadata overflow");
  op_fill(device_of({&o}), o.op.v, g_meta[p]);
  return info.Env().Undefined();
END

ENTRY(Unary)
  size_t p = 0;
  const int op = info[0].As<Napi::Number>().Int32Value();
  Read x = read(info[1], &p, false), o = read(info[2], &p, false);
  require_same_shape(x.op.v, o.op.v, "unary");
  if (x.op.v.dtype != o.op.v.dtype) throw Error("unary: output dtype must match the input");
  op_unary(device_of({&x, &o}), op, x.op.v, o.op.v);
  return info.Env().Undefined();
END

ENTRY(Binary)
  size_t p = 0;
  const int op = info[0].As<Napi::Number>().Int32Value();
  Read a = read(info[1], &p, true), b = read(info[2], &p, true), o = read(info[3], &p, false);
  require_operand_shape(a.op, o.op.v, "binary");
  require_operand_shape(b.op, o.op.v, "binary");
  if (a.op.v.dtype != b.op.v.dtype) throw Error("binary: operands must share a dtype");
  op_binary(device_of({&a, &b, &o}), op, a.op, b.op, o.op.v);
  return info.Env().Undefined();
END

ENTRY(Where)
  size_t p = 0;
  Read c = read(info[0], &p, true), a = read(info[1], &p, true), b = read(info[2], &p, true), o = read(info[3], &p, false);
  for (const Read* r : {&c, &a, &b}) require_operand_shape(r->op, o.op.v, "where");
  if (a.op.v.dtype != b.op.v.dtype || a.op.v.dtype != o.op.v.dtype) throw Error("where: operands must share a dtype");
  op_where(device_of({&c, &a, &b, &o}), c.op, a.op, b.op, o.op.v);
  return info.Env().Undefined();
END

ENTRY(Reduce)
  size_t p = 0;
  const int op = info[0].As<Napi::Number>().Int32Value();
  Read x = read(info[1], &p, false), o = read(info[2], &p, false);
  if (p + 3 > g_meta_len) throw Error("metadata overflow");
  const int64_t outer = (int64_t)g_meta[p], n = (int64_t)g_meta[p + 1];
  const bool rows_out = op == R_SOFTMAX || op == R_LOGSOFTMAX;
  require_contiguous(x.op.v, "reduce");
  require_contiguous(o.op.v, "reduce");
  if (op < 0 || op > R_LOGSOFTMAX) throw Error("reduce: unknown op");
  if (outer * n != x.op.v.numel() || o.op.v.numel() != (rows_out ? outer * n : outer) || n <= 0)
    throw Error("reduce: sizes do not match the views");
  if (rows_out && o.op.v.dtype != x.op.v.dtype) throw Error("softmax: output dtype must match the input");
  op_reduce(device_of({&x, &o}), op, x.op.v, outer, n, o.op.v, g_meta[p + 2]);
  return info.Env().Undefined();
END

int64_t available_elements(const Read& r) {
  return (int64_t)(r.storage->nbytes / dtype_size(r.op.v.dtype)) - r.offset;
}

// The highest element a column-major operand of a strided-batched GEMM touches, + 1.
int64_t gemm_extent(int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch) {
  return (batch - 1) * stride + (rows - 1) + (cols - 1) * ld + 1;
}

// a, b: cuBLAS's A and B operands; o: C. meta after the views: transa, transb, m, n, k,
// lda, ldb, ldc, strideA, strideB, strideC, batch.
ENTRY(Gemm)
  size_t p = 0;
  Read a = read(info[0], &p, false), b = read(info[1], &p, false), o = read(info[2], &p, false);
  const bool tf32 = info[3].ToBoolean().Value();
  if (p + 12 > g_meta_len) throw Error("metadata overflow");
  GemmCall c{};
  c.transa = (int)g_meta[p];
  c.transb = (int)g_meta[p + 1];
  int64_t* f[] = {&c.m, &c.n, &c.k, &c.lda, &c.ldb, &c.ldc, &c.stride_a, &c.stride_b, &c.stride_c, &c.batch};
  for (int i = 0; i < 10; i++) *f[i] = (int64_t)g_meta[p + 2 + i];
  const DType t = o.op.v.dtype;
  if (a.op.v.dtype != t || b.op.v.dtype != t) throw Error("matmul: operand dtypes do not match");
  if ((c.transa != 0 && c.transa != 1) || (c.transb != 0 && c.transb != 1) || c.m < 1 || c.n < 1 || c.k < 1 ||
      c.batch < 1 || c.stride_a < 0 || c.stride_b < 0 || c.stride_c < 0)
    throw Error("matmul: bad GEMM parameters");
  const int64_t ar = c.transa ? c.k : c.m, ac = c.transa ? c.m : c.k;
  const int64_t br = c.transb ? c.n : c.k, bc = c.transb ? c.k : c.n;
  if (c.lda < std::max<int64_t>(1, ar) || c.ldb < std::max<int64_t>(1, br) || c.ldc < std::max<int64_t>(1, c.m))
    throw Error("matmul: leading dimensions too small");
  if (gemm_extent(ar, ac, c.lda, c.stride_a, c.batch) > available_elements(a) ||
      gemm_extent(br, bc, c.ldb, c.stride_b, c.batch) > available_elements(b) ||
      gemm_extent(c.m, c.n, c.ldc, c.stride_c, c.batch) > available_elements(o))
    throw Error("matmul: GEMM operands out of bounds of their storage");
  op_gemm(device_of({&a, &b, &o}), a.op.v, b.op.v, o.op.v, c, tf32);
  return info.Env().Undefined();
END

// Integer matmul: a [batch..., M, K], b [batch..., K, N] (broadcast batch strides), out contiguous.
ENTRY(MatmulInt)
  size_t p = 0;
  Read a = read(info[0], &p, false), b = read(info[1], &p, false), o = read(info[2], &p, false);
  const View &av = a.op.v, &bv = b.op.v, &ov = o.op.v;
  const int nd = ov.ndim;
  if (nd < 2 || av.ndim != nd || bv.ndim != nd) throw Error("matmul: bad ranks");
  bool ok = bv.shape[nd - 2] == av.shape[nd - 1] && ov.shape[nd - 2] == av.shape[nd - 2] &&
            ov.shape[nd - 1] == bv.shape[nd - 1] && ov.strides[nd - 1] == 1 && av.dtype == bv.dtype && av.dtype == ov.dtype;
  for (int d = 0; ok && d < nd - 2; d++) ok = av.shape[d] == ov.shape[d] && bv.shape[d] == ov.shape[d];
  if (!ok) throw Error("matmul: operand shapes or dtypes do not match");
  op_matmul_int(device_of({&a, &b, &o}), av, bv, ov);
  return info.Env().Undefined();
END

// meta after the view: p1, p2, seed (low, high 32 bits), offset (low, high 32 bits).
ENTRY(Random)
  size_t p = 0;
  const int kind = info[0].As<Napi::Number>().Int32Value();
  Read o = read(info[1], &p, false);
  require_contiguous(o.op.v, "random");
  if (p + 6 > g_meta_len) throw Error("metadata overflow");
  const double p1 = g_meta[p], p2 = g_meta[p + 1];
  if (kind == 2 && !(p2 > p1)) throw Error("randint: high must be greater than low");
  const uint64_t seed = (uint64_t)(uint32_t)g_meta[p + 2] | ((uint64_t)(uint32_t)g_meta[p + 3] << 32);
  const uint64_t offset = (uint64_t)(uint32_t)g_meta[p + 4] | ((uint64_t)(uint32_t)g_meta[p + 5] << 32);
  op_random(device_of({&o}), kind, o.op.v, p1, p2, seed, offset);
  return info.Env().Undefined();
END

ENTRY(IndexOp)
  size_t p = 0;
  const int kind = info[0].As<Napi::Number>().Int32Value();
  Read x = read(info[1], &p, false), idx = read(info[2], &p, false), o = read(info[3], &p, false);
  if (p + 4 > g_meta_len) throw Error("metadata overflow");
  const int64_t outer = (int64_t)g_meta[p], xdim = (int64_t)g_meta[p + 1], inner = (int64_t)g_meta[p + 2],
                idim = (int64_t)g_meta[p + 3];
  for (const Read* r : {&x, &idx, &o}) require_contiguous(r->op.v, "index");
  if (idx.op.v.dtype != DType::I64 || x.op.v.dtype != o.op.v.dtype) throw Error("index: bad dtypes");
  const int64_t nidx = idx.op.v.numel();
  if (outer < 0 || xdim < 0 || inner < 0 || idim < 0 || outer * xdim * inner != x.op.v.numel() ||
      (kind == 0 ? (nidx != idim || o.op.v.numel() != outer * idim * inner)
                 : (nidx != outer * idim * inner || o.op.v.numel() != nidx)))
    throw Error("index: sizes do not match the views");
  op_index(device_of({&x, &idx, &o}), kind, x.op.v, idx.op.v, o.op.v, outer, xdim, inner, idim);
  return info.Env().Undefined();
END

ENTRY(Window2d)
  size_t p = 0;
  const int kind = info[0].As<Napi::Number>().Int32Value();
  Read x = read(info[1], &p, false), o = read(info[2], &p, false);
  const Conv2dGeom g = geom_at(p);
  const View &xv = x.op.v, &ov = o.op.v;
  require_contiguous(xv, "window2d");
  require_contiguous(ov, "window2d");
  if (xv.ndim != 4 || xv.dtype != ov.dtype || kind < 0 || kind > 2) throw Error("window2d: bad geometry");
  const int64_t expect = kind == 0 ? xv.shape[0] * xv.shape[1] * g.kh * g.kw * g.oh * g.ow
                                   : xv.shape[0] * xv.shape[1] * g.oh * g.ow;
  if (ov.numel() != expect) throw Error("window2d: output size does not match the geometry");
  op_window(device_of({&x, &o}), kind, xv, ov, g);
  return info.Env().Undefined();
END

ENTRY(Window2dBackward)
  size_t p = 0;
  const int kind = info[0].As<Napi::Number>().Int32Value();
  Read a = read(info[1], &p, false), b = read(info[2], &p, false), o = read(info[3], &p, false);
  const Conv2dGeom g = geom_at(p);
  const View &av = a.op.v, &bv = b.op.v, &ov = o.op.v;
  for (const View* v : {&av, &bv, &ov}) require_contiguous(*v, "window2dBackward");
  if (ov.ndim != 4 || av.dtype != ov.dtype || bv.dtype != ov.dtype || kind < 0 || kind > 2)
    throw Error("window2dBackward: bad geometry");
  const int64_t planes = ov.shape[0] * ov.shape[1];
  if (kind == 0 ? av.numel() != planes * g.kh * g.kw * g.oh * g.ow
                : (av.numel() != ov.numel() || bv.numel() != planes * g.oh * g.ow))
    throw Error("window2dBackward: sizes do not match the geometry");
  op_window_backward(device_of({&a, &b, &o}), kind, av, bv, ov, g);
  return info.Env().Undefined();
END

ENTRY(OptimStep)
  size_t p = 0;
  const int kind = info[0].As<Napi::Number>().Int32Value();
  if (kind < 0 || kind > 2) throw Error("optimStep: unknown optimizer kind");
  Read par = read(info[1], &p, false), grad = read(info[2], &p, false), s1 = read(info[3], &p, false),
       s2 = read(info[4], &p, false);
  for (const Read* r : {&par, &grad, &s1, &s2}) {
    require_contiguous(r->op.v, "optimStep");
    if (r->op.v.dtype != par.op.v.dtype || r->op.v.numel() != par.op.v.numel())
      throw Error("optimStep: state and gradient must match the parameter");
  }
  if (p + 7 > g_meta_len) throw Error("metadata overflow");
  op_optim(device_of({&par, &grad, &s1, &s2}), kind, par.op.v, grad.op.v, s1.op.v, s2.op.v, g_meta + p);
  return info.Env().Undefined();
END

// device -1: every device started so far.
}  // namespace

void set_meta(double* meta, size_t len) {
  g_meta = meta;
  g_meta_len = len;
}

void register_exports(Napi::Env env, Napi::Object exports) {
  auto o = Napi::Object::New(env);
  const std::pair<const char*, EntryFn> fns[] = {
      {"alloc", Alloc}, {"free", Free}, {"upload", Upload}, {"download", Download}, {"copyHost", CopyHost},
      {"copy", Copy}, {"fill", Fill}, {"unary", Unary}, {"binary", Binary}, {"where", Where},
      {"reduce", Reduce}, {"gemm", Gemm}, {"matmulInt", MatmulInt}, {"random", Random}, {"indexOp", IndexOp},
      {"window2d", Window2d}, {"window2dBackward", Window2dBackward}, {"optimStep", OptimStep},
  };
  for (const auto& [name, fn] : fns) o.Set(name, Napi::Function::New(env, fn, name));
  register_info_exports(env, o);
  exports.Set("cuda", o);
}

}  // namespace tt::cuda