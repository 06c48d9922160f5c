// nn.functional and nn.init: dropout statistics, padding, pooling, attention masks,
// initializer bounds, gradchecks through whole chains, error messages, and no leaks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "../src/ts/index.ts";
import * as nn from "../src/ts/nn/index.ts";
import { assertClose, nums } from "./helpers.ts";

const F = nn.F;
const f64 = (shape: number[], seed: number): tt.Tensor => {
  tt.manualSeed(seed);
  return tt.randn(shape, { dtype: "float64", requiresGrad: true });
};

describe("nn.functional", () => {
  it("dropout zeroes about p of the elements, scales the rest by 1/(1-p), and is the identity in eval", () => {
    tt.manualSeed(7);
    const x = tt.ones([200, 500], { requiresGrad: true });
    const drop = new nn.Dropout(0.3);
    const y = drop.forward(x);
    const v = nums(y);
    const zeros = v.filter((e) => e === 0).length / v.length;
    assert.ok(Math.abs(zeros - 0.3) < 0.01, `zero fraction ${zeros}`);
    assert.ok(v.every((e) => e === 0 || Math.abs(e - 1 / 0.7) < 1e-6));
    assert.ok(Math.abs(Number(y.mean().item()) - 1) < 0.01);
    y.sum().backward();
    assert.deepEqual(nums(x.grad!), v); // the gradient is the same mask and scale
    tt.manualSeed(7);
    assert.deepEqual(nums(drop.forward(x)), v); // the global generator drives it
    assert.equal(drop.eval().forward(x), x);
    assert.equal(F.dropout(x, 0.5, false), x);
    assert.deepEqual(nums(F.dropout(x, 1)), new Array(x.numel()).fill(0));
    assert.throws(() => new nn.Dropout(1.5), /between 0 and 1/);
  });

  it("pad: constant, reflect, replicate, circular, and cropping", () => {
    const x = tt.tensor([[1, 2, 3]], { dtype: "float32" });
    assert.deepEqual(F.pad(x, [2, 1], { value: 9 }).toArray(), [[9, 9, 1, 2, 3, 9]]);
    assert.deepEqual(F.pad(x, [2, 2], { mode: "reflect" }).toArray(), [[3, 2, 1, 2, 3, 2, 1]]);
    assert.deepEqual(F.pad(x, [1, 2], { mode: "replicate" }).toArray(), [[1, 1, 2, 3, 3, 3]]);
    assert.deepEqual(F.pad(x, [1, 2], { mode: "circular" }).toArray(), [[3, 1, 2, 3, 1, 2]]);
    assert.deepEqual(F.pad(x, [-1, 0, 1, 0]).toArray(), [
      [0, 0],
      [2, 3],
    ]);
    assert.throws(() => F.pad(x, [3, 0], { mode: "reflect" }), /reflect padding must be smaller/);
  });

  it("adaptiveAvgPool2d(1) is the spatial mean; avgPool2d divisorOverride divides the window sum", () => {
    const x = tt.randn([2, 3, 5, 7]);
    assertClose(nums(F.adaptiveAvgPool2d(x, 1)), nums(x.mean([2, 3])), 1e-5, 1e-6);
    assert.deepEqual(new nn.AdaptiveAvgPool2d([null, 1]).forward(x).shape, [2, 3, 5, 1]);
    const ones = tt.ones([1, 1, 4, 4]);
    assert.deepEqual(nums(F.avgPool2d(ones, 2, { divisorOverride: 2 })), [2, 2, 2, 2]);
  });

  it("attention masks: SDPA's bool mask marks allowed pairs, isCausal matches an explicit mask, MHA works unbatched", () => {
    const q = tt.randn([2, 4, 8]),
      k = tt.randn([2, 4, 8]),
      v = tt.randn([2, 4, 8]);
    const causal = F.scaledDotProductAttention(q, k, v, { isCausal: true });
    const allowed = tt
      .tensor([
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [1, 1, 1, 1],
      ])
      .bool();
    assertClose(nums(F.scaledDotProductAttention(q, k, v, { attnMask: allowed })), nums(causal), 1e-6, 1e-6);
    // The first query sees only the first key: its output is the first value.
    assertClose(nums(causal.select(1, 0)), nums(v.select(1, 0)), 1e-5, 1e-6);
    const mha = new nn.MultiheadAttention(8, 2).eval();
    const x = tt.randn([4, 8]);
    const un = mha.forward(x, x, x, { isCausal: true });
    const batched = mha.forward(x.unsqueeze(1), x.unsqueeze(1), x.unsqueeze(1), { attnMask: nn.generateSquareSubsequentMask(4) });
    assert.deepEqual(un.output.shape, [4, 8]);
    assert.deepEqual(un.weights?.shape, [4, 4]);
    assertClose(nums(un.output), nums(batched.output), 1e-5, 1e-6);
    assert.equal(mha.forward(x, x, x, { needWeights: false }).weights, null);
    // Bool masks combine like their float (0 / -inf) forms.
    const xb = tt.randn([4, 2, 8]);
    const kpm = tt.tensor([
      [false, false, true, true],
      [false, false, false, true],
    ]);
    const causalBool = tt
      .tensor([
        [0, 1, 1, 1],
        [0, 0, 1, 1],
        [0, 0, 0, 1],
        [0, 0, 0, 0],
      ])
      .bool();
    const both = mha.forward(xb, xb, xb, { attnMask: causalBool, keyPaddingMask: kpm });
    const floats = mha.forward(xb, xb, xb, {
      attnMask: nn.generateSquareSubsequentMask(4),
      keyPaddingMask: tt.zeros([2, 4]).maskedFill(kpm, -Infinity),
    });
    assertClose(nums(both.output), nums(floats.output), 1e-6, 1e-6);
    assert.deepEqual(
      nums(both.weights!.select(0, 0).select(0, 3)).map((w) => w > 0),
      [true, true, false, false],
    );
  });

  it("leakyRelu, tanh-approximate gelu, softplus and normalize match their formulas", () => {
    const x = tt.tensor([-2, -0.5, 0, 0.5, 30], { dtype: "float64" });
    const xs = nums(x);
    assertClose(
      nums(F.leakyRelu(x, 0.2)),
      xs.map((v) => (v > 0 ? v : 0.2 * v)),
      1e-12,
      1e-12,
    );
    const tanhGelu = (v: number): number => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    assertClose(nums(new nn.GELU({ approximate: "tanh" }).forward(x)), xs.map(tanhGelu), 1e-12, 1e-12);
    assertClose(
      nums(F.softplus(x)),
      xs.map((v) => (v > 20 ? v : Math.log1p(Math.exp(v)))),
      1e-12,
      1e-12,
    );
    assertClose(nums(F.normalize(tt.tensor([[3, 4]], { dtype: "float64" }))), [0.6, 0.8], 1e-12, 1e-12);
  });

  it("gradcheck through Linear + LayerNorm + crossEntropy (weights, ignoreIndex, label smoothing), as functions and modules", () => {
    const x = f64([4, 3], 1),
      w = f64([5, 3], 2),
      b = f64([5], 3),
      g = f64([5], 4),
      beta = f64([5], 5);
    const target = tt.tensor([0, 4, -100, 2]);
    const cw = tt.tensor([0.5, 1, 2, 1, 0.7], { dtype: "float64" });
    const chain = (xi: tt.Tensor, wi: tt.Tensor, bi: tt.Tensor, gi: tt.Tensor, betai: tt.Tensor): tt.Tensor =>
      F.crossEntropy(F.layerNorm(F.linear(xi, wi, bi), 5, { weight: gi, bias: betai }), target, { weight: cw, labelSmoothing: 0.1 });
    assert.equal(tt.gradcheck(chain, [x, w, b, g, beta]), true);
    const lin = new nn.Linear(3, 5, { dtype: "float64" }),
      ln = new nn.LayerNorm(5).double();
    const lossFn = new nn.CrossEntropyLoss({ weight: cw, labelSmoothing: 0.1 });
    assert.equal(
      tt.gradcheck((xi) => lossFn.forward(ln.forward(lin.forward(xi)), target), [x]),
      true,
    );
  });

  it("gradcheck through conv2d + batchNorm (training) + pad + pooling, and through multi-head attention", () => {
    const x = f64([2, 2, 4, 4], 6),
      w = f64([3, 2, 3, 3], 7);
    const chain = (xi: tt.Tensor, wi: tt.Tensor): tt.Tensor => {
      const h = F.batchNorm(F.conv2d(F.pad(xi, [1, 0, 0, 1], { mode: "reflect" }), wi, null, { padding: 1 }), null, null, {
        training: true,
      });
      return F.adaptiveAvgPool2d(F.maxPool2d(h.tanh(), 2, { stride: 1 }), [2, 1]).sum([1, 2, 3]);
    };
    assert.equal(tt.gradcheck(chain, [x, w]), true);
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true, dtype: "float64" });
    const kpm = tt.tensor([
      [false, false, true],
      [false, false, false],
    ]);
    const q = f64([2, 3, 4], 8);
    assert.equal(
      tt.gradcheck((qi) => mha.forward(qi, qi, qi, { keyPaddingMask: kpm }).output.pow(2).sum(), [q]),
      true,
    );
  });

  it("functional ops free their intermediates: only the result stays alive", () => {
    const x = tt.randn([4, 6]),
      y = tt.tensor([1, 0, 5, -100]),
      w = tt.ones([6]),
      p = x.sigmoid(),
      x3 = x.unsqueeze(1);
    const mha = new nn.MultiheadAttention(6, 2);
    const layer = new nn.TransformerEncoderLayer(6, 2, { dimFeedforward: 8 }).eval();
    const bn = new nn.BatchNorm1d(6);
    const ops: (() => unknown)[] = [
      () => F.crossEntropy(x, y, { labelSmoothing: 0.1, weight: w }),
      () => F.layerNorm(x, 6),
      () => bn.forward(x),
      () => F.binaryCrossEntropyWithLogits(x, p),
      () => F.pad(x, [1, 1], { mode: "reflect" }),
      () => F.conv2d(x3.unsqueeze(0), tt.ones([2, 4, 3, 3]), null, { padding: "same" }),
      () => mha.forward(x3, x3, x3),
      () => layer.forward(x3),
    ];
    for (const [i, op] of ops.entries()) {
      tt.noGrad(() => {
        const before = tt.memory().liveTensors;
        const r = op();
        const made = r instanceof tt.Tensor ? 1 : Object.values(r as object).filter((t) => t instanceof tt.Tensor).length;
        // The conv's input view and weight are made by the test itself.
        assert.equal(tt.memory().liveTensors - before, made + (i === 5 ? 2 : 0), `op ${i}`);
      });
    }
  });

  it("bad input gets errors that name the shapes", () => {
    assert.throws(() => new nn.Linear(4, 2).forward(tt.zeros([3, 5])), /\[3,5\].*\[4,2\]/);
    assert.throws(() => F.layerNorm(tt.zeros([2, 3]), 4), /input of shape \[2,3\] does not end with the normalized shape \[4\]/);
    assert.throws(() => F.crossEntropy(tt.zeros([2, 3]), tt.tensor([0, 3])), /target 3 is out of bounds for 3 classes/);
    assert.throws(() => F.crossEntropy(tt.zeros([2, 3]), tt.tensor([0])), /needs a target of shape \[2\], got \[1\]/);
    assert.throws(() => F.mseLoss(tt.zeros([3, 1]), tt.zeros([3])), /input of shape \[3,1\] and target of shape \[3\] differ/);
    assert.throws(() => F.binaryCrossEntropy(tt.full([2], 1.5), tt.zeros([2])), /between 0 and 1/);
    assert.throws(() => new nn.BatchNorm2d(3).forward(tt.zeros([2, 3, 4])), /expected 4D input \(got 3D input\)/);
    assert.throws(() => new nn.BatchNorm1d(3).forward(tt.zeros([1, 3])), /more than 1 value per channel/);
    assert.throws(() => new nn.MultiheadAttention(10, 3), /divisible by numHeads/);
    assert.throws(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /inChannels \(3\) must be divisible by groups \(2\)/);
    assert.throws(() => new nn.MaxPool2d(2, { ceilMode: true }), /ceilMode is not supported/);
    assert.throws(() => F.crossEntropy(tt.zeros([2, 3]), tt.tensor([0, 1]), { reduction: "avg" as nn.Reduction }), /reduction must be/);
  });
});

