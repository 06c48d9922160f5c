import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import * as optim from "../src/ts/optim/index.ts";
import { assertClose, nums } from "./helpers.ts";

// Written by fixtures/make_optim_fixtures.py (torch 1.13).
const ref = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8")) as Record<string, any>;
const shapes = ref.shapes as number[][];
type DType = "float32" | "float64";

// First, so that no garbage from other tests is finalized (and uncounted) while it measures.
test("memory stays flat over 200 Adam + scheduler steps inside tidy", () => {
  const x = tt.randn([64, 8]);
  const y = tt.randn([64, 1]);
  const w = tt.randn([8, 1]).requiresGrad_();
  const b = tt.zeros([1]).requiresGrad_();
  const opt = new optim.AdamW([w, b], { lr: 1e-2, amsgrad: true });
  const sched = new optim.OneCycleLR(opt, { maxLr: 0.05, totalSteps: 200 });
  const stepOnce = () =>
    tt.tidy(() => {
      opt.zeroGrad();
      x.matmul(w).add(b).sub(y).pow(2).mean().backward();
      optim.clipGradNorm([w, b], 1.0);
      opt.step();
      sched.step();
    });
  for (let i = 0; i < 10; i++) stepOnce();
  const before = tt.memory();
  for (let i = 0; i < 190; i++) stepOnce();
  const after = tt.memory();
  assert.equal(after.liveTensors, before.liveTensors);
  assert.equal(after.liveBytes, before.liveBytes);
  assert.equal(opt.state.get(w)!.step, 200);
});

function makeParams(dtype: DType): tt.Tensor[] {
  return shapes.map((s, i) =>
    tt
      .fromTypedArray(Float64Array.from(ref.init[i] as number[]), s)
      .to(dtype)
      .requiresGrad_(),
  );
}

function setGrads(params: tt.Tensor[], step: number, transposed = false): void {
  params.forEach((p, i) => {
    p.grad?.dispose();
    const g = tt.fromTypedArray(Float64Array.from(ref.grads[step][i] as number[]), shapes[i]).to(p.dtype);
    // The same values through a non-contiguous view.
    p.grad = transposed && p.ndim === 2 ? g.t().contiguous().t() : g;
  });
}

function makeOptimizer(kind: string, params: tt.Tensor[], options: any): optim.Optimizer<any, any> {
  if (kind === "SGD") return new optim.SGD(params, options);
  if (kind === "Adam") return new optim.Adam(params, options);
  return new optim.AdamW(params, options);
}

for (const dtype of ["float64", "float32"] as const) {
  test(`optimizers match torch.optim step by step (${dtype})`, () => {
    const rtol = dtype === "float64" ? 1e-9 : 1e-4,
      atol = dtype === "float64" ? 1e-12 : 1e-5;
    for (const c of ref.optimizers) {
      const params = makeParams(dtype);
      const opt = makeOptimizer(c.kind, params, c.options);
      c.params.forEach((expected: number[][], step: number) => {
        setGrads(params, step, step % 2 === 1);
        opt.step();
        params.forEach((p, i) => assertClose(nums(p), expected[i], rtol, atol, `${c.name} step ${step} param ${i}`));
      });
    }
  });
}

test("a non-contiguous parameter is updated in place", () => {
  const c = ref.optimizers.find((o: any) => o.name === "adam_weight_decay");
  const base = tt
    .fromTypedArray(Float64Array.from(ref.init[0] as number[]), [3, 4])
    .t()
    .contiguous();
  const w = base.t().requiresGrad_();
  assert.equal(w.isContiguous(), false);
  const params = [w, makeParams("float64")[1]];
  const opt = new optim.Adam(params, c.options);
  for (let s = 0; s < 3; s++) {
    setGrads(params, s);
    opt.step();
  }
  assertClose(nums(w), c.params[2][0], 1e-9, 1e-12, "w");
  assertClose(nums(base.t()), c.params[2][0], 1e-9, 1e-12, "base shares the update");
});

