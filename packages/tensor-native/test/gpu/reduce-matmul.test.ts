// Reductions, softmax, matmul (cuBLAS and the integer kernel), convolution and pooling, and
// the index ops on the GPU against the CPU.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "../../src/ts/index.ts";
import { DEV, TOL, randint, randn, same } from "./helpers.ts";

describe("reductions", () => {
  it("every reduction over every dim set, with keepdim, in float32, float64 and integers", () => {
    for (const dt of ["float32", "float64"] as tt.DType[]) {
      const x = randn([4, 300, 5], dt);
      for (const dims of [undefined, 0, 1, 2, [0, 2], [1, 2]] as (number | number[] | undefined)[])
        for (const keep of [false, true]) {
          const w = `${dt} dims ${JSON.stringify(dims)} keepdim ${keep}`;
          same(`sum ${w}`, [x], (v) => v.sum(dims, keep), undefined, true);
          same(`mean ${w}`, [x], (v) => v.mean(dims, keep), undefined, true);
          same(`var ${w}`, [x], (v) => v.var(dims, keep));
          same(`std ${w}`, [x], (v) => v.std(dims, keep, 0));
          same(`logsumexp ${w}`, [x], (v) => v.logsumexp(dims ?? [0, 1, 2], keep));
        }
      same(`prod ${dt}`, [x.narrow(1, 0, 6).add(1)], (v) => v.prod(1), undefined, true);
      for (const d of [0, 1, 2]) {
        same(`max/min(${d}) ${dt}`, [x], (v) => {
          const a = v.max(d),
            b = v.min(d, true);
          return [a.values, a.indices, b.values, b.indices];
        });
        same(`argmax/argmin(${d}) ${dt}`, [x], (v) => [v.argmax(d), v.argmin(d, true)]);
      }
      same(`max() ${dt}`, [x], (v) => [v.max(), v.min(), v.argmax(), v.argmin()]);
    }
    for (const dt of ["int32", "int64", "uint8", "bool"] as tt.DType[]) {
      const x = dt === "bool" ? randn([7, 9]).gt(0) : randint(0, 20, [7, 9], dt);
      same(`sum ${dt}`, [x], (v) => [v.sum(), v.sum(0), v.sum(1, true)]);
      if (dt !== "bool") same(`max/argmax ${dt}`, [x], (v) => [v.max(), v.max(1).values, v.argmax(0), v.prod(1)]);
    }
  });

  it("NaN and ties: the first NaN, else the first extreme, as the CPU", () => {
    const x = tt.tensor([
      [1, NaN, 3, NaN],
      [2, 5, 5, 1],
      [-Infinity, -Infinity, -Infinity, -Infinity],
    ]);
    same("argmax/argmin/max with NaN and ties", [x], (v) => [v.argmax(1), v.argmin(1), v.max(1).values, v.logsumexp(1)]);
  });

  it("softmax and logSoftmax along each dim, with -inf rows", () => {
    for (const dt of ["float32", "float64", "bfloat16"] as tt.DType[]) {
      const x = randn([6, 513], dt).mul(5);
      for (const d of [0, 1, -1]) same(`softmax(${d}) ${dt}`, [x], (v) => [v.softmax(d), v.logSoftmax(d)]);
    }
    same(
      "a row of -inf gives NaN",
      [
        tt.tensor([
          [-Infinity, -Infinity],
          [0, -Infinity],
        ]),
      ],
      (v) => v.softmax(1),
    );
  });
});

