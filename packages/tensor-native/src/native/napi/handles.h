// Storage handles: a Storage crosses into JavaScript as an External, type-tagged when it is
// made, so a handle from anywhere else (another addon's External) is refused rather than
// read as a Storage.
#pragma once
#include <napi.h>

#include <string>

#include "../allocator.h"
#include "args.h"

namespace tt::napi {

inline const napi_type_tag* storage_tag() {
  static const napi_type_tag tag = {0x7e55e7a5f0a1d3c1ULL, 0x9b6e2d4c8a135f07ULL};
  return &tag;
}

inline const char* device_name(Device d) { return d == Device::CPU ? "CPU" : "CUDA"; }

// The External that owns s; finalize(env, s) runs when JavaScript lets go of it.
template <typename Finalize>
Napi::Value wrap_storage(Napi::Env env, Storage* s, Finalize finalize) {
  auto h = Napi::External<Storage>::New(env, s, finalize);
  h.TypeTag(storage_tag());
  return h;
}

// The Storage behind argument i, which must be one of ours on `device` (it may be freed).
inline Storage* storage_handle(const Args& a, size_t i, Device device) {
  const Napi::Value v = a[i];
  if (!v.IsExternal() || !v.As<Napi::External<Storage>>().CheckTypeTag(storage_tag())) throw a.bad(i, "storage", "a storage handle");
  Storage* s = v.As<Napi::External<Storage>>().Data();
  if (s->device != device)
    throw Error(std::string(a.entry()) + ": expected a " + device_name(device) + " tensor, got a " + device_name(s->device) + " one");
  return s;
}

// As storage_handle, and not yet freed: what every op reads or writes.
inline Storage* storage_of(const Args& a, size_t i, Device device) {
  Storage* s = storage_handle(a, i, device);
  if (!s->data && s->nbytes > 0) throw Error(std::string(a.entry()) + ": tensor storage was already freed");
  return s;
}

}  // namespace tt::napi
