// Host-side checks of the CUDA runtime's pure parts, run without a GPU: the caching
// allocator (the real one, against a fake device), the kernel cache, the library search.
// Built and run by test/cuda-host.test.ts: `cuda_host_test <section> [args]`.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "cuda/arch.h"
#include "cuda/caching_allocator.h"
#include "cuda/dynlib.h"
#include "cuda/kernel_cache.h"
#include "cuda/kernels/tt_philox.h"
#include "cuda/sha256.h"

using namespace tt::cuda;

static int g_failures = 0;
#define CHECK(cond)                                               \
  do {                                                            \
    if (!(cond)) {                                                \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      g_failures++;                                               \
    }                                                             \
  } while (0)
#define CHECK_EQ(a, b)                                                                                                \
  do {                                                                                                                \
    auto va = (a);                                                                                                    \
    auto vb = (b);                                                                                                    \
    if (!(va == vb)) {                                                                                                \
      std::printf("FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, (long long)va, (long long)vb); \
      g_failures++;                                                                                                   \
    }                                                                                                                 \
  } while (0)

constexpr size_t MiB = size_t(1) << 20;

// A device with a fixed capacity: hands out addresses from a counter and remembers what is live.
class FakeDevice : public DeviceMemory {
 public:
  explicit FakeDevice(size_t capacity) : capacity_(capacity) {}
  bool allocate(size_t bytes, uint64_t* ptr) override {
    if (used_ + bytes > capacity_) return false;
    *ptr = next_;
    next_ += bytes + 4096;  // gaps, so adjacency across segments would show up as a bug
    used_ += bytes;
    live_[*ptr] = bytes;
    synced_ = false;
    return true;
  }
  void release(uint64_t ptr) override {
    auto it = live_.find(ptr);
    if (it == live_.end()) throw tt::Error("fake device: release of an unknown pointer");
    if (!synced_) released_unsynced_++;
    used_ -= it->second;
    live_.erase(it);
    releases_++;
  }
  void info(size_t* free_b, size_t* total) override {
    *free_b = capacity_ - used_;
    *total = capacity_;
  }
  void synchronize() override {
    synced_ = true;
    syncs_++;
  }
  size_t capacity_, used_ = 0;
  uint64_t next_ = 0x7f0000000000ULL;
  std::map<uint64_t, size_t> live_;
  bool synced_ = true;
  int syncs_ = 0, releases_ = 0, released_unsynced_ = 0;
};

static void test_allocator_sizes() {
  CHECK_EQ(CachingAllocator::round_size(1), 512u);
  CHECK_EQ(CachingAllocator::round_size(512), 512u);
  CHECK_EQ(CachingAllocator::round_size(513), 1024u);
  CHECK_EQ(CachingAllocator::round_size(MiB), MiB);
  CHECK_EQ(CachingAllocator::allocation_size(512), 2 * MiB);
  CHECK_EQ(CachingAllocator::allocation_size(MiB), 2 * MiB);
  CHECK_EQ(CachingAllocator::allocation_size(MiB + 512), 20 * MiB);
  CHECK_EQ(CachingAllocator::allocation_size(10 * MiB - 512), 20 * MiB);
  CHECK_EQ(CachingAllocator::allocation_size(10 * MiB), 10 * MiB);
  CHECK_EQ(CachingAllocator::allocation_size(11 * MiB), 12 * MiB);
  CHECK(CachingAllocator::format_size(1000) == "1000 bytes");
  CHECK(CachingAllocator::format_size(1536) == "1.50 KiB");
  CHECK(CachingAllocator::format_size(20 * MiB) == "20.00 MiB");
  CHECK(CachingAllocator::format_size(size_t(3) << 30) == "3.00 GiB");
}

static void test_allocator_small_pool() {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev, 0);
  CHECK(a.allocate(0) == nullptr);
  Block* b1 = a.allocate(1000);
  CHECK_EQ(b1->size, 1024u);
  CHECK_EQ(a.stats().reserved_bytes, (int64_t)(2 * MiB));
  CHECK_EQ(a.stats().allocated_bytes, 1024);
  Block* b2 = a.allocate(1000);  // split from the same 2 MiB segment, right after b1
  CHECK_EQ(b2->ptr, b1->ptr + 1024);
  CHECK_EQ(a.stats().device_allocations, 1);
  uint64_t base = b1->ptr;
  a.free(b1);
  Block* b3 = a.allocate(700);  // the freed block is reused (best fit)
  CHECK_EQ(b3->ptr, base);
  CHECK_EQ(b3->size, 1024u);
  a.free(b3);
  a.free(b2);  // merges with both free neighbours: the segment is whole again
  Block* whole = a.allocate(MiB);
  CHECK_EQ(whole->ptr, base);
  CHECK_EQ(a.stats().device_allocations, 1);
  Block* rest = a.allocate(MiB);  // the other half of the segment
  CHECK_EQ(rest->ptr, base + MiB);
  CHECK_EQ(a.stats().device_allocations, 1);
  Block* more = a.allocate(1);  // the segment is full: a new one
  CHECK_EQ(a.stats().device_allocations, 2);
  CHECK_EQ(a.stats().segments, 2);
  a.free(whole);
  a.free(rest);
  a.free(more);
  CHECK_EQ(a.stats().allocated_bytes, 0);
  CHECK_EQ(a.stats().active_blocks, 0);
  CHECK_EQ(a.stats().reserved_bytes, (int64_t)(4 * MiB));  // cached, not returned
  bool threw = false;
  try {
    a.free(more);
  } catch (const tt::Error&) { threw = true; }
  CHECK(threw);
}

static void test_allocator_large_pool() {
  FakeDevice dev(256 * MiB);
  CachingAllocator a(dev, 0);
  Block* b1 = a.allocate(3 * MiB);  // 20 MiB segment, split
  CHECK_EQ(a.stats().reserved_bytes, (int64_t)(20 * MiB));
  CHECK_EQ(b1->size, 3 * MiB);
  Block* b2 = a.allocate(5 * MiB);
  CHECK_EQ(b2->ptr, b1->ptr + 3 * MiB);
  Block* b3 = a.allocate(12 * MiB);  // exactly the rest of the segment
  CHECK_EQ(b3->ptr, b1->ptr + 8 * MiB);
  CHECK_EQ(a.stats().device_allocations, 1);
  Block* b4 = a.allocate(19 * MiB + 512 * 1024);  // new 20 MiB segment; 0.5 MiB left is not split off
  CHECK_EQ(b4->size, 20 * MiB);
  CHECK_EQ(a.stats().device_allocations, 2);
  Block* big = a.allocate(50 * MiB + 1);  // its own segment, rounded up to 52 MiB, and split
  CHECK_EQ(big->size, 50 * MiB + 512);
  CHECK_EQ(a.stats().large_reserved, (int64_t)(92 * MiB));
  a.free(b2);
  Block* again = a.allocate(4 * MiB);  // fits in b2's hole; 1 MiB left is not split (large pool splits above 1 MiB)
  CHECK_EQ(again->ptr, b1->ptr + 3 * MiB);
  CHECK_EQ(again->size, 5 * MiB);
  for (Block* b : {b1, again, b3, b4, big}) a.free(b);
  a.empty_cache();
  CHECK_EQ(a.stats().reserved_bytes, 0);
  CHECK_EQ(dev.live_.size(), 0u);
  CHECK_EQ(dev.released_unsynced_, 0);
}

static void test_allocator_empty_cache_keeps_live_segments() {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev, 0);
  Block* keep = a.allocate(100);
  Block* gone = a.allocate(2 * MiB);
  a.free(gone);
  a.empty_cache();
  CHECK_EQ(a.stats().reserved_bytes, (int64_t)(2 * MiB));  // the small segment holding `keep` stays
  CHECK_EQ(dev.live_.size(), 1u);
  a.free(keep);
  a.empty_cache();
  CHECK_EQ(dev.live_.size(), 0u);
}

static void test_allocator_oom_retry() {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev, 0);
  Block* x = a.allocate(30 * MiB);
  Block* y = a.allocate(30 * MiB);
  a.free(x);
  a.free(y);  // 60 MiB cached in two segments, 4 MiB left on the device
  int syncs = dev.syncs_;
  Block* z = a.allocate(40 * MiB);  // no cached block fits, the device is full: free the cache, retry
  CHECK(z != nullptr);
  CHECK_EQ(a.stats().retries, 1);
  CHECK_EQ(a.stats().device_frees, 2);
  CHECK(dev.syncs_ > syncs);
  CHECK_EQ(dev.released_unsynced_, 0);
  CHECK_EQ(a.stats().reserved_bytes, (int64_t)(40 * MiB));
  std::string message;
  try {
    a.allocate(100 * MiB);
  } catch (const OutOfMemory& e) { message = e.what(); }
  std::printf("oom message: %s\n", message.c_str());
  CHECK(message ==
        "CUDA out of memory. Tried to allocate 100.00 MiB (GPU 0; 64.00 MiB total capacity; 40.00 MiB already "
        "allocated; 24.00 MiB free; 40.00 MiB reserved in total by Tessera)");
  CHECK_EQ(a.stats().ooms, 1);
  a.free(z);
}