const lambdas: Record<string, optim.LrLambda | optim.LrLambda[]> = {
  LambdaLR: [(e) => 1 / (e + 1), (e) => 0.95 ** e],
  MultiplicativeLR: (e) => (e % 2 ? 0.9 : 0.99),
};

function makeScheduler(name: string, o: optim.Optimizer<any, any>): optim.LRScheduler {
  switch (name) {
    case "StepLR":
      return new optim.StepLR(o, { stepSize: 7, gamma: 0.5 });
    case "MultiStepLR":
      return new optim.MultiStepLR(o, { milestones: [5, 12, 12, 30], gamma: 0.3 });
    case "ExponentialLR":
      return new optim.ExponentialLR(o, { gamma: 0.93 });
    case "CosineAnnealingLR":
      return new optim.lrScheduler.CosineAnnealingLR(o, { tMax: 15, etaMin: 0.001 });
    case "LinearLR_warmup":
      return new optim.LinearLR(o, { startFactor: 0.1, endFactor: 1, totalIters: 8 });
    case "LinearLR_decay":
      return new optim.LinearLR(o, { startFactor: 1, endFactor: 0.2, totalIters: 10 });
    case "ConstantLR":
      return new optim.ConstantLR(o, { factor: 0.5, totalIters: 4 });
    case "LambdaLR":
      return new optim.LambdaLR(o, { lrLambda: lambdas.LambdaLR });
    case "MultiplicativeLR":
      return new optim.MultiplicativeLR(o, { lrLambda: lambdas.MultiplicativeLR });
    case "OneCycleLR_cos":
      return new optim.OneCycleLR(o, { maxLr: 0.5, totalSteps: 40 });
    case "OneCycleLR_linear_three_phase_adam":
      return new optim.OneCycleLR(o, {
        maxLr: [0.5, 0.2],
        epochs: 4,
        stepsPerEpoch: 10,
        pctStart: 0.25,
        annealStrategy: "linear",
        threePhase: true,
        divFactor: 10,
        finalDivFactor: 100,
        baseMomentum: 0.8,
        maxMomentum: 0.9,
      });
    case "SequentialLR_warmup_cosine": {
      const warmup = new optim.LinearLR(o, { startFactor: 0.1, totalIters: 5 });
      const cosine = new optim.CosineAnnealingLR(o, { tMax: 35, etaMin: 1e-4 });
      return new optim.SequentialLR(o, { schedulers: [warmup, cosine], milestones: [5] });
    }
    case "SequentialLR_constant_exponential": {
      const a = new optim.ConstantLR(o, { factor: 0.1, totalIters: 2 });
      const b = new optim.ExponentialLR(o, { gamma: 0.9 });
      return new optim.SequentialLR(o, { schedulers: [a, b], milestones: [2] });
    }
  }
  throw new Error(`no scheduler ${name}`);
}

function schedulerOptimizer(c: any): optim.Optimizer<any, any> {
  const groups = (c.groups as number[]).map((lr) => ({ params: [tt.zeros([1]).requiresGrad_()], lr }));
  return c.optimizer === "SGD" ? new optim.SGD(groups, { lr: c.groups[0], momentum: 0.9 }) : new optim.Adam(groups, { lr: c.groups[0] });
}

const momentumOf = (o: optim.Optimizer<any, any>, adam: boolean): number[] =>
  o.paramGroups.map((g) => (adam ? (g.betas as number[])[0] : (g.momentum as number)));

test("LR schedulers match torch.optim.lr_scheduler", () => {
  for (const [name, c] of Object.entries<any>(ref.schedulers)) {
    const o = schedulerOptimizer(c);
    const sched = makeScheduler(name, o);
    const adam = c.optimizer === "Adam";
    c.lrs.forEach((lrs: number[], i: number) => {
      if (i > 0) {
        o.step();
        sched.step();
      }
      assertClose(sched.getLastLr(), lrs, 1e-9, 1e-15, `${name} lr at step ${i}`);
      assertClose(
        o.paramGroups.map((g) => g.lr),
        lrs,
        1e-9,
        1e-15,
        `${name} group lr at step ${i}`,
      );
      assertClose(momentumOf(o, adam), c.momentum[i], 1e-9, 1e-15, `${name} momentum at step ${i}`);
    });
  }
});

