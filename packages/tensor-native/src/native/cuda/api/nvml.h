// Our own declarations of the NVML calls we make (device facts; optional).
#pragma once

namespace tt::nvml {

using Return = int;
using Device = struct nvmlDevice_st*;
constexpr int kSuccess = 0;
constexpr int kTemperatureGpu = 0;

struct Memory {
  unsigned long long total, free, used;
};
struct Utilization {
  unsigned int gpu, memory;
};

using PFN_nvmlInit_v2 = Return (*)();
using PFN_nvmlErrorString = const char* (*)(Return r);
using PFN_nvmlSystemGetDriverVersion = Return (*)(char* version, unsigned int length);
using PFN_nvmlDeviceGetHandleByPciBusId_v2 = Return (*)(const char* busId, Device* device);
using PFN_nvmlDeviceGetMemoryInfo = Return (*)(Device device, Memory* memory);
using PFN_nvmlDeviceGetUtilizationRates = Return (*)(Device device, Utilization* util);
using PFN_nvmlDeviceGetTemperature = Return (*)(Device device, int sensor, unsigned int* temp);
using PFN_nvmlDeviceGetPowerUsage = Return (*)(Device device, unsigned int* milliwatts);

}  // namespace tt::nvml
