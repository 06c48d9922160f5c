#include "dynlib.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>

namespace tt::cuda {

std::vector<std::string> search_dirs(const char* extra_dirs, const char* cuda_home, const char* cuda_path) {
  std::vector<std::string> dirs;
  auto add = [&](std::string d) {
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  };
  if (extra_dirs) {
    std::string s = extra_dirs;
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(':', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) add(s.substr(start, end - start));
      start = end + 1;
    }
  }
  add("");
  auto lib64 = [](std::string root) {
    while (!root.empty() && root.back() == '/') root.pop_back();
    return root + "/lib64";
  };
  if (cuda_home && *cuda_home) add(lib64(cuda_home));
  if (cuda_path && *cuda_path) add(lib64(cuda_path));
  add("/usr/local/cuda/lib64");
  return dirs;
}

std::vector<std::string> library_candidates(const LibrarySpec& spec, const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  for (const auto& name : spec.names) {
    if (spec.system_only) {
      out.push_back(name);
      continue;
    }
    for (const auto& d : dirs) out.push_back(d.empty() ? name : d + "/" + name);
  }
  return out;
}

int soname_major(const std::string& name) {
  size_t at = name.find(".so.");
  if (at == std::string::npos) return -1;
  const char* p = name.c_str() + at + 4;
  if (*p < '0' || *p > '9') return -1;
  return std::atoi(p);
}

OpenResult open_first(const LibrarySpec& spec, const std::vector<std::string>& dirs, int max_major) {
  OpenResult r;
  for (const auto& path : library_candidates(spec, dirs)) {
    size_t slash = path.rfind('/');
    std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
    int major = soname_major(file);
    if (max_major >= 0 && major > max_major) {
      if (std::find(r.skipped.begin(), r.skipped.end(), file) == r.skipped.end()) r.skipped.push_back(file);
      continue;
    }
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h) {
      r.handle = h;
      r.path = path;
      return r;
    }
    const char* e = dlerror();
    r.last_error = e ? e : "unknown error";
  }
  return r;
}

void* find_symbol(void* handle, const char* name) {
  if (!handle) return nullptr;
  dlerror();
  return dlsym(handle, name);
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); i++) {
    if (i) s += i + 1 == names.size() ? " and " : ", ";
    s += names[i];
  }
  return s;
}

}  // namespace tt::cuda