test("scheduler stateDict resumes the schedule; OneCycleLR refuses to run past totalSteps", () => {
  const c = ref.schedulers.SequentialLR_warmup_cosine;
  const o = schedulerOptimizer(c);
  const sched = makeScheduler("SequentialLR_warmup_cosine", o);
  for (let i = 0; i < 20; i++) {
    o.step();
    sched.step();
  }
  const sd = sched.stateDict();
  assert.equal(sd.last_epoch, 20);
  assert.ok(Array.isArray(sd._schedulers) && (sd._schedulers as any[])[1].T_max === 35);
  const o2 = schedulerOptimizer(c);
  o2.loadStateDict(o.stateDict());
  const sched2 = makeScheduler("SequentialLR_warmup_cosine", o2);
  sched2.loadStateDict(JSON.parse(JSON.stringify(sd)));
  o2.loadStateDict(o.stateDict());
  for (let i = 21; i <= 50; i++) {
    o2.step();
    sched2.step();
    assertClose(sched2.getLastLr(), c.lrs[i], 1e-9, 1e-15, `resumed step ${i}`);
  }
  const oc = schedulerOptimizer(ref.schedulers.OneCycleLR_cos);
  const one = new optim.OneCycleLR(oc, { maxLr: 0.5, totalSteps: 3 });
  for (let i = 0; i < 3; i++) {
    oc.step();
    one.step();
  }
  assert.throws(() => one.step(), /Tried to step 5 times.*total steps is 3/);
  assert.throws(() => new optim.OneCycleLR(oc, { maxLr: 0.1 }), /totalSteps OR \(epochs AND stepsPerEpoch\)/);
  assert.throws(() => new optim.LinearLR(oc, { startFactor: 0 }), /Starting multiplicative factor/);
  assert.throws(() => new optim.LambdaLR(oc, { lrLambda: [() => 1, () => 1] }), /Expected 1 lr_lambdas, but got 2/);
});

test("clipGradNorm and clipGradValue match torch.nn.utils", () => {
  for (const c of ref.clipGradNorm) {
    const params = makeParams("float64");
    setGrads(params, 0);
    for (const p of params) p.grad = (p.grad as tt.Tensor).mul(0.7);
    const normType = c.normType === "inf" ? Infinity : c.normType;
    const total = (c.maxNorm === 1 ? optim.clipGradNorm_ : optim.clipGradNorm)(params, c.maxNorm, normType);
    assertClose([total], [c.total], 1e-12, 0, `total norm ${c.normType}`);
    params.forEach((p, i) => assertClose(nums(p.grad as tt.Tensor), c.grads[i], 1e-12, 1e-15, `clipped grad ${c.normType} ${i}`));
  }
  const params = makeParams("float32");
  setGrads(params, 0);
  for (const p of params) p.grad = (p.grad as tt.Tensor).mul(0.7);
  optim.clipGradValue(params, ref.clipGradValue[0].clipValue);
  params.forEach((p, i) => assertClose(nums(p.grad as tt.Tensor), ref.clipGradValue[0].grads[i], 1e-6, 1e-7, `clip value ${i}`));
  assert.equal(optim.clipGradNorm([tt.zeros([2]).requiresGrad_()], 1), 0);
  const bad = tt.zeros([2]).requiresGrad_();
  bad.grad = tt.tensor([Infinity, 1], { dtype: "float32" });
  assert.throws(() => optim.clipGradNorm(bad, 1, 2, true), /non-finite/);
});

