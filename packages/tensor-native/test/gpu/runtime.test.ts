// The CUDA runtime itself: kernels compile with NVRTC, the cache on disk, the caching
// allocator on a real device, asynchronous work and interrupts, random numbers, devices.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import * as tt from "../../src/ts/index.ts";
import { DEV, ON_GPU } from "./helpers.ts";

const gpuOnly = ON_GPU ? false : "CUDA only";
const here = path.dirname(fileURLToPath(import.meta.url));
const index = path.resolve(here, "..", "..", "src", "ts", "index.ts");

describe("kernels and their cache", { skip: gpuOnly }, () => {
  it("every kernel file compiles with NVRTC for this GPU and loads", () => {
    tt.cuda.compileKernels(0);
  });

  it("compiled kernels are cached on disk, checked, and rewritten when corrupt", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tt-cuda-cache-"));
    try {
      const script = path.join(dir, "probe.mts");
      writeFileSync(
        script,
        `import * as tt from ${JSON.stringify(index)};\nconsole.log(tt.ones([4], { device: "cuda" }).add(1).sum().item());\n`,
      );
      const run = () =>
        spawnSync(process.execPath, ["--import", "tsx", script], {
          encoding: "utf8",
          env: { ...process.env, TESSERA_CUDA_CACHE_DIR: dir },
        });
      const first = run();
      assert.equal(first.status, 0, first.stderr);
      assert.equal(first.stdout.trim(), "8");
      const files = readdirSync(dir).filter((f) => f.endsWith(".cubin") || f.endsWith(".ptx"));
      assert.ok(files.length >= 2, `cache files: ${readdirSync(dir).join(", ")}`);
      for (const f of files) {
        assert.match(f, /^[0-9a-f]{64}\.(cubin|ptx)$/);
        assert.equal(readFileSync(path.join(dir, f)).subarray(0, 8).toString("latin1"), "TTCUBIN1");
      }
      assert.equal(readdirSync(dir).filter((f) => f.includes(".tmp.")).length, 0, "no temporary files left");
      const mtimes = files.map((f) => statSync(path.join(dir, f)).mtimeMs);
      const second = run();
      assert.equal(second.stdout.trim(), "8");
      assert.deepEqual(
        files.map((f) => statSync(path.join(dir, f)).mtimeMs),
        mtimes,
        "a second run reads the cache",
      );
      const victim = path.join(dir, files[0]);
      const bytes = readFileSync(victim);
      bytes[bytes.length - 1] ^= 0xff;
      writeFileSync(victim, bytes);
      const third = run();
      assert.equal(third.status, 0, third.stderr);
      assert.equal(third.stdout.trim(), "8");
      assert.notDeepEqual(readFileSync(victim), bytes, "the corrupt entry was compiled again and replaced");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("memory", { skip: gpuOnly }, () => {
  it("the caching allocator's accounting: rounding, dispose, tidy, cache, emptyCache, summary", () => {
    tt.cuda.synchronize();
    const base = tt.cuda.memoryAllocated();
    const x = tt.empty([1000], { device: DEV }); // 4000 bytes -> one 4096-byte block
    assert.equal(tt.cuda.memoryAllocated() - base, 4096);
    assert.ok(tt.cuda.memoryReserved() >= 2 << 20);
    x.dispose();
    assert.equal(tt.cuda.memoryAllocated(), base);
    tt.tidy(() => {
      tt.randn([1 << 20], { device: DEV }).mul(2);
    });
    assert.equal(tt.cuda.memoryAllocated(), base, "tidy frees GPU memory at once");
    assert.ok(tt.cuda.maxMemoryAllocated() >= base + (8 << 20));
    const big = tt.empty([64 << 20], { device: DEV });
    const reserved = tt.cuda.memoryReserved();
    big.dispose();
    assert.equal(tt.cuda.memoryReserved(), reserved, "freed blocks stay cached");
    tt.cuda.emptyCache();
    assert.ok(tt.cuda.memoryReserved() <= reserved - (256 << 20), "emptyCache returns them");
    assert.match(tt.cuda.memorySummary(), /Allocated memory/);
    tt.cuda.resetPeakMemoryStats();
    assert.equal(tt.cuda.maxMemoryAllocated(), tt.cuda.memoryAllocated());
  });

  it("out of memory: the cache is freed and the request retried, then PyTorch's message", () => {
    const total = tt.cuda.getDeviceProperties(0).totalMemory;
    const MiB = 2 ** 20;
    tt.cuda.emptyCache();
    tt.cuda.setPerProcessMemoryFraction(0.05);
    const allowed = 0.05 * total;
    try {
      const gib = Math.ceil((0.1 * total) / 2 ** 30);
      const size = gib === 1 ? "1024\\.00 MiB" : `${gib}\\.00 GiB`;
      assert.throws(
        () => tt.empty([gib * 2 ** 28], { device: DEV }),
        new RegExp(
          `^Error: CUDA out of memory\\. Tried to allocate ${size} \\(GPU 0; [\\d.]+ GiB total capacity; [\\d.]+ (bytes|KiB|MiB|GiB) already allocated; [\\d.]+ (bytes|KiB|MiB|GiB) free; [\\d.]+ (MiB|GiB) allowed; [\\d.]+ (bytes|KiB|MiB|GiB) reserved in total by Tessera\\)$`,
        ),
      );
      assert.ok(tt.cuda.memoryStats().ooms >= 1);
      // 64 MiB cached, then a request that only fits once the cache is given back.
      tt.empty([16 * MiB], { device: DEV }).dispose();
      const reserved = tt.cuda.memoryReserved();
      const retries = tt.cuda.memoryStats().retries;
      const bytes = Math.floor((allowed - (reserved - 64 * MiB) - 32 * MiB) / (2 * MiB)) * 2 * MiB;
      assert.ok(bytes > 64 * MiB && reserved + bytes > allowed, "the test needs the cache to be in the way");
      tt.empty([bytes / 4], { device: DEV }).dispose();
      assert.equal(tt.cuda.memoryStats().retries, retries + 1, "freed the cache and retried once");
    } finally {
      tt.cuda.setPerProcessMemoryFraction(1);
      tt.cuda.emptyCache();
    }
  });
});

describe("asynchronous work", { skip: gpuOnly }, () => {
  it("ops are queued; reading a value waits; synchronize waits and hears an interrupt", () => {
    const a = tt.randn([8192, 8192], { device: DEV });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    tt.setInterruptFlag(flag);
    try {
      let c = a;
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) {
        const prev = c;
        c = tt.tidy(() => tt.keep(c.matmul(a).div(90)));
        if (prev !== a) prev.dispose();
      }
      const queued = performance.now() - t0;
      Atomics.store(flag, 0, 1);
      assert.throws(() => tt.cuda.synchronize(), /interrupted/);
      Atomics.store(flag, 0, 0);
      tt.cuda.synchronize();
      console.log(`20 queued 8192^3 matmuls returned in ${queued.toFixed(1)} ms`);
      assert.ok(Number.isFinite(Number(c.sum().item())));
    } finally {
      tt.setInterruptFlag(null);
    }
  });

  it("printing names the device", () => {
    assert.match(String(tt.tensor([1, 2], { device: DEV })), /^tensor\(\[1, 2\], device='cuda:0', dtype=int64\)$/);
  });
});

describe("random numbers on the device", () => {
  it("rand, randn, randint: ranges and moments; manualSeed reproduces them", () => {
    tt.manualSeed(123);
    const u = tt.rand([1 << 18], { device: DEV }),
      n = tt.randn([1 << 18], { device: DEV, dtype: "float64" });
    const r = tt.randint(-3, 4, [1 << 16], { device: DEV });
    assert.equal(u.device, tt.zeros([1], { device: DEV }).device);
    assert.ok(Number(u.min().item()) >= 0 && Number(u.max().item()) < 1);
    assert.ok(Math.abs(Number(u.mean().item()) - 0.5) < 0.005);
    assert.ok(Math.abs(Number(n.mean().item())) < 0.01 && Math.abs(Number(n.std().item()) - 1) < 0.01);
    assert.deepEqual(
      [...new Set(r.cpu().values() as number[])].sort((p, q) => p - q),
      [-3, -2, -1, 0, 1, 2, 3],
    );
    for (const dt of ["float16", "bfloat16"] as tt.DType[])
      assert.ok(Number(tt.rand([1000], { device: DEV, dtype: dt }).float().max().item()) <= 1);
    tt.manualSeed(123);
    assert.deepEqual(
      tt
        .rand([1 << 18], { device: DEV })
        .cpu()
        .values(),
      u.cpu().values(),
      "the same seed, the same numbers",
    );
    assert.notDeepEqual(
      tt.rand([16], { device: DEV }).cpu().values(),
      tt.rand([16], { device: DEV }).cpu().values(),
      "successive draws differ",
    );
  });
});

describe("devices", { skip: gpuOnly }, () => {
  it("names and properties", () => {
    assert.ok(tt.cuda.deviceCount() >= 1);
    assert.ok(tt.cuda.getDeviceName(0).length > 0);
    const p = tt.cuda.getDeviceProperties(0);
    assert.ok(p.major >= 6 && p.multiProcessorCount > 0 && p.totalMemory > 0);
    assert.throws(() => tt.zeros([1], { device: `cuda:${tt.cuda.deviceCount()}` as tt.Device }), /does not exist/);
  });

  it("a second GPU, when there is one", { skip: tt.cuda.deviceCount() < 2 ? "one GPU" : false }, () => {
    const x = tt.randn([300, 7], { device: "cuda:0" });
    const y = x.to("cuda:1");
    assert.equal(y.device, "cuda:1");
    assert.deepEqual(y.cpu().values(), x.cpu().values());
    assert.throws(() => x.add(y), /found at least two devices, cuda:0 and cuda:1!/);
  });
});
