#include <cstdlib>
#include <cstring>

#include "isa.h"

namespace tt {
namespace {

IsaKernels make(const char* want) {
  IsaKernels k{};
  fill_base(k);
  __builtin_cpu_init();
  bool has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                __builtin_cpu_supports("avx512bw");
  bool allow512 = !want || std::strcmp(want, "avx512") == 0;
  bool allow2 = allow512 || std::strcmp(want, "avx2") == 0;
  if (has512 && allow512) fill_avx512(k);
  else if (has2 && allow2) fill_avx2(k);
  return k;
}

IsaKernels g_isa = make(std::getenv("TESSERA_CPU_ISA"));

}  // namespace

const IsaKernels& isa() { return g_isa; }
const char* isa_name() { return g_isa.name; }

bool force_isa(const char* name) {
  IsaKernels k = make(name);
  if (std::strcmp(k.name, name) != 0) return false;
  g_isa = k;
  return true;
}

}  // namespace tt
