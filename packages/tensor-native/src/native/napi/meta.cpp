// See meta.h.
#include "meta.h"

#include <algorithm>

#include "../common.h"
#include "args.h"

namespace tt::napi {
namespace {

struct EnvMeta {
  Napi::Reference<Napi::Float64Array> array;
  Napi::Reference<Napi::Value> buffer;  // the array's ArrayBuffer, or null for a SharedArrayBuffer
  const double* data = nullptr;         // as of setMeta
  size_t byte_offset = 0, len = 0;
};

}  // namespace

void set_meta(const Napi::CallbackInfo& info) {
  const Args a(info, "setMeta", 1);
  // As<Float64Array>() does not check the array's type: an Int32Array would be read as
  // doubles past its end.
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw a.bad(0, "metadata buffer", "a Float64Array");
  Napi::Env env = info.Env();
  auto* m = env.GetInstanceData<EnvMeta>();
  if (!m) {
    m = new EnvMeta();
    env.SetInstanceData(m);  // deleted with the environment
  }
  napi_typedarray_type type;
  napi_value buffer;
  void* data = nullptr;
  size_t len = 0, byte_offset = 0;
  // This also moves a small array's data off the JS heap, where the GC no longer moves it.
  if (napi_get_typedarray_info(env, info[0], &type, &len, &data, &buffer, &byte_offset) != napi_ok)
    throw a.bad(0, "metadata buffer", "a Float64Array");
  bool plain = false;
  napi_is_arraybuffer(env, buffer, &plain);
  m->array = Napi::Persistent(info[0].As<Napi::Float64Array>());
  m->buffer = plain ? Napi::Persistent(Napi::Value(env, buffer)) : Napi::Reference<Napi::Value>();
  m->data = static_cast<const double*>(data);
  m->byte_offset = byte_offset;
  m->len = len;
}

// An ArrayBuffer can be detached (transferred) or shrunk (resizable) after setMeta, so its
// current length is read on every call: cheaper than the typed array's own info, which
// walks every typed array type. A SharedArrayBuffer can do neither.
MetaBuffer current_meta(Napi::Env env) {
  auto* m = env.GetInstanceData<EnvMeta>();
  if (!m || !m->data) return {};
  if (m->buffer.IsEmpty()) return {m->data, m->len};
  void* base = nullptr;
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, m->buffer.Value(), &base, &bytes) != napi_ok || !base) return {};
  const size_t fits = bytes > m->byte_offset ? (bytes - m->byte_offset) / sizeof(double) : 0;
  return {reinterpret_cast<const double*>(static_cast<char*>(base) + m->byte_offset), std::min(m->len, fits)};
}

}  // namespace tt::napi
