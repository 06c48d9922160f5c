// Finding and opening the CUDA libraries at run time: which file names, in which folders,
// in which order. Pure functions where possible, so the order is testable without a GPU.
#pragma once
#include <string>
#include <vector>

namespace tt::cuda {

// One library we may open, by its file names newest first (libnvrtc.so.13, .12, .11.2…).
struct LibrarySpec {
  std::string what;                // "libnvrtc", for messages
  std::vector<std::string> names;  // newest first
  bool system_only = false;        // driver libraries: only the loader's own search path
};

// Folders to search, in order: TESSERA_CUDA_LIB_DIRS (colon-separated), then "" (the
// dynamic loader's own search: LD_LIBRARY_PATH, the ldconfig cache), then CUDA_HOME,
// CUDA_PATH and /usr/local/cuda (each /lib64). Empty and repeated entries are dropped.
std::vector<std::string> search_dirs(const char* extra_dirs, const char* cuda_home, const char* cuda_path);

// Paths in the order they are tried: each name, newest first, in each folder.
std::vector<std::string> library_candidates(const LibrarySpec& spec, const std::vector<std::string>& dirs);

// The major version in a file name ("libnvrtc.so.11.2" -> 11), or -1 without one.
int soname_major(const std::string& name);

struct OpenResult {
  void* handle = nullptr;
  std::string path;
  std::vector<std::string> skipped;  // names passed over because they are newer than the driver
  std::string last_error;            // dlerror() of the last failed attempt
};

// Opens the first candidate whose major version is at most max_major (any when < 0).
// Libraries are never closed: CUDA libraries do not survive dlclose.
OpenResult open_first(const LibrarySpec& spec, const std::vector<std::string>& dirs, int max_major);

// A symbol, or nullptr when the library lacks it.
void* find_symbol(void* handle, const char* name);

// "a, b and c" for messages.
std::string join_names(const std::vector<std::string>& names);

}  // namespace tt::cuda
