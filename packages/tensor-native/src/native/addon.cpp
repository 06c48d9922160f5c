// N-API surface of the CPU backend. Storages cross into JavaScript as Externals; view
// metadata (dtype, shape, strides, offset) is written by TypeScript into one shared
// Float64Array, so a call costs no array marshalling. Every entry point checks its
// arguments, its metadata and its views against their storages (src/native/napi/, shared
// with the CUDA addon) before any kernel runs, so a bad call is a JS error, never a crash.
#include <napi.h>

#include <cmath>

#include "allocator.h"
#include "cuda/addon_cuda.h"
#include "gemm.h"
#include "interrupt.h"
#include "isa.h"
#include "kernels.h"
#include "napi/args.h"
#include "napi/checks.h"
#include "napi/entry.h"
#include "napi/handles.h"
#include "napi/meta.h"
#include "napi/views.h"
#include "ops.h"
#include "thread_pool.h"

namespace tt {

std::atomic<const volatile int32_t*> g_interrupt_flag{nullptr};

namespace {

using namespace napi;

Napi::Reference<Napi::Int32Array> g_interrupt_ref;

void release_storage(Napi::Env env, Storage* s) {
  if (!s->data) return;
  cpu_free(s->data, s->block_bytes);
  s->data = nullptr;
  Napi::MemoryManagement::AdjustExternalMemory(env, -(int64_t)s->nbytes);
}

// The view m over the CPU storage of argument i.
View cpu_view(const Args& a, size_t i, const ViewMeta& m) {
  View v;
  bind_into(v, m, storage_of(a, i, Device::CPU), a.entry());
  return v;
}

ENTRY(SetMeta)
  set_meta(info);
  return info.Env().Undefined();
END

ENTRY(SetInterruptFlag)
  const Args a(info, "setInterruptFlag", 1);
  if (a.nullish(0)) {
    g_interrupt_flag.store(nullptr);
    g_interrupt_ref.Reset();
  } else {
    auto arr = a.int32_array(0, "flag");
    if (arr.ElementLength() < 1) throw Error("setInterruptFlag: expected an Int32Array of length >= 1");
    g_interrupt_ref = Napi::Persistent(arr);
    g_interrupt_flag.store(arr.Data());
  }
  return info.Env().Undefined();
END

ENTRY(Alloc)
  const Args a(info, "alloc", 1);
  if (a.number(0, "byte count") < 0) throw Error("alloc: negative allocation");
  const int64_t nbytes = a.size(0, "byte count");
  auto* s = new Storage();
  s->nbytes = (size_t)nbytes;
  try {
    s->data = cpu_alloc(s->nbytes, &s->block_bytes);
  } catch (...) {
    delete s;
    throw;
  }
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), nbytes);
  return wrap_storage(info.Env(), s, [](Napi::Env env, Storage* st) {
    release_storage(env, st);
    delete st;
  });
END

ENTRY(Free)
  const Args a(info, "free", 1);
  release_storage(info.Env(), storage_handle(a, 0, Device::CPU));
  return info.Env().Undefined();
END

ENTRY(Read)
  const Args a(info, "read", 3);
  const int64_t off = a.size(1, "byte offset"), len = a.size(2, "byte length");
  Storage* s = storage_of(a, 0, Device::CPU);
  if (off + len > (int64_t)s->nbytes) throw Error("read out of bounds");
  auto buf = Napi::ArrayBuffer::New(info.Env(), (size_t)len);
  if (len) std::memcpy(buf.Data(), static_cast<char*>(s->data) + off, (size_t)len);
  return buf;
END

ENTRY(Write)
  const Args a(info, "write", 3);
  const int64_t off = a.size(1, "byte offset");
  const Args::Bytes src = a.bytes(2, "data");
  Storage* s = storage_of(a, 0, Device::CPU);
  if (off + (int64_t)src.len > (int64_t)s->nbytes) throw Error("write out of bounds");
  if (src.len) std::memcpy(static_cast<char*>(s->data) + off, src.data, src.len);
  return info.Env().Undefined();
