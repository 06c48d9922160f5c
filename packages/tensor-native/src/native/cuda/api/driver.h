// Our own declarations of the CUDA driver API calls we make: no CUDA header is needed to
// build. Versioned entry points are named as the headers map them (cuMemAlloc ->
// cuMemAlloc_v2). With TT_CU_OFFICIAL_TYPES the opaque types come from a real cuda.h,
// so test/native/cuda_decls_check.cpp can static_assert every signature against it.
#pragma once
#include <cstddef>

namespace tt::cu {

#ifdef TT_CU_OFFICIAL_TYPES
using CUresult = ::CUresult;
using CUdevice = ::CUdevice;
using CUdeviceptr = ::CUdeviceptr;
using CUcontext = ::CUcontext;
using CUmodule = ::CUmodule;
using CUfunction = ::CUfunction;
using CUstream = ::CUstream;
using CUevent = ::CUevent;
using CUdevice_attribute = ::CUdevice_attribute;
#else
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st*;
using CUmodule = struct CUmod_st*;
using CUfunction = struct CUfunc_st*;
using CUstream = struct CUstream_st*;
using CUevent = struct CUevent_st*;
using CUdevice_attribute = int;
#endif

constexpr int kSuccess = 0;
constexpr int kErrorOutOfMemory = 2;
constexpr int kErrorNoDevice = 100;
constexpr int kErrorNotReady = 600;
constexpr int kAttrMultiprocessorCount = 16;
constexpr int kAttrComputeCapabilityMajor = 75;
constexpr int kAttrComputeCapabilityMinor = 76;
constexpr unsigned kStreamNonBlocking = 0x1;
constexpr unsigned kEventDisableTiming = 0x2;
constexpr unsigned kMemHostAllocPortable = 0x1;

using PFN_cuInit = CUresult (*)(unsigned int flags);
using PFN_cuDriverGetVersion = CUresult (*)(int* version);
using PFN_cuGetErrorName = CUresult (*)(CUresult error, const char** str);
using PFN_cuGetErrorString = CUresult (*)(CUresult error, const char** str);
using PFN_cuDeviceGetCount = CUresult (*)(int* count);
using PFN_cuDeviceGet = CUresult (*)(CUdevice* device, int ordinal);
using PFN_cuDeviceGetName = CUresult (*)(char* name, int len, CUdevice dev);
using PFN_cuDeviceGetAttribute = CUresult (*)(int* value, CUdevice_attribute attrib, CUdevice dev);
using PFN_cuDeviceTotalMem_v2 = CUresult (*)(size_t* bytes, CUdevice dev);
using PFN_cuDeviceGetPCIBusId = CUresult (*)(char* busId, int len, CUdevice dev);
using PFN_cuDevicePrimaryCtxRetain = CUresult (*)(CUcontext* ctx, CUdevice dev);
using PFN_cuCtxSetCurrent = CUresult (*)(CUcontext ctx);
using PFN_cuCtxGetCurrent = CUresult (*)(CUcontext* ctx);
using PFN_cuStreamCreate = CUresult (*)(CUstream* stream, unsigned int flags);
using PFN_cuStreamSynchronize = CUresult (*)(CUstream stream);
using PFN_cuStreamQuery = CUresult (*)(CUstream stream);
using PFN_cuEventCreate = CUresult (*)(CUevent* event, unsigned int flags);
using PFN_cuEventRecord = CUresult (*)(CUevent event, CUstream stream);
using PFN_cuEventQuery = CUresult (*)(CUevent event);
using PFN_cuEventSynchronize = CUresult (*)(CUevent event);
using PFN_cuMemAlloc_v2 = CUresult (*)(CUdeviceptr* ptr, size_t bytes);
using PFN_cuMemFree_v2 = CUresult (*)(CUdeviceptr ptr);
using PFN_cuMemGetInfo_v2 = CUresult (*)(size_t* free, size_t* total);
using PFN_cuMemHostAlloc = CUresult (*)(void** ptr, size_t bytes, unsigned int flags);
using PFN_cuMemFreeHost = CUresult (*)(void* ptr);
using PFN_cuMemcpyHtoDAsync_v2 = CUresult (*)(CUdeviceptr dst, const void* src, size_t bytes, CUstream stream);
using PFN_cuMemcpyDtoHAsync_v2 = CUresult (*)(void* dst, CUdeviceptr src, size_t bytes, CUstream stream);
using PFN_cuMemcpyDtoDAsync_v2 = CUresult (*)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream);
using PFN_cuModuleLoadData = CUresult (*)(CUmodule* module, const void* image);
using PFN_cuModuleGetFunction = CUresult (*)(CUfunction* fn, CUmodule module, const char* name);
using PFN_cuLaunchKernel = CUresult (*)(CUfunction f, unsigned int gridX, unsigned int gridY, unsigned int gridZ, unsigned int blockX,
                                        unsigned int blockY, unsigned int blockZ, unsigned int sharedBytes, CUstream stream, void** params,
                                        void** extra);

}  // namespace tt::cu
