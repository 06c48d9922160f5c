// Compiled, never run, by test/cuda-host.test.ts with whichever official headers it finds:
// every entry point we declare ourselves (src/native/cuda/api/*.h) must have exactly the
// official signature, and our constants the official values. TT_CHECK_DRIVER needs cuda.h,
// TT_CHECK_NVRTC nvrtc.h, TT_CHECK_CUBLAS cublas_api.h and cublasLt.h. The addon's build
// never sees any of them.
#include <type_traits>

// An overload with exactly our signature exists (static_cast between function pointer types
// of different signatures does not compile).
#define SAME_AS(ns, name) static_assert(static_cast<ns::PFN_##name>(&::name) != nullptr, #name);

#ifdef TT_CHECK_DRIVER
#include <cuda.h>
#define TT_CU_OFFICIAL_TYPES
#include "cuda/api/driver.h"

#define SAME_SIGNATURE(name) static_assert(std::is_same_v<decltype(&::name), tt::cu::PFN_##name>, #name " differs from cuda.h");

SAME_SIGNATURE(cuInit)
SAME_SIGNATURE(cuDriverGetVersion)
SAME_SIGNATURE(cuGetErrorName)
SAME_SIGNATURE(cuGetErrorString)
SAME_SIGNATURE(cuDeviceGetCount)
SAME_SIGNATURE(cuDeviceGet)
SAME_SIGNATURE(cuDeviceGetName)
SAME_SIGNATURE(cuDeviceGetAttribute)
SAME_SIGNATURE(cuDeviceTotalMem_v2)
SAME_SIGNATURE(cuDeviceGetPCIBusId)
SAME_SIGNATURE(cuDevicePrimaryCtxRetain)
SAME_SIGNATURE(cuCtxSetCurrent)
SAME_SIGNATURE(cuCtxGetCurrent)
SAME_SIGNATURE(cuStreamCreate)
SAME_SIGNATURE(cuStreamSynchronize)
SAME_SIGNATURE(cuStreamQuery)
SAME_SIGNATURE(cuEventCreate)
SAME_SIGNATURE(cuEventRecord)
SAME_SIGNATURE(cuEventQuery)
SAME_SIGNATURE(cuEventSynchronize)
SAME_SIGNATURE(cuMemAlloc_v2)
SAME_SIGNATURE(cuMemFree_v2)
SAME_SIGNATURE(cuMemGetInfo_v2)
SAME_SIGNATURE(cuMemHostAlloc)
SAME_SIGNATURE(cuMemFreeHost)
SAME_SIGNATURE(cuMemcpyHtoDAsync_v2)
SAME_SIGNATURE(cuMemcpyDtoHAsync_v2)
SAME_SIGNATURE(cuMemcpyDtoDAsync_v2)
SAME_SIGNATURE(cuModuleLoadData)
SAME_SIGNATURE(cuModuleGetFunction)
SAME_SIGNATURE(cuLaunchKernel)

static_assert(tt::cu::kSuccess == CUDA_SUCCESS);
static_assert(tt::cu::kErrorOutOfMemory == CUDA_ERROR_OUT_OF_MEMORY);
static_assert(tt::cu::kErrorNoDevice == CUDA_ERROR_NO_DEVICE);
static_assert(tt::cu::kErrorNotReady == CUDA_ERROR_NOT_READY);
static_assert(tt::cu::kAttrMultiprocessorCount == CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
static_assert(tt::cu::kAttrComputeCapabilityMajor == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
static_assert(tt::cu::kAttrComputeCapabilityMinor == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
static_assert(tt::cu::kStreamNonBlocking == CU_STREAM_NON_BLOCKING);
static_assert(tt::cu::kEventDisableTiming == CU_EVENT_DISABLE_TIMING);
static_assert(tt::cu::kMemHostAllocPortable == CU_MEMHOSTALLOC_PORTABLE);
// Our own (non-official) build declares these types with the same size and kind.
static_assert(sizeof(CUdeviceptr) == sizeof(unsigned long long) && std::is_unsigned_v<CUdeviceptr>);
static_assert(sizeof(CUresult) == sizeof(int) && sizeof(CUdevice) == sizeof(int));
#endif

#ifdef TT_CHECK_NVRTC
#include <nvrtc.h>
#define TT_NVRTC_OFFICIAL_TYPES
#include "cuda/api/nvrtc.h"
SAME_AS(tt::nvrtc, nvrtcVersion)
SAME_AS(tt::nvrtc, nvrtcGetErrorString)
SAME_AS(tt::nvrtc, nvrtcCreateProgram)
SAME_AS(tt::nvrtc, nvrtcDestroyProgram)
SAME_AS(tt::nvrtc, nvrtcCompileProgram)
SAME_AS(tt::nvrtc, nvrtcGetProgramLogSize)
SAME_AS(tt::nvrtc, nvrtcGetProgramLog)
SAME_AS(tt::nvrtc, nvrtcGetCUBINSize)
SAME_AS(tt::nvrtc, nvrtcGetCUBIN)
SAME_AS(tt::nvrtc, nvrtcGetPTXSize)
SAME_AS(tt::nvrtc, nvrtcGetPTX)
SAME_AS(tt::nvrtc, nvrtcGetNumSupportedArchs)
SAME_AS(tt::nvrtc, nvrtcGetSupportedArchs)
static_assert(tt::nvrtc::kSuccess == NVRTC_SUCCESS);
#endif

#ifdef TT_CHECK_CUBLAS
#include <cublasLt.h>
#include <cublas_api.h>
#define TT_CUBLAS_OFFICIAL_TYPES
#include "cuda/api/cublas.h"
SAME_AS(tt::cublas, cublasCreate_v2)
SAME_AS(tt::cublas, cublasSetStream_v2)
SAME_AS(tt::cublas, cublasSetMathMode)
SAME_AS(tt::cublas, cublasGetVersion_v2)
SAME_AS(tt::cublas, cublasGetStatusString)
SAME_AS(tt::cublas, cublasSgemmStridedBatched)
SAME_AS(tt::cublas, cublasDgemmStridedBatched)
SAME_AS(tt::cublas, cublasGemmStridedBatchedEx)
SAME_AS(tt::cublas, cublasLtGetVersion)
static_assert(tt::cublas::kSuccess == CUBLAS_STATUS_SUCCESS);
static_assert(tt::cublas::kOpN == CUBLAS_OP_N && tt::cublas::kOpT == CUBLAS_OP_T);
static_assert(tt::cublas::kDefaultMath == CUBLAS_DEFAULT_MATH && tt::cublas::kTf32TensorOpMath == CUBLAS_TF32_TENSOR_OP_MATH);
static_assert(tt::cublas::kR32F == CUDA_R_32F && tt::cublas::kR64F == CUDA_R_64F && tt::cublas::kR16F == CUDA_R_16F &&
              tt::cublas::kR16BF == CUDA_R_16BF);
static_assert(tt::cublas::kCompute32F == CUBLAS_COMPUTE_32F);
static_assert(tt::cublas::kGemmDefault == CUBLAS_GEMM_DEFAULT);
#endif