END

ENTRY(Copy)
  const Args a(info, "copy", 2);
  MetaReader m(info.Env(), "copy");
  const ViewMeta sm = m.view(), dm = m.view();
  const View src = cpu_view(a, 0, sm), dst = cpu_view(a, 1, dm);
  require_same_shape(src, dst, "copy");
  copy_cast(src, dst);
  return info.Env().Undefined();
END

ENTRY(Fill)
  const Args a(info, "fill", 1);
  MetaReader m(info.Env(), "fill");
  const ViewMeta dm = m.view();
  const double value = m.number();
  const View dst = cpu_view(a, 0, dm);
  require_contiguous(dst, "fill");
  fill_value(dst, value);
  return info.Env().Undefined();
END

ENTRY(Unary)
  const Args a(info, "unary", 3);
  const int op = a.code(0, U_COUNT, "op");
  MetaReader m(info.Env(), "unary");
  const ViewMeta xm = m.view(), om = m.view();
  const View x = cpu_view(a, 1, xm), out = cpu_view(a, 2, om);
  check_unary(x, out);
  unary(op, x, out);
  return info.Env().Undefined();
END

ENTRY(Binary)
  const Args a(info, "binary", 4);
  const int op = a.code(0, B_COUNT, "op");
  MetaReader m(info.Env(), "binary");
  const ViewMeta am = m.view(), bm = m.view(), om = m.view();
  const Bound x = bind(am, storage_of(a, 1, Device::CPU), "binary");
  const Bound y = bind(bm, storage_of(a, 2, Device::CPU), "binary");
  const View out = cpu_view(a, 3, om);
  check_binary(op, x, y, out);
  binary(op, x.v, y.v, out);
  return info.Env().Undefined();
END

ENTRY(Where)
  const Args a(info, "where", 4);
  MetaReader m(info.Env(), "where");
  const ViewMeta cm = m.view(), am = m.view(), bm = m.view(), om = m.view();
  const Bound c = bind(cm, storage_of(a, 0, Device::CPU), "where");
  const Bound x = bind(am, storage_of(a, 1, Device::CPU), "where");
  const Bound y = bind(bm, storage_of(a, 2, Device::CPU), "where");
  const View out = cpu_view(a, 3, om);
  check_where(c, x, y, out);
  where(c.v, x.v, y.v, out);
  return info.Env().Undefined();
END

ENTRY(Reduce)
  const Args a(info, "reduce", 3);
  const int op = a.code(0, R_COUNT, "op");
  MetaReader m(info.Env(), "reduce");
  const ViewMeta xm = m.view(), om = m.view();
  const ReduceParams r = read_reduce(m);
  const View x = cpu_view(a, 1, xm), out = cpu_view(a, 2, om);
  check_reduce(op, r, x, out);
  reduce_rows(op, x, r.outer, r.n, out, r.correction);
  return info.Env().Undefined();
END

// a: [batch..., M, K], b: [batch..., K, N] with broadcast batch strides; out contiguous.
ENTRY(Matmul)
  const Args a(info, "matmul", 3);
  MetaReader m(info.Env(), "matmul");
  const ViewMeta am = m.view(), bm = m.view(), om = m.view();
  const View x = cpu_view(a, 0, am), y = cpu_view(a, 1, bm), out = cpu_view(a, 2, om);
  check_matmul(x, y, out);
  // Nothing to write; an empty result may still have huge other dims to loop over.
  if (out.numel() == 0) return info.Env().Undefined();
  const int nd = out.ndim;
  const int64_t M = x.shape[nd - 2], K = x.shape[nd - 1], N = y.shape[nd - 1];
  int64_t batch = 1;
  for (int d = 0; d < nd - 2; d++) batch *= out.shape[d];
  const size_t es = dtype_size(x.dtype);
  for (int64_t t = 0; t < batch; t++) {
    check_interrupt();
    int64_t rem = t, ox = 0, oy = 0, oo = 0;
    for (int d = nd - 3; d >= 0; d--) {
      const int64_t i = rem % out.shape[d];
      rem /= out.shape[d];
      ox += i * x.strides[d];
      oy += i * y.strides[d];
      oo += i * out.strides[d];
    }
    gemm_any(x.dtype, M, N, K, x.data + ox * es, x.strides[nd - 2], x.strides[nd - 1], y.data + oy * es, y.strides[nd - 2],
             y.strides[nd - 1], out.data + oo * es, out.strides[nd - 2]);
  }
  return info.Env().Undefined();
