#include "kernel_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sha256.h"

namespace tt::cuda {
namespace {

constexpr char kMagic[8] = {'T', 'T', 'C', 'U', 'B', 'I', 'N', '1'};
constexpr size_t kHeader = 8 + 8 + 32;

void field(Sha256& h, const std::string& s) {
  uint64_t n = s.size();
  h.update(&n, sizeof n);
  h.update(s);
}

bool make_dirs(const std::string& dir) {
  std::string at;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    at = dir.substr(0, pos);
    if (at.empty()) continue;
    if (mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  struct stat st;
  return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

}  // namespace

std::string cache_key(const KernelBuild& b) {
  Sha256 h;
  field(h, "tessera-cuda-kernel-v1");
  field(h, b.source);
  for (const auto& [name, text] : b.headers) {
    field(h, name);
    field(h, text);
  }
  field(h, "options");
  for (const auto& o : b.options) field(h, o);
  field(h, b.arch);
  field(h, std::to_string(b.nvrtc_major) + "." + std::to_string(b.nvrtc_minor));
  return Sha256::hex(h.digest());
}

std::string cache_dir() {
  const char* off = std::getenv("TESSERA_CUDA_CACHE");
  if (off && std::strcmp(off, "0") == 0) return "";
  if (const char* d = std::getenv("TESSERA_CUDA_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/tessera/cuda";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/tessera/cuda";
  return "";
}

std::string encode_entry(const std::string& payload) {
  std::string out(kMagic, 8);
  uint64_t n = payload.size();
  for (int i = 0; i < 8; i++) out += (char)(n >> (8 * i));
  out += Sha256().update(payload).digest();
  out += payload;
  return out;
}

bool decode_entry(const std::string& file, std::string* payload) {
  if (file.size() < kHeader || std::memcmp(file.data(), kMagic, 8) != 0) return false;
  uint64_t n = 0;
  for (int i = 0; i < 8; i++) n |= (uint64_t)(unsigned char)file[8 + i] << (8 * i);
  if (n != file.size() - kHeader) return false;
  std::string body = file.substr(kHeader);
  if (Sha256().update(body).digest() != file.substr(16, 32)) return false;
  *payload = std::move(body);
  return true;
}

bool cache_read(const std::string& dir, const std::string& name, std::string* payload) {
  if (dir.empty()) return false;
  int fd = ::open((dir + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string file;
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    file.append(buf, (size_t)r);
  }
  ::close(fd);
  return decode_entry(file, payload);
}

bool cache_write(const std::string& dir, const std::string& name, const std::string& payload) {
  if (dir.empty() || !make_dirs(dir)) return false;
  static std::atomic<unsigned> counter{0};
  std::string tmp = dir + "/." + name + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::string file = encode_entry(payload);
  bool ok = write_all(fd, file.data(), file.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (ok) ok = ::rename(tmp.c_str(), (dir + "/" + name).c_str()) == 0;
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

}  // namespace tt::cuda
