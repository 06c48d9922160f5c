/**
 * nn and optim results that must agree with PyTorch 1.13, each a defect the parity fuzzer's
 * nn, optim and autocast families found. Every expected value was computed with torch 1.13
 * (CPU) and written in; the tests need no Python.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { assertClose, nums } from "./helpers.ts";

const F = tt.nn.F;
const f32 = { dtype: "float32" } as const;
const f64 = { dtype: "float64" } as const;

test("crossEntropy/nllLoss: ignored targets get no gradient, even when every target is ignored", () => {
  // F.cross_entropy(x, [-100, -100], weight=[1, 2, 3]): NaN (0/0), and a zero gradient.
  let x = tt.tensor(
    [
      [0.5, 1.3, 2.5],
      [1, -1, 0],
    ],
    { ...f64, requiresGrad: true },
  );
  let l = F.crossEntropy(x, tt.tensor([-100, -100]), { weight: tt.tensor([1, 2, 3], f64) });
  assert.ok(Number.isNaN(Number(l.item())));
  l.backward();
  assert.deepEqual(nums(x.grad!), [0, 0, 0, 0, 0, 0]);

  // ignore_index=0 with label smoothing 0.1.
  x = tt.tensor(
    [
      [0.5, 1.3, 2.5],
      [1, -1, 0],
    ],
    { ...f64, requiresGrad: true },
  );
  l = F.crossEntropy(x, tt.tensor([2, 0]), { ignoreIndex: 0, labelSmoothing: 0.1 });
  assertClose([Number(l.item())], [0.46889679854105604], 1e-12, 1e-12);
  l.backward();
  assertClose(nums(x.grad!), [0.060876554938116924, 0.17633462888348175, -0.23721118382159867, 0, 0, 0], 1e-12, 1e-12);

  // An ignored row whose log-probability is -inf adds nothing (not NaN).
  const lp = tt.tensor(
    [
      [-Infinity, -0.5],
      [-1, -2],
    ],
    { ...f32, requiresGrad: true },
  );
  l = F.nllLoss(lp, tt.tensor([-100, 1]), { reduction: "sum" });
  assert.equal(l.item(), 2);
  l.backward();
  assert.deepEqual(nums(lp.grad!), [0, 0, 0, -1]);
});

test("binaryCrossEntropy: PyTorch's gradients at inputs of exactly 0 and 1", () => {
  const x = tt.tensor([0, 1, 0.5, 0.25], { ...f32, requiresGrad: true });
  const t = tt.tensor([0.25, 0.5, 1, 0], { ...f32, requiresGrad: true });
  const l = F.binaryCrossEntropy(x, t);
  assertClose([Number(l.item())], [18.995206832885742]);
  l.backward();
  // (x - t) / max((1 - x)·x, 1e-12) / N for the input, (log(1 - x) - log(x)) / N for the target.
  assertClose(nums(x.grad!), [-62499999744.0, 124999999488.0, -0.5, 0.3333333432674408]);
  assertClose(nums(t.grad!), [Infinity, -Infinity, 0, 0.2746530771255493]);
});

test("normalize: p = Infinity, p = 0, and p < 1 with zeros", () => {
  let x = tt.tensor([[1, -3, 3, 0]], { ...f32, requiresGrad: true });
  let y = F.normalize(x, { p: Infinity, dim: 1 });
  assertClose(nums(y), [0.3333333432674408, -1, 1, 0]);
  // Tied maxima share the norm's gradient.
  y.backward(tt.tensor([[1, 2, 3, 4]], f32));
  assertClose(nums(x.grad!), [0.3333333432674408, 0.8888888955116272, 0.7777777910232544, 1.3333333730697632]);

  assertClose(nums(F.normalize(tt.tensor([[0, 2, 1]], f32), { p: 0, dim: 1 })), [0, 1, 0.5]);

  x = tt.tensor([[0, 2, 1]], { ...f32, requiresGrad: true });
  y = F.normalize(x, { p: 0.5, dim: 1 });
  assertClose(nums(y), [0, 0.3431456983089447, 0.17157284915447235]);
  y.sum().backward();
  assertClose(nums(x.grad!), [0.17157284915447235, 0.020815283060073853, -0.04163053631782532]);
});

test("pad: cropping may leave nothing; the result is never the input or a view of it", () => {
  const x = tt.tensor([[0, 1, 2]], f32);
  assert.deepEqual(F.pad(x, [-3, 1], { value: 5 }).toArray(), [[5]]);
  assert.deepEqual(F.pad(x, [-2, -1]).shape, [1, 0]);
  assert.throws(() => F.pad(x, [-2, -2]));
  for (const amounts of [
    [0, 0],
    [-1, 0],
  ]) {
    const y = F.pad(x, amounts);
    y.fill_(7);
    assert.deepEqual(x.toArray(), [[0, 1, 2]]);
  }
  // With some padding to add, every padded dim must keep an element (torch 1.13 raises for [1, 0, -1, -1]).
  assert.throws(() => F.pad(x, [1, 0, -1, -1]), /leaves no elements/);
  assert.deepEqual(F.pad(x, [1, 1, 0, 0]).shape, [1, 5]);
  assert.deepEqual(F.pad(tt.zeros([0, 3], f32), [1, 1]).shape, [0, 5]);
  assert.throws(() => F.pad(tt.zeros([0, 3], f32), [1, 1, 0, 0]));
  const w = tt.tensor([[1, 2]], { ...f32, requiresGrad: true });
  const p = F.pad(w, [0, 0], { mode: "reflect" });
  assert.equal(p.isLeaf, false);
});

test("linear inside autocast: a float32 bias joins the bfloat16 matmul", () => {
  const x = tt.tensor([[1, 2]], f32),
    w = tt.tensor(
      [
        [0.5, -1],
        [2, 0.25],
      ],
      f32,
    ),
    b = tt.tensor([0.125, -3], f32);
  const y = tt.autocast({ dtype: "bfloat16" }, () => F.linear(x, w, b));
  assert.equal(y.dtype, "bfloat16");
  assert.deepEqual(nums(y), [-1.375, -0.5]);
  const m = new tt.nn.Linear(2, 2);
  tt.noGrad(() => {
    m.weight.copy_(w);
    m.bias!.copy_(b);
  });
  assert.equal(tt.autocast({ dtype: "bfloat16" }, () => m.forward(x)).dtype, "bfloat16");
});

test("OneCycleLR: a phase of no steps raises (PyTorch: ZeroDivisionError) instead of setting lr to NaN", () => {
  const p = tt.zeros([2], { ...f32, requiresGrad: true });
  const opt = new tt.optim.SGD([p], { lr: 0.01 });
  assert.throws(
    () => new tt.optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 2, pctStart: 0.5, cycleMomentum: false, threePhase: true }),
    /no steps/,
  );
  const opt2 = new tt.optim.SGD([p], { lr: 0.01 });
  assert.throws(() => new tt.optim.OneCycleLR(opt2, { maxLr: 1, totalSteps: 2, pctStart: 0.5, cycleMomentum: false }), /no steps/);
  // One step more and both phases have a length (torch 1.13: 0.04, 0.750001, 4e-6).
  const opt3 = new tt.optim.SGD([p], { lr: 0.01 });
  const s = new tt.optim.OneCycleLR(opt3, { maxLr: 1, totalSteps: 3, pctStart: 0.5, cycleMomentum: false });
  const lrs = [s.getLastLr()[0]];
  for (let i = 0; i < 2; i++) {
    opt3.step();
    s.step();
    lrs.push(s.getLastLr()[0]);
  }
  assertClose(lrs, [0.040000000000000036, 0.750001, 4e-6], 1e-12, 1e-15);
});

test("smoothL1Loss with beta 0: PyTorch's gradient -1 where input equals target", () => {
  const x = tt.tensor([0, 1, -1, 0.5], { ...f32, requiresGrad: true });
  const l = F.smoothL1Loss(x, tt.tensor([0, 0, 0, 1], f32), { reduction: "none", beta: 0 });
  assert.deepEqual(nums(l), [0, 1, 1, 0.5]);
  l.sum().backward();
  assert.deepEqual(nums(x.grad!), [-1, 1, -1, -1]);
  // The target's gradient there is -1 as well (PyTorch: [1, -1, -1] for x [1, -2, 3], y [2, -2, 1]).
  const a = tt.tensor([1, -2, 3], { ...f32, requiresGrad: true }),
    b = tt.tensor([2, -2, 1], { ...f32, requiresGrad: true });
  F.smoothL1Loss(a, b, { reduction: "sum", beta: 0 }).backward();
  assert.deepEqual(
    [nums(a.grad!), nums(b.grad!)],
    [
      [-1, -1, 1],
      [1, -1, -1],
    ],
  );
});

test("binaryCrossEntropyWithLogits and smoothL1Loss gradients at infinite inputs (PyTorch's closed forms)", () => {
  const x = tt.tensor([1.87, -Infinity, Infinity, 0.3], { ...f32, requiresGrad: true });
  const y = tt.tensor([0.5, 0.25, 0.5, 1], { ...f32, requiresGrad: true });
  F.binaryCrossEntropyWithLogits(x, y, { weight: tt.tensor(1.37, f32), posWeight: tt.tensor([2], f32), reduction: "sum" }).backward();
  // PyTorch 1.13: [0.4106, -0.6850, 0.6850, -1.1660] and [-2.3655, inf, -inf, 0.3485]
  assertClose(nums(x.grad!), [0.41057172417640686, -0.685, 0.685, -1.166027545928955], 1e-5, 1e-6, "input");
  assertClose(nums(y.grad!), [-2.3655223846435547, Infinity, -Infinity, 0.348466694355011], 1e-5, 1e-6, "target");
  assert.throws(
    () => F.binaryCrossEntropyWithLogits(x, y, { weight: tt.tensor(1, { ...f32, requiresGrad: true }) }),
    /cannot require grad/,
  );
  const a = tt.tensor([-0.0137, 0.2, 3], { ...f32, requiresGrad: true }),
    b = tt.tensor([Infinity, 0, 1], { ...f32, requiresGrad: true });
  F.smoothL1Loss(a, b, { reduction: "sum" }).backward();
  assert.deepEqual(
    [nums(a.grad!), nums(b.grad!).map((v) => Math.round(v * 1e6) / 1e6)],
    [
      [-1, Math.fround(0.2), 1],
      [1, -0.2, -1],
    ],
  );
});