END

ENTRY(Random)
  const Args a(info, "random", 2);
  const int kind = a.code(0, RANDOM_COUNT, "kind");
  MetaReader m(info.Env(), "random");
  const ViewMeta om = m.view();
  const RandomParams r = read_random(m, kind);
  const View out = cpu_view(a, 1, om);
  require_contiguous(out, "random");
  switch (kind) {
    case RANDOM_UNIFORM: rand_uniform(out, r.p1, r.p2); break;
    case RANDOM_NORMAL: rand_normal(out, r.p1, r.p2); break;
    case RANDOM_RANDINT: rand_int(out, (int64_t)r.p1, (int64_t)r.p2); break;
    default: arange_fill(out, r.p1, r.p2); break;
  }
  return info.Env().Undefined();
END

ENTRY(ManualSeed)
  const Args a(info, "manualSeed", 1);
  const double seed = a.number(0, "seed");
  if (!(seed >= 0) || seed != std::floor(seed) || std::isinf(seed))
    throw Error("manualSeed: expected a non-negative integer, got " + show(seed));
  // Past 2^63 the seed saturates, as N-API's Int64Value did before this check.
  manual_seed(seed >= 9223372036854775808.0 ? (uint64_t)INT64_MAX : (uint64_t)(int64_t)seed);
  return info.Env().Undefined();
END

ENTRY(IndexOp)
  const Args a(info, "indexOp", 4);
  const int kind = a.code(0, INDEX_COUNT, "kind");
  MetaReader m(info.Env(), "indexOp");
  const ViewMeta xm = m.view(), im = m.view(), om = m.view();
  const IndexSizes s = read_index(m);
  const View x = cpu_view(a, 1, xm), idx = cpu_view(a, 2, im), out = cpu_view(a, 3, om);
  check_index(kind, s, x, idx, out);
  // The CPU reads the indices here; the CUDA kernels check theirs on the device.
  const int64_t* ix = reinterpret_cast<const int64_t*>(idx.data);
  const int64_t nidx = idx.numel();
  for (int64_t i = 0; i < nidx; i++)
    if (ix[i] < 0 || ix[i] >= s.xdim) throw Error("index out of range");
  switch (kind) {
    case INDEX_SELECT: index_select(x, s.outer, s.xdim, s.inner, ix, s.idim, out); break;
    case INDEX_GATHER: gather(x, s.outer, s.xdim, s.inner, ix, s.idim, out); break;
    default: scatter_add(x, s.outer, s.xdim, s.inner, ix, s.idim, out); break;  // x updated; out is the source
  }
  return info.Env().Undefined();
END

// See WindowKind (ops.h); geometry follows the views.
ENTRY(Window2d)
  const Args a(info, "window2d", 3);
  const int kind = a.code(0, WINDOW_COUNT, "kind");
  MetaReader m(info.Env(), "window2d");
  const ViewMeta xm = m.view(), om = m.view();
  const Conv2dGeom g = read_geometry(m);
  const View x = cpu_view(a, 1, xm), out = cpu_view(a, 2, om);
  check_window(kind, x, out, g);
  if (kind == WINDOW_IM2COL) im2col(x, out, g);
  else pool2d(static_cast<WindowKind>(kind), x, out, g);
  return info.Env().Undefined();
END

