/**
 * Gradients that must agree with PyTorch 1.13 where the textbook formula does not: shared
 * gradient tensors in the engine, zeros, NaN and Inf, crossed bounds, broadcasting, ties.
 * Every expected value was computed with torch, back-propagating the weights 1, 2, 3…
 * over the result (as grads() below does).
 */
import assert from "node:assert/strict";
import { describe, it, test } from "node:test";

import * as tt from "../src/ts/index.js";

import { assertClose, nums } from "./helpers.js";

type Data = tt.NestedArray;
const inf = Infinity;

/** Each input's gradient (flat) after y = fn(...inputs); y.backward(1, 2, 3… in y's shape). */
function grads(fn: (...xs: tt.Tensor[]) => tt.Tensor, ...data: Data[]): number[][] {
  const xs = data.map((d) => tt.tensor(d, { dtype: "float32", requiresGrad: true }));
  const y = fn(...xs);
  y.backward(tt.arange(1, y.numel() + 1, 1, { dtype: y.dtype }).reshape([...y.shape]));
  return xs.map((x, i) => {
    assert.ok(x.grad, `input ${i} got no gradient`);
    return nums(x.grad);
  });
}

function expectGrads(fn: (...xs: tt.Tensor[]) => tt.Tensor, data: Data[], expected: number[][]): void {
  const got = grads(fn, ...data);
  expected.forEach((e, i) => assertClose(got[i], e, 1e-5, 1e-6, `input ${i}`));
}

const f32 = (d: Data): tt.Tensor => tt.tensor(d, { dtype: "float32" });

describe("engine: one gradient tensor returned for several inputs", () => {
  it("add of two leaves, and of a leaf with itself", () => {
    expectGrads(
      (a, b) => a.add(b),
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1, 2],
        [1, 2],
      ],
    );
    expectGrads((a) => a.add(a), [[1, 2]], [[2, 4]]);
    const a = tt.tensor([1, 2], { requiresGrad: true, dtype: "float32" }),
      b = tt.tensor([3, 4], { requiresGrad: true, dtype: "float32" });
    a.add(b).sum().backward();
    assert.deepEqual(nums(a.grad!), [1, 1]);
    assert.deepEqual(nums(b.grad!), [1, 1]);
  });

  it("mul, sub and chains of an input with itself; residual connections", () => {
    expectGrads((a) => a.mul(a), [[1, 2]], [[2, 8]]);
    expectGrads((a) => a.sub(a), [[1, 2]], [[0, 0]]);
    expectGrads((a) => a.mul(a).add(a).mul(a), [[1, -2]], [[5, 16]]);
    expectGrads((a) => a.add(a.tanh()), [[0.5, -1]], [[1.7864477634429932, 2.8399486541748047]]);
    // After sum() the shared gradient is an expanded view, which a leaf copies and frees.
    expectGrads((a) => a.add(a.tanh()).sum(), [[0.5, -1]], [[1.7864477634429932, 1.4199743270874023]]);
    expectGrads((a) => a.add(a.mul(a)).sum(), [[1, -2]], [[3, -3]]);
    expectGrads(
      (a) => {
        const h = a.mul(2);
        return h.add(h);
      },
      [[1, 2]],
      [[4, 8]],
    );
    expectGrads((a) => tt.cat([a, a]), [[1, 2]], [[4, 6]]);
    expectGrads(
      (a, b) => a.add(b),
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [1, 1, 1],
      ],
      [
        [1, 2, 3, 4, 5, 6],
        [5, 7, 9],
      ],
    );
  });

  it("leaf hooks and retainGraph still work with a shared gradient", () => {
    const a = tt.tensor([1, 2], { requiresGrad: true, dtype: "float32" });
    a.registerHook((g) => g.mul(2));
    const y = a.add(a).sum();
    y.backward(undefined, { retainGraph: true });
    assert.deepEqual(nums(a.grad!), [4, 4]);
    y.backward();
    assert.deepEqual(nums(a.grad!), [8, 8]);
  });
});

