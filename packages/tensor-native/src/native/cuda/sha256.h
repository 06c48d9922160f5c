// SHA-256 (FIPS 180-4), for kernel cache keys and the checksums of cached cubins.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tt::cuda {

class Sha256 {
 public:
  Sha256();
  Sha256& update(const void* data, size_t len);
  Sha256& update(const std::string& s) { return update(s.data(), s.size()); }
  // The 32-byte digest; the object is spent afterwards.
  std::string digest();
  static std::string hex(const std::string& bytes);

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace tt::cuda
