// Without a usable GPU (this is how CI machines are), CUDA says exactly why, every way of
// asking for a CUDA tensor throws that reason (never a silent CPU fallback), the memory
// queries answer without starting anything, and the addon was built with no CUDA at all.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import * as tt from "../src/ts/index.ts";
import { backend, resultDevice, sameDeviceError, type ViewLike } from "../src/ts/dispatch.ts";
import { normalizeDevice } from "../src/ts/cuda/device.ts";

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const available = tt.cuda.isAvailable();

/** Whether the dynamic loader can find a libcuda.so.1 at all (an NVIDIA driver is installed). */
function driverInstalled(): boolean {
  const r = spawnSync("ldconfig", ["-p"], { encoding: "utf8" });
  if (r.stdout?.includes("libcuda.so.1")) return true;
  return (process.env.LD_LIBRARY_PATH ?? "").split(":").some((d) => d && existsSync(path.join(d, "libcuda.so.1")));
}

describe("CUDA unavailable", { skip: available ? "a CUDA device is available here (npm run test:cuda covers it)" : false }, () => {
  it("says which library or device is missing", () => {
    const reason = tt.cuda.unavailableReason();
    if (!driverInstalled()) assert.equal(reason, "libcuda.so.1 not found (no NVIDIA driver)");
    else
      assert.match(
        reason,
        /^(no CUDA device( visible)? .*|cuInit failed: CUDA_ERROR_\w+ .*|libcuda\.so\.1 could not be loaded: .+|lib(nvrtc|cublas) not found \(tried lib\w+\.so\.\d+.* in .+; set TESSERA_CUDA_LIB_DIRS to the folder that holds it\).*)$/,
      );
    assert.equal(tt.cuda.isAvailable(), false);
    assert.equal(tt.cuda.deviceCount(), 0);
    const info = tt.cuda.info();
    assert.equal(info.available, false);
    assert.equal(info.reason, reason);
  });

  it("every way of asking for a CUDA tensor throws that reason", () => {
    const reason = tt.cuda.unavailableReason();
    const msg = (device: string) =>
      new RegExp(`^Error: device "${device.replace(/[:]/g, "\\$&")}" is not available: ${reason.replace(/[.()]/g, "\\$&")}$`);
    const x = tt.randn([2, 3]);
    assert.throws(() => x.to("cuda"), msg("cuda"));
    assert.throws(() => x.to("cuda:1"), msg("cuda:1"));
    assert.throws(() => x.cuda(), msg("cuda"));
    assert.throws(() => x.to("cuda", "float16"), msg("cuda"));
    assert.throws(() => tt.zeros([2], { device: "cuda" }), msg("cuda"));
    assert.throws(() => tt.randn([2], { device: "cuda:0" }), msg("cuda:0"));
    assert.throws(() => tt.tensor([1, 2], { device: "cuda" }), msg("cuda"));
    assert.throws(() => tt.arange(4, undefined, 1, { device: "cuda" }), msg("cuda"));
    const model = new tt.nn.Linear(3, 2);
    const before = model.weight;
    assert.throws(() => model.to("cuda"), msg("cuda"));
    assert.throws(() => model.cuda(), msg("cuda"));
    assert.equal(model.weight, before, "a failed move leaves the module as it was");
    assert.throws(() => tt.cuda.synchronize(), msg("cuda"));
    assert.throws(() => tt.cuda.getDeviceName(0), msg("cuda:0"));
    assert.throws(() => tt.cuda.setPerProcessMemoryFraction(0.5), msg("cuda:0"));
    assert.throws(() => tt.cuda.compileKernels(), msg("cuda:0"));
    assert.throws(() => backend("cuda:0"), msg("cuda:0"));
    assert.throws(() => x.to("gpu"), /expected a dtype .* or a device \("cpu", "cuda", "cuda:N"\), got "gpu"/);
    // CPU work is untouched.
    assert.equal(x.to("cpu"), x);
    assert.equal(x.cpu(), x);
    assert.equal(model.to("cpu"), model);
  });

  it("memory queries answer zero and start nothing", () => {
    assert.equal(tt.cuda.memoryAllocated(), 0);
    assert.equal(tt.cuda.memoryReserved("cuda:0"), 0);
    assert.equal(tt.cuda.maxMemoryAllocated(0), 0);
    assert.equal(tt.cuda.memoryStats().retries, 0);
    tt.cuda.emptyCache();
    tt.cuda.resetPeakMemoryStats();
  });
});