describe("prod with zeros", () => {
  it("over all elements: one zero, two zeros, 0-d", () => {
    expectGrads((a) => a.prod(), [[0, 2, 3]], [[6, 0, 0]]);
    expectGrads((a) => a.prod(), [[0, 2, 0]], [[0, 0, 0]]);
    expectGrads((a) => a.prod(), [0], [[1]]);
    expectGrads((a) => a.prod(), [[inf, 0, 3]], [[0, inf, NaN]]);
    expectGrads((a) => a.prod(), [[NaN, 2, 0]], [[0, NaN, NaN]]);
  });

  it("over dims: rows with and without zeros, keepdim, several dims, long rows", () => {
    expectGrads(
      (a) => a.prod(1),
      [
        [
          [0, 2, 3],
          [1, 2, 3],
          [0, 0, 4],
        ],
      ],
      [[6, 0, 0, 12, 6, 4, 0, 0, 0]],
    );
    expectGrads(
      (a) => a.prod(0, true),
      [
        [
          [0, 2, 3],
          [1, 0, 3],
        ],
      ],
      [[1, 0, 9, 0, 4, 9]],
    );
    expectGrads(
      (a) => a.prod(1),
      [
        [
          [1, 2, 3],
          [-1, 0.5, 4],
        ],
      ],
      [[6, 3, 2, 4, -8, -1]],
    );
    expectGrads(
      (a) => a.prod([0, 2]),
      [
        [
          [
            [1, 0, 2],
            [3, 4, 5],
          ],
          [
            [6, 0, 7],
            [8, 1, 2],
          ],
        ],
      ],
      [[0, 0, 0, 640, 480, 384, 0, 0, 0, 240, 1920, 960]],
    );
    expectGrads(
      (a) => a.prod(1),
      [
        [
          [1.5, 2, 0, -1, 3, 0.5, 2, 1.25, -2, 3],
          [1, 2, 3, 4, 0.5, -1, 1.5, 2, 0.25, 3],
        ],
      ],
      [[0, 0, 67.5, 0, 0, 0, 0, 0, 0, 0, -54, -27, -18, -13.5, -108, 54, -36, -27, -216, -18]],
    );
    const x = tt.tensor(
      [
        [0, 2, 3],
        [1.5, 0, 0],
        [1, 2, 3],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    assert.equal(
      tt.gradcheck((t) => t.prod(1), [x]),
      true,
    );
  });
});

describe("maximum and minimum", () => {
  it("select instead of multiplying, so NaN and Inf do not leak into the loser", () => {
    expectGrads(
      (a, b) => a.maximum(b),
      [
        [1, NaN, 2, NaN],
        [0, 1, NaN, NaN],
      ],
      [
        [1, 2, 3, 4],
        [0, 2, 3, 4],
      ],
    );
    expectGrads(
      (a, b) => a.minimum(b),
      [
        [1, NaN, 2, NaN],
        [0, 1, NaN, NaN],
      ],
      [
        [0, 2, 3, 4],
        [1, 2, 3, 4],
      ],
    );
    expectGrads(
      (a, b) => a.maximum(b).mul(f32([inf, 1])),
      [
        [1, 2],
        [0, 3],
      ],
      [
        [inf, 0],
        [0, 2],
      ],
    );
  });

  it("ties split evenly; scalars and broadcasting", () => {
    expectGrads(
      (a, b) => a.maximum(b),
      [
        [1, 2, 5],
        [1, 3, 4],
      ],
      [
        [0.5, 0, 3],
        [0.5, 2, 0],
      ],
    );
    expectGrads(
      (a, b) => a.minimum(b),
      [
        [1, 2, 5],
        [1, 3, 4],
      ],
      [
        [0.5, 2, 0],
        [0.5, 0, 3],
      ],
    );
    expectGrads((a) => a.maximum(0), [[-1, 0, 2]], [[0, 1, 3]]);
    expectGrads(
      (a, b) => a.maximum(b),
      [
        [
          [1, 5],
          [3, 0],
        ],
        [2, 2],
      ],
      [
        [0, 2, 3, 0],
        [1, 4],
      ],
    );
  });

  it("relu zeroes the gradient only where x <= 0, so a NaN input passes it on", () => {
    expectGrads((a) => a.relu(), [[NaN, 0, -0, 1, -1]], [[1, 0, 0, 4, 0]]);
  });
});

describe("clamp and maskedFill", () => {
  it("tensor bounds that broadcast the input larger", () => {
    expectGrads(
      (x, lo) => x.clamp(lo),
      [
        [1, 2, 3],
        [
          [0, 0, 0],
          [2, 2, 2],
        ],
      ],
      [
        [1, 7, 9],
        [0, 0, 0, 4, 0, 0],
      ],
    );
    expectGrads(
      (x, hi) => x.clamp(undefined, hi),
      [
        [1, 2, 3],
        [
          [0, 0, 0],
          [2, 2, 2],
        ],
      ],
      [
        [4, 5, 0],
        [1, 2, 3, 0, 0, 6],
      ],
    );
    expectGrads(
      (x, lo, hi) => x.clamp(lo, hi),
      [
        [[0], [5]],
        [1, 1, 3],
        [4, 2, 2],
      ],
      [
        [0, 0],
        [1, 2, 0],
        [4, 5, 9],
      ],
    );
  });

  it("crossed and equal bounds, values on a bound, NaN", () => {
    // Where lo > hi the result is hi, and hi gets the gradient.
    expectGrads(
      (x, lo, hi) => x.clamp(lo, hi),
      [
        [0, 1, 2, 3, 4, 5, 1.5],
        [1, 1, 1, 3, 3, 3, 2],
        [2, 2, 2, 2, 2, 2, 2],
      ],
      [
        [0, 2, 3, 0, 0, 0, 0],
        [1, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 4, 5, 6, 0],
      ],
    );
    expectGrads(
      (x, lo, hi) => x.clamp(lo, hi),
      [
        [0, 1, 2],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 2, 0],
        [0, 0, 0],
        [0, 0, 3],
      ],
    );
    expectGrads((x) => x.clamp(1, 2), [[0, 1, 1.5, 2, 3]], [[0, 2, 3, 4, 0]]);
    expectGrads((x) => x.clamp(3, 2), [[0, 2, 2.5, 3, 4]], [[0, 0, 0, 0, 0]]);
    expectGrads(
      (x, lo, hi) => x.clamp(lo, hi),
      [
        [NaN, 1.5, 0],
        [1, NaN, NaN],
        [2, 2, 2],
      ],
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    );
    // A number and a tensor bound (torch reference: the number as a full tensor).
    expectGrads(
      (x, hi) => x.clamp(1, hi),
      [
        [0, 1, 1.5, 2, 3],
        [2, 2, 2, 2, 0.5],
      ],
      [
        [0, 2, 3, 4, 0],
        [0, 0, 0, 0, 5],
      ],
    );
  });

  it("maskedFill with a mask that broadcasts the input larger", () => {
    const mask = tt.tensor([
      [true, false, false],
      [false, true, false],
    ]);
    expectGrads((x, v) => x.maskedFill(mask, v), [[1, 2, 3], 5], [[4, 2, 9], [6]]);
    expectGrads((x) => x.maskedFill(mask, 5), [[1, 2, 3]], [[4, 2, 9]]);
  });
});

describe("std and pow at their singular points", () => {
  it("std and var of a constant have zero gradients", () => {
    expectGrads((a) => a.std(), [[2, 2, 2]], [[0, 0, 0]]);
    expectGrads((a) => a.var(), [[2, 2, 2]], [[0, 0, 0]]);
    expectGrads(
      (a) => a.std(1),
      [
        [
          [2, 2, 2],
          [1, 2, 3],
        ],
      ],
      [[0, 0, 0, -1, 0, 1]],
    );
    expectGrads(
      (a) => a.std(0, true, 0),
      [
        [
          [2, 1],
          [2, 4],
        ],
      ],
      [[0, -1, 0, 1]],
    );
  });

  it("pow with a base of 0 and an exponent of 0", () => {
    expectGrads((a) => a.pow(2), [[0, 1, -3]], [[0, 4, -18]]);
    expectGrads((a) => a.pow(0).mul(f32([inf, 1])), [[0, 1]], [[0, 0]]);
    expectGrads((a) => a.pow(0.5), [[0, 4]], [[inf, 0.5]]);
    expectGrads((a) => a.pow(-1), [[0, 2]], [[-inf, -0.5]]);
    expectGrads(
      (a, b) => a.pow(b),
      [
        [0, 0, 0, 0, 2, -1],
        [2, 0, -1, 0.5, 3, 2],
      ],
      [
        [0, 0, -inf, inf, 60, -12],
        [0, 0, -inf, 0, 27.725887298583984, NaN],
      ],
    );
    expectGrads(
      (a, b) => a.pow(b).mul(f32([inf, inf])),
      [
        [0, 0],
        [0, 1],
      ],
      [
        [0, inf],
        [NaN, NaN],
      ],
    );
    expectGrads(
      (a, b) => a.pow(b),
      [
        [2, 0],
        [[1], [0]],
      ],
      [
        [1, 2],
        [1.3862943649291992, 2.079441547393799],
      ],
    );
  });
});

describe("max and min", () => {
  it("over all elements: float64 stays float64, ties split evenly, NaN wins", () => {
    for (const op of ["max", "min"] as const) {
      const x = tt.tensor([1, op === "max" ? 5 : -5, 3], { dtype: "float64", requiresGrad: true });
      (x[op]() as tt.Tensor).mul(1 / 3).backward();
      assert.equal(x.grad!.dtype, "float64");
      assert.deepEqual(nums(x.grad!), [0, 0.3333333333333333, 0]);
    }
    expectGrads((a) => a.max() as tt.Tensor, [[1, 3, 3]], [[0, 0.5, 0.5]]);
    expectGrads((a) => (a.min() as tt.Tensor).mul(2), [[1, 1, 3]], [[1, 1, 0]]);
    expectGrads((a) => a.max() as tt.Tensor, [[1, NaN, 3, NaN]], [[0, 0.5, 0, 0.5]]);
    expectGrads((a) => a.min() as tt.Tensor, [[1, NaN, 3]], [[0, 1, 0]]);
    expectGrads((a) => (a.max() as tt.Tensor).mul(inf), [[1, 5, 3]], [[0, inf, 0]]);
  });

  it("over a dim: the returned index alone gets the gradient; 0-d inputs", () => {
    expectGrads(
      (a) => a.max(1).values,
      [
        [
          [1, 3, 3],
          [5, 5, 0],
        ],
      ],
      [[0, 1, 0, 2, 0, 0]],
    );
    expectGrads(
      (a) => a.min(0).values,
      [
        [
          [1, 3, 3],
          [5, 5, 0],
        ],
      ],
      [[1, 2, 0, 0, 0, 3]],
    );
    expectGrads((a) => a.max(0).values, [2], [[1]]);
    expectGrads((a) => a.min(-1, true).values, [2], [[1]]);
  });
});

test("cat: a legacy empty [0] piece gets an empty gradient", () => {
  const a = tt.zeros([0], { requiresGrad: true });
  const b = tt.tensor([1, 2], { dtype: "float32", requiresGrad: true });
  tt.cat([a, b]).backward(tt.tensor([3, 4], { dtype: "float32" }));
  assert.deepEqual(a.grad?.shape, [0]);
  assert.deepEqual(b.grad?.toArray(), [3, 4]);
});

test("scatterAdd: src elements the index never reaches get a zero gradient", () => {
  const x = tt.zeros([4], { requiresGrad: true });
  const src = tt.tensor([5], { dtype: "float32", requiresGrad: true });
  x.scatterAdd(0, tt.zeros([0], { dtype: "int64" }), src).backward(tt.tensor([1, 2, 3, 4], { dtype: "float32" }));
  assert.deepEqual(src.grad?.toArray(), [0]);
  const s2 = tt.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "float32", requiresGrad: true },
  );
  tt.zeros([3, 2])
    .scatterAdd(0, tt.tensor([[2, 0]]), s2)
    .backward(
      tt.tensor(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        { dtype: "float32" },
      ),
    );
  assert.deepEqual(s2.grad?.toArray(), [
    [5, 2],
    [0, 0],
  ]);
});

