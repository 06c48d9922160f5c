import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import * as tt from "../src/ts/index.ts";
import { assertClose, nums, randomArray, refMatmul } from "./helpers.ts";

function checkMatmul(M: number, K: number, N: number, seed: number, transposeA = false, transposeB = false): void {
  const a = randomArray(M * K, seed),
    b = randomArray(K * N, seed + 1);
  let ta = tt.fromTypedArray(new Float32Array(a), [M, K]);
  let tb = tt.fromTypedArray(new Float32Array(b), [K, N]);
  if (transposeA) ta = ta.t().contiguous().t(); // same values, column-major layout
  if (transposeB) tb = tb.t().contiguous().t();
  const aa = Array.from(ta.contiguous().data() as Float32Array),
    bb = Array.from(tb.contiguous().data() as Float32Array);
  const out = ta.matmul(tb);
  assert.deepEqual(out.shape, [M, N]);
  assertClose(nums(out), refMatmul(aa, bb, M, K, N), 1e-4, 1e-4 * Math.sqrt(K), `${M}x${K}x${N}`);
}

test("2-d float32 matmul across block edges, layouts and sizes", () => {
  for (const [M, K, N] of [
    [1, 1, 1],
    [2, 3, 4],
    [7, 5, 17],
    [6, 16, 32],
    [13, 300, 37],
    [65, 257, 129],
    [150, 70, 4100],
  ])
    checkMatmul(M, K, N, M + K + N);
  checkMatmul(33, 45, 21, 5, true, false);
  checkMatmul(33, 45, 21, 6, false, true);
  checkMatmul(40, 300, 50, 7, true, true);
});

test("matmul agrees across every instruction set this CPU has", () => {
  const start = tt.cpuIsa();
  const a = tt.fromTypedArray(new Float32Array(randomArray(97 * 131, 11)), [97, 131]);
  const b = tt.fromTypedArray(new Float32Array(randomArray(131 * 75, 12)), [131, 75]);
  const want = refMatmul(Array.from(a.data() as Float32Array), Array.from(b.data() as Float32Array), 97, 131, 75);
  const x = tt.fromTypedArray(new Float32Array(randomArray(1000, 13, -5, 5)));
  const ran: string[] = [];
  try {
    for (const isa of ["base", "avx2", "avx512"] as const) {
      try {
        tt.cpuIsa(isa);
      } catch (e) {
        assert.match(String(e), /not available on this CPU/);
        continue;
      }
      ran.push(isa);
      assert.equal(tt.cpuIsa(), isa);
      assertClose(nums(a.matmul(b)), want, 1e-4, 1e-3, `matmul ${isa}`);
      assertClose(nums(x.exp()), Array.from(x.data() as Float32Array, Math.exp), 2e-6, 1e-7, `exp ${isa}`);
      assertClose(nums(x.add(x).sum()), [2 * Array.from(x.data() as Float32Array).reduce((p, v) => p + v, 0)], 1e-5, 1e-3, `sum ${isa}`);
    }
  } finally {
    tt.cpuIsa(start as "avx2");
  }
  assert.ok(ran.includes("base"));
});

test("TESSERA_CPU_ISA=avx2 forces the AVX2 kernels in a fresh process", (t) => {
  const probe = `
    const tt = await import(${JSON.stringify(new URL("../src/ts/index.ts", import.meta.url).href)});
    const a = tt.randn([70, 90]), b = tt.randn([90, 50]);
    const c = a.matmul(b), d = a.double().matmul(b.double());
    console.log(tt.cpuIsa(), c.sub(d).abs().max().item());`;
  const env = { ...process.env, TESSERA_CPU_ISA: "avx2" };
  let out: string;
  try {
    out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", probe], {
      env,
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
    });
  } catch (e) {
    throw new Error(`child failed: ${String((e as { stderr?: string }).stderr ?? e)}`);
  }
  const [isa, err] = out.trim().split(" ");
  if (isa === "base") return t.skip("this CPU has no AVX2");
  assert.equal(isa, "avx2");
  assert.ok(Number(err) < 1e-3, `max error ${err}`);
});

test("batched, broadcast-batch and vector matmul", () => {
  tt.manualSeed(3);
  const a = tt.randn([2, 3, 4, 5]),
    b = tt.randn([3, 5, 6]);
  const c = a.matmul(b);
  assert.deepEqual(c.shape, [2, 3, 4, 6]);
  const a12 = a.select(0, 1).select(0, 2),
    b2 = b.select(0, 2);
  assertClose(nums(c.select(0, 1).select(0, 2)), nums(a12.matmul(b2)), 1e-6, 1e-6, "batch slice");
  const v = tt.tensor([1, 2, 3], { dtype: "float32" }),
    m = tt.tensor(
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      { dtype: "float32" },
    );
  assert.deepEqual(v.matmul(m).toArray(), [4, 5]);
  assert.deepEqual(m.t().matmul(v).toArray(), [4, 5]);
  assert.equal(v.matmul(v).item(), 14);
  assert.deepEqual(v.matmul(v).shape, []);
  assert.deepEqual(tt.randn([4, 2, 3]).matmul(v).shape, [4, 2]);
  assert.deepEqual(
    tt
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .matmul(tt.tensor([[1], [1]]))
      .toArray(),
    [[3], [7]],
  );
  assert.deepEqual(
    tt
      .zeros([3, 0])
      .matmul(tt.zeros([0, 2]))
      .toArray(),
    [
      [0, 0],
      [0, 0],
      [0, 0],
    ],
  );
  assert.deepEqual(tt.zeros([0, 4]).matmul(tt.zeros([4, 2])).shape, [0, 2]);
});

test("matmul in float64, int and half dtypes", () => {
  const a = tt.tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(a.matmul(a).toArray(), [
    [7, 10],
    [15, 22],
  ]);
  assert.equal(a.matmul(a).dtype, "int64");
  assert.equal(a.int().matmul(a.int()).dtype, "int32");
  const d = a.double();
  assert.deepEqual(d.matmul(d.t()).toArray(), [
    [5, 11],
    [11, 25],
  ]);
  const h = a.half().matmul(a.half());
  assert.equal(h.dtype, "float16");
  assert.deepEqual(h.toArray(), [
    [7, 10],
    [15, 22],
  ]);
  // Mixed dtypes are refused, as in PyTorch (see parity-forward.test.ts).
  assert.throws(() => a.float().matmul(d), /same dtype, got float32 and float64/);
});

test("matmul errors name both shapes", () => {
  assert.throws(() => tt.zeros([2, 3]).matmul(tt.zeros([4, 5])), {
    message: "matmul: shapes [2,3] and [4,5] cannot be multiplied (3 ≠ 4)",
  });
  assert.throws(() => tt.zeros([2, 2, 3]).matmul(tt.zeros([3, 3, 2])), /matmul: shapes \[2\] and \[3\] cannot be broadcast/);
  assert.throws(() => tt.tensor(1).matmul(tt.zeros([1])), /at least 1 dimension/);
});
