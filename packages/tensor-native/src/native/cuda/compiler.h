// Kernel files to loadable images: NVRTC on first use, then the on-disk cache.
#pragma once
#include <string>
#include <vector>

namespace tt::cuda {

// The options every kernel file is compiled with, apart from the target arch. The
// kernels' nvcc test compiles with exactly these.
std::vector<std::string> nvrtc_options();

struct Image {
  std::string bytes;  // cubin, or NUL-terminated PTX
  std::string arch;
  bool from_cache = false;
};

// `file` is one of the embedded .cu names ("elementwise.cu").
Image compile_kernel_file(const std::string& file, int cc_major, int cc_minor);

// Every kernel file through NVRTC for each target, with no driver or GPU involved: what a
// machine's NVRTC makes of our sources (the tests run it where only the toolkit is there).
struct OfflineCheck {
  struct Result {
    std::string file, arch, image, error;
  };
  std::string path, version, error;  // error: NVRTC not found
  std::vector<Result> results;
};
OfflineCheck compile_offline(const std::vector<std::string>& archs);

}  // namespace tt::cuda