test("stateDict has PyTorch's layout and resumes identically", () => {
  for (const c of ref.optimizers.filter((o: any) => ["sgd_nesterov", "adam_weight_decay", "adamw_amsgrad"].includes(o.name))) {
    const a = makeParams("float64");
    const optA = makeOptimizer(c.kind, a, c.options);
    for (let s = 0; s < 3; s++) {
      setGrads(a, s);
      optA.step();
    }
    const sd = optA.stateDict();
    const b = a.map((p) => p.detach().clone().requiresGrad_());
    const optB = makeOptimizer(c.kind, b, c.kind === "SGD" ? { lr: 1 } : {});
    optB.loadStateDict(sd);
    for (let s = 3; s < 5; s++) {
      setGrads(a, s);
      optA.step();
      setGrads(b, s);
      optB.step();
    }
    a.forEach((p, i) => assert.deepEqual(nums(b[i]), nums(p), `${c.name}: resumed param ${i}`));
    a.forEach((p, i) => assertClose(nums(p), c.params[4][i], 1e-9, 1e-12, `${c.name}: vs torch`));
    assert.deepEqual(sd.param_groups[0].params, [0, 1]);
    if (c.kind === "SGD") {
      assert.equal(sd.param_groups[0].weight_decay, 0);
      assert.equal(sd.param_groups[0].nesterov, true);
      assert.ok(sd.state[0].momentum_buffer instanceof tt.Tensor);
    } else {
      assert.equal(sd.state[1].step, 3);
      assert.ok(sd.state[1].exp_avg instanceof tt.Tensor && sd.state[1].exp_avg_sq instanceof tt.Tensor);
      assert.deepEqual(sd.param_groups[0].betas, c.options.betas ?? [0.9, 0.999]);
      assert.equal(sd.param_groups[0].amsgrad, c.options.amsgrad ?? false);
      assert.equal(sd.param_groups[0].weight_decay, c.options.weightDecay);
    }
  }
});

test("loadStateDict names what does not match", () => {
  const a = makeParams("float64");
  const opt = new optim.Adam(a);
  setGrads(a, 0);
  opt.step();
  const sd = opt.stateDict();
  assert.throws(() => new optim.Adam([a[0]]).loadStateDict(sd), /parameter group 0 has 2 parameter\(s\) in the state dict but 1/);
  assert.throws(
    () => new optim.Adam([{ params: [a[0]] }, { params: [a[1]] }]).loadStateDict(sd),
    /2 parameter group\(s\).* has 1|1 parameter group\(s\), this optimizer has 2/,
  );
  assert.throws(
    () => new optim.Adam([a[1], a[0]]).loadStateDict(sd),
    /state "exp_avg" of parameter 0 has shape \[3,4\] but the parameter has shape \[4\]/,
  );
  assert.throws(() => opt.loadStateDict({} as any), /expected an object \{ state, param_groups \}/);
  // A float32 optimizer takes a float64 state, cast.
  const f = makeParams("float32");
  const optF = new optim.Adam(f);
  optF.loadStateDict(sd);
  assert.equal((optF.state.get(f[0])!.expAvg as tt.Tensor).dtype, "float32");
  assert.equal(optF.state.get(f[0])!.step, 1);
});

test("zeroGrad sets grads to null (default) or zeroes them in place", () => {
  const [w, b] = makeParams("float32");
  const opt = new optim.SGD([w, b], { lr: 0.1 });
  w.mul(2).sum().add(b.sum()).backward();
  const g = w.grad as tt.Tensor;
  opt.zeroGrad(false);
  assert.equal(w.grad, g);
  assert.deepEqual(nums(g), new Array(12).fill(0));
  opt.zeroGrad();
  assert.equal(w.grad, null);
  assert.equal(b.grad, null);
  assert.ok(g.isDisposed);
  const before = nums(w);
  opt.step(); // no grads: nothing moves
  assert.deepEqual(nums(w), before);
});

