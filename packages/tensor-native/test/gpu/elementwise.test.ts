// Creation, casts, copies and elementwise ops on the GPU against the CPU.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "../../src/ts/index.ts";
import { BINARY as BINARY_TABLE } from "../../src/ts/ops/binary-table.ts";
import { UNARY as UNARY_TABLE } from "../../src/ts/ops/unary-table.ts";
import { DEV, assertSame, randint, randn, same } from "./helpers.ts";

const FLOATS: tt.DType[] = ["float32", "float64"];
const INTS: tt.DType[] = ["int32", "int64", "uint8"];

describe("creation and transfer", () => {
  it("creation functions honor the device", () => {
    const d = { device: DEV };
    assertSame(tt.zeros([3, 4], d), tt.zeros([3, 4]), "zeros");
    assertSame(tt.ones([5], { ...d, dtype: "float16" }), tt.ones([5], { dtype: "float16" }), "ones f16");
    assertSame(tt.full([2, 2], 7, d), tt.full([2, 2], 7), "full int64");
    assertSame(tt.full([3], true, d), tt.full([3], true), "full bool");
    assertSame(tt.arange(10, undefined, 1, d), tt.arange(10), "arange");
    assertSame(tt.arange(0, 1, 0.125, d), tt.arange(0, 1, 0.125), "arange float");
    assertSame(tt.linspace(-1, 1, 9, d), tt.linspace(-1, 1, 9), "linspace");
    assertSame(tt.eye(3, 4, d), tt.eye(3, 4), "eye");
    assertSame(
      tt.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        d,
      ),
      tt.tensor([
        [1, 2],
        [3, 4],
      ]),
      "tensor",
    );
    assertSame(tt.tensor([1.5, -2], { ...d, dtype: "bfloat16" }), tt.tensor([1.5, -2], { dtype: "bfloat16" }), "tensor bf16");
    assertSame(tt.fromTypedArray(new Int32Array([5, 6, 7]), [3], d), tt.fromTypedArray(new Int32Array([5, 6, 7]), [3]), "fromTypedArray");
    assertSame(tt.zerosLike(tt.ones([2], d)), tt.zeros([2]), "zerosLike keeps the device");
  });

  it("round trips and strided copies between devices, in every dtype", () => {
    for (const dt of tt.DTYPES) {
      const x = dt === "bool" ? randn([5, 7]).gt(0) : randn([5, 7]).mul(50).to(dt);
      assertSame(x.to(DEV), x, `to(${DEV}) ${dt}`);
      assertSame(x.t().to(DEV), x.t().contiguous(), `transposed to(${DEV}) ${dt}`);
      assert.deepEqual(x.to(DEV).cpu().values(), x.values(), `${dt} back to the CPU`);
      const onDev = x.to(DEV);
      assert.deepEqual(onDev.t().cpu().values(), x.t().contiguous().values(), `${dt}: a strided view comes back right`);
      assert.deepEqual(onDev.narrow(1, 2, 3).cpu().values(), x.narrow(1, 2, 3).contiguous().values(), `${dt}: a narrowed view`);
    }
    const big = randn([3, 1 << 20]); // larger than the staging buffers
    assertSame(big.to(DEV), big, "12 MiB round trip");
  });

  it("casts between every pair of dtypes, on the device", () => {
    const src = randn([4, 6]).mul(40);
    for (const from of tt.DTYPES)
      for (const to of tt.DTYPES) {
        const x = from === "bool" ? src.gt(0) : src.to(from);
        same(`${from} -> ${to}`, [x], (v) => v.to(to));
        same(`${from} -> ${to} strided`, [x], (v) => v.t().to(to));
      }
  });

  it("in-place writes across devices (copy_) and fills", () => {
    const x = tt.zeros([3, 4], { device: DEV });
    const src = randn([4]);
    x.copy_(src);
    assertSame(x, src.expand(3, 4).contiguous(), "copy_ from the CPU, broadcast");
    const back = tt.zeros([3, 4]);
    back.copy_(x);
    assert.deepEqual(back.values(), x.cpu().values());
    same("fill_ on a strided view", [randn([4, 5])], (v) => {
      const c = v.clone();
      c.t().narrow(0, 1, 2).fill_(3);
      return c;
    });
  });
});