// See WindowBackwardKind (ops.h); geometry as Window2d.
ENTRY(Window2dBackward)
  const Args a(info, "window2dBackward", 4);
  const int kind = a.code(0, WINDOW_BACKWARD_COUNT, "kind");
  MetaReader m(info.Env(), "window2dBackward");
  const ViewMeta am = m.view(), bm = m.view(), om = m.view();
  const Conv2dGeom g = read_geometry(m);
  const View x = cpu_view(a, 1, am), y = cpu_view(a, 2, bm), out = cpu_view(a, 3, om);
  check_window_backward(kind, x, y, out, g);
  if (kind == WINDOW_BACKWARD_COL2IM) col2im(x, out, g);
  else pool2d_backward(static_cast<WindowBackwardKind>(kind), x, y, out, g);
  return info.Env().Undefined();
END

// Fused optimizer update of one parameter in place (see optim_step in kernels.h).
ENTRY(OptimStep)
  const Args a(info, "optimStep", 5);
  const int kind = a.code(0, OPTIM_COUNT, "kind");
  MetaReader m(info.Env(), "optimStep");
  const ViewMeta pm = m.view(), gm = m.view(), m1 = m.view(), m2 = m.view();
  const double* hyper = read_optim_hyper(m);
  const View par = cpu_view(a, 1, pm), grad = cpu_view(a, 2, gm), s1 = cpu_view(a, 3, m1), s2 = cpu_view(a, 4, m2);
  check_optim(par, grad, s1, s2);
  optim_step(static_cast<OptimKind>(kind), par, grad, s1, s2, hyper);
  return info.Env().Undefined();
END

ENTRY(Stats)
  const Args a(info, "stats", 0);
  AllocStats s = cpu_alloc_stats();
  auto o = Napi::Object::New(info.Env());
  o.Set("liveBytes", (double)s.live_bytes);
  o.Set("cachedBytes", (double)s.cached_bytes);
  o.Set("osAllocations", (double)s.os_allocations);
  o.Set("liveBlocks", (double)s.live_blocks);
  return o;
END

ENTRY(EmptyCache)
  const Args a(info, "emptyCache", 0);
  cpu_empty_cache();
  return info.Env().Undefined();
END

// threads(): the count; threads(n): asks for n (within the server's cap) first.
ENTRY(Threads)
  const Args a(info, "threads", 0, 1);
  if (!a.nullish(0)) set_num_threads((int)a.integer(0, 1, INT32_MAX, "thread count"));
  return Napi::Number::New(info.Env(), num_threads());
END

// isa(): the instruction set in use; isa(name): forces a lower one first.
ENTRY(Isa)
  const Args a(info, "isa", 0, 1);
  if (!a.nullish(0)) {
    const std::string want = a.string(0, "instruction set");
    if (!force_isa(want.c_str())) throw Error("instruction set '" + want + "' is not available on this CPU");
  }
  return Napi::String::New(info.Env(), isa_name());
END

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const Export fns[] = {
      {"setMeta", SetMeta},
      {"setInterruptFlag", SetInterruptFlag},
      {"alloc", Alloc},
      {"free", Free},
      {"read", Read},
      {"write", Write},
      {"copy", Copy},
      {"fill", Fill},
      {"unary", Unary},
      {"binary", Binary},
      {"where", Where},
      {"reduce", Reduce},
      {"matmul", Matmul},
      {"random", Random},
      {"manualSeed", ManualSeed},
      {"indexOp", IndexOp},
      {"window2d", Window2d},
      {"window2dBackward", Window2dBackward},
      {"optimStep", OptimStep},
      {"stats", Stats},
      {"emptyCache", EmptyCache},
      {"threads", Threads},
      {"isa", Isa},
  };
  export_functions(env, exports, fns);
  cuda::register_exports(env, exports);
  return exports;
}

}  // namespace
}  // namespace tt

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tt::Init(env, exports); }

NODE_API_MODULE(tessera_tensor, InitAddon)
