// Opens the driver, NVRTC, cuBLAS(Lt) and NVML once, on first use, and says exactly what is
// missing when something is. Symbols are looked up lazily, one call site at a time, so a
// symbol an older library lacks only matters if that call is ever made.
#pragma once
#include <string>

#include "../common.h"
#include "api/cublas.h"
#include "api/driver.h"
#include "api/nvml.h"
#include "api/nvrtc.h"

namespace tt::cuda {

struct Probe {
  bool available = false;
  std::string reason;      // why CUDA is unavailable (empty when available)
  int driver_version = 0;  // 12040 = CUDA 12.4
  int device_count = 0;
  int nvrtc_major = 0, nvrtc_minor = 0;
  std::string cuda_path, nvrtc_path, cublas_path, cublaslt_path, nvml_path;
  std::string nvml_error;  // NVML is optional: device facts only
};

struct Libraries {
  void* cuda = nullptr;
  void* nvrtc = nullptr;
  void* cublas = nullptr;
  void* cublaslt = nullptr;
  void* nvml = nullptr;
};

struct LibrarySpec;
// The NVRTC file names, newest first.
const LibrarySpec& nvrtc_library();

// Loads the libnvrtc-builtins beside an NVRTC opened by path, so NVRTC finds it.
void preload_nvrtc_builtins(const std::string& nvrtc_path, void* nvrtc);

// Runs once; later calls return the same result.
const Probe& probe();
const Libraries& libraries();
// Throws "CUDA is not available: <reason>" unless the probe succeeded.
void require_available();

void* require_symbol(void* lib, const char* lib_name, const char* name);
void* optional_symbol(void* lib, const char* name);

// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)" for a driver result code.
std::string cu_error_text(int result);
// Throws "<what>: <error text>" when r is not CUDA_SUCCESS.
void check_cu(int r, const char* what);

}  // namespace tt::cuda

#define TT_LAZY_SYM(lib_field, lib_name, ns, name)                                                                        \
  ([]() -> ns::PFN_##name {                                                                                               \
    static const ns::PFN_##name f =                                                                                       \
        reinterpret_cast<ns::PFN_##name>(::tt::cuda::require_symbol(::tt::cuda::libraries().lib_field, lib_name, #name)); \
    return f;                                                                                                             \
  }())

// CU(cuMemAlloc_v2)(&p, n): the driver entry point, resolved on its first call.
#define CU(name) TT_LAZY_SYM(cuda, "libcuda", ::tt::cu, name)
#define NVRTC(name) TT_LAZY_SYM(nvrtc, "libnvrtc", ::tt::nvrtc, name)
#define CUBLAS(name) TT_LAZY_SYM(cublas, "libcublas", ::tt::cublas, name)
#define NVML(name) TT_LAZY_SYM(nvml, "libnvidia-ml", ::tt::nvml, name)
