import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "@tessera/tensor";

import { assertClose } from "./helpers.js";

const f64 = (shape: number[], seed: number, positive = false): tt.Tensor => {
  tt.manualSeed(seed);
  const x = positive ? tt.rand(shape, { dtype: "float64" }).add(0.5) : tt.randn(shape, { dtype: "float64" });
  x.requiresGrad = true;
  return x;
};
const check = (fn: (...xs: tt.Tensor[]) => tt.Tensor | tt.Tensor[], ...inputs: tt.Tensor[]): void => {
  assert.equal(tt.gradcheck(fn, inputs), true);
};

describe("gradcheck of every differentiable op", () => {
  it("binary elementwise ops with broadcasting and scalars", () => {
    const a = f64([3, 4], 1),
      b = f64([4], 2),
      p = f64([3, 4], 3, true),
      q = f64([3, 1], 4, true);
    check((x, y) => x.add(y), a, b);
    check((x, y) => x.sub(y), a, b);
    check((x, y) => x.mul(y), a, b);
    check((x, y) => x.div(y), a, q);
    check((x, y) => x.pow(y), p, q);
    check((x) => x.pow(3), a);
    check((x) => x.add(2).mul(-1.5).div(4).sub(1), a);
    check((x, y) => x.maximum(y), a, b);
    check((x, y) => x.minimum(y), a, b);
    check((x) => tt.add(x, 1), a);
  });

  it("unary ops", () => {
    const a = f64([2, 5], 5),
      p = f64([2, 5], 6, true);
    for (const op of ["neg", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "gelu", "silu", "abs"] as const) check((x) => x[op](), a);
    for (const op of ["log", "sqrt", "rsqrt"] as const) check((x) => x[op](), p);
    check((x) => x.clamp(-0.5, 0.5), a);
    check((x, lo) => x.clamp(lo), a, f64([5], 7));
  });

  it("where, maskedFill", () => {
    const a = f64([3, 4], 8),
      b = f64([1, 4], 9);
    const cond = a.detach().gt(0);
    check((x, y) => tt.where(cond, x, y), a, b);
    check((x) => x.maskedFill(cond, 2), a);
  });

  it("reductions over dims, with and without keepdim", () => {
    const a = f64([2, 3, 4], 10),
      p = f64([2, 3, 4], 11, true);
    check((x) => x.sum(), a);
    check((x) => x.sum([0, 2], true), a);
    check((x) => x.mean(1), a);
    check((x) => x.prod(2), p);
    check((x) => x.var(1), a);
    check((x) => x.std([0, 2], true, 0), a);
    check((x) => x.logsumexp(-1), a);
    check((x) => x.max(), a);
    check((x) => x.min(1, true).values, a);
    check((x) => x.max(0).values, a);
    check((x) => x.softmax(1), a);
    check((x) => x.logSoftmax(-1), a);
  });

  it("view and shape ops", () => {
    const a = f64([2, 3, 4], 12);
    check((x) => x.reshape(4, 6), a);
    check((x) => x.view([6, 4]).t().contiguous(), a);
    check((x) => x.transpose(0, 2), a);
    check((x) => x.permute(2, 0, 1), a);
    check((x) => x.sum(1, true).expand(2, 5, 4), a);
    check((x) => x.unsqueeze(1).squeeze(1).flatten(1), a);
    check((x) => x.narrow(1, 1, 2), a);
    check((x) => x.select(2, -1), a);
    check((x) => x.slice(2, 0, null, 2), a);
    check((x) => x.split([1, 2], 1), a);
    check((x) => x.chunk(2, 2)[1], a);
    check((x, y) => tt.cat([x, y], 1), a, f64([2, 2, 4], 13));
    check((x, y) => tt.stack([x, y], 1), a, f64([2, 3, 4], 14));
    check((x) => x.double().clone().contiguous(), a);
  });

  it("matmul in all its cases", () => {
    check((x, y) => x.matmul(y), f64([3, 4], 15), f64([4, 2], 16));
    check((x, y) => x.matmul(y), f64([2, 3, 4], 17), f64([4, 2], 18));
    check((x, y) => x.matmul(y), f64([2, 1, 3, 4], 19), f64([3, 4, 2], 20));
    check((x, y) => x.matmul(y), f64([4], 21), f64([4, 2], 22));
    check((x, y) => x.matmul(y), f64([2, 3, 4], 23), f64([4], 24));
    check((x, y) => x.matmul(y), f64([4], 25), f64([4], 26));
  });

  it("indexing ops and embedding", () => {
    const a = f64([4, 3], 27);
    const idx = tt.tensor([2, 0, 2]);
    check((x) => x.indexSelect(0, idx), a);
    check((x) => x.indexSelect(1, tt.tensor([1, 1])), a);
    check(
      (x) =>
        x.gather(
          1,
          tt.tensor([
            [0, 2],
            [1, 1],
            [2, 0],
            [0, 0],
          ]),
        ),
      a,
    );
    check(
      (x, s) =>
        x.scatterAdd(
          0,
          tt.tensor([
            [0, 1, 3],
            [0, 0, 3],
          ]),
          s,
        ),
      a,
      f64([2, 3], 28),
    );
    check(
      (w) =>
        tt.embedding(
          tt.tensor([
            [1, 3],
            [3, 3],
          ]),
          w,
        ),
      a,
    );
  });

  it("conv2d (stride, padding, dilation, groups, bias) and the poolings", () => {
    const x = f64([2, 4, 7, 7], 29),
      w = f64([6, 2, 3, 3], 30),
      b = f64([6], 31);
    check((p, q, r) => tt.conv2d(p, q, r, { stride: 2, padding: 1, groups: 2 }), x, w, b);
    check((p, q) => tt.conv2d(p, q, undefined, { dilation: 2 }), f64([1, 2, 6, 6], 32), f64([3, 2, 2, 2], 33));
    check((p) => tt.maxPool2d(p, 2), x);
    check((p) => tt.maxPool2d(p, 3, { stride: 2, padding: 1 }), x);
    check((p) => tt.avgPool2d(p, 3, { stride: 2, padding: 1 }), x);
    check((p) => tt.maxPool2d(p, 2), f64([3, 4, 4], 34));
  });
});

