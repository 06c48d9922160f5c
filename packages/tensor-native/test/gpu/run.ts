// `npm run test:cuda`: the GPU suite (test/gpu/*.test.ts) against the CPU backend. Without a
// usable GPU it says why and exits 0. TESSERA_GPU_TEST_DEVICE=cpu runs the suite with the
// CPU standing in for the GPU: a dry run of the tests themselves, not of the CUDA backend.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as tt from "../../src/ts/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const dryRun = process.env.TESSERA_GPU_TEST_DEVICE === "cpu";
if (!tt.cuda.isAvailable() && !dryRun) {
  console.log(`skipped: no CUDA device (${tt.cuda.unavailableReason()})`);
  process.exit(0);
}
if (!dryRun) {
  const p = tt.cuda.getDeviceProperties(0);
  const info = tt.cuda.info();
  console.log(
    `CUDA: ${p.name} (sm_${p.major}${p.minor}, ${(p.totalMemory / 2 ** 30).toFixed(1)} GiB), driver CUDA ${Math.floor(info.driverVersion / 1000)}.${(info.driverVersion % 1000) / 10}, NVRTC ${info.nvrtcVersion}`,
  );
  console.log(
    `libraries: ${Object.entries(info.libraries)
      .map(([k, v]) => `${k}=${v || "-"}`)
      .join(" ")}`,
  );
}
const files = readdirSync(here)
  .filter((f) => f.endsWith(".test.ts"))
  .sort()
  .map((f) => path.join(here, f));
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
