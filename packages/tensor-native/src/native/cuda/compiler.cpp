#include "compiler.h"

#include <cstdlib>
#include <cstring>

#include "../common.h"
#include "arch.h"
#include "cuda_kernel_sources.h"
#include "dynlib.h"
#include "kernel_cache.h"
#include "launch.h"
#include "loader.h"

namespace tt::cuda {
namespace {

const embedded::File* find_source(const std::string& file) {
  for (const auto& f : embedded::kSources)
    if (file == f.name) return &f;
  return nullptr;
}

std::vector<int> supported_archs() {
  auto num = reinterpret_cast<nvrtc::PFN_nvrtcGetNumSupportedArchs>(optional_symbol(libraries().nvrtc, "nvrtcGetNumSupportedArchs"));
  auto list = reinterpret_cast<nvrtc::PFN_nvrtcGetSupportedArchs>(optional_symbol(libraries().nvrtc, "nvrtcGetSupportedArchs"));
  int n = 0;
  if (!num || !list || num(&n) != nvrtc::kSuccess || n <= 0) return {};
  std::vector<int> archs((size_t)n);
  if (list(archs.data()) != nvrtc::kSuccess) return {};
  return archs;
}

// NVRTC's entry points from one library handle (the probe's, or the offline check's).
struct Nvrtc {
  explicit Nvrtc(void* lib) : lib_(lib) {}
  template <typename F>
  F fn(const char* name) const {
    return reinterpret_cast<F>(require_symbol(lib_, "libnvrtc", name));
  }
  void check(int r, const char* what) const {
    if (r == nvrtc::kSuccess) return;
    const char* text = fn<nvrtc::PFN_nvrtcGetErrorString>("nvrtcGetErrorString")(r);
    throw Error(std::string(what) + ": " + (text ? text : "NVRTC error " + std::to_string(r)));
  }
  void* lib_;
};

std::string run_nvrtc(const Nvrtc& rt, const embedded::File& src, const std::vector<std::string>& options, bool ptx) {
  std::vector<const char*> hdr_text, hdr_names;
  for (const auto& h : embedded::kHeaders) {
    hdr_text.push_back(h.text);
    hdr_names.push_back(h.name);
  }
  nvrtc::Program prog = nullptr;
  rt.check(rt.fn<nvrtc::PFN_nvrtcCreateProgram>("nvrtcCreateProgram")(&prog, src.text, src.name, (int)hdr_text.size(), hdr_text.data(),
                                                                      hdr_names.data()),
           "nvrtcCreateProgram");
  auto destroy = rt.fn<nvrtc::PFN_nvrtcDestroyProgram>("nvrtcDestroyProgram");
  std::vector<const char*> opts;
  for (const auto& o : options) opts.push_back(o.c_str());
  int r = rt.fn<nvrtc::PFN_nvrtcCompileProgram>("nvrtcCompileProgram")(prog, (int)opts.size(), opts.data());
  if (r != nvrtc::kSuccess) {
    size_t n = 0;
    rt.fn<nvrtc::PFN_nvrtcGetProgramLogSize>("nvrtcGetProgramLogSize")(prog, &n);
    std::string log(n, '\0');
    if (n) rt.fn<nvrtc::PFN_nvrtcGetProgramLog>("nvrtcGetProgramLog")(prog, log.data());
    destroy(&prog);
    std::string cmd;
    for (const auto& o : options) cmd += " " + o;
    throw Error("NVRTC could not compile " + std::string(src.name) + " (options:" + cmd + "):\n" + log);
  }
  size_t n = 0;
  std::string image;
  try {
    if (ptx) {
      rt.check(rt.fn<nvrtc::PFN_nvrtcGetPTXSize>("nvrtcGetPTXSize")(prog, &n), "nvrtcGetPTXSize");
      image.assign(n, '\0');
      rt.check(rt.fn<nvrtc::PFN_nvrtcGetPTX>("nvrtcGetPTX")(prog, image.data()), "nvrtcGetPTX");
    } else {
      rt.check(rt.fn<nvrtc::PFN_nvrtcGetCUBINSize>("nvrtcGetCUBINSize")(prog, &n), "nvrtcGetCUBINSize");
      image.assign(n, '\0');
      rt.check(rt.fn<nvrtc::PFN_nvrtcGetCUBIN>("nvrtcGetCUBIN")(prog, image.data()), "nvrtcGetCUBIN");
    }
  } catch (...) {
    destroy(&prog);
    throw;
  }
  destroy(&prog);
  return image;
}

}  // namespace

std::vector<std::string> nvrtc_options() {
  return {"-std=c++17", "-DTT_MAX_DIMS=" + std::to_string(kMaxDims), "-DTT_BLOCK=" + std::to_string(TT_BLOCK)};
}

Image compile_kernel_file(const std::string& file, int cc_major, int cc_minor) {
  const embedded::File* src = find_source(file);
  if (!src) throw Error("no embedded CUDA kernel file named " + file);
  const ArchChoice choice = choose_arch(cc_major, cc_minor, supported_archs());
  std::vector<std::string> options = nvrtc_options();
  options.push_back("--gpu-architecture=" + choice.arch);

  KernelBuild build;
  build.source = src->text;
  for (const auto& h : embedded::kHeaders) build.headers.emplace_back(h.name, h.text);
  build.options = options;
  build.arch = choice.arch;
  build.nvrtc_major = probe().nvrtc_major;
  build.nvrtc_minor = probe().nvrtc_minor;
  const std::string name = cache_key(build) + (choice.ptx ? ".ptx" : ".cubin");
  const std::string dir = cache_dir();

  Image img;
  img.arch = choice.arch;
  if (cache_read(dir, name, &img.bytes)) {
    img.from_cache = true;
    return img;
  }
  img.bytes = run_nvrtc(Nvrtc(libraries().nvrtc), *src, options, choice.ptx);
  cache_write(dir, name, img.bytes);  // best effort: a read-only home only costs a recompile
  return img;
}

}  // namespace tt::cuda

namespace tt::cuda {

OfflineCheck compile_offline(const std::vector<std::string>& archs) {
  OfflineCheck out;
  const auto dirs = search_dirs(std::getenv("TESSERA_CUDA_LIB_DIRS"), std::getenv("CUDA_HOME"), std::getenv("CUDA_PATH"));
  OpenResult lib = open_first(nvrtc_library(), dirs, -1);
  if (!lib.handle) {
    out.error = "libnvrtc not found (tried " + join_names(nvrtc_library().names) + "; set TESSERA_CUDA_LIB_DIRS)";
    return out;
  }
  out.path = lib.path;
  preload_nvrtc_builtins(lib.path, lib.handle);
  Nvrtc rt(lib.handle);
  int major = 0, minor = 0;
  rt.fn<nvrtc::PFN_nvrtcVersion>("nvrtcVersion")(&major, &minor);
  out.version = std::to_string(major) + "." + std::to_string(minor);
  for (const auto& src : embedded::kSources)
    for (const auto& arch : archs) {
      OfflineCheck::Result r;
      r.file = src.name;
      r.arch = arch;
      std::vector<std::string> options = nvrtc_options();
      options.push_back("--gpu-architecture=" + arch);
      try {
        r.image = run_nvrtc(rt, src, options, arch.rfind("compute_", 0) == 0);
      } catch (const std::exception& e) { r.error = e.what(); }
      out.results.push_back(std::move(r));
    }
  return out;
}

}  // namespace tt::cuda