test("param groups each use their own lr; defaults fill the rest", () => {
  const w1 = tt.ones([2], { dtype: "float64" }).requiresGrad_();
  const w2 = tt.ones([2], { dtype: "float64" }).requiresGrad_();
  const w3 = tt.ones([2], { dtype: "float64" }).requiresGrad_();
  const opt = new optim.SGD([{ params: [w1] }, { params: [w2], lr: 0.01 }], { lr: 0.1, momentum: 0.5 });
  opt.addParamGroup({ params: [w3], lr: 1, momentum: 0 });
  assert.deepEqual(
    opt.paramGroups.map((g) => [g.lr, g.momentum]),
    [
      [0.1, 0.5],
      [0.01, 0.5],
      [1, 0],
    ],
  );
  for (const w of [w1, w2, w3]) w.grad = tt.ones([2], { dtype: "float64" });
  opt.step();
  assertClose(nums(w1), [0.9, 0.9], 1e-12, 0, "w1");
  assertClose(nums(w2), [0.99, 0.99], 1e-12, 0, "w2");
  assertClose(nums(w3), [0, 0], 1e-12, 1e-15, "w3");
  assert.throws(() => opt.addParamGroup({ params: [w1] }), /more than once/);
});

test("constructors validate like PyTorch", () => {
  const w = tt.zeros([2]).requiresGrad_();
  assert.throws(() => new optim.SGD([w], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/);
  assert.throws(() => new optim.SGD([w], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /Nesterov/);
  assert.throws(() => new optim.SGD([w], { lr: -1 }), /Invalid learning rate: -1/);
  assert.throws(() => new optim.SGD([w], {} as any), /lr is required/);
  assert.throws(() => new optim.Adam([w], { betas: [1, 0.999] }), /Invalid beta parameter at index 0: 1/);
  assert.throws(() => new optim.AdamW([w], { eps: -1 }), /AdamW: Invalid epsilon value/);
  assert.throws(() => new optim.Adam([w], { weightDecay: -0.1 }), /Invalid weight_decay value/);
  assert.throws(() => new optim.Adam([]), /empty parameter list/);
  assert.throws(() => new optim.Adam(w as any), /got a Tensor/);
  assert.throws(() => new optim.Adam([w.mul(2)]), /non-leaf/);
  assert.throws(() => new optim.Adam([tt.zeros([2], { dtype: "int32" })]), /float32 or float64, got int32/);
  assert.equal(new optim.AdamW([w]).paramGroups[0].weightDecay, 0.01);
  assert.equal(new optim.Adam([w]).paramGroups[0].lr, 1e-3);
  const opt = new optim.SGD([w], { lr: 0.1 });
  w.grad = tt.zeros([3]);
  assert.throws(() => opt.step(), /gradient's shape \[3\] does not match the parameter's shape \[2\]/);
});

test("the update bumps storage versions, so autograd reports a stale saved tensor", () => {
  const w = tt.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
  const opt = new optim.Adam([w]);
  const y = w.mul(w).sum();
  w.grad = tt.ones([2]);
  const v = w.storage.version;
  opt.step();
  assert.ok(w.storage.version > v);
  assert.ok((opt.state.get(w)!.expAvg as tt.Tensor).storage.version > 0);
  assert.throws(() => y.backward(), /modified by an in-place operation/);
});

test("step(closure) returns the closure's loss; y = 3x + 2 trains with autograd + SGD", () => {
  const x = tt.linspace(-1, 1, 32).reshape(32, 1);
  const y = x.mul(3).add(2);
  const w = tt.zeros([1, 1]).requiresGrad_();
  const b = tt.zeros([1]).requiresGrad_();
  const opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
  let last = Infinity;
  for (let i = 0; i < 150; i++)
    last = tt.tidy(
      () =>
        opt.step(() => {
          opt.zeroGrad();
          const loss = x.matmul(w).add(b).sub(y).pow(2).mean();
          loss.backward();
          return loss.item() as number;
        }) as number,
    );
  assert.ok(last < 1e-6, `final loss ${last}`);
  assertClose(nums(w), [3], 1e-3, 0, "w");
  assertClose(nums(b), [2], 1e-3, 0, "b");
});
