#include "device.h"

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "../interrupt.h"
#include "compiler.h"
#include "cuda_kernel_sources.h"
#include "launch.h"
#include "loader.h"

namespace tt::cuda {
namespace {

class DriverMemory : public DeviceMemory {
 public:
  explicit DriverMemory(Device& d) : dev_(d) {}
  bool allocate(size_t bytes, uint64_t* ptr) override {
    dev_.make_current();
    cu::CUdeviceptr p = 0;
    int r = CU(cuMemAlloc_v2)(&p, bytes);
    if (r == cu::kErrorOutOfMemory) return false;
    check_cu(r, "cuMemAlloc");
    *ptr = p;
    return true;
  }
  void release(uint64_t ptr) override {
    dev_.make_current();
    check_cu(CU(cuMemFree_v2)(ptr), "cuMemFree");
  }
  void info(size_t* free_b, size_t* total) override {
    dev_.make_current();
    check_cu(CU(cuMemGetInfo_v2)(free_b, total), "cuMemGetInfo");
  }
  void synchronize() override { dev_.synchronize(); }

 private:
  Device& dev_;
};

std::mutex g_devices_mu;
std::vector<std::unique_ptr<Device>> g_devices;

}  // namespace

Device::Device(int ordinal) : ordinal_(ordinal) {
  check_cu(CU(cuDeviceGet)(&dev_, ordinal), "cuDeviceGet");
  CU(cuDeviceGetAttribute)(&cc_major_, cu::kAttrComputeCapabilityMajor, dev_);
  CU(cuDeviceGetAttribute)(&cc_minor_, cu::kAttrComputeCapabilityMinor, dev_);
  CU(cuDeviceGetAttribute)(&sm_count_, cu::kAttrMultiprocessorCount, dev_);
  if (cc_major_ < 6)
    throw Error("cuda:" + std::to_string(ordinal) + " has compute capability " + std::to_string(cc_major_) + "." +
                std::to_string(cc_minor_) + "; Tessera's kernels need 6.0 or newer");
  check_cu(CU(cuDevicePrimaryCtxRetain)(&ctx_, dev_), "cuDevicePrimaryCtxRetain");
  make_current();
  check_cu(CU(cuStreamCreate)(&stream_, cu::kStreamNonBlocking), "cuStreamCreate");
  check_cu(CU(cuEventCreate)(&sync_event_, cu::kEventDisableTiming), "cuEventCreate");
  for (int i = 0; i < 2; i++) {
    void* p = nullptr;
    check_cu(CU(cuMemHostAlloc)(&p, kStagingBytes, cu::kMemHostAllocPortable), "cuMemHostAlloc");
    staging_[i] = static_cast<char*>(p);
    check_cu(CU(cuEventCreate)(&staging_done_[i], cu::kEventDisableTiming), "cuEventCreate");
  }
  memory_ = std::make_unique<DriverMemory>(*this);
  allocator_ = std::make_unique<CachingAllocator>(*memory_, ordinal);
  if (const char* f = std::getenv("TESSERA_CUDA_MEMORY_FRACTION"); f && *f) allocator_->set_memory_fraction(std::atof(f));
}

void Device::make_current() {
  cu::CUcontext cur = nullptr;
  CU(cuCtxGetCurrent)(&cur);
  if (cur != ctx_) check_cu(CU(cuCtxSetCurrent)(ctx_), "cuCtxSetCurrent");
}

void Device::wait(cu::CUevent e) {
  auto start = std::chrono::steady_clock::now();
  for (int spin = 0;; spin++) {
    int r = CU(cuEventQuery)(e);
    if (r == cu::kSuccess) return;
    if (r != cu::kErrorNotReady) check_cu(r, "CUDA error from earlier asynchronous work");
    check_interrupt();
    if (spin < 64) continue;
    // Short waits spin; long ones sleep so a waiting kernel process does not burn a core.
    auto waited = std::chrono::steady_clock::now() - start;
    if (waited < std::chrono::milliseconds(2)) std::this_thread::yield();
    else std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

void Device::synchronize() {
  make_current();
  check_cu(CU(cuEventRecord)(sync_event_, stream_), "cuEventRecord");
  wait(sync_event_);
}

cu::CUfunction Device::function(const char* file, const char* name) {
  auto it = functions_.find(name);
  if (it != functions_.end()) return it->second;
  make_current();
  auto m = modules_.find(file);
  if (m == modules_.end()) {
    Image img = compile_kernel_file(file, cc_major_, cc_minor_);
    cu::CUmodule mod = nullptr;
    int r = CU(cuModuleLoadData)(&mod, img.bytes.data());
    if (r != cu::kSuccess)
      throw Error("could not load the " + img.arch + " kernels of " + file + (img.from_cache ? " (from the cache)" : "") + ": " +
                  cu_error_text(r));
    m = modules_.emplace(file, mod).first;
  }
  cu::CUfunction f = nullptr;
  check_cu(CU(cuModuleGetFunction)(&f, m->second, name), name);
  functions_.emplace(name, f);
  return f;
}

void Device::load_all_modules() {
  for (const auto& src : embedded::kSources) {
    if (modules_.count(src.name)) continue;
    make_current();
    Image img = compile_kernel_file(src.name, cc_major_, cc_minor_);
    cu::CUmodule mod = nullptr;
    check_cu(CU(cuModuleLoadData)(&mod, img.bytes.data()), src.name);
    modules_.emplace(src.name, mod);
  }
}

void Device::launch(cu::CUfunction f, uint64_t work_items, void* args, bool one_block_per_item) {
  if (work_items == 0) return;
  make_current();
  const uint64_t cap = (uint64_t)sm_count_ * 32;
  uint64_t blocks = one_block_per_item ? work_items : (work_items + TT_BLOCK - 1) / TT_BLOCK;
  if (blocks > cap) blocks = cap;  // kernels loop over the rest (grid-stride)
  void* params[] = {args};
  check_cu(CU(cuLaunchKernel)(f, (unsigned)blocks, 1, 1, TT_BLOCK, 1, 1, 0, stream_, params, nullptr), "cuLaunchKernel");
}

void Device::upload(uint64_t dst, const void* src, size_t bytes) {
  make_current();
  const char* s = static_cast<const char*>(src);
  for (size_t off = 0, i = 0; off < bytes; off += kStagingBytes, i++) {
    const size_t n = std::min(kStagingBytes, bytes - off);
    const int k = (int)(i % 2);
    wait(staging_done_[k]);  // the previous copy out of this buffer has run
    std::memcpy(staging_[k], s + off, n);
    check_cu(CU(cuMemcpyHtoDAsync_v2)(dst + off, staging_[k], n, stream_), "cuMemcpyHtoDAsync");
    check_cu(CU(cuEventRecord)(staging_done_[k], stream_), "cuEventRecord");
  }
}

void Device::download(void* dst, uint64_t src, size_t bytes) {
  make_current();
  char* d = static_cast<char*>(dst);
  const size_t chunks = (bytes + kStagingBytes - 1) / kStagingBytes;
  auto issue = [&](size_t c) {
    const size_t off = c * kStagingBytes, n = std::min(kStagingBytes, bytes - off);
    check_cu(CU(cuMemcpyDtoHAsync_v2)(staging_[c % 2], src + off, n, stream_), "cuMemcpyDtoHAsync");
    check_cu(CU(cuEventRecord)(staging_done_[c % 2], stream_), "cuEventRecord");
  };
  for (size_t c = 0; c < chunks && c < 2; c++) issue(c);
  for (size_t c = 0; c < chunks; c++) {
    wait(staging_done_[c % 2]);
    const size_t off = c * kStagingBytes;
    std::memcpy(d + off, staging_[c % 2], std::min(kStagingBytes, bytes - off));
    if (c + 2 < chunks) issue(c + 2);
  }
}

void Device::copy_device(uint64_t dst, uint64_t src, size_t bytes) {
  if (!bytes) return;
  make_current();
  check_cu(CU(cuMemcpyDtoDAsync_v2)(dst, src, bytes, stream_), "cuMemcpyDtoDAsync");
}

void* Device::cublas(bool allow_tf32) {
  make_current();
  if (!cublas_) {
    cublas::Handle h = nullptr;
    int r = CUBLAS(cublasCreate_v2)(&h);
    if (r != cublas::kSuccess) throw Error("cublasCreate failed (status " + std::to_string(r) + ")");
    CUBLAS(cublasSetStream_v2)(h, reinterpret_cast<cublas::Stream>(stream_));
    cublas_ = h;
  }
  const int math = allow_tf32 ? cublas::kTf32TensorOpMath : cublas::kDefaultMath;
  if (math != cublas_math_) {
    CUBLAS(cublasSetMathMode)(static_cast<cublas::Handle>(cublas_), math);
    cublas_math_ = math;
  }
  return cublas_;
}

Device& device(int ordinal) {
  require_available();
  const int count = probe().device_count;
  if (ordinal < 0 || ordinal >= count)
    throw Error("cuda:" + std::to_string(ordinal) + " does not exist: " + std::to_string(count) + " CUDA device" +
                (count == 1 ? " is" : "s are") + " visible");
  std::lock_guard<std::mutex> lock(g_devices_mu);
  if (g_devices.size() < (size_t)count) g_devices.resize((size_t)count);
  if (!g_devices[(size_t)ordinal]) g_devices[(size_t)ordinal] = std::make_unique<Device>(ordinal);
  return *g_devices[(size_t)ordinal];
}

Device* device_if_started(int ordinal) {
  std::lock_guard<std::mutex> lock(g_devices_mu);
  return ordinal >= 0 && (size_t)ordinal < g_devices.size() ? g_devices[(size_t)ordinal].get() : nullptr;
}

DeviceFacts device_facts(int ordinal) {
  require_available();
  DeviceFacts f;
  cu::CUdevice d = 0;
  check_cu(CU(cuDeviceGet)(&d, ordinal), "cuDeviceGet");
  char buf[256] = {0};
  check_cu(CU(cuDeviceGetName)(buf, sizeof buf - 1, d), "cuDeviceGetName");
  f.name = buf;
  char bus[64] = {0};
  if (CU(cuDeviceGetPCIBusId)(bus, sizeof bus - 1, d) == cu::kSuccess) f.pci_bus_id = bus;
  CU(cuDeviceGetAttribute)(&f.major, cu::kAttrComputeCapabilityMajor, d);
  CU(cuDeviceGetAttribute)(&f.minor, cu::kAttrComputeCapabilityMinor, d);
  CU(cuDeviceGetAttribute)(&f.sm_count, cu::kAttrMultiprocessorCount, d);
  CU(cuDeviceTotalMem_v2)(&f.total_memory, d);
  return f;
}

}  // namespace tt::cuda
