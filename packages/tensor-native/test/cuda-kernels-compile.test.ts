// Every CUDA kernel file compiles with nvcc for sm_80 and sm_90, from the exact text the
// addon embeds and hands to NVRTC, with the exact options (defines, language standard) it
// passes. A compile error fails the test with nvcc's message. Each cubin must also define
// every kernel name the launch code asks for. Without nvcc the test is skipped, saying so.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

import { nativeCuda } from "../src/ts/cuda/native-cuda.ts";
import { KERNEL_NAMES, missingKernels } from "./cuda-kernel-names.ts";

const run = promisify(execFile);
const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const kernelsDir = path.join(pkg, "src", "native", "cuda", "kernels");

function findNvcc(): string | undefined {
  const dirs = [process.env.CUDA_HOME, process.env.CUDA_PATH, "/usr/local/cuda"]
    .filter((d): d is string => !!d)
    .map((d) => path.join(d, "bin"));
  dirs.push(...(process.env.PATH ?? "").split(":").filter(Boolean));
  return dirs.map((d) => path.join(d, "nvcc")).find((p) => existsSync(p));
}

const { sources, headers, options } = nativeCuda.kernelSources();
const nvcc = findNvcc();
const ARCHS = ["sm_80", "sm_90"];

const work = mkdtempSync(path.join(tmpdir(), "tt-cuda-kernels-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("the addon embeds the kernel files as they are on disk, and nothing needs a system header", () => {
  assert.deepEqual(sources.map((s) => s.name).sort(), Object.keys(KERNEL_NAMES).sort());
  for (const f of [...sources, ...headers]) {
    const onDisk = f.name === "ops.h" ? path.join(pkg, "src", "native", "ops.h") : path.join(kernelsDir, f.name);
    assert.equal(f.text, readFileSync(onDisk, "utf8"), `${f.name}: the built addon is stale; rebuild it`);
    assert.doesNotMatch(f.text, /#include\s*</, `${f.name}: NVRTC has no system headers`);
  }
  assert.ok(
    options.every((o) => o.startsWith("-D") || o.startsWith("-std=")),
    `options nvcc cannot take as they are: ${options.join(" ")}`,
  );
  assert.ok(options.includes("-std=c++17"));
});

// Two compiles at a time: the machines this runs on are small.
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

test(
  `every kernel file compiles with nvcc for ${ARCHS.join(" and ")}`,
  { skip: nvcc ? false : "nvcc not found (set CUDA_HOME, or put nvcc on PATH)", timeout: 900_000 },
  async (t) => {
    for (const h of headers) writeFileSync(path.join(work, h.name), h.text);
    for (const s of sources) writeFileSync(path.join(work, s.name), s.text);
    const jobs = sources.flatMap((s) =>
      ARCHS.map((arch) => async () => {
        const cubin = path.join(work, `${s.name}.${arch}.cubin`);
        const args = ["--cubin", `-arch=${arch}`, ...options, "-I", work, "-o", cubin, path.join(work, s.name)];
        try {
          const { stderr } = await run(nvcc ?? "nvcc", args, { maxBuffer: 16 << 20 });
          if (stderr.trim()) t.diagnostic(`${s.name} (${arch}): ${stderr.trim()}`);
        } catch (e) {
          const err = e as { stderr?: string; stdout?: string; message: string };
          return `${s.name} for ${arch} does not compile:\nnvcc ${args.join(" ")}\n${err.stderr || err.stdout || err.message}`;
        }
        const missing = missingKernels(s.name, readFileSync(cubin));
        return missing.length ? `${s.name} (${arch}) lacks kernels the launch code uses: ${missing.join(", ")}` : "";
      }),
    );
    const failures = (await pool(jobs, 2)).filter(Boolean);
    assert.equal(failures.length, 0, failures.join("\n\n"));
  },
);