describe("matmul", () => {
  const shapes: [number[], number[]][] = [
    [
      [7, 13],
      [13, 5],
    ],
    [
      [1, 64],
      [64, 1],
    ],
    [[64], [64, 3]],
    [[3, 64], [64]],
    [
      [5, 3, 40],
      [40, 6],
    ],
    [
      [2, 3, 4, 8],
      [8, 5],
    ],
    [
      [2, 1, 4, 8],
      [3, 8, 5],
    ],
    [
      [129, 257],
      [257, 65],
    ],
  ];

  it("float32 and float64 through cuBLAS, every layout (transposed, sliced, broadcast)", () => {
    for (const dt of ["float32", "float64"] as tt.DType[])
      for (const [sa, sb] of shapes) {
        const a = randn(sa, dt),
          b = randn(sb, dt);
        same(`${dt} ${sa} x ${sb}`, [a, b], (x, y) => x.matmul(y), undefined, true);
        if (sa.length >= 2 && sb.length >= 2) {
          same(
            `${dt} ${sa} x ${sb}, both transposed views`,
            [a.transpose(-1, -2).contiguous(), b.transpose(-1, -2).contiguous()],
            (x, y) => x.transpose(-1, -2).matmul(y.transpose(-1, -2)),
            undefined,
            true,
          );
        }
      }
    const wide = randn([10, 30]);
    same(
      "narrowed operands (row stride larger than the row)",
      [wide],
      (w) => w.narrow(1, 3, 8).matmul(w.narrow(0, 2, 8).narrow(1, 5, 7)),
      undefined,
      true,
    );
    same(
      "an expanded row (stride 0) is copied first",
      [randn([1, 16]), randn([16, 4])],
      (r, y) => r.expand(5, 16).matmul(y),
      undefined,
      true,
    );
    same("K = 0 gives zeros", [tt.zeros([3, 0]), tt.zeros([0, 4])], (x, y) => x.matmul(y));
  });

  it("float16 and bfloat16 (cuBLAS GemmEx, float32 accumulation)", () => {
    for (const dt of ["float16", "bfloat16"] as tt.DType[])
      for (const [sa, sb] of shapes.slice(0, 6))
        same(`${dt} ${sa} x ${sb}`, [randn(sa, dt), randn(sb, dt)], (x, y) => x.matmul(y), TOL[dt], true);
  });

  it("TF32 only when allowed, within TF32's tolerance", () => {
    const a = randn([256, 512]),
      b = randn([512, 128]);
    tt.backends.cuda.matmul.allowTf32 = true;
    try {
      same("float32 with allowTf32", [a, b], (x, y) => x.matmul(y), TOL.tf32, true);
    } finally {
      tt.backends.cuda.matmul.allowTf32 = false;
    }
    same("float32 without TF32", [a, b], (x, y) => x.matmul(y), undefined, true);
  });

  it("integer matmul (no cuBLAS) is exact", () => {
    for (const dt of ["int32", "int64", "uint8"] as tt.DType[])
      for (const [sa, sb] of shapes.slice(0, 7))
        same(`${dt} ${sa} x ${sb}`, [randint(0, 7, sa, dt), randint(0, 7, sb, dt)], (x, y) => x.matmul(y));
  });
});

describe("convolution, pooling and index ops", () => {
  it("conv2d with stride, padding, dilation and groups; pooling", () => {
    for (const dt of ["float32", "float64"] as tt.DType[]) {
      const x = randn([2, 4, 11, 9], dt),
        w = randn([6, 2, 3, 3], dt),
        b = randn([6], dt);
      same(
        `conv2d ${dt}`,
        [x, w, b],
        (v, k, c) => tt.conv2d(v, k, c, { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 }),
        undefined,
        true,
      );
      same(`maxPool2d ${dt}`, [x], (v) => tt.maxPool2d(v, 3, { stride: 2, padding: 1, dilation: 1 }));
      same(`avgPool2d ${dt}`, [x], (v) => tt.avgPool2d(v, [3, 2], { stride: [2, 2], padding: [1, 1] }));
    }
    same("maxPool2d of integers", [randint(-50, 50, [1, 2, 6, 6], "int32")], (v) => tt.maxPool2d(v, 2));
  });

  it("indexSelect, gather, scatterAdd (repeated indices), embedding, mask indexing, nonzero, oneHot", () => {
    for (const dt of tt.DTYPES) {
      const x = dt === "bool" ? randn([5, 6]).gt(0) : randn([5, 6]).mul(9).to(dt);
      same(`indexSelect ${dt}`, [x, tt.tensor([4, 0, -1, 2, 2])], (v, i) => [v.indexSelect(0, i), v.indexSelect(1, i)]);
      same(`gather ${dt}`, [x, randint(0, 6, [5, 3])], (v, i) => v.gather(1, i));
    }
    for (const dt of ["float32", "float64", "int32", "int64", "uint8", "bfloat16"] as tt.DType[]) {
      const base = randn([4, 5]).mul(5).to(dt);
      same(
        `scatterAdd ${dt}`,
        [base, randint(0, 4, [9, 5]), randn([9, 5]).mul(5).to(dt)],
        (v, i, s) => v.scatterAdd(0, i, s),
        dt === "bfloat16" ? TOL.bfloat16 : undefined,
      );
    }
    const table = randn([10, 4]);
    same("embedding", [table, randint(0, 10, [3, 7])], (w, i) => tt.embedding(i, w));
    const x = randn([6, 5]);
    same("mask indexing, maskedSelect, nonzero", [x], (v) => [
      v.index(v.gt(0)),
      v.maskedSelect(v.lt(0)),
      v.gt(0.5).nonzero(),
      v.index(tt.tensor([5, 1]).to(v.device)),
    ]);
    same("oneHot", [randint(0, 5, [7])], (i) => tt.oneHot(i, 5));
    assert.equal(tt.oneHot(randint(0, 3, [4]).to(DEV), 3).device, tt.zeros([1], { device: DEV }).device);
  });
});
