// N-API surface. Storages cross into JavaScript as Externals; view metadata (dtype,
// shape, strides, offset) is written by TypeScript into one shared Float64Array, so a
// call costs no array marshalling. Every entry point validates views against their
// storage before any kernel runs, so bad metadata is a JS error, never a crash.
#include <napi.h>

#include "allocator.h"
#include "cuda/addon_cuda.h"
#include "gemm.h"
#include "interrupt.h"
#include "isa.h"
#include "kernels.h"
#include "ops.h"
#include "thread_pool.h"
#include "view_checks.h"

namespace tt {

std::atomic<const volatile int32_t*> g_interrupt_flag{nullptr};

namespace {

Napi::Reference<Napi::Int32Array> g_interrupt_ref;
double* g_meta = nullptr;
size_t g_meta_len = 0;
Napi::Reference<Napi::Float64Array> g_meta_ref;

void release_storage(Napi::Env env, Storage* s) {
  if (!s->data) return;
  cpu_free(s->data, s->block_bytes);
  s->data = nullptr;
  Napi::MemoryManagement::AdjustExternalMemory(env, -(int64_t)s->nbytes);
}

Storage* storage_of(const Napi::Value& v) {
  if (!v.IsExternal()) throw Error("expected a storage handle");
  Storage* s = v.As<Napi::External<Storage>>().Data();
  if (s->device != Device::CPU) throw Error("expected a CPU tensor, got a CUDA one");
  if (!s->data && s->nbytes > 0) throw Error("tensor storage was already freed");
  return s;
}

// Reads one view from meta at *pos: [dtype, ndim, offset, shape..., strides...].
View read_view(Storage* s, size_t* pos) {
  View v{};
  size_t p = *pos;
  if (p + 3 > g_meta_len) throw Error("metadata overflow");
  int dt = (int)g_meta[p];
  if (dt < 0 || dt > 7) throw Error("bad dtype code");
  v.dtype = (DType)dt;
  v.ndim = (int)g_meta[p + 1];
  if (v.ndim < 0 || v.ndim > kMaxDims) throw Error("too many dimensions (at most 16)");
  int64_t offset = (int64_t)g_meta[p + 2];
  p += 3;
  if (p + 2 * (size_t)v.ndim > g_meta_len) throw Error("metadata overflow");
  int64_t lo = offset, hi = offset;
  bool empty = false;
  for (int d = 0; d < v.ndim; d++) {
    v.shape[d] = (int64_t)g_meta[p + d];
    v.strides[d] = (int64_t)g_meta[p + v.ndim + d];
    if (v.shape[d] == 0) empty = true;
    int64_t span = (v.shape[d] - 1) * v.strides[d];
    if (span > 0) hi += span; else lo += span;
  }
  *pos = p + 2 * (size_t)v.ndim;
  int64_t es = (int64_t)dtype_size(v.dtype);
  if (!empty && (lo < 0 || (hi + 1) * es > (int64_t)s->nbytes))
    throw Error("view out of bounds of its storage");
  v.data = static_cast<char*>(s->data) + offset * es;
  return v;
}

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F f) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

#define ENTRY(name) Napi::Value name(const Napi::CallbackInfo& info) { return guarded(info, [&]() -> Napi::Value {
#define END }); }

ENTRY(SetMeta)
  auto arr = info[0].As<Napi::Float64Array>();
  g_meta_ref = Napi::Persistent(arr);
  g_meta = arr.Data();
  g_meta_len = arr.ElementLength();
  cuda::set_meta(g_meta, g_meta_len);
  return info.Env().Undefined();
END

ENTRY(SetInterruptFlag)
  if (info[0].IsUndefined() || info[0].IsNull()) {
    g_interrupt_flag.store(nullptr);
    g_interrupt_ref.Reset();
  } else {
    auto arr = info[0].As<Napi::Int32Array>();
    if (arr.ElementLength() < 1) throw Error("setInterruptFlag: expected an Int32Array of length >= 1");
    g_interrupt_ref = Napi::Persistent(arr);
    g_interrupt_flag.store(arr.Data());
  }
  return info.Env().Undefined();
END

ENTRY(Alloc)
  int64_t nbytes = info[0].As<Napi::Number>().Int64Value();
  if (nbytes < 0) throw Error("negative allocation");
  auto* s = new Storage();
  s->nbytes = (size_t)nbytes;
  try {
    s->data = cpu_alloc(s->nbytes, &s->block_bytes);
  } catch (...) {
    delete s;
    throw;
  }
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), nbytes);
  return Napi::External<Storage>::New(info.Env(), s, [](Napi::Env env, Storage* st) {
    release_storage(env, st);
    delete st;
  });
END

