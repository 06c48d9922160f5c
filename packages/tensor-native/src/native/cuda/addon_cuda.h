// The `cuda` object of the addon's exports (see src/ts/cuda/native-cuda.ts). Its entries
// read views from the same metadata buffer as the CPU's (src/native/napi/meta.h).
#pragma once
#include <napi.h>

namespace tt::cuda {

// The op and memory entries (addon_cuda.cpp), then the info entries, as `exports.cuda`.
void register_exports(Napi::Env env, Napi::Object exports);
// The probe, device facts, kernel sources, NVRTC check, synchronize and memory queries
// (addon_cuda_info.cpp), added to the `cuda` object.
void register_info_exports(Napi::Env env, Napi::Object o);

}  // namespace tt::cuda
