import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "@tessera/tensor";

import { assertClose } from "./helpers.js";

describe("autocast", () => {
  it("runs matmul and conv2d in the 16-bit dtype and softmax/reductions in float32", () => {
    tt.manualSeed(1);
    const x = tt.randn([4, 8]),
      w = tt.randn([8, 3], { requiresGrad: true });
    const { y, p, s } = tt.autocast({ dtype: "bfloat16" }, () => {
      const y = x.matmul(w);
      return { y, p: y.softmax(-1), s: y.sum() };
    });
    assert.equal(y.dtype, "bfloat16");
    assert.equal(p.dtype, "float32");
    assert.equal(s.dtype, "float32");
    const img = tt.randn([1, 2, 5, 5]),
      k = tt.randn([3, 2, 3, 3]);
    assert.equal(tt.autocast({ dtype: "float16" }, () => tt.conv2d(img, k)).dtype, "float16");
    assert.equal(x.matmul(w).dtype, "float32");
    assert.equal(tt.autocast({ enabled: false }, () => x.matmul(w)).dtype, "float32");
    assert.equal(tt.autocastDType(), null);
  });

  it("the bf16 result is the float32 product of bf16-rounded inputs", () => {
    tt.manualSeed(2);
    const a = tt.randn([16, 32]),
      b = tt.randn([32, 8]);
    const low = tt.autocast({}, () => a.matmul(b)).float();
    const ref = a.bfloat16().float().matmul(b.bfloat16().float()).bfloat16().float();
    assert.deepEqual(Array.from(low.data() as Float32Array), Array.from(ref.data() as Float32Array));
  });

  it("gradients come back in float32 for float32 parameters", () => {
    tt.manualSeed(3);
    const x = tt.randn([6, 5]),
      w = tt.randn([5, 4], { requiresGrad: true });
    const loss = tt.autocast({ dtype: "bfloat16" }, () => x.matmul(w).logSoftmax(-1).mean());
    loss.backward();
    assert.equal(w.grad?.dtype, "float32");
    const w2 = w.detach().clone().requiresGrad_();
    x.matmul(w2).logSoftmax(-1).mean().backward();
    assertClose(w.grad!.data() as Float32Array, w2.grad!.data() as Float32Array, 0.05, 0.01, "bf16 vs f32 gradient");
  });

  it("rejects an unknown dtype and restores the state after a throw", () => {
    assert.throws(() => tt.autocast({ dtype: "int8" as never }, () => 0), /bfloat16" or "float16/);
    assert.throws(
      () =>
        tt.autocast({}, () => {
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.equal(tt.autocastDType(), null);
  });
});

describe("special values and logical reductions", () => {
  it("isnan/isinf/isfinite/any/all", () => {
    const x = tt.tensor([1, NaN, Infinity, -Infinity]);
    assert.deepEqual(x.isnan().toArray(), [false, true, false, false]);
    assert.deepEqual(x.isinf().toArray(), [false, false, true, true]);
    assert.deepEqual(x.isfinite().toArray(), [true, false, false, false]);
    assert.equal(x.isnan().any().item(), true);
    assert.equal(x.isfinite().all().item(), false);
    assert.equal(tt.tensor([1, 2]).all().item(), true);
    assert.deepEqual(
      tt
        .tensor([true, false])
        .logicalOr(tt.tensor([false, false]))
        .toArray(),
      [true, false],
    );
    assert.deepEqual(
      tt
        .tensor([true, true])
        .logicalAnd(tt.tensor([1, 0]))
        .toArray(),
      [true, false],
    );
  });
});

describe("GradScaler", () => {
  it("scales the loss, unscales before the step, and skips a step whose gradients overflowed", () => {
    const w = tt.tensor([1, 2], { dtype: "float32", requiresGrad: true });
    const opt = new tt.optim.SGD([w], { lr: 0.5 });
    const scaler = new tt.GradScaler({ initScale: 1024, growthInterval: 2 });
    scaler.scale(w.mul(w).sum()).backward();
    assert.deepEqual(w.grad?.toArray(), [2048, 4096]);
    assert.equal(scaler.step(opt), true);
    assert.deepEqual(w.toArray(), [0, 0]); // 1 - 0.5 * 2, 2 - 0.5 * 4
    scaler.update();
    opt.zeroGrad();
    scaler.scale(w.mul(Infinity).sum()).backward();
    assert.equal(scaler.step(opt), false);
    assert.deepEqual(w.toArray(), [0, 0]);
    scaler.update();
    assert.equal(scaler.getScale(), 512);
    opt.zeroGrad();
    for (let i = 0; i < 2; i++) {
      scaler.scale(w.add(1).sum()).backward();
      scaler.step(opt);
      scaler.update();
      opt.zeroGrad();
    }
    assert.equal(scaler.getScale(), 1024);
    assert.equal(scaler.stateDict().scale, 1024);
  });
});
