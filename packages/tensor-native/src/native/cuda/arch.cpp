#include "arch.h"

#include <algorithm>

#include "../common.h"

namespace tt::cuda {

ArchChoice choose_arch(int major, int minor, const std::vector<int>& supported) {
  const int want = major * 10 + minor;
  if (supported.empty() || std::find(supported.begin(), supported.end(), want) != supported.end())
    return {"sm_" + std::to_string(want), false};
  int same_major = -1, below = -1;
  for (int a : supported) {
    if (a / 10 == major && a <= want) same_major = std::max(same_major, a);
    if (a < want) below = std::max(below, a);
  }
  if (same_major >= 0) return {"sm_" + std::to_string(same_major), false};
  if (below >= 0) return {"compute_" + std::to_string(below), true};
  throw Error("NVRTC cannot compile for this GPU (compute capability " + std::to_string(major) + "." + std::to_string(minor) +
              "); the oldest architecture it supports is sm_" + std::to_string(*std::min_element(supported.begin(), supported.end())));
}

}  // namespace tt::cuda
