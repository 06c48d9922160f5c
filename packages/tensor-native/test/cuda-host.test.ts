// The CUDA runtime's host-side logic, checked without a GPU: the real caching allocator
// against a fake device, the kernel cache (key, atomic write, checksum), the library search
// order, the choice of NVRTC target, the Philox generator, and our driver API declarations
// against cuda.h where a toolkit is installed. test/native/cuda_host_test.cpp holds the
// checks; this file builds it with the same C++ compiler that builds the addon.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const native = path.join(pkg, "src", "native");
const cxx = process.env.CXX ?? "g++";
let dir = "";
let bin = "";

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tt-cuda-host-"));
  bin = path.join(dir, "cuda_host_test");
  const sources = ["caching_allocator", "sha256", "kernel_cache", "dynlib", "arch"].map((f) => path.join(native, "cuda", `${f}.cpp`));
  execFileSync(
    cxx,
    [
      "-std=c++17",
      "-O1",
      "-Wall",
      "-Wextra",
      "-Werror",
      "-I",
      native,
      path.join(pkg, "test", "native", "cuda_host_test.cpp"),
      ...sources,
      "-ldl",
      "-o",
      bin,
    ],
    { stdio: "pipe" },
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): string {
  const r = spawnSync(bin, args, { encoding: "utf8" });
  assert.equal(r.status, 0, `cuda_host_test ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /all checks passed/);
  return r.stdout;
}

test("caching allocator: rounding, pools, split and merge, reuse, empty cache, OOM retry and message, fraction", () => {
  const out = run("allocator");
  assert.match(
    out,
    /oom message: CUDA out of memory\. Tried to allocate 100\.00 MiB \(GPU 0; 64\.00 MiB total capacity; 40\.00 MiB already allocated; 24\.00 MiB free; 40\.00 MiB reserved in total by Tessera\)/,
  );
});

test("kernel cache: SHA-256, key covers source, headers, options, arch and NVRTC version; atomic write; checksum", () => {
  run("cache", path.join(dir, "cache"));
});

test("library search: folders, newest version first, versions newer than the driver skipped", () => {
  const fakes = path.join(dir, "fakes");
  execFileSync("mkdir", ["-p", fakes]);
  for (const v of ["13", "12", "11.2"]) {
    const src = path.join(dir, `fake${v}.cpp`);
    writeFileSync(src, `extern "C" int tt_fake_version() { return ${v.split(".")[0]}; }\n`);
    execFileSync(cxx, ["-shared", "-fPIC", src, "-o", path.join(fakes, `libnvrtc.so.${v}`)]);
  }
  run("libsearch", fakes);
});

test("NVRTC target: the device's cubin, its major's newest, or PTX for a GPU newer than the toolkit", () => {
  run("arch");
});

test("Philox-4x32-10 matches the published known-answer vectors", () => {
  run("philox");
});

// Official headers, where a toolkit (or its pip wheels: TESSERA_CUDA_INCLUDE_DIRS) has them.
const includeDirs = [
  ...(process.env.TESSERA_CUDA_INCLUDE_DIRS ?? "").split(":"),
  ...[process.env.CUDA_HOME, process.env.CUDA_PATH, "/usr/local/cuda"].map((d) => (d ? path.join(d, "include") : "")),
].filter((d) => d && existsSync(d));
const hasHeader = (h: string) => includeDirs.some((d) => existsSync(path.join(d, h)));

for (const [what, define, headers] of [
  ["the driver API", "TT_CHECK_DRIVER", ["cuda.h"]],
  ["NVRTC", "TT_CHECK_NVRTC", ["nvrtc.h"]],
  ["cuBLAS and cuBLASLt", "TT_CHECK_CUBLAS", ["cublas_api.h", "cublasLt.h", "cuda_runtime_api.h"]],
] as const) {
  const missing = headers.filter((h) => !hasHeader(h));
  test(
    `our declarations of ${what} match ${headers[0]} exactly`,
    { skip: missing.length ? `${missing.join(", ")} not found` : false },
    () => {
      const r = spawnSync(
        cxx,
        [
          "-fsyntax-only",
          "-std=c++17",
          `-D${define}`,
          ...includeDirs.flatMap((d) => ["-I", d]),
          "-I",
          native,
          path.join(pkg, "test", "native", "cuda_decls_check.cpp"),
        ],
        { encoding: "utf8" },
      );
      assert.equal(r.status, 0, `declarations of ${what} differ from the official headers:\n${r.stderr}`);
    },
  );
}

// The names we look up, from our own declarations (src/native/cuda/api/*.h).
function declared(header: string): string[] {
  return [...readFileSync(path.join(native, "cuda", "api", header), "utf8").matchAll(/using PFN_(\w+) =/g)].map((m) => m[1]);
}
const OPTIONAL = new Set(["nvrtcGetNumSupportedArchs", "nvrtcGetSupportedArchs", "cublasGetStatusString"]);
const libDirs = [
  ...(process.env.TESSERA_CUDA_LIB_DIRS ?? "").split(":"),
  ...[process.env.CUDA_HOME, process.env.CUDA_PATH, "/usr/local/cuda"].map((d) => (d ? path.join(d, "lib64") : "")),
].filter(Boolean);
const findLib = (names: string[]) => libDirs.flatMap((d) => names.map((n) => path.join(d, n))).find((p) => existsSync(p));

for (const [header, names, filter] of [
  ["nvrtc.h", ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"], (_n: string) => true],
  ["cublas.h", ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11"], (n: string) => !n.startsWith("cublasLt")],
  ["cublas.h", ["libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11"], (n: string) => n.startsWith("cublasLt")],
] as const) {
  const lib = findLib([...names]);
  const wanted = declared(header).filter(filter);
  test(
    `${names[0].replace(/\.so.*/, "")} exports every entry point we declare (${wanted.length})`,
    { skip: lib ? false : `${names.join(", ")} not found in ${libDirs.join(", ")}` },
    (t) => {
      const r = spawnSync(bin, ["symbols", lib ?? "", ...wanted.filter((n) => !OPTIONAL.has(n))], { encoding: "utf8" });
      assert.equal(r.status, 0, `${lib}:\n${r.stdout}`);
      const optional = spawnSync(bin, ["symbols", lib ?? "", ...wanted.filter((n) => OPTIONAL.has(n))], { encoding: "utf8" });
      if (optional.status !== 0) t.diagnostic(`optional entry points absent from ${lib}: ${optional.stdout}`);
    },
  );
}
