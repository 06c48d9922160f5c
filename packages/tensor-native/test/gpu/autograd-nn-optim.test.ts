// Backward passes, nn layers, losses, optimizers and autocast on the GPU against the CPU.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "../../src/ts/index.ts";
import { DEV, TOL, assertSame, randint, randn, same, sameGrad } from "./helpers.ts";

const { nn, optim } = tt;

describe("backward", () => {
  it("every op family's gradient matches the CPU's", () => {
    const x = randn([4, 6]),
      y = randn([4, 6]),
      w = randn([6, 3]);
    sameGrad("elementwise", [x, y], (a, b) => a.mul(b).add(a.exp().mul(0.1)).sub(b.tanh()).div(b.abs().add(1)).pow(2).sum());
    sameGrad("activations", [x], (a) => a.relu().add(a.gelu()).add(a.silu()).add(a.sigmoid()).mul(a.sin()).sum());
    sameGrad("broadcast", [x, randn([6])], (a, b) => a.mul(b).maximum(a.add(b)).sum());
    sameGrad("reductions", [x], (a) =>
      a.sum(1).mul(a.mean(0).sum()).add(a.var(1).sum()).add(a.logsumexp(0).sum()).add(a.max(1).values.sum()).sum(),
    );
    sameGrad("softmax / logSoftmax", [x, y], (a, b) => a.softmax(1).mul(b).sum().add(a.logSoftmax(0).mul(b).sum()));
    sameGrad("matmul, batched and broadcast", [randn([3, 4, 6]), w], (a, b) => a.matmul(b).tanh().sum());
    sameGrad("views", [x], (a) => a.t().reshape(3, 8).narrow(1, 1, 5).permute(1, 0).expand(2, 5, 3).sum());
    sameGrad("cat, stack, split", [x, y], (a, b) =>
      tt
        .cat([a, b], 1)
        .split(5, 1)[1]
        .sum()
        .add(tt.stack([a, b]).prod(0).sum()),
    );
    const pick = tt.tensor([1, 1, 7]),
      where2 = randint(0, 5, [8, 2]);
    sameGrad("index ops", [randn([8, 5])], (a) =>
      a
        .indexSelect(0, pick.to(a.device))
        .mul(randn([3, 5]).fill_(2).to(a.device))
        .sum()
        .add(a.gather(1, where2.to(a.device)).sum()),
    );
    sameGrad("conv2d and pooling", [randn([2, 3, 9, 9]), randn([4, 3, 3, 3])], (a, k) =>
      tt
        .maxPool2d(tt.conv2d(a, k, undefined, { padding: 1, stride: 2 }), 2)
        .add(1)
        .mul(tt.avgPool2d(tt.conv2d(a, k), 3).mean())
        .sum(),
    );
    sameGrad("float64", [randn([5, 5], "float64")], (a) => a.matmul(a).exp().sum());
  });

  it("a device copy is differentiable: the gradient comes back to the source device", () => {
    const x = randn([3, 4]);
    x.requiresGrad = true;
    const y = x.to(DEV).mul(2).add(1).sum();
    y.backward();
    assert.equal(x.grad?.device, "cpu");
    assert.deepEqual(x.grad?.values(), new Array(12).fill(2));
    const z = randn([5]).to(DEV);
    z.requiresGrad = true;
    z.cpu().mul(3).sum().backward();
    assertSame(z.grad ?? tt.zeros([0]), tt.full([5], 3, { dtype: "float32" }), "cpu() back to the GPU");
    const h = randn([4]);
    h.requiresGrad = true;
    h.to(DEV, "float16").float().sum().backward();
    assert.equal(h.grad?.dtype, "float32");
    assert.equal(h.grad?.device, "cpu");
  });
});

/** A model and a copy of it on the device, with the same parameters. */
function pair<M extends tt.nn.Module>(make: () => M): [M, M] {
  const cpu = make();
  const dev = make();
  dev.loadStateDict(cpu.stateDict());
  return [cpu, dev.to(DEV)];
}