test("bfloat16 backward formulas of several ops round once (softmax's lost 14%)", () => {
  const x = tt.tensor([[[[0, 0.125, 0, 1.125]], [[4.5, 4.5, 0, 0]], [[1.125, 0, 1.125, 4.5]]]], { dtype: "bfloat16", requiresGrad: true });
  const up = tt.tensor([[[[2.9375, -0.625, 3, -1.0625]], [[-0.875, 1.1875, -1.75, -2.5]], [[-0.875, -1.1875, 1.4375, -2.6875]]]], {
    dtype: "bfloat16",
  });
  x.softmax(1).backward(up);
  // PyTorch 1.13 in bfloat16 gives 0.04736328125 for element 5 (0.0535 before); the float32 gradient:
  const exact = [
    0.04008597135543823, -0.02169685624539852, 0.3705291152000427, 0.05138687044382095, -0.038759633898735046, 0.046948350965976715,
    -0.5644704103469849, 0.0014061416732147336,
  ];
  const g = (x.grad!.values() as number[]).slice(0, 8);
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(g[i] - exact[i]) <= 2 ** -7 * 0.5645, `element ${i}: ${g[i]} vs ${exact[i]}`);
});

test("in-place ops on tensors that require grad are recorded, as PyTorch records them", () => {
  const f32 = { dtype: "float32" } as const;
  // h.mul_(w): w's gradient is h's old value (PyTorch keeps it), a's goes through the product.
  const a = tt.tensor([1, 2], { ...f32, requiresGrad: true }),
    w = tt.tensor([3, 4], { ...f32, requiresGrad: true });
  const h = a.mul(2);
  h.mul_(w);
  h.sum().backward();
  assert.deepEqual(
    [a.grad?.toArray(), w.grad?.toArray()],
    [
      [6, 8],
      [2, 4],
    ],
  );
  // A plain tensor written with one that requires grad joins the graph.
  const v = tt.tensor([3, 4], { ...f32, requiresGrad: true }),
    buf = tt.zeros([2]);
  buf.add_(v).mul_(2);
  assert.equal(buf.requiresGrad, true);
  buf.sum().backward();
  assert.deepEqual(v.grad?.toArray(), [2, 2]);
  // clamp_, copy_, fill_: the replaced values get no gradient.
  const c = tt.tensor([1, 2], { ...f32, requiresGrad: true });
  c.mul(2).clamp_(0, 3).sum().backward();
  assert.deepEqual(c.grad?.toArray(), [2, 0]);
  const d = tt.tensor([1, 2], { ...f32, requiresGrad: true });
  const y = d.mul(2);
  y.copy_(tt.tensor([5, 6], f32));
  y.sum().backward();
  assert.deepEqual(d.grad?.toArray(), [0, 0]);
  // What PyTorch refuses: a changed tensor a formula saved, a leaf, and (not built here) a view.
  const s = tt.tensor([1, 2], { ...f32, requiresGrad: true }).sigmoid();
  s.mul_(3);
  assert.throws(() => s.sum().backward(), /SigmoidBackward needs was modified by an in-place operation/);
  assert.throws(() => tt.tensor([1], { ...f32, requiresGrad: true }).add_(1), /leaf tensor that requires grad/);
  const base = tt.tensor([1, 2], { ...f32, requiresGrad: true }).mul(2);
  assert.throws(() => base.narrow(0, 0, 1).mul_(3), /only on a tensor that is not a view/);
});

