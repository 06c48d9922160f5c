// The shared metadata buffer: TypeScript writes each call's views and parameters into one
// Float64Array (src/ts/native.ts), so a call marshals no arrays. It is held per N-API
// environment (a worker thread that loads the addon has its own), and read afresh by
// every call, so a buffer that was replaced or detached reads as what it now is.
#pragma once
#include <napi.h>

#include <cstddef>

namespace tt::napi {

struct MetaBuffer {
  const double* data = nullptr;
  size_t len = 0;  // in doubles; 0 before setMeta or once the buffer is detached
};

// setMeta(meta: Float64Array): checks the argument and keeps a reference to it.
void set_meta(const Napi::CallbackInfo& info);
MetaBuffer current_meta(Napi::Env env);

}  // namespace tt::napi