ENTRY(Free)
  if (!info[0].IsExternal()) throw Error("expected a storage handle");
  Storage* s = info[0].As<Napi::External<Storage>>().Data();
  if (s->device != Device::CPU) throw Error("free: not a CPU storage");
  release_storage(info.Env(), s);
  return info.Env().Undefined();
END

ENTRY(Read)
  Storage* s = storage_of(info[0]);
  int64_t off = info[1].As<Napi::Number>().Int64Value(), len = info[2].As<Napi::Number>().Int64Value();
  if (off < 0 || len < 0 || off + len > (int64_t)s->nbytes) throw Error("read out of bounds");
  auto buf = Napi::ArrayBuffer::New(info.Env(), (size_t)len);
  if (len) std::memcpy(buf.Data(), static_cast<char*>(s->data) + off, (size_t)len);
  return buf;
END

ENTRY(Write)
  Storage* s = storage_of(info[0]);
  int64_t off = info[1].As<Napi::Number>().Int64Value();
  auto ta = info[2].As<Napi::TypedArray>();
  size_t len = ta.ByteLength();
  if (off < 0 || off + (int64_t)len > (int64_t)s->nbytes) throw Error("write out of bounds");
  auto* src = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  if (len) std::memcpy(static_cast<char*>(s->data) + off, src, len);
  return info.Env().Undefined();
END

ENTRY(Copy)
  size_t p = 0;
  View src = read_view(storage_of(info[0]), &p), dst = read_view(storage_of(info[1]), &p);
  require_same_shape(src, dst, "copy");
  copy_cast(src, dst);
  return info.Env().Undefined();
END

ENTRY(Fill)
  size_t p = 0;
  View dst = read_view(storage_of(info[0]), &p);
  require_contiguous(dst, "fill");
  fill_value(dst, g_meta[p]);
  return info.Env().Undefined();
END

ENTRY(Unary)
  size_t p = 0;
  int op = info[0].As<Napi::Number>().Int32Value();
  View x = read_view(storage_of(info[1]), &p), out = read_view(storage_of(info[2]), &p);
  require_same_shape(x, out, "unary");
  if (x.dtype != out.dtype) throw Error("unary: output dtype must match the input");
  unary(op, x, out);
  return info.Env().Undefined();
END

ENTRY(Binary)
  size_t p = 0;
  int op = info[0].As<Napi::Number>().Int32Value();
  View a = read_view(storage_of(info[1]), &p), b = read_view(storage_of(info[2]), &p);
  View out = read_view(storage_of(info[3]), &p);
  require_same_shape(a, out, "binary");
  require_same_shape(b, out, "binary");
  if (a.dtype != b.dtype) throw Error("binary: operands must share a dtype");
  binary(op, a, b, out);
  return info.Env().Undefined();
END

ENTRY(Where)
  size_t p = 0;
  View c = read_view(storage_of(info[0]), &p), a = read_view(storage_of(info[1]), &p);
  View b = read_view(storage_of(info[2]), &p), out = read_view(storage_of(info[3]), &p);
  require_same_shape(c, out, "where");
  require_same_shape(a, out, "where");
  require_same_shape(b, out, "where");
  if (a.dtype != b.dtype || a.dtype != out.dtype) throw Error("where: operands must share a dtype");
  where(c, a, b, out);
  return info.Env().Undefined();
END

ENTRY(Reduce)
  size_t p = 0;
  int op = info[0].As<Napi::Number>().Int32Value();
  View x = read_view(storage_of(info[1]), &p), out = read_view(storage_of(info[2]), &p);
  int64_t outer = (int64_t)g_meta[p], n = (int64_t)g_meta[p + 1];
  bool rows_out = op == R_SOFTMAX || op == R_LOGSOFTMAX;
  require_contiguous(x, "reduce");
  require_contiguous(out, "reduce");
  if (outer * n != x.numel() || out.numel() != (rows_out ? outer * n : outer) || n <= 0)
    throw Error("reduce: sizes do not match the views");
  if (rows_out && out.dtype != x.dtype) throw Error("softmax: output dtype must match the input");
  reduce_rows(op, x, outer, n, out, g_meta[p + 2]);
  return info.Env().Undefined();
END

