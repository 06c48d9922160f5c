// The on-disk cache of compiled kernels. An entry is keyed by the SHA-256 of everything
// that decides the binary (source, headers, options, target arch, NVRTC version, output
// format), written to a temporary name and renamed into place (readers never see half a
// file), and carries the SHA-256 of its payload, checked on every read (a corrupt entry is
// a miss and is compiled and written again).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace tt::cuda {

struct KernelBuild {
  std::string source;
  std::vector<std::pair<std::string, std::string>> headers;  // include name, text
  std::vector<std::string> options;
  std::string arch;  // "sm_90" (cubin) or "compute_90" (PTX)
  int nvrtc_major = 0, nvrtc_minor = 0;
};

// 64 hex digits.
std::string cache_key(const KernelBuild& build);

// TESSERA_CUDA_CACHE_DIR, else $XDG_CACHE_HOME/tessera/cuda, else ~/.cache/tessera/cuda;
// empty when TESSERA_CUDA_CACHE=0 (no caching).
std::string cache_dir();

// The bytes of an entry file around a payload, and back (false when malformed or corrupt).
std::string encode_entry(const std::string& payload);
bool decode_entry(const std::string& file, std::string* payload);

// dir/<name> (name = key + ".cubin" or ".ptx"): false when absent, unreadable, truncated or
// failing its checksum.
bool cache_read(const std::string& dir, const std::string& name, std::string* payload);
// Atomic write (temp file, fsync, rename); false when the folder is not writable.
bool cache_write(const std::string& dir, const std::string& name, const std::string& payload);

}  // namespace tt::cuda
