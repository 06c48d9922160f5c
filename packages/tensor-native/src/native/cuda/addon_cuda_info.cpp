// The CUDA backend's N-API entries that run no op: the probe and device facts, the
// embedded kernel sources, the offline NVRTC check, synchronize and the memory functions.
#include <cstring>
#include <string>
#include <vector>

#include "../napi/args.h"
#include "../napi/entry.h"
#include "addon_cuda.h"
#include "compiler.h"
#include "cuda_kernel_sources.h"
#include "device.h"
#include "loader.h"

namespace tt::cuda {
namespace {

using namespace ::tt::napi;

ENTRY(ProbeLibraries)
  const Args a(info, "probe", 0);
  const auto& p = probe();
  auto o = Napi::Object::New(info.Env());
  o.Set("available", p.available);
  o.Set("reason", p.reason);
  o.Set("driverVersion", p.driver_version);
  o.Set("deviceCount", p.device_count);
  o.Set("nvrtcVersion", p.nvrtc_major ? std::to_string(p.nvrtc_major) + "." + std::to_string(p.nvrtc_minor) : "");
  auto libs = Napi::Object::New(info.Env());
  libs.Set("cuda", p.cuda_path);
  libs.Set("nvrtc", p.nvrtc_path);
  libs.Set("cublas", p.cublas_path);
  libs.Set("cublasLt", p.cublaslt_path);
  libs.Set("nvml", p.nvml_path);
  o.Set("libraries", libs);
  o.Set("nvmlError", p.nvml_error);
  return o;
END

ENTRY(DeviceInfo)
  const int i = Args(info, "deviceInfo", 1).device_index(0);
  require_available();
  if (i >= probe().device_count) throw Error("cuda:" + std::to_string(i) + " does not exist");
  DeviceFacts f = device_facts(i);
  auto o = Napi::Object::New(info.Env());
  o.Set("name", f.name);
  o.Set("major", f.major);
  o.Set("minor", f.minor);
  o.Set("multiProcessorCount", f.sm_count);
  o.Set("totalMemory", (double)f.total_memory);
  o.Set("pciBusId", f.pci_bus_id);
  void* ml = libraries().nvml;
  nvml::Device h = nullptr;
  // NVML numbers GPUs without CUDA_VISIBLE_DEVICES: find ours by its PCI bus id.
  if (ml && !f.pci_bus_id.empty() && NVML(nvmlDeviceGetHandleByPciBusId_v2)(f.pci_bus_id.c_str(), &h) == nvml::kSuccess) {
    nvml::Memory mem{};
    if (NVML(nvmlDeviceGetMemoryInfo)(h, &mem) == nvml::kSuccess) {
      o.Set("memoryUsed", (double)mem.used);
      o.Set("memoryFree", (double)mem.free);
    }
    nvml::Utilization u{};
    if (NVML(nvmlDeviceGetUtilizationRates)(h, &u) == nvml::kSuccess) o.Set("utilization", u.gpu);
    unsigned temp = 0, mw = 0;
    if (NVML(nvmlDeviceGetTemperature)(h, nvml::kTemperatureGpu, &temp) == nvml::kSuccess) o.Set("temperature", temp);
    if (NVML(nvmlDeviceGetPowerUsage)(h, &mw) == nvml::kSuccess) o.Set("powerWatts", mw / 1000.0);
    char ver[96] = {0};
    if (NVML(nvmlSystemGetDriverVersion)(ver, sizeof ver - 1) == nvml::kSuccess) o.Set("driverVersion", std::string(ver));
  }
  return o;
END

ENTRY(KernelSources)
  const Args a(info, "kernelSources", 0);
  Napi::Env env = info.Env();
  auto files = [&](const auto& list) {
    auto arr = Napi::Array::New(env);
    uint32_t i = 0;
    for (const auto& f : list) {
      auto o = Napi::Object::New(env);
      o.Set("name", f.name);
      o.Set("text", f.text);
      arr.Set(i++, o);
    }
    return arr;
  };
  auto o = Napi::Object::New(env);
  o.Set("sources", files(embedded::kSources));
  o.Set("headers", files(embedded::kHeaders));
  auto opts = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& s : nvrtc_options()) opts.Set(i++, s);
  o.Set("options", opts);
  return o;
END

// device -1: every device started so far.
ENTRY(Synchronize)
  const int i = (int)Args(info, "synchronize", 1).integer(0, -1, INT32_MAX, "device index");
  if (i >= 0) {
    device(i).synchronize();
  } else if (probe().available) {
    for (int k = 0; k < probe().device_count; k++)
      if (Device* d = device_if_started(k)) d->synchronize();
  }
  return info.Env().Undefined();
END

// Memory queries do not start a device that has not been used: they report nothing.
Device* started(int i) { return probe().available ? device_if_started(i) : nullptr; }

ENTRY(MemoryStats)
  Device* d = started(Args(info, "memoryStats", 1).device_index(0));
  const AllocatorStats s = d ? d->allocator().stats() : AllocatorStats{};
  auto o = Napi::Object::New(info.Env());
  o.Set("allocated", (double)s.allocated_bytes);
  o.Set("allocatedPeak", (double)s.allocated_peak);
  o.Set("reserved", (double)s.reserved_bytes);
  o.Set("reservedPeak", (double)s.reserved_peak);
  o.Set("requested", (double)s.requested_bytes);
  o.Set("activeBlocks", (double)s.active_blocks);
  o.Set("segments", (double)s.segments);
  o.Set("allocations", (double)s.allocations);
  o.Set("frees", (double)s.frees);
  o.Set("deviceAllocations", (double)s.device_allocations);
  o.Set("deviceFrees", (double)s.device_frees);
  o.Set("retries", (double)s.retries);
  o.Set("ooms", (double)s.ooms);
  return o;
END

ENTRY(EmptyCache)
  if (Device* d = started(Args(info, "emptyCache", 1).device_index(0))) d->allocator().empty_cache();
  return info.Env().Undefined();
END

ENTRY(SetMemoryFraction)
  const Args a(info, "setMemoryFraction", 2);
  const int i = a.device_index(0);
  const double fraction = a.number(1, "fraction");
  if (!(fraction > 0.0 && fraction <= 1.0)) throw Error("setPerProcessMemoryFraction: expected a fraction in (0, 1]");
  device(i).allocator().set_memory_fraction(fraction);
  return info.Env().Undefined();
END

ENTRY(ResetPeakMemoryStats)
  if (Device* d = started(Args(info, "resetPeakMemoryStats", 1).device_index(0))) d->allocator().reset_peak_stats();
  return info.Env().Undefined();
END

ENTRY(MemorySummary)
  const int i = Args(info, "memorySummary", 1).device_index(0);
  Device* d = started(i);
  return Napi::String::New(
      info.Env(), d ? d->allocator().summary()
                    : "Tessera CUDA memory summary, device " + std::to_string(i) + ": nothing allocated (the device has not been used)\n");
END

// Compiles every kernel file with this machine's NVRTC for the given targets, without a driver.
ENTRY(NvrtcCheck)
  const Args a(info, "nvrtcCheck", 1);
  std::vector<std::string> archs;
  const Napi::Array list = a.array(0, "targets");
  for (uint32_t i = 0; i < list.Length(); i++) {
    const Napi::Value v = list.Get(i);
    if (!v.IsString()) throw Error("nvrtcCheck: every target must be a string such as \"sm_90\"");
    archs.push_back(v.As<Napi::String>().Utf8Value());
  }
  OfflineCheck c = compile_offline(archs);
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("path", c.path);
  o.Set("version", c.version);
  o.Set("error", c.error);
  auto results = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& r : c.results) {
    auto e = Napi::Object::New(env);
    e.Set("file", r.file);
    e.Set("arch", r.arch);
    e.Set("error", r.error);
    auto img = Napi::ArrayBuffer::New(env, r.image.size());
    if (!r.image.empty()) std::memcpy(img.Data(), r.image.data(), r.image.size());
    e.Set("image", img);
    results.Set(i++, e);
  }
  o.Set("results", results);
  return o;
END

ENTRY(LoadAllModules)
  device(Args(info, "loadAllModules", 1).device_index(0)).load_all_modules();
  return info.Env().Undefined();
END

}  // namespace

void register_info_exports(Napi::Env env, Napi::Object o) {
  const Export fns[] = {
      {"probe", ProbeLibraries},
      {"deviceInfo", DeviceInfo},
      {"kernelSources", KernelSources},
      {"nvrtcCheck", NvrtcCheck},
      {"synchronize", Synchronize},
      {"memoryStats", MemoryStats},
      {"emptyCache", EmptyCache},
      {"setMemoryFraction", SetMemoryFraction},
      {"resetPeakMemoryStats", ResetPeakMemoryStats},
      {"memorySummary", MemorySummary},
      {"loadAllModules", LoadAllModules},
  };
  export_functions(env, o, fns);
}

}  // namespace tt::cuda
