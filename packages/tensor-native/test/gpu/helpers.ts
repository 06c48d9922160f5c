// Shared by the GPU suite: the device under test, fresh random inputs, and comparisons with
// tolerances by dtype (float32 1e-4 relative / 1e-5 absolute, TF32 and 16-bit floats 1e-2,
// integers and bool exact).
import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../../src/ts/index.ts";
import { normalizeDevice } from "../../src/ts/cuda/device.ts";

/** "cuda", or "cpu" for a dry run of the suite on a machine without a GPU. */
export const DEV = (process.env.TESSERA_GPU_TEST_DEVICE ?? "cuda") as tt.Device;
export const ON_GPU = DEV !== "cpu";

/** A fresh seed per run (printed, so a failure can be replayed with TESSERA_GPU_TEST_SEED). */
export const SEED = Number(process.env.TESSERA_GPU_TEST_SEED ?? Math.floor(Math.random() * 1e9));
test(`inputs seeded with ${SEED} (TESSERA_GPU_TEST_SEED=${SEED} replays them)`, () => {});
tt.manualSeed(SEED);

export type Tol = { rtol: number; atol: number };
export const TOL: Record<string, Tol> = {
  float32: { rtol: 1e-4, atol: 1e-5 },
  float64: { rtol: 1e-10, atol: 1e-12 },
  float16: { rtol: 1e-2, atol: 1e-2 },
  bfloat16: { rtol: 1e-2, atol: 1e-2 },
  tf32: { rtol: 1e-2, atol: 1e-2 },
};

function flat(t: tt.Tensor): number[] {
  return (t.values() as (number | boolean)[]).map(Number);
}

/**
 * `actual` (on the device) equals `expected` (from the CPU): same shape and dtype, values
 * within the dtype's tolerance. With `global`, the tolerance is relative to the largest
 * expected magnitude (for sums and products of many terms, where cancellation makes
 * elementwise relative error meaningless).
 */
export function assertSame(actual: tt.Tensor, expected: tt.Tensor, what: string, tol?: Tol, global = false): void {
  assert.equal(actual.device, normalizeDevice(DEV), `${what}: device`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const a = flat(actual.cpu()),
    e = flat(expected);
  const exact = !tt.DTYPES.slice(0, 4).includes(expected.dtype);
  const t = tol ?? TOL[expected.dtype] ?? { rtol: 0, atol: 0 };
  let scale = 0;
  if (global) for (const v of e) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(e[i])) {
      assert.ok(Number.isNaN(a[i]), `${what}[${i}]: expected NaN, got ${a[i]}`);
      continue;
    }
    if (exact || !Number.isFinite(e[i])) {
      assert.equal(a[i], e[i], `${what}[${i}]`);
      continue;
    }
    const bound = t.atol + t.rtol * (global ? scale : Math.abs(e[i]));
    assert.ok(Math.abs(a[i] - e[i]) <= bound, `${what}[${i}]: ${a[i]} vs CPU ${e[i]} (allowed ${bound.toExponential(2)})`);
  }
}

/** Runs fn on CPU tensors and on the same tensors moved to the device, and compares every output. */
export function same(
  what: string,
  inputs: tt.Tensor[],
  fn: (...xs: tt.Tensor[]) => tt.Tensor | tt.Tensor[],
  tol?: Tol,
  global = false,
): void {
  tt.tidy(() => {
    const cpu = [fn(...inputs)].flat();
    const dev = [fn(...inputs.map((x) => x.to(DEV)))].flat();
    assert.equal(dev.length, cpu.length);
    dev.forEach((d, i) => assertSame(d, cpu[i], cpu.length > 1 ? `${what} #${i}` : what, tol, global));
  });
}

/** Gradients of a scalar function on the CPU and on the device, compared input by input. */
export function sameGrad(what: string, inputs: tt.Tensor[], fn: (...xs: tt.Tensor[]) => tt.Tensor, tol?: Tol): void {
  const run = (device: tt.Device): tt.Tensor[] => {
    const leaves = inputs.map((x) => {
      const l = x.to(device).detach();
      l.requiresGrad = true;
      return l;
    });
    tt.tidy(() => fn(...leaves).backward());
    return leaves.map((l) => {
      assert.ok(l.grad, `${what}: no gradient on ${device}`);
      return l.grad;
    });
  };
  const cpu = run("cpu"),
    dev = run(DEV);
  dev.forEach((g, i) => assertSame(g, cpu[i], `${what}: grad of input ${i}`, tol, true));
}

/** Random inputs on the CPU (the device gets copies). */
export const randn = (shape: number[], dtype: tt.DType = "float32"): tt.Tensor =>
  tt.randn(shape, { dtype: dtype === "float64" ? "float64" : "float32" }).to(dtype);
export const randint = (lo: number, hi: number, shape: number[], dtype: tt.DType = "int64"): tt.Tensor =>
  tt.randint(lo, hi, shape, { dtype });