// a: [batch..., M, K], b: [batch..., K, N] with broadcast batch strides; out contiguous.
ENTRY(Matmul)
  size_t p = 0;
  View a = read_view(storage_of(info[0]), &p), b = read_view(storage_of(info[1]), &p);
  View out = read_view(storage_of(info[2]), &p);
  int nd = out.ndim;
  if (nd < 2 || a.ndim != nd || b.ndim != nd) throw Error("matmul: bad ranks");
  int64_t M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
  bool ok = b.shape[nd - 2] == K && out.shape[nd - 2] == M && out.shape[nd - 1] == N && out.strides[nd - 1] == 1 &&
            a.dtype == b.dtype && a.dtype == out.dtype;
  for (int d = 0; ok && d < nd - 2; d++) ok = a.shape[d] == out.shape[d] && b.shape[d] == out.shape[d];
  if (!ok) throw Error("matmul: operand shapes or dtypes do not match");
  int64_t batch = 1;
  for (int d = 0; d < nd - 2; d++) batch *= out.shape[d];
  size_t es = dtype_size(a.dtype);
  for (int64_t t = 0; t < batch; t++) {
    check_interrupt();
    int64_t rem = t, oa = 0, ob = 0, oo = 0;
    for (int d = nd - 3; d >= 0; d--) {
      int64_t i = rem % out.shape[d];
      rem /= out.shape[d];
      oa += i * a.strides[d]; ob += i * b.strides[d]; oo += i * out.strides[d];
    }
    gemm_any(a.dtype, M, N, K, a.data + oa * es, a.strides[nd - 2], a.strides[nd - 1], b.data + ob * es,
             b.strides[nd - 2], b.strides[nd - 1], out.data + oo * es, out.strides[nd - 2]);
  }
  return info.Env().Undefined();
END

ENTRY(Random)
  size_t p = 0;
  int kind = info[0].As<Napi::Number>().Int32Value();
  View out = read_view(storage_of(info[1]), &p);
  require_contiguous(out, "random");
  double p1 = g_meta[p], p2 = g_meta[p + 1];
  if (kind == 2 && !(p2 > p1)) throw Error("randint: high must be greater than low");
  if (kind == 0) rand_uniform(out, p1, p2);
  else if (kind == 1) rand_normal(out, p1, p2);
  else if (kind == 2) rand_int(out, (int64_t)p1, (int64_t)p2);
  else arange_fill(out, p1, p2);
  return info.Env().Undefined();
END

ENTRY(ManualSeed)
  manual_seed((uint64_t)info[0].As<Napi::Number>().Int64Value());
  return info.Env().Undefined();
END

ENTRY(IndexOp)
  size_t p = 0;
  int kind = info[0].As<Napi::Number>().Int32Value();
  View x = read_view(storage_of(info[1]), &p), idx = read_view(storage_of(info[2]), &p);
  View out = read_view(storage_of(info[3]), &p);
  int64_t outer = (int64_t)g_meta[p], xdim = (int64_t)g_meta[p + 1], inner = (int64_t)g_meta[p + 2];
  int64_t idim = (int64_t)g_meta[p + 3];
  require_contiguous(x, "index");
  require_contiguous(idx, "index");
  require_contiguous(out, "index");
  if (idx.dtype != DType::I64 || x.dtype != out.dtype) throw Error("index: bad dtypes");
  const int64_t* ix = reinterpret_cast<const int64_t*>(idx.data);
  int64_t nidx = idx.numel();
  for (int64_t i = 0; i < nidx; i++)
    if (ix[i] < 0 || ix[i] >= xdim) throw Error("index out of range");
  if (outer * xdim * inner != x.numel() ||
      (kind == 0 ? (nidx != idim || out.numel() != outer * idim * inner) : (nidx != outer * idim * inner || out.numel() != nidx)))
    throw Error("index: sizes do not match the views");
  if (kind == 0) index_select(x, outer, xdim, inner, ix, idim, out);
  else if (kind == 1) gather(x, outer, xdim, inner, ix, idim, out);
  else scatter_add(x, outer, xdim, inner, ix, idim, out);  // x is updated; "out" is the source
  return info.Env().Undefined();
END

// kind 0: im2col(x -> out); 1: max pool; 2: average pool. Geometry follows the views.
ENTRY(Window2d)
  size_t p = 0;
  int kind = info[0].As<Napi::Number>().Int32Value();
  View x = read_view(storage_of(info[1]), &p), out = read_view(storage_of(info[2]), &p);
  Conv2dGeom g{};
  int64_t* f[] = {&g.kh, &g.kw, &g.sh, &g.sw, &g.ph, &g.pw, &g.dh, &g.dw, &g.oh, &g.ow};
  for (int i = 0; i < 10; i++) *f[i] = (int64_t)g_meta[p + i];
  require_contiguous(x, "window2d");
  require_contiguous(out, "window2d");
  if (x.ndim != 4 || x.dtype != out.dtype || g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1 ||
      g.ph < 0 || g.pw < 0 || g.oh < 0 || g.ow < 0)
    throw Error("window2d: bad geometry");
  int64_t expect = kind == 0 ? x.shape[0] * x.shape[1] * g.kh * g.kw * g.oh * g.ow
                             : x.shape[0] * x.shape[1] * g.oh * g.ow;
  if (out.numel() != expect) throw Error("window2d: output size does not match the geometry");
  if (kind == 0) im2col(x, out, g);
  else pool2d(kind - 1, x, out, g);
  return info.Env().Undefined();
