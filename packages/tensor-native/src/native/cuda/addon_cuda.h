// The `cuda` object of the addon's exports (see src/ts/cuda/native-cuda.ts).
#pragma once
#include <napi.h>

namespace tt::cuda {

// The shared metadata buffer (addon.cpp owns it; views are read from it the same way).
void set_meta(double* meta, size_t len);
void register_exports(Napi::Env env, Napi::Object exports);

}  // namespace tt::cuda