static void test_allocator_fraction() {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev, 3);
  a.set_memory_fraction(0.5);
  Block* x = a.allocate(20 * MiB);
  std::string message;
  try {
    a.allocate(20 * MiB);  // 40 MiB reserved would pass the 32 MiB cap, though the device has room
  } catch (const OutOfMemory& e) { message = e.what(); }
  CHECK(message ==
        "CUDA out of memory. Tried to allocate 20.00 MiB (GPU 3; 64.00 MiB total capacity; 20.00 MiB already "
        "allocated; 44.00 MiB free; 32.00 MiB allowed; 20.00 MiB reserved in total by Tessera)");
  a.free(x);
  Block* y = a.allocate(20 * MiB);  // reuses the cached segment
  CHECK_EQ(a.stats().device_allocations, 1);
  a.free(y);
  bool threw = false;
  try {
    a.set_memory_fraction(1.5);
  } catch (const tt::Error&) { threw = true; }
  CHECK(threw);
  CHECK(a.summary().find("Memory fraction: 0.50") != std::string::npos);
}

// Random allocations and frees: live blocks never overlap, stay inside device segments, and
// the counters match what is live.
static void test_allocator_random() {
  FakeDevice dev(512 * MiB);
  CachingAllocator a(dev, 0);
  std::mt19937_64 rng(42);
  std::vector<Block*> live;
  for (int step = 0; step < 20000; step++) {
    if (live.empty() || rng() % 100 < 55) {
      size_t size = rng() % 4 == 0 ? rng() % (24 * MiB) + 1 : rng() % (256 * 1024) + 1;
      try {
        live.push_back(a.allocate(size));
      } catch (const OutOfMemory&) {}
    } else {
      size_t i = rng() % live.size();
      a.free(live[i]);
      live.erase(live.begin() + (long)i);
    }
    if (step % 997 == 0) a.empty_cache();
    if (step % 500 == 0) {
      std::vector<std::pair<uint64_t, uint64_t>> spans;
      int64_t total = 0;
      for (Block* b : live) {
        spans.push_back({b->ptr, b->ptr + b->size});
        total += (int64_t)b->size;
        auto seg = dev.live_.upper_bound(b->ptr);
        CHECK(seg != dev.live_.begin());
        --seg;
        CHECK(b->ptr + b->size <= seg->first + seg->second);
      }
      std::sort(spans.begin(), spans.end());
      for (size_t i = 1; i < spans.size(); i++) CHECK(spans[i].first >= spans[i - 1].second);
      CHECK_EQ(a.stats().allocated_bytes, total);
      CHECK_EQ(a.stats().active_blocks, (int64_t)live.size());
      size_t reserved = 0;
      for (auto& [p, n] : dev.live_) reserved += n;
      CHECK_EQ(a.stats().reserved_bytes, (int64_t)reserved);
    }
  }
  for (Block* b : live) a.free(b);
  a.empty_cache();
  CHECK_EQ(dev.live_.size(), 0u);
  CHECK_EQ(a.stats().reserved_bytes, 0);
  CHECK_EQ(dev.released_unsynced_, 0);
}