END

// kind 0: col2im(a = cols -> out = image); 1: max pool, 2: average pool backward with
// a = x, b = grad of the output, out = grad of x. Geometry as Window2d.
ENTRY(Window2dBackward)
  size_t p = 0;
  int kind = info[0].As<Napi::Number>().Int32Value();
  View a = read_view(storage_of(info[1]), &p), b = read_view(storage_of(info[2]), &p),
       out = read_view(storage_of(info[3]), &p);
  Conv2dGeom g{};
  int64_t* f[] = {&g.kh, &g.kw, &g.sh, &g.sw, &g.ph, &g.pw, &g.dh, &g.dw, &g.oh, &g.ow};
  for (int i = 0; i < 10; i++) *f[i] = (int64_t)g_meta[p + i];
  require_contiguous(a, "window2dBackward");
  require_contiguous(b, "window2dBackward");
  require_contiguous(out, "window2dBackward");
  if (out.ndim != 4 || a.dtype != out.dtype || b.dtype != out.dtype || g.kh < 1 || g.kw < 1 || g.sh < 1 ||
      g.sw < 1 || g.dh < 1 || g.dw < 1 || g.ph < 0 || g.pw < 0 || g.oh < 0 || g.ow < 0)
    throw Error("window2dBackward: bad geometry");
  const int64_t planes = out.shape[0] * out.shape[1];
  if (kind == 0) {
    if (a.numel() != planes * g.kh * g.kw * g.oh * g.ow) throw Error("window2dBackward: cols do not match the geometry");
    col2im(a, out, g);
  } else {
    if (a.numel() != out.numel() || b.numel() != planes * g.oh * g.ow)
      throw Error("window2dBackward: sizes do not match the geometry");
    pool2d_backward(kind - 1, a, b, out, g);
  }
  return info.Env().Undefined();
END

// Fused optimizer update of one parameter in place (see optim_step in kernels.h).
ENTRY(OptimStep)
  size_t p = 0;
  int kind = info[0].As<Napi::Number>().Int32Value();
  if (kind < 0 || kind > 2) throw Error("optimStep: unknown optimizer kind");
  View par = read_view(storage_of(info[1]), &p), grad = read_view(storage_of(info[2]), &p),
       s1 = read_view(storage_of(info[3]), &p), s2 = read_view(storage_of(info[4]), &p);
  for (const View* v : {&par, &grad, &s1, &s2}) {
    require_contiguous(*v, "optimStep");
    if (v->dtype != par.dtype || v->numel() != par.numel()) throw Error("optimStep: state and gradient must match the parameter");
  }
  if (p + 7 > g_meta_len) throw Error("metadata overflow");
  optim_step(kind, par, grad, s1, s2, g_meta + p);
  return info.Env().Undefined();
END

ENTRY(Stats)
  AllocStats s = cpu_alloc_stats();
  auto o = Napi::Object::New(info.Env());
  o.Set("liveBytes", (double)s.live_bytes);
  o.Set("cachedBytes", (double)s.cached_bytes);
  o.Set("osAllocations", (double)s.os_allocations);
  o.Set("liveBlocks", (double)s.live_blocks);
  return o;
END

ENTRY(EmptyCache)
  cpu_empty_cache();
  return info.Env().Undefined();
END

ENTRY(Threads)
  if (info.Length() > 0 && info[0].IsNumber()) set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), num_threads());
END

ENTRY(Isa)
  if (info.Length() > 0 && info[0].IsString()) {
    std::string want = info[0].As<Napi::String>().Utf8Value();
    if (!force_isa(want.c_str())) throw Error("instruction set '" + want + "' is not available on this CPU");
  }
  return Napi::String::New(info.Env(), isa_name());
END

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setMeta", Napi::Function::New(env, SetMeta));
  exports.Set("setInterruptFlag", Napi::Function::New(env, SetInterruptFlag));
  exports.Set("alloc", Napi::Function::New(env, Alloc));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("read", Napi::Function::New(env, Read));
  exports.Set("write", Napi::Function::New(env, Write));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("random", Napi::Function::New(env, Random));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("indexOp", Napi::Function::New(env, IndexOp));
  exports.Set("window2d", Napi::Function::New(env, Window2d));
  exports.Set("window2dBackward", Napi::Function::New(env, Window2dBackward));
  exports.Set("optimStep", Napi::Function::New(env, OptimStep));
  exports.Set("stats", Napi::Function::New(env, Stats));
  exports.Set("emptyCache", Napi::Function::New(env, EmptyCache));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("isa", Napi::Function::New(env, Isa));
  cuda::register_exports(env, exports);
  return exports;
}

}  // namespace
}  // namespace tt

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tt::Init(env, exports); }

NODE_API_MODULE(tessera_tensor, InitAddon)
