// What every N-API entry point of the CUDA backend shares: C++ exceptions become JS errors.
#pragma once
#include <napi.h>

#include <exception>

#include "../common.h"

namespace tt::cuda {

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, F f) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

inline int device_index_arg(const Napi::Value& v) {
  int i = v.As<Napi::Number>().Int32Value();
  if (i < 0) throw Error("bad device index");
  return i;
}

using EntryFn = Napi::Value (*)(const Napi::CallbackInfo&);

// The probe, device facts, kernel sources, NVRTC check, synchronize and memory entries
// (addon_cuda_info.cpp), added to the `cuda` object.
void register_info_exports(Napi::Env env, Napi::Object o);

}  // namespace tt::cuda

#define ENTRY(name) Napi::Value name(const Napi::CallbackInfo& info) { return guarded(info, [&]() -> Napi::Value {
#define END }); }
