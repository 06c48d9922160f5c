// Layers and losses against PyTorch (fixtures/nn_reference.json, written by
// fixtures/make_nn_fixtures.py): the weights go in through loadStateDict (strict), so the
// state dict keys must match PyTorch's; outputs, input gradients and parameter gradients
// of sum(output * r) must match too.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import * as tt from "../src/ts/index.ts";
import * as nn from "../src/ts/nn/index.ts";
import { assertClose, nums } from "./helpers.ts";

interface Enc {
  shape: number[];
  dtype: "float32" | "int64" | "bool";
  data: (number | string | boolean)[];
}
interface Step {
  inputs: Enc[];
  output: Enc;
  r: Enc;
  input_grads: (Enc | null)[];
  param_grads: Record<string, Enc>;
  extras: Record<string, Enc>;
}
interface Case {
  state: Record<string, Enc>;
  state_after: Record<string, Enc>;
  steps: Step[];
}
interface LossCase {
  fn: string;
  opts: Record<string, unknown>;
  input: Enc;
  target: Enc;
  output: Enc;
  r: Enc;
  grad: Enc;
}
const ref = JSON.parse(readFileSync(new URL("./fixtures/nn_reference.json", import.meta.url), "utf8")) as {
  cases: Record<string, Case>;
  losses: Record<string, LossCase>;
};

const num = (v: number | string | boolean): number => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : Number(v));

function T(e: Enc, requiresGrad = false): tt.Tensor {
  if (e.dtype === "int64")
    return tt.fromTypedArray(
      BigInt64Array.from(e.data, (v) => BigInt(Number(v))),
      e.shape,
    );
  if (e.dtype === "bool")
    return tt.fromTypedArray(
      Uint8Array.from(e.data, (v) => Number(v)),
      e.shape,
      { dtype: "bool" },
    );
  return tt.fromTypedArray(Float32Array.from(e.data, num), e.shape, { requiresGrad });
}

function close(t: tt.Tensor | null | undefined, e: Enc, what: string): void {
  assert.ok(t, `${what}: missing`);
  assert.deepEqual(t.shape, e.shape, `${what}: shape`);
  const want = e.data.map(num);
  const scale = Math.max(1, ...want.filter(Number.isFinite).map(Math.abs));
  assertClose(nums(t), want, 1e-4, 2e-5 * scale, what);
}

type Call = (m: any, xs: tt.Tensor[]) => tt.Tensor | nn.AttentionOutput;

function runCase(name: string, model: nn.Module, call: Call = (m, xs) => m.forward(...xs), train = false): void {
  const c = ref.cases[name];
  model.train(train);
  const loaded = model.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, e]) => [k, T(e)])));
  assert.deepEqual(loaded, { missingKeys: [], unexpectedKeys: [] });
  for (const [i, s] of c.steps.entries()) {
    const at = `${name} step ${i}`;
    model.zeroGrad();
    const xs = s.inputs.map((e) => T(e, e.dtype === "float32"));
    const res = call(model, xs);
    const out = res instanceof tt.Tensor ? res : res.output;
    close(out, s.output, `${at} output`);
    for (const [k, e] of Object.entries(s.extras)) close(res instanceof tt.Tensor ? null : res[k as "weights"], e, `${at} ${k}`);
    out.mul(T(s.r)).sum().backward();
    s.input_grads.forEach((e, j) => e && close(xs[j].grad, e, `${at} grad of input ${j}`));
    const params = new Map(model.namedParameters());
    assert.deepEqual(
      [...params.keys()].filter((k) => params.get(k)?.grad).sort(),
      Object.keys(s.param_grads).sort(),
      `${at} params with grads`,
    );
    for (const [k, e] of Object.entries(s.param_grads)) close(params.get(k)?.grad, e, `${at} grad of ${k}`);
  }
  const after = model.stateDict();
  assert.deepEqual(Object.keys(after).sort(), Object.keys(c.state_after).sort());
  for (const [k, e] of Object.entries(c.state_after)) close(after[k], e, `${name} ${k} after`);
}

