// Which target NVRTC compiles for. A cubin for the device's own sm_XY when this NVRTC knows
// it; else a cubin for the newest sm_XZ of the same major it knows (cubins run on later
// minor versions of their major); else PTX for the newest arch it knows, which the driver
// compiles on load (a device newer than the toolkit). PTX is never chosen when a cubin
// works: PTX from a newer NVRTC does not load on an older driver.
#pragma once
#include <string>
#include <vector>

namespace tt::cuda {

struct ArchChoice {
  std::string arch;  // "sm_90" or "compute_90"
  bool ptx = false;
};

// supported: NVRTC's list (nvrtcGetSupportedArchs, e.g. {75, 80, 86, 89, 90}); empty when
// this NVRTC cannot say, then the device's own arch is tried. Throws when the device is
// older than everything NVRTC supports.
ArchChoice choose_arch(int major, int minor, const std::vector<int>& supported);

}  // namespace tt::cuda
