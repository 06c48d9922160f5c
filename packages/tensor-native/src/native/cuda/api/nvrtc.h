// Our own declarations of the NVRTC calls we make (CUDA 11.1+: cubin output). With
// TT_NVRTC_OFFICIAL_TYPES the types come from a real nvrtc.h, for the declaration check.
#pragma once
#include <cstddef>

namespace tt::nvrtc {

#ifdef TT_NVRTC_OFFICIAL_TYPES
using Result = ::nvrtcResult;
using Program = ::nvrtcProgram;
#else
using Result = int;
using Program = struct _nvrtcProgram*;
#endif
constexpr int kSuccess = 0;

using PFN_nvrtcVersion = Result (*)(int* major, int* minor);
using PFN_nvrtcGetErrorString = const char* (*)(Result result);
using PFN_nvrtcCreateProgram = Result (*)(Program* prog, const char* src, const char* name, int numHeaders, const char* const* headers,
                                          const char* const* includeNames);
using PFN_nvrtcDestroyProgram = Result (*)(Program* prog);
using PFN_nvrtcCompileProgram = Result (*)(Program prog, int numOptions, const char* const* options);
using PFN_nvrtcGetProgramLogSize = Result (*)(Program prog, size_t* size);
using PFN_nvrtcGetProgramLog = Result (*)(Program prog, char* log);
using PFN_nvrtcGetCUBINSize = Result (*)(Program prog, size_t* size);
using PFN_nvrtcGetCUBIN = Result (*)(Program prog, char* cubin);
using PFN_nvrtcGetPTXSize = Result (*)(Program prog, size_t* size);
using PFN_nvrtcGetPTX = Result (*)(Program prog, char* ptx);
// Optional (11.2+): which sm_XX this NVRTC can compile for.
using PFN_nvrtcGetNumSupportedArchs = Result (*)(int* count);
using PFN_nvrtcGetSupportedArchs = Result (*)(int* archs);

}  // namespace tt::nvrtc
