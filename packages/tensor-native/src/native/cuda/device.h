// One GPU as the runtime sees it: its primary context (shared with cuBLAS), one stream on
// which every kernel and copy is queued in order, pinned staging buffers for host copies,
// the caching allocator, the loaded kernel modules and a cuBLAS handle. Created on first
// use of the device.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/driver.h"
#include "caching_allocator.h"

namespace tt::cuda {

class Device {
 public:
  explicit Device(int ordinal);
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  int ordinal() const { return ordinal_; }
  int cc_major() const { return cc_major_; }
  int cc_minor() const { return cc_minor_; }
  int sm_count() const { return sm_count_; }
  cu::CUstream stream() const { return stream_; }
  CachingAllocator& allocator() { return *allocator_; }

  // Makes this device's context current on the calling thread.
  void make_current();
  // Waits until everything queued has run; polls the interrupt flag while waiting and
  // reports errors from earlier asynchronous work.
  void synchronize();
  // The kernel `name` from kernel file `file`, compiled and loaded on first use.
  cu::CUfunction function(const char* file, const char* name);
  void load_all_modules();
  // Queues f with one by-value argument block.
  void launch(cu::CUfunction f, uint64_t work_items, void* args, bool one_block_per_item = false);
  // Host <-> device through the pinned staging buffers. upload returns once the data is
  // staged (the copy itself is queued); download waits for it.
  void upload(uint64_t dst, const void* src, size_t bytes);
  void download(void* dst, uint64_t src, size_t bytes);
  void copy_device(uint64_t dst, uint64_t src, size_t bytes);
  // The cuBLAS handle bound to this device's stream, and its TF32 setting.
  void* cublas(bool allow_tf32);

 private:
  void wait(cu::CUevent e);

  int ordinal_;
  cu::CUdevice dev_ = 0;
  cu::CUcontext ctx_ = nullptr;
  cu::CUstream stream_ = nullptr;
  cu::CUevent sync_event_ = nullptr;
  int cc_major_ = 0, cc_minor_ = 0, sm_count_ = 1;
  std::unique_ptr<DeviceMemory> memory_;
  std::unique_ptr<CachingAllocator> allocator_;
  static constexpr size_t kStagingBytes = size_t(4) << 20;
  char* staging_[2] = {nullptr, nullptr};
  cu::CUevent staging_done_[2] = {nullptr, nullptr};
  std::unordered_map<std::string, cu::CUmodule> modules_;
  std::unordered_map<std::string, cu::CUfunction> functions_;
  void* cublas_ = nullptr;
  int cublas_math_ = -1;
};

// Device `ordinal` (as numbered after CUDA_VISIBLE_DEVICES), initialized on first use.
// Throws with the probe's reason when CUDA is unavailable, or when out of range.
Device& device(int ordinal);
// Devices initialized so far (for synchronize-all), may be null.
Device* device_if_started(int ordinal);

struct DeviceFacts {
  std::string name, pci_bus_id;
  int major = 0, minor = 0, sm_count = 0;
  size_t total_memory = 0;
};
// Static facts from the driver, without creating a context.
DeviceFacts device_facts(int ordinal);

}  // namespace tt::cuda