describe("autograd semantics", () => {
  it("accumulates into .grad across backward calls and reduces broadcast dims", () => {
    const w = tt.tensor([1, 2, 3], { dtype: "float32", requiresGrad: true });
    const b = tt.tensor([[0.5]], { requiresGrad: true });
    w.mul(w).add(b).sum().backward();
    assert.deepEqual(w.grad?.toArray(), [2, 4, 6]);
    assert.deepEqual(b.grad?.toArray(), [[3]]);
    w.mul(3).sum().backward();
    assert.deepEqual(w.grad?.toArray(), [5, 7, 9]);
  });

  it("a second backward through a freed graph is refused; retainGraph allows it", () => {
    const x = tt.tensor([1.5], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    assert.throws(() => y.backward(), /second time/);
    const z = x.exp().sum();
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    assertClose(x.grad!.data() as Float32Array, [2 * Math.exp(1.5)], 1e-5);
  });

  it("backward needs a gradient for non-scalars and a graph", () => {
    const x = tt.ones([2, 2], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), /one-element result.*\[2,2\]/);
    x.mul(2).backward(tt.full([2, 2], 0.5));
    assert.deepEqual(x.grad?.toArray(), [
      [1, 1],
      [1, 1],
    ]);
    assert.throws(() => tt.ones([1]).backward(), /does not require grad/);
    assert.throws(() => x.mul(2).backward(tt.ones([3])), /\[3\] does not match the result's shape \[2,2\]/);
  });

  it("noGrad records nothing; detach cuts the graph; integer tensors cannot require grad", () => {
    const x = tt.ones([2], { requiresGrad: true });
    const y = tt.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(x.mul(2).detach().requiresGrad, false);
    assert.equal(tt.isGradEnabled(), true);
    assert.throws(() => {
      tt.arange(3).requiresGrad = true;
    }, /floating point/);
    assert.equal(x.add(1).gt(1).requiresGrad, false);
  });

  it("in-place ops: refused on leaves that require grad, and a changed saved tensor is reported", () => {
    const w = tt.ones([3], { requiresGrad: true });
    assert.throws(() => w.add_(1), /in place/);
    tt.noGrad(() => w.mul_(2));
    assert.deepEqual(w.toArray(), [2, 2, 2]);
    const h = w.mul(1);
    const y = h.detach();
    const z = w.mul(h.detach()).sum();
    y.add_(1); // h's data, saved by the multiply above
    assert.throws(() => z.backward(), /modified by an in-place operation/);
  });

  it("hooks see and can replace gradients; retainGrad keeps a non-leaf gradient", () => {
    const x = tt.tensor([1, -2], { dtype: "float32", requiresGrad: true });
    const h = x.mul(3);
    h.retainGrad();
    const seen: number[][] = [];
    const handle = h.registerHook((g) => {
      seen.push(g.toArray() as number[]);
      return g.mul(10);
    });
    h.sum().backward();
    assert.deepEqual(seen, [[1, 1]]);
    assert.deepEqual(h.grad?.toArray(), [10, 10]);
    assert.deepEqual(x.grad?.toArray(), [30, 30]);
    handle.remove();
    x.registerHook((g) => g.clamp(-1, 1));
    x.grad = null;
    x.mul(5).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [1, 1]);
  });

  it("graphs built inside tidy() still backprop; gradients outlive the tidy", () => {
    const w = tt.randn([4, 4], { requiresGrad: true });
    const x = tt.randn([8, 4]);
    const before = tt.memory().liveTensors;
    for (let i = 0; i < 50; i++) {
      tt.tidy(() => {
        w.grad?.dispose();
        w.grad = null;
        x.matmul(w).relu().sum().backward();
      });
    }
    assert.ok(w.grad && !w.grad.isDisposed);
    assert.ok(tt.memory().liveTensors - before < 10, `live tensors grew by ${tt.memory().liveTensors - before}`);
  });

  it("float32 gradients of a small network match float64 ones", () => {
    const w64 = f64([5, 3], 40),
      x64 = tt.randn([7, 5], { dtype: "float64" });
    x64.matmul(w64).tanh().logSoftmax(1).mean().backward();
    const w32 = w64.detach().float().requiresGrad_();
    x64.float().matmul(w32).tanh().logSoftmax(1).mean().backward();
    assertClose(w32.grad!.data() as Float32Array, Array.from(w64.grad!.data() as Float64Array), 1e-4, 1e-6);
  });

  it("half-precision inputs get half-precision gradients", () => {
    const x = tt.tensor([0.5, 1.5], { dtype: "bfloat16", requiresGrad: true });
    x.mul(x).sum().backward();
    assert.equal(x.grad?.dtype, "bfloat16");
    assert.deepEqual(x.grad?.toArray(), [1, 3]);
  });
});
