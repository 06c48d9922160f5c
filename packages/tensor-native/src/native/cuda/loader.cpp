#include "loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "dynlib.h"

namespace tt::cuda {
namespace {

Probe g_probe;
Libraries g_libs;
std::once_flag g_once;

const LibrarySpec kDriver{"libcuda", {"libcuda.so.1"}, true};
const LibrarySpec kNvml{"libnvidia-ml", {"libnvidia-ml.so.1"}, true};
const LibrarySpec kNvrtc{"libnvrtc", {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11.1"}, false};
const char* const kBlasMajors[] = {"13", "12", "11"};

std::string where_searched(const std::vector<std::string>& dirs) {
  std::vector<std::string> named;
  for (const auto& d : dirs) named.push_back(d.empty() ? "the loader's search path" : d);
  return join_names(named);
}

std::string not_found(const LibrarySpec& spec, const OpenResult& r, const std::vector<std::string>& dirs, int driver) {
  std::vector<std::string> tried;
  for (const auto& n : spec.names)
    if (std::find(r.skipped.begin(), r.skipped.end(), n) == r.skipped.end()) tried.push_back(n);
  std::string s = spec.what + " not found (tried " + join_names(tried) + " in " + where_searched(dirs);
  if (!r.skipped.empty())
    s += "; skipped " + join_names(r.skipped) + ": newer than the driver's CUDA " + std::to_string(driver / 1000) + "." +
         std::to_string(driver % 1000 / 10);
  return s + "; set TESSERA_CUDA_LIB_DIRS to the folder that holds it)";
}

}  // namespace

void preload_nvrtc_builtins(const std::string& nvrtc_path, void* nvrtc) {
  // NVRTC dlopens libnvrtc-builtins.so.M.m by name, through the loader's search path only:
  // from a folder outside it (a pip wheel, TESSERA_CUDA_LIB_DIRS) that fails at compile
  // time. Loaded first from NVRTC's own folder, the name resolves to the loaded copy.
  size_t slash = nvrtc_path.rfind('/');
  auto version = reinterpret_cast<nvrtc::PFN_nvrtcVersion>(find_symbol(nvrtc, "nvrtcVersion"));
  int major = 0, minor = 0;
  if (slash == std::string::npos || !version || version(&major, &minor) != nvrtc::kSuccess) return;
  std::string builtins = nvrtc_path.substr(0, slash + 1) + "libnvrtc-builtins.so." + std::to_string(major) + "." + std::to_string(minor);
  dlopen(builtins.c_str(), RTLD_NOW | RTLD_LOCAL);
}

namespace {

std::string visible_devices_note() {
  const char* v = std::getenv("CUDA_VISIBLE_DEVICES");
  return v ? std::string(" with CUDA_VISIBLE_DEVICES=\"") + v + "\"" : std::string();
}

void run_probe() {
  Probe& p = g_probe;
  OpenResult drv = open_first(kDriver, {""}, -1);
  if (!drv.handle) {
    bool missing =
        drv.last_error.find("No such file") != std::string::npos || drv.last_error.find("cannot open shared object") != std::string::npos;
    p.reason = missing ? "libcuda.so.1 not found (no NVIDIA driver)" : "libcuda.so.1 could not be loaded: " + drv.last_error;
    return;
  }
  g_libs.cuda = drv.handle;
  p.cuda_path = drv.path;
  auto init = reinterpret_cast<cu::PFN_cuInit>(find_symbol(drv.handle, "cuInit"));
  auto version = reinterpret_cast<cu::PFN_cuDriverGetVersion>(find_symbol(drv.handle, "cuDriverGetVersion"));
  auto count = reinterpret_cast<cu::PFN_cuDeviceGetCount>(find_symbol(drv.handle, "cuDeviceGetCount"));
  if (!init || !version || !count) {
    p.reason = "libcuda.so.1 lacks cuInit/cuDriverGetVersion/cuDeviceGetCount (not an NVIDIA driver library)";
    return;
  }
  int r = init(0);
  if (r != cu::kSuccess) {
    p.reason = r == cu::kErrorNoDevice ? "no CUDA device (cuInit: " + cu_error_text(r) + ")" + visible_devices_note()
                                       : "cuInit failed: " + cu_error_text(r) + visible_devices_note();
    return;
  }
  version(&p.driver_version);
  if (count(&p.device_count) != cu::kSuccess || p.device_count == 0) {
    p.device_count = 0;
    p.reason = "no CUDA device visible" + visible_devices_note();
    return;
  }
  const int driver_major = p.driver_version / 1000;
  const auto dirs = search_dirs(std::getenv("TESSERA_CUDA_LIB_DIRS"), std::getenv("CUDA_HOME"), std::getenv("CUDA_PATH"));

  OpenResult rtc = open_first(kNvrtc, dirs, driver_major);
  if (!rtc.handle) {
    p.reason = not_found(kNvrtc, rtc, dirs, p.driver_version);
    return;
  }
  g_libs.nvrtc = rtc.handle;
  p.nvrtc_path = rtc.path;
  preload_nvrtc_builtins(rtc.path, rtc.handle);
  if (auto v = reinterpret_cast<nvrtc::PFN_nvrtcVersion>(find_symbol(rtc.handle, "nvrtcVersion"))) v(&p.nvrtc_major, &p.nvrtc_minor);

  // cuBLAS needs the cuBLASLt of its own major version: open that first (from whichever
  // folder holds it) so cuBLAS's dependency resolves to it by soname.
  LibrarySpec blas{"libcublas", {}, false}, lt{"libcublasLt", {}, false};
  for (const char* m : kBlasMajors) {
    blas.names.push_back(std::string("libcublas.so.") + m);
    lt.names.push_back(std::string("libcublasLt.so.") + m);
  }
  OpenResult blas_r;
  std::string lt_missing;
  for (const char* m : kBlasMajors) {
    if (std::atoi(m) > driver_major) {
      blas_r.skipped.push_back(std::string("libcublas.so.") + m);
      continue;
    }
    OpenResult one_lt = open_first({"libcublasLt", {std::string("libcublasLt.so.") + m}, false}, dirs, -1);
    OpenResult one = open_first({"libcublas", {std::string("libcublas.so.") + m}, false}, dirs, -1);
    if (one.handle) {
      blas_r.handle = one.handle;
      blas_r.path = one.path;
      g_libs.cublaslt = one_lt.handle ? one_lt.handle : dlopen((std::string("libcublasLt.so.") + m).c_str(), RTLD_NOW | RTLD_NOLOAD);
      p.cublaslt_path = one_lt.handle ? one_lt.path : std::string("libcublasLt.so.") + m;
      break;
    }
    if (!one_lt.handle && lt_missing.empty()) lt_missing = std::string("libcublasLt.so.") + m;
    blas_r.last_error = one.last_error;
  }
  if (!blas_r.handle) {
    p.reason = not_found(blas, blas_r, dirs, p.driver_version);
    if (!lt_missing.empty()) p.reason += " (" + lt_missing + ", which cuBLAS needs, was not found either)";
    return;
  }
  g_libs.cublas = blas_r.handle;
  p.cublas_path = blas_r.path;

  OpenResult ml = open_first(kNvml, {""}, -1);
  if (ml.handle) {
    auto ml_init = reinterpret_cast<nvml::PFN_nvmlInit_v2>(find_symbol(ml.handle, "nvmlInit_v2"));
    int mr = ml_init ? ml_init() : -1;
    if (mr == nvml::kSuccess) {
      g_libs.nvml = ml.handle;
      p.nvml_path = ml.path;
    } else {
      p.nvml_error = "nvmlInit_v2 failed (" + std::to_string(mr) + ")";
    }
  } else {
    p.nvml_error = "libnvidia-ml.so.1 not found";
  }
  p.available = true;
}

}  // namespace

const LibrarySpec& nvrtc_library() { return kNvrtc; }

const Probe& probe() {
  std::call_once(g_once, run_probe);
  return g_probe;
}

const Libraries& libraries() {
  probe();
  return g_libs;
}

void require_available() {
  const Probe& p = probe();
  if (!p.available) throw Error("CUDA is not available: " + p.reason);
}

void* require_symbol(void* lib, const char* lib_name, const char* name) {
  if (!lib) throw Error(std::string("CUDA is not available: ") + lib_name + " is not loaded (" + probe().reason + ")");
  void* f = find_symbol(lib, name);
  if (!f) throw Error(std::string(lib_name) + " has no symbol " + name + " (the library is older than this code needs)");
  return f;
}

void* optional_symbol(void* lib, const char* name) { return find_symbol(lib, name); }

std::string cu_error_text(int result) {
  const char* name = nullptr;
  const char* desc = nullptr;
  void* lib = g_libs.cuda;
  if (auto f = reinterpret_cast<cu::PFN_cuGetErrorName>(find_symbol(lib, "cuGetErrorName"))) f(result, &name);
  if (auto f = reinterpret_cast<cu::PFN_cuGetErrorString>(find_symbol(lib, "cuGetErrorString"))) f(result, &desc);
  std::string s = name ? name : "CUDA error " + std::to_string(result);
  if (desc) s += std::string(" (") + desc + ")";
  return s;
}

void check_cu(int r, const char* what) {
  if (r != cu::kSuccess) throw Error(std::string(what) + ": " + cu_error_text(r));
}

}  // namespace tt::cuda
