// Types both backends share: dtypes, devices, strided views, half-float conversion, and
// the Error every entry point throws (napi/entry.h turns it into a JS Error).
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tt {

// Codes shared with src/ts/dtype.ts (keep in sync).
enum class DType : int { F32 = 0, F64 = 1, F16 = 2, BF16 = 3, I32 = 4, I64 = 5, U8 = 6, Bool = 7 };

inline size_t dtype_size(DType d) {
  switch (d) {
    case DType::F32:
    case DType::I32: return 4;
    case DType::F64:
    case DType::I64: return 8;
    case DType::F16:
    case DType::BF16: return 2;
    default: return 1;
  }
}

// Where a storage lives. Every storage carries it, and every entry point checks it
// against the backend it belongs to before reading a view (napi/handles.h): a CPU entry
// refuses a CUDA storage and a CUDA entry a CPU one, so no kernel ever dereferences memory
// of the other device.
enum class Device : int { CPU = 0, CUDA = 1 };

constexpr int kMaxDims = 16;

// A strided view over raw memory, in elements. `data` already includes the offset. Entry
// points build views only through napi/views.h, which checks them against their storage.
struct View {
  DType dtype;
  int ndim;
  int64_t shape[kMaxDims];
  int64_t strides[kMaxDims];
  char* data;
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
  }
};

inline float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
  if (exp == 0) {
    if (man == 0) bits = sign;
    else {  // subnormal half: renormalize
      int e = -1;
      do {
        e++;
        man <<= 1;
      } while ((man & 0x400) == 0);
      bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
    }
  } else if (exp == 31) bits = sign | 0x7f800000 | (man << 13);
  else bits = sign | ((exp + 112) << 23) | (man << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
  uint32_t man = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
  if (exp >= 31) return (uint16_t)(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10) return (uint16_t)sign;
    man |= 0x800000;
    uint32_t shift = (uint32_t)(14 - exp);
    uint32_t h = man >> shift, rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) h++;
    return (uint16_t)(sign | h);
  }
  uint32_t h = sign | ((uint32_t)exp << 10) | (man >> 13);
  uint32_t rem = man & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;  // round to nearest even
  return (uint16_t)h;
}

inline float bf16_to_float(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return (uint16_t)((x >> 16) | 0x40);  // quiet NaN
  return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tt