describe("layers match PyTorch (outputs, input and parameter gradients, state dicts)", () => {
  it("Linear, with and without bias, on batched input", () => {
    runCase("linear", new nn.Linear(5, 3));
    runCase("linear_nobias", new nn.Linear(4, 2, { bias: false }));
  });

  it("Conv2d with groups, stride and padding; padding 'same' with dilation and with an even kernel", () => {
    runCase("conv2d_groups", new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 1], groups: 2 }));
    runCase("conv2d_same_dilated", new nn.Conv2d(3, 4, 3, { padding: "same", dilation: 2 }));
    runCase("conv2d_same_even", new nn.Conv2d(2, 2, [2, 4], { padding: "same", bias: false }));
  });

  it("MaxPool2d, AvgPool2d without counting padding, AdaptiveAvgPool2d (uneven windows), Flatten", () => {
    runCase(
      "pools",
      new nn.Sequential(
        new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
        new nn.AvgPool2d(2, { stride: 1, padding: 1, countIncludePad: false }),
        new nn.AdaptiveAvgPool2d([3, 2]),
        new nn.Flatten(),
      ),
    );
  });

  it("BatchNorm2d in training: forward, backward, running stats after 2 steps", () => {
    const bn = new nn.BatchNorm2d(3);
    runCase("batchnorm2d_train", bn, undefined, true);
    assert.equal(bn.numBatchesTracked, 2);
  });

  it("BatchNorm1d in eval on [N, C] and [N, C, L]; in training with a cumulative average (momentum null)", () => {
    runCase("batchnorm1d_eval", new nn.BatchNorm1d(4));
    runCase("batchnorm1d_cma", new nn.BatchNorm1d(4, { momentum: null }), undefined, true);
  });

  it("LayerNorm over two dims, and without affine", () => {
    runCase("layernorm", new nn.LayerNorm([4, 5]));
    runCase("layernorm_plain", new nn.LayerNorm(6, { eps: 1e-3, elementwiseAffine: false }));
  });

  it("Embedding with paddingIdx: that row is returned but gets no gradient", () => {
    const emb = new nn.Embedding(7, 3, { paddingIdx: 1 });
    runCase("embedding", emb);
    assert.deepEqual(nums(emb.weight.grad!.select(0, 1)), [0, 0, 0]);
  });

  it("MultiheadAttention: batchFirst self-attention with a key padding mask", () => {
    runCase("mha_self", new nn.MultiheadAttention(8, 2, { batchFirst: true }), (m, [x, kpm]) =>
      m.forward(x, x, x, { keyPaddingMask: kpm }),
    );
  });

  it("MultiheadAttention: sequence-first cross-attention with a float mask and per-head weights", () => {
    runCase("mha_cross", new nn.MultiheadAttention(8, 4), (m, [q, k, v, am]) =>
      m.forward(q, k, v, { attnMask: am, averageAttnWeights: false }),
    );
  });

  it("MultiheadAttention: no biases, a 3-d bool mask per batch and head", () => {
    runCase("mha_boolmask", new nn.MultiheadAttention(6, 3, { batchFirst: true, bias: false }), (m, [q, k, v, am]) =>
      m.forward(q, k, v, { attnMask: am }),
    );
  });

  it("TransformerEncoderLayer in eval: post-norm with padding mask, pre-norm gelu with a causal mask", () => {
    runCase("tel_post", new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.1, batchFirst: true }), (m, [x, kpm]) =>
      m.forward(x, { srcKeyPaddingMask: kpm }),
    );
    const pre = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: "gelu", normFirst: true });
    runCase("tel_pre", pre, (m, [x, am]) => m.forward(x, { srcMask: am }));
    // The causal mask PyTorch built is the one we build.
    assert.deepEqual(nums(nn.generateSquareSubsequentMask(5)), ref.cases.tel_pre.steps[0].inputs[1].data.map(num));
  });
});

describe("losses match PyTorch (value and input gradient)", () => {
  const F = nn.F as unknown as Record<string, (x: tt.Tensor, t: tt.Tensor, o: object) => tt.Tensor>;
  const decode = (opts: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, v !== null && typeof v === "object" ? T(v as Enc) : v]));

  for (const [name, c] of Object.entries(ref.losses)) {
    it(`${name}: ${c.fn}(${JSON.stringify(Object.keys(c.opts))})`, () => {
      const x = T(c.input, true);
      const out = F[c.fn](x, T(c.target), decode(c.opts));
      close(out, c.output, `${name} value`);
      out.mul(T(c.r)).sum().backward();
      close(x.grad, c.grad, `${name} grad`);
    });
  }

  it("the loss modules give the functional results", () => {
    const ce = ref.losses.ce_full_none;
    const mod = new nn.CrossEntropyLoss({ weight: T(ce.opts.weight as Enc), labelSmoothing: 0.1, reduction: "none" });
    close(mod.forward(T(ce.input), T(ce.target)), ce.output, "CrossEntropyLoss");
    assert.deepEqual(Object.keys(mod.stateDict()), ["weight"]);
    const bl = ref.losses.bce_logits;
    const bmod = new nn.BCEWithLogitsLoss({ weight: T(bl.opts.weight as Enc), posWeight: T(bl.opts.posWeight as Enc) });
    close(bmod.forward(T(bl.input), T(bl.target)), bl.output, "BCEWithLogitsLoss");
    assert.deepEqual(Object.keys(bmod.stateDict()), ["weight", "pos_weight"]);
    const nll = ref.losses.nll_mean;
    close(new nn.NLLLoss({ weight: T(nll.opts.weight as Enc) }).forward(T(nll.input), T(nll.target)), nll.output, "NLLLoss");
    const l = ref.losses;
    close(new nn.MSELoss({ reduction: "sum" }).forward(T(l.mse_sum.input), T(l.mse_sum.target)), l.mse_sum.output, "MSELoss");
    close(new nn.L1Loss({ reduction: "none" }).forward(T(l.l1_none.input), T(l.l1_none.target)), l.l1_none.output, "L1Loss");
    close(new nn.SmoothL1Loss({ beta: 0.5 }).forward(T(l.smooth_l1.input), T(l.smooth_l1.target)), l.smooth_l1.output, "SmoothL1Loss");
    close(new nn.BCELoss({ weight: T(l.bce.opts.weight as Enc) }).forward(T(l.bce.input), T(l.bce.target)), l.bce.output, "BCELoss");
  });
});
