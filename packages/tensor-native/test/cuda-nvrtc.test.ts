// The kernels through NVRTC itself, the compiler the runtime uses (nvcc is not NVRTC: it
// includes cuda_runtime.h for every file, NVRTC provides only its built-ins). NVRTC needs
// no driver or GPU, so this runs wherever an NVRTC library is found as the runtime looks
// for it (TESSERA_CUDA_LIB_DIRS, the loader's path, CUDA_HOME, /usr/local/cuda), and is
// skipped, saying so, elsewhere.
import assert from "node:assert/strict";
import { test } from "node:test";

import { nativeCuda } from "../src/ts/cuda/native-cuda.ts";
import { missingKernels } from "./cuda-kernel-names.ts";

const ARCHS = ["sm_80", "sm_90"];
const probe = nativeCuda.nvrtcCheck([]); // finds NVRTC without compiling anything

test(
  `every kernel file compiles with NVRTC to cubins for ${ARCHS.join(" and ")}`,
  { skip: probe.error || false, timeout: 900_000 },
  (t) => {
    const r = nativeCuda.nvrtcCheck(ARCHS);
    t.diagnostic(`NVRTC ${r.version} from ${r.path}`);
    const failures: string[] = [];
    for (const c of r.results) {
      if (c.error) {
        failures.push(`${c.file} for ${c.arch}: ${c.error}`);
        continue;
      }
      const image = new Uint8Array(c.image);
      assert.equal(Buffer.from(image.subarray(0, 4)).toString("latin1"), "\x7fELF", `${c.file} (${c.arch}): a cubin is an ELF image`);
      const missing = missingKernels(c.file, image);
      if (missing.length) failures.push(`${c.file} (${c.arch}) lacks kernels the launch code uses: ${missing.join(", ")}`);
    }
    assert.equal(r.results.length, 8 * ARCHS.length);
    assert.equal(failures.length, 0, failures.join("\n\n"));
  },
);