describe("nn.init and default initializations", () => {
  it("Linear and Conv2d: kaiming uniform (a = √5) weights and bias within 1/√fan_in", () => {
    tt.manualSeed(3);
    const lin = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    const w = nums(lin.weight);
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.01 * bound, `std ${std}`);
    assert.ok(nums(lin.bias!).every((v) => Math.abs(v) <= bound));
    const conv = new nn.Conv2d(8, 16, 3, { groups: 2 });
    const cb = 1 / Math.sqrt(4 * 9);
    assert.ok([...nums(conv.weight), ...nums(conv.bias!)].every((v) => Math.abs(v) <= cb));
  });

  it("the initializers' bounds and spreads, gains, and fans", () => {
    tt.manualSeed(4);
    const t = tt.empty([200, 300]);
    const a = Math.sqrt(6 / 500);
    assert.ok(nums(nn.init.xavierUniform_(t)).every((v) => Math.abs(v) <= a));
    const spread = (x: tt.Tensor): number => Number(x.std().item());
    assert.ok(Math.abs(spread(nn.init.xavierNormal_(t, 2)) - 2 * Math.sqrt(2 / 500)) < 0.003);
    assert.ok(Math.abs(spread(nn.init.kaimingNormal_(t, { mode: "fan_out", nonlinearity: "relu" })) - Math.sqrt(2 / 200)) < 0.002);
    assert.ok(nums(nn.init.kaimingUniform_(t)).every((v) => Math.abs(v) <= Math.sqrt(6 / 300)));
    assert.deepEqual(nums(nn.init.constant_(tt.empty([3]), 0.5)), [0.5, 0.5, 0.5]);
    assert.deepEqual(nn.init.calculateFanInAndFanOut(tt.empty([16, 3, 3, 3])), [27, 144]);
    assert.equal(nn.init.calculateGain("tanh"), 5 / 3);
    assert.equal(nn.init.calculateGain("leaky_relu", 0), Math.SQRT2);
    const half = nn.init.uniform_(tt.empty([64], { dtype: "float16" }), 2, 3);
    assert.ok(nums(half).every((v) => v >= 2 && v <= 3));
    const p = nn.Parameter(tt.zeros([4]));
    assert.doesNotThrow(() => nn.init.normal_(p)); // in place on a leaf that requires grad
    assert.throws(() => nn.init.xavierUniform_(tt.empty([5])), /fewer than 2 dimensions/);
  });

  it("Embedding starts as N(0, 1) with the padding row zeroed; norms start at ones and zeros", () => {
    tt.manualSeed(5);
    const emb = new nn.Embedding(1000, 16, { paddingIdx: -1 });
    assert.equal(emb.paddingIdx, 999);
    assert.deepEqual(nums(emb.weight.select(0, 999)), new Array(16).fill(0));
    assert.ok(Math.abs(Number(emb.weight.std().item()) - 1) < 0.02);
    const bn = new nn.BatchNorm1d(3);
    assert.deepEqual(
      [bn.weight, bn.bias, bn.runningMean, bn.runningVar].map((t) => nums(t!)),
      [
        [1, 1, 1],
        [0, 0, 0],
        [0, 0, 0],
        [1, 1, 1],
      ],
    );
    const frozen = nn.Embedding.fromPretrained(tt.eye(3));
    assert.equal(frozen.weight.requiresGrad, false);
    assert.equal(frozen.parameters().length, 1);
  });
});