static std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) out.push_back(e->d_name);
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

static void test_cache(const std::string& tmp) {
  CHECK(Sha256::hex(Sha256().update("abc").digest()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256::hex(Sha256().digest()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::string million(1000000, 'a');
  CHECK(Sha256::hex(Sha256().update(million).digest()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

  KernelBuild b;
  b.source = "extern \"C\" __global__ void k() {}";
  b.headers = {{"tt_common.cuh", "// common"}};
  b.options = {"-std=c++17", "-DTT_MAX_DIMS=16"};
  b.arch = "sm_90";
  b.nvrtc_major = 12;
  b.nvrtc_minor = 4;
  const std::string key = cache_key(b);
  CHECK_EQ(key.size(), 64u);
  CHECK(cache_key(b) == key);
  std::vector<std::function<void(KernelBuild&)>> changes = {
      [](KernelBuild& k) { k.source += " "; },
      [](KernelBuild& k) { k.headers[0].second += " "; },
      [](KernelBuild& k) { k.headers[0].first = "other.cuh"; },
      [](KernelBuild& k) { k.options.push_back("-DX"); },
      [](KernelBuild& k) { k.options = {"-std=c++17-DTT_MAX_DIMS=16"}; },  // no ambiguity from concatenation
      [](KernelBuild& k) { k.arch = "sm_80"; },
      [](KernelBuild& k) { k.arch = "compute_90"; },
      [](KernelBuild& k) { k.nvrtc_minor = 5; },
  };
  for (auto& change : changes) {
    KernelBuild c = b;
    change(c);
    CHECK(cache_key(c) != key);
  }

  std::string payload =
      "\x7f"
      "ELF cubin bytes";
  payload += std::string(1000, '\0');
  std::string file = encode_entry(payload), back;
  CHECK(decode_entry(file, &back) && back == payload);
  std::string corrupt = file;
  corrupt[file.size() - 5] ^= 1;
  CHECK(!decode_entry(corrupt, &back));
  CHECK(!decode_entry(file.substr(0, file.size() - 1), &back));
  CHECK(!decode_entry("TTCUBIN1", &back));

  const std::string dir = tmp + "/nested/cache";
  const std::string name = key + ".cubin";
  CHECK(!cache_read(dir, name, &back));
  CHECK(cache_write(dir, name, payload));
  CHECK(cache_read(dir, name, &back) && back == payload);
  CHECK(list_dir(dir) == std::vector<std::string>{name});  // no temporary left behind
  struct stat st;
  CHECK(stat((dir + "/" + name).c_str(), &st) == 0 && (st.st_mode & 0777) == 0600);
  CHECK(cache_write(dir, name, payload + "v2"));  // replaced atomically
  CHECK(cache_read(dir, name, &back) && back == payload + "v2");
  {  // a corrupted entry reads as a miss
    FILE* f = std::fopen((dir + "/" + name).c_str(), "r+b");
    std::fseek(f, -3, SEEK_END);
    std::fputc('!', f);
    std::fclose(f);
    CHECK(!cache_read(dir, name, &back));
  }
  CHECK(!cache_write("", name, payload));
  CHECK(!cache_write("/proc/no-such-place", name, payload));

  setenv("HOME", "/home/someone", 1);
  unsetenv("XDG_CACHE_HOME");
  unsetenv("TESSERA_CUDA_CACHE_DIR");
  unsetenv("TESSERA_CUDA_CACHE");
  CHECK(cache_dir() == "/home/someone/.cache/tessera/cuda");
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  CHECK(cache_dir() == "/xdg/tessera/cuda");
  setenv("TESSERA_CUDA_CACHE_DIR", "/explicit", 1);
  CHECK(cache_dir() == "/explicit");
  setenv("TESSERA_CUDA_CACHE", "0", 1);
  CHECK(cache_dir().empty());
}

// fakes: a folder with fake libnvrtc.so.* built by the test (each exports tt_fake_version()).
static void test_libsearch(const std::string& fakes) {
  auto dirs = search_dirs("/opt/a:/opt/b/::/opt/a", "/cuda-home/", nullptr);
  std::vector<std::string> want = {"/opt/a", "/opt/b", "", "/cuda-home/lib64", "/usr/local/cuda/lib64"};
  CHECK(dirs == want);
  CHECK(search_dirs(nullptr, nullptr, "/cp") == (std::vector<std::string>{"", "/cp/lib64", "/usr/local/cuda/lib64"}));

  LibrarySpec nvrtc{"libnvrtc", {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"}, false};
  auto c = library_candidates(nvrtc, {"/x", ""});
  CHECK(c == (std::vector<std::string>{"/x/libnvrtc.so.13", "libnvrtc.so.13", "/x/libnvrtc.so.12", "libnvrtc.so.12", "/x/libnvrtc.so.11.2",
                                       "libnvrtc.so.11.2"}));
  LibrarySpec driver{"libcuda", {"libcuda.so.1"}, true};
  CHECK(library_candidates(driver, {"/x", ""}) == std::vector<std::string>{"libcuda.so.1"});
  CHECK_EQ(soname_major("libnvrtc.so.11.2"), 11);
  CHECK_EQ(soname_major("libcublas.so.12"), 12);
  CHECK_EQ(soname_major("libfoo.so"), -1);

  using VersionFn = int (*)();
  auto version_of = [](void* h) {
    auto f = reinterpret_cast<VersionFn>(find_symbol(h, "tt_fake_version"));
    return f ? f() : -1;
  };
  OpenResult r = open_first(nvrtc, {"/nonexistent", fakes}, -1);  // newest first
  CHECK(r.handle && r.path == fakes + "/libnvrtc.so.13");
  CHECK_EQ(version_of(r.handle), 13);
  CHECK(find_symbol(r.handle, "no_such_symbol") == nullptr);
  r = open_first(nvrtc, {fakes}, 12);  // a CUDA 12 driver: .13 is passed over
  CHECK(r.handle && r.path == fakes + "/libnvrtc.so.12");
  CHECK(r.skipped == std::vector<std::string>{"libnvrtc.so.13"});
  CHECK_EQ(version_of(r.handle), 12);
  r = open_first(nvrtc, {fakes}, 11);
  CHECK(r.handle && r.path == fakes + "/libnvrtc.so.11.2");
  r = open_first(nvrtc, {"/nonexistent"}, -1);
  CHECK(!r.handle && r.last_error.find("No such file") != std::string::npos);
  CHECK(join_names({"a", "b", "c"}) == "a, b and c");
}

// The GPU generator against the known-answer vectors of Random123 (kat_vectors).
static void test_philox() {
  struct Kat {
    unsigned c[4], k[2], out[4];
  } kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}, {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (auto& kat : kats) {
    tt_philox4x32_10(kat.c, kat.k[0], kat.k[1]);
    for (int i = 0; i < 4; i++) CHECK_EQ(kat.c[i], kat.out[i]);
  }
}

static std::string arch_or_error(int major, int minor, const std::vector<int>& supported) {
  try {
    ArchChoice c = choose_arch(major, minor, supported);
    return c.arch + (c.ptx ? " (ptx)" : "");
  } catch (const tt::Error& e) { return std::string("error: ") + e.what(); }
}

static void test_arch() {
  const std::vector<int> nvrtc12_4 = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90};
  CHECK(arch_or_error(9, 0, nvrtc12_4) == "sm_90");
  CHECK(arch_or_error(8, 6, nvrtc12_4) == "sm_86");
  CHECK(arch_or_error(8, 8, nvrtc12_4) == "sm_87");              // a newer minor: the same major's newest cubin
  CHECK(arch_or_error(10, 0, nvrtc12_4) == "compute_90 (ptx)");  // a newer major: PTX for the driver to compile
  CHECK(arch_or_error(9, 0, {}) == "sm_90");                     // an NVRTC that cannot list its targets
  CHECK(arch_or_error(3, 5, nvrtc12_4).rfind("error: NVRTC cannot compile for this GPU (compute capability 3.5)", 0) == 0);
}

// Every name in argv[3..] is exported by the library argv[2] (opened as the runtime would).
static int test_symbols(int argc, char** argv) {
  LibrarySpec spec{"library", {argv[2]}, true};
  OpenResult r = open_first(spec, {""}, -1);
  if (!r.handle) {
    std::printf("FAIL cannot open %s: %s\n", argv[2], r.last_error.c_str());
    return 1;
  }
  int missing = 0;
  for (int i = 3; i < argc; i++)
    if (!find_symbol(r.handle, argv[i])) {
      std::printf("missing: %s\n", argv[i]);
      missing++;
    }
  std::printf(missing ? "%d symbol(s) missing\n" : "all checks passed\n", missing);
  return missing ? 1 : 0;
}

int main(int argc, char** argv) {
  std::string section = argc > 1 ? argv[1] : "";
  if (section == "symbols" && argc > 2) return test_symbols(argc, argv);
  if (section == "allocator") {
    test_allocator_sizes();
    test_allocator_small_pool();
    test_allocator_large_pool();
    test_allocator_empty_cache_keeps_live_segments();
    test_allocator_oom_retry();
    test_allocator_fraction();
    test_allocator_random();
  } else if (section == "philox") {
    test_philox();
  } else if (section == "arch") {
    test_arch();
  } else if (section == "cache" && argc > 2) {
    test_cache(argv[2]);
  } else if (section == "libsearch" && argc > 2) {
    test_libsearch(argv[2]);
  } else {
    std::printf("usage: cuda_host_test allocator | philox | arch | cache <tmpdir> | libsearch <fakes-dir> | symbols <lib> <name>...\n");
    return 2;
  }
  std::printf(g_failures ? "%d check(s) failed\n" : "all checks passed\n", g_failures);
  return g_failures ? 1 : 0;
}