describe("elementwise", () => {
  // Every op of the tables, so a new record is checked on the GPU too (logicalNot apart: a mask).
  const UNARY = (Object.keys(UNARY_TABLE) as (keyof typeof UNARY_TABLE)[]).filter((op) => op !== "logicalNot");

  it("unary ops in float32 and float64, including NaN and infinities", () => {
    for (const dt of FLOATS) {
      const x = tt.cat([randn([200], dt).mul(4), tt.tensor([0, -0.0, Infinity, -Infinity, NaN, 1e-30, 88, -88], { dtype: dt })]);
      for (const op of UNARY) same(`${op} ${dt}`, [x], (v) => v[op]());
      same(`logicalNot ${dt}`, [x], (v) => v.logicalNot());
      same(`${dt} strided`, [x.reshape(13, 16)], (v) => v.t().exp());
    }
  });

  it("integer unary ops", () => {
    for (const dt of INTS) {
      const x = randint(dt === "uint8" ? 0 : -50, 50, [64], dt);
      for (const op of ["neg", "abs", "relu", "logicalNot"] as const) same(`${op} ${dt}`, [x], (v) => v[op]());
      same(`exp of ${dt} (promoted to float32)`, [x], (v) => v.exp());
    }
  });

  it("binary ops and comparisons with broadcasting, strided views, scalars and 0-d CPU tensors", () => {
    const ops = Object.keys(BINARY_TABLE) as (keyof typeof BINARY_TABLE)[];
    for (const dt of [...FLOATS, ...INTS]) {
      const lo = dt === "uint8" ? 0 : -9;
      const a = dt.startsWith("float") ? randn([6, 1, 5], dt).mul(3) : randint(lo, 9, [6, 1, 5], dt);
      const b = dt.startsWith("float") ? randn([4, 5], dt).mul(3) : randint(dt === "uint8" ? 0 : 0, 4, [4, 5], dt);
      for (const op of ops) {
        same(`${op} ${dt}`, [a, b], (x, y) => x[op](y));
        same(`${op} ${dt} transposed`, [a, b], (x, y) => x.transpose(1, 2)[op](y.t()));
        same(`${op} ${dt} scalar`, [a], (x) => x[op](2));
      }
    }
    const x = randn([3, 4]);
    same("a 0-d CPU tensor operand stays a scalar", [x], (v) => v.mul(tt.tensor(2.5)).add(tt.tensor(1, { dtype: "float64" })));
    same("scalar on the left", [x], (v) => tt.sub(tt.tensor(1), v));
    same("bool add/mul are or/and", [x.gt(0), x.lt(0.5)], (p, q) => [p.add(q), p.mul(q)]);
    same("integer pow", [randint(0, 5, [20], "int64")], (v) => v.pow(3));
    same("integer division is true division", [randint(-9, 9, [20], "int32"), randint(1, 5, [20], "int32")], (p, q) => p.div(q));
    same("maximum propagates NaN", [tt.tensor([NaN, 1, 2]), tt.tensor([0, NaN, 1])], (p, q) => [p.maximum(q), p.minimum(q)]);
    same("clamp", [x], (v) => v.clamp(-0.5, 0.5));
  });

  it("where, maskedFill, logical ops, isnan", () => {
    for (const dt of tt.DTYPES) {
      const a = dt === "bool" ? randn([4, 5]).gt(0) : randn([4, 5]).mul(9).to(dt);
      const b = dt === "bool" ? randn([5]).gt(0) : randn([5]).mul(9).to(dt);
      same(`where ${dt}`, [randn([4, 1]).gt(0), a, b], (c, p, q) => tt.where(c, p, q));
    }
    const x = randn([4, 5]);
    same("where with scalars", [x], (v) => tt.where(v.gt(0), v, 0));
    same("maskedFill", [x], (v) => v.maskedFill(v.lt(0), -Infinity));
    same("logical ops", [x.gt(0), x.lt(0.3)], (p, q) => [p.logicalAnd(q), p.logicalOr(q), p.logicalNot()]);
    same("isnan, isinf, isfinite", [tt.tensor([NaN, Infinity, 1, -Infinity])], (v) => [v.isnan(), v.isinf(), v.isfinite()]);
  });

  it("mixing devices is an error, as in PyTorch", () => {
    if (DEV === "cpu") return;
    assert.throws(
      () => tt.ones([3], { device: DEV }).add(tt.ones([3])),
      /Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!/,
    );
    assert.throws(() => tt.ones([3]).matmul(tt.ones([3], { device: DEV })), /same device/);
  });
});