test("ops save what PyTorch saves: changing what they do not need is fine", () => {
  const f32 = { dtype: "float32", requiresGrad: true } as const;
  const x = tt.tensor([1, 2], f32);
  const h = x.mul(2);
  const y = h.add(1).sum(); // add and sum save nothing
  h.mul_(5);
  y.backward();
  assert.deepEqual(x.grad?.toArray(), [2, 2]);
  // A leaf's hooks see its whole gradient once: 2w + 1 on the sum of both paths, plus 1.
  const w = tt.tensor([1, 2], f32);
  w.registerHook((g) => g.add(1));
  w.mul(w).sum().backward();
  assert.deepEqual(w.grad?.toArray(), [3, 5]);
});

test("gelu's gradient at a denormal input is 1/2", () => {
  const x = tt.tensor([1.4e-45, 0, 1e-39], { dtype: "float32", requiresGrad: true });
  x.gelu().sum().backward();
  assert.deepEqual(x.grad?.toArray(), [0.5, 0.5, 0.5]);
});

test("div's gradient for the divisor does not overflow where the quotient does not", () => {
  const x = tt.tensor([3e38, -0.18], { dtype: "float32", requiresGrad: true });
  x.div(x).backward(tt.tensor([2.28, 2.9], { dtype: "float32" }));
  assert.deepEqual(x.grad?.toArray(), [0, 0]);
});

test("max pooling: the last NaN of a window takes the gradient, as in PyTorch", () => {
  const x = tt.tensor([[[[1, NaN, 2, NaN]]]], { dtype: "float32", requiresGrad: true });
  tt.maxPool2d(x, [1, 4]).backward(tt.ones([1, 1, 1, 1]));
  assert.deepEqual(x.grad?.values(), [0, 0, 0, 1]);
});