describe("devices", () => {
  const fake = (device: string, shape: number[] = [2]): ViewLike => ({
    storage: { handle: {} as never, device: normalizeDevice(device) },
    dtype: "float32",
    shape,
    strides: shape.map(() => 1),
    offset: 0,
  });

  it("names are normalized: cuda is cuda:0", () => {
    assert.equal(normalizeDevice("cuda"), "cuda:0");
    assert.equal(normalizeDevice("cuda:02"), "cuda:2");
    assert.equal(normalizeDevice("cpu"), "cpu");
    assert.throws(() => normalizeDevice("cuda:"), /unknown device "cuda:"/);
    assert.throws(() => normalizeDevice("tpu"), /unknown device/);
  });

  it("an op runs on its one GPU; CPU operands of a GPU op may only be 0-d, as in PyTorch", () => {
    assert.equal(resultDevice(fake("cpu"), fake("cpu")), "cpu");
    assert.equal(resultDevice(fake("cuda"), fake("cpu", [])), "cuda:0");
    assert.equal(resultDevice(fake("cpu", []), fake("cuda:1")), "cuda:1");
    assert.throws(
      () => resultDevice(fake("cuda:0"), fake("cpu")),
      /^Error: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!$/,
    );
    assert.throws(() => resultDevice(fake("cuda:0"), fake("cuda:1")), /found at least two devices, cuda:0 and cuda:1!/);
    assert.equal(
      sameDeviceError("a", "b").message,
      "Expected all tensors to be on the same device, but found at least two devices, a and b!",
    );
  });

  it("the CPU backend refuses GPU views before they reach native code", () => {
    const out = tt.zeros([2]);
    assert.throws(() => backend("cpu").unary(0, fake("cuda:0"), out), /found at least two devices, cpu and cuda:0!/);
    assert.throws(() => backend("cpu").matmul(out.reshape(1, 2), fake("cuda:0", [2, 1]), tt.zeros([1, 1])), /cpu and cuda:0/);
  });
});

describe("the addon has no build-time CUDA dependency", () => {
  it("binding.gyp names no CUDA include folder or library", () => {
    const gyp = readFileSync(path.join(pkg, "binding.gyp"), "utf8");
    assert.doesNotMatch(gyp, /cuda\/include|\/usr\/local\/cuda|CUDA_HOME|CUDA_PATH|-lcuda|-lcudart|-lnvrtc|-lcublas|-lnvidia-ml/);
  });

  it("no native source includes a CUDA header; CUDA is declared by us and opened at run time", () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory() && e.name !== "kernels") walk(p);
        else if (/\.(cpp|h|inc)$/.test(e.name)) files.push(p);
      }
    };
    walk(path.join(pkg, "src", "native"));
    for (const f of files)
      assert.doesNotMatch(readFileSync(f, "utf8"), /#include\s*[<"](cuda\.h|cuda_runtime[^">]*|nvrtc\.h|cublas[^">]*|nvml\.h)[">]/, f);
  });

  it(
    "the built addon links no CUDA library",
    { skip: spawnSync("readelf", ["--version"]).status === 0 ? false : "readelf not found" },
    () => {
      const dyn = execFileSync("readelf", ["-d", path.join(pkg, "build", "Release", "tessera_tensor.node")], { encoding: "utf8" });
      const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      assert.ok(needed.length > 0, "readelf listed no NEEDED entries");
      for (const lib of needed) assert.doesNotMatch(lib, /cuda|nvrtc|cublas|nvidia/, `the addon links ${lib}`);
    },
  );
});