describe("nn", () => {
  it("layers forward and backward, and module.to(device) moves parameters and buffers", () => {
    tt.manualSeed(7);
    const [a, b] = pair(
      () =>
        new nn.Sequential(
          new nn.Conv2d(3, 8, 3, { padding: 1 }),
          new nn.BatchNorm2d(8),
          new nn.ReLU(),
          new nn.MaxPool2d(2),
          new nn.Flatten(),
          new nn.Linear(8 * 4 * 4, 16),
          new nn.LayerNorm(16),
          new nn.GELU(),
          new nn.Linear(16, 5),
        ),
    );
    for (const p of b.parameters()) assert.equal(p.device, tt.zeros([1], { device: DEV }).device);
    for (const [name, t] of Object.entries(b.stateDict())) assert.equal(t.device, tt.zeros([1], { device: DEV }).device, name);
    const x = randn([6, 3, 8, 8]),
      target = randint(0, 5, [6]);
    const la = nn.F.crossEntropy(a.forward(x), target),
      lb = nn.F.crossEntropy(b.forward(x.to(DEV)), target.to(DEV));
    assertSame(lb, la, "loss", TOL.float32, true);
    la.backward();
    lb.backward();
    const pa = a.namedParameters(),
      pb = new Map(b.namedParameters());
    for (const [name, p] of pa)
      assertSame(pb.get(name)?.grad ?? tt.zeros([0]), p.grad ?? tt.zeros([0]), `grad of ${name}`, TOL.float32, true);
    for (const [name, t] of Object.entries(a.stateDict()))
      assertSame(b.stateDict()[name], t, `after the forward in training mode, ${name}`, TOL.float32, true);
    a.eval();
    b.eval();
    same("eval mode", [x], (v) => (v.device === "cpu" ? a : b).forward(v), TOL.float32, true);
    assert.equal(b.cpu().parameters()[0].device, "cpu");
  });

  it("attention, embedding and the losses", () => {
    tt.manualSeed(11);
    const [a, b] = pair(() => new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, dropout: 0, batchFirst: true }));
    const x = randn([2, 5, 16]);
    const mask = nn.generateSquareSubsequentMask(5);
    assertSame(b.forward(x.to(DEV), { srcMask: mask.to(DEV) }), a.forward(x, { srcMask: mask }), "encoder layer", TOL.float32, true);
    const [ea, eb] = pair(() => new nn.Embedding(10, 4));
    const idx = randint(0, 10, [3, 4]);
    assertSame(eb.forward(idx.to(DEV)), ea.forward(idx), "embedding");
    const p = randn([6, 4]),
      t = randn([6, 4]),
      cls = randint(0, 4, [6]);
    same(
      "losses",
      [p, t, cls],
      (u, v, c) => [
        nn.F.mseLoss(u, v),
        nn.F.l1Loss(u, v),
        nn.F.smoothL1Loss(u, v),
        nn.F.crossEntropy(u, c, { labelSmoothing: 0.1 }),
        nn.F.nllLoss(u.logSoftmax(1), c),
        nn.F.binaryCrossEntropyWithLogits(u, v.sigmoid()),
        nn.F.binaryCrossEntropy(u.sigmoid(), v.sigmoid()),
      ],
      TOL.float32,
      true,
    );
    same(
      "sdpa causal",
      [randn([2, 3, 5, 8]), randn([2, 3, 5, 8]), randn([2, 3, 5, 8])],
      (q, k, v) => nn.F.scaledDotProductAttention(q, k, v, { isCausal: true }),
      TOL.float32,
      true,
    );
  });

  it("dropout runs on the device with its generator: the kept share is 1 - p", () => {
    const x = tt.ones([100_000], { device: DEV });
    const y = nn.F.dropout(x, 0.3, true);
    assert.equal(y.device, x.device);
    const kept = Number(y.ne(0).float().mean().item());
    assert.ok(Math.abs(kept - 0.7) < 0.01, `kept ${kept}`);
    assert.ok(Math.abs(Number(y.sum().item()) / 100_000 - 1) < 0.02);
  });
});

describe("optimizers", () => {
  const configs: [string, (ps: tt.Tensor[]) => { step(): void }][] = [
    ["SGD", (ps) => new optim.SGD(ps, { lr: 0.1 })],
    ["SGD momentum nesterov weightDecay", (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-2 })],
    ["SGD dampening maximize", (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true })],
    ["Adam", (ps) => new optim.Adam(ps, { lr: 1e-2 })],
    ["Adam weightDecay amsgrad", (ps) => new optim.Adam(ps, { lr: 1e-2, weightDecay: 0.1, amsgrad: true })],
    ["AdamW", (ps) => new optim.AdamW(ps, { lr: 1e-2, weightDecay: 0.05 })],
  ];
  for (const dt of ["float32", "float64"] as tt.DType[])
    for (const [name, make] of configs)
      it(`${name} (${dt}) takes the same steps`, () => {
        const init = [randn([7, 3], dt), randn([5], dt)];
        const grads = Array.from({ length: 5 }, () => init.map((p) => randn([...p.shape], dt)));
        const run = (device: tt.Device): tt.Tensor[] => {
          const ps = init.map((p) => {
            const q = p.to(device).clone();
            q.requiresGrad = true;
            return q;
          });
          const opt = make(ps);
          for (const gs of grads) {
            ps.forEach((p, i) => (p.grad = gs[i].to(device).clone()));
            opt.step();
          }
          return ps;
        };
        const cpu = run("cpu"),
          dev = run(DEV);
        dev.forEach((p, i) =>
          assertSame(p.detach(), cpu[i].detach(), `${name} param ${i}`, dt === "float64" ? TOL.float64 : { rtol: 1e-5, atol: 1e-6 }),
        );
      });

  it("clipGradNorm and GradScaler work on device gradients", () => {
    const p = randn([10]).to(DEV);
    p.requiresGrad = true;
    p.grad = randn([10]).mul(100).to(DEV);
    const norm = optim.clipGradNorm([p], 1);
    assert.ok(norm > 1);
    const g = p.grad;
    assert.ok(g && Math.abs(Math.sqrt(Number(g.mul(g).sum().item())) - 1) < 1e-4, "clipped to norm 1");
    const scaler = new tt.GradScaler({ initScale: 1024 });
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tt.full([10], Infinity, { device: DEV });
    assert.equal(scaler.step(opt), false, "an overflow skips the step");
  });
});

describe("autocast", () => {
  for (const dtype of ["bfloat16", "float16"] as const)
    it(`${dtype}: forward and gradients within 16-bit tolerance`, () => {
      tt.manualSeed(3);
      const [a, b] = pair(() => new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Linear(64, 10)));
      const x = randn([16, 32]),
        y = randint(0, 10, [16]);
      const la = tt.autocast({ dtype }, () => nn.F.crossEntropy(a.forward(x), y));
      const lb = tt.autocast({ dtype }, () => nn.F.crossEntropy(b.forward(x.to(DEV)), y.to(DEV)));
      assertSame(lb, la, "loss", TOL[dtype], true);
      la.backward();
      lb.backward();
      const gb = new Map(b.namedParameters());
      for (const [name, p] of a.namedParameters()) {
        const g = gb.get(name)?.grad;
        assert.equal(g?.dtype, "float32", `${name}: gradients stay float32`);
        assertSame(g ?? tt.zeros([0]), p.grad ?? tt.zeros([0]), `grad of ${name}`, { rtol: 2e-2, atol: 2e-2 }, true);
      }
    });
});
