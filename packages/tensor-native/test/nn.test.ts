// nn.Module: discovery of parameters, buffers and children; state dicts; modes; printing;
// dtype conversion; lifetimes inside tt.tidy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "../src/ts/index.ts";
import * as nn from "../src/ts/nn/index.ts";
import { nums } from "./helpers.ts";

class MLP extends nn.Module {
  fc1 = new nn.Linear(784, 128);
  fc2 = new nn.Linear(128, 10);
  forward(x: tt.Tensor): tt.Tensor {
    return this.fc2.forward(this.fc1.forward(x).relu());
  }
}

class Net extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2));
  head = new nn.Sequential({ flat: new nn.Flatten(), drop: new nn.Dropout(0.25), fc: new nn.Linear(8 * 4 * 4, 10) });
  scale = nn.Parameter(tt.ones([1]));
  forward(x: tt.Tensor): tt.Tensor {
    return this.head.forward(this.features.forward(x)).mul(this.scale);
  }
}

describe("nn.Module", () => {
  it("finds parameters in property order with dotted names, and counts an MLP's", () => {
    const mlp = new MLP();
    assert.deepEqual(
      mlp.namedParameters().map(([k, p]) => [k, p.shape]),
      [
        ["fc1.weight", [128, 784]],
        ["fc1.bias", [128]],
        ["fc2.weight", [10, 128]],
        ["fc2.bias", [10]],
      ],
    );
    assert.equal(
      mlp.parameters().reduce((n, p) => n + p.numel(), 0),
      784 * 128 + 128 + 128 * 10 + 10,
    );
    assert.ok(mlp.parameters().every((p) => p.requiresGrad && p.isLeaf && nn.isParameter(p)));
    assert.deepEqual(mlp.forward(tt.randn([2, 784])).shape, [2, 10]);
    assert.deepEqual(mlp.children(), [mlp.fc1, mlp.fc2]);
    assert.deepEqual(
      mlp.namedModules().map(([k]) => k),
      ["", "fc1", "fc2"],
    );
  });

  it("prints like PyTorch, also as Jupyter text/plain", () => {
    const net = new Net();
    const text = [
      "Net(",
      "  (features): Sequential(",
      "    (0): Conv2d(1, 8, kernel_size=[3, 3], stride=[1, 1], padding=[1, 1])",
      "    (1): BatchNorm2d(8, eps=0.00001, momentum=0.1, affine=true, track_running_stats=true)",
      "    (2): ReLU()",
      "    (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)",
      "  )",
      "  (head): Sequential(",
      "    (flat): Flatten(start_dim=1, end_dim=-1)",
      "    (drop): Dropout(p=0.25)",
      "    (fc): Linear(in_features=128, out_features=10, bias=true)",
      "  )",
      ")",
    ].join("\n");
    assert.equal(String(net), text);
    const display = (net as unknown as Record<symbol, () => unknown>)[Symbol.for("Jupyter.display")];
    assert.deepEqual(display.call(net), { "text/plain": text });
    assert.equal(
      String(new nn.Sequential(new nn.Linear(784, 512), new nn.ReLU())),
      "Sequential(\n  (0): Linear(in_features=784, out_features=512, bias=true)\n  (1): ReLU()\n)",
    );
  });

  it("stateDict: parameters and persistent buffers under PyTorch's keys, detached views of the same data", () => {
    const net = new Net();
    const sd = net.stateDict();
    assert.deepEqual(Object.keys(sd), [
      "scale",
      "features.0.weight",
      "features.0.bias",
      "features.1.weight",
      "features.1.bias",
      "features.1.running_mean",
      "features.1.running_var",
      "features.1.num_batches_tracked",
      "head.fc.weight",
      "head.fc.bias",
    ]);
    assert.equal(sd["features.1.num_batches_tracked"].dtype, "int64");
    assert.ok(Object.values(sd).every((t) => !t.requiresGrad));
    tt.noGrad(() => sd.scale.fill_(3));
    assert.deepEqual(nums(net.scale), [3]); // shares storage
    assert.equal(net.stateDict({ keepVars: true }).scale, net.scale);
    assert.deepEqual(
      net.namedBuffers().map(([k]) => k),
      ["features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"],
    );
  });

  it("loadStateDict copies in place; errors name missing and unexpected keys and both shapes, and copy nothing", () => {
    const a = new MLP(),
      b = new MLP();
    const w = b.fc1.weight;
    b.loadStateDict(a.stateDict());
    assert.equal(b.fc1.weight, w); // same tensor object: an optimizer keeps working
    assert.deepEqual(nums(b.fc2.bias!), nums(a.fc2.bias!));
    const before = nums(b.fc2.bias!);
    const sd = a.stateDict();
    sd["fc3.weight"] = tt.zeros([1]);
    delete (sd as Record<string, tt.Tensor | undefined>)["fc1.bias"];
    sd["fc2.bias"] = tt.zeros([10]);
    assert.throws(
      () => b.loadStateDict(sd),
      (e: Error) =>
        /unexpected key\(s\) in the state dict: "fc3\.weight"/.test(e.message) &&
        /missing key\(s\) in the state dict: "fc1\.bias"/.test(e.message),
    );
    assert.deepEqual(nums(b.fc2.bias!), before);
    assert.deepEqual(b.loadStateDict(sd, { strict: false }), { missingKeys: ["fc1.bias"], unexpectedKeys: ["fc3.weight"] });
    assert.deepEqual(nums(b.fc2.bias!), new Array(10).fill(0));
    const bad = new Map(Object.entries(a.stateDict()));
    bad.set("fc2.weight", tt.zeros([10, 127]));
    assert.throws(
      () => b.loadStateDict(bad, { strict: false }),
      /size mismatch for "fc2\.weight": the state dict has shape \[10,127\], the model has shape \[10,128\]/,
    );
  });

  it("train() and eval() switch every module; dropout and batch norm follow", () => {
    const net = new Net();
    assert.ok(net.modules().every((m) => m.training));
    assert.equal(net.eval(), net);
    assert.ok(net.modules().every((m) => !m.training));
    const x = tt.randn([4, 1, 8, 8]);
    assert.deepEqual(nums(net.forward(x)), nums(net.forward(x))); // deterministic in eval
    const bn = net.features.at(1) as nn.BatchNorm2d;
    assert.equal(bn.numBatchesTracked, 0);
    net.train();
    net.forward(x);
    assert.equal(bn.numBatchesTracked, 1);
    assert.ok(net.modules().every((m) => m.training));
  });

  it("zeroGrad sets gradients to null (or to zeros in place with setToNone false)", () => {
    const mlp = new MLP();
    mlp
      .forward(tt.randn([3, 784]))
      .sum()
      .backward();
    assert.ok(mlp.parameters().every((p) => p.grad !== null));
    const g = mlp.fc1.bias!.grad!;
    mlp.zeroGrad(false);
    assert.equal(mlp.fc1.bias!.grad, g);
    assert.ok(nums(g).every((v) => v === 0));
    mlp.zeroGrad();
    assert.ok(mlp.parameters().every((p) => p.grad === null));
  });

  it("shared submodules and parameters are listed once; the state dict keeps every key", () => {
    class Tied extends nn.Module {
      enc = new nn.Linear(3, 3);
      dec = this.enc;
      forward(x: tt.Tensor): tt.Tensor {
        return this.dec.forward(this.enc.forward(x));
      }
    }
    const t = new Tied();
    assert.equal(t.parameters().length, 2);
    assert.deepEqual(
      t.namedParameters().map(([k]) => k),
      ["enc.weight", "enc.bias"],
    );
    assert.deepEqual(Object.keys(t.stateDict()), ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]);
  });

  it("registration helpers, ModuleList names, and a clear error for a plain array of modules", () => {
    class Custom extends nn.Module {
      layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
      constructor() {
        super();
        this.registerBuffer("steps", tt.zeros([1]));
        this.registerBuffer("cache", tt.zeros([2]), false);
        this.registerParameter("gain", tt.ones([2]));
        this.registerModule("extra", new nn.Identity());
      }
      forward(x: tt.Tensor): tt.Tensor {
        for (const l of this.layers) x = l.forward(x);
        return x;
      }
    }
    const c = new Custom();
    assert.deepEqual(Object.keys(c.stateDict()), ["gain", "steps", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]);
    assert.deepEqual(
      c.namedBuffers().map(([k]) => k),
      ["steps", "cache"],
    );
    assert.equal(c.layers.length, 2);
    assert.equal(c.layers.at(-1), [...c.layers][1]);
    class Wrong extends nn.Module {
      layers = [new nn.Linear(2, 2)];
      forward(x: tt.Tensor): tt.Tensor {
        return x;
      }
    }
    assert.throws(() => new Wrong().parameters(), /property "layers" is an array of modules.*nn\.ModuleList/);
    assert.throws(() => new nn.ModuleList().forward(), /has no forward/);
  });

  it("to(dtype) converts floating parameters and buffers, keeping them leaves that require grad", () => {
    const net = new Net();
    const g = tt.randn([1]);
    net.scale.grad = g;
    assert.equal(net.to("float64"), net);
    for (const [k, t] of Object.entries(net.stateDict({ keepVars: true })))
      assert.equal(t.dtype, k.endsWith("num_batches_tracked") ? "int64" : "float64", k);
    assert.ok(net.parameters().every((p) => p.requiresGrad && p.isLeaf && nn.isParameter(p)));
    assert.equal(net.scale.grad?.dtype, "float64");
    const y = net.forward(tt.randn([2, 1, 8, 8], { dtype: "float64" }));
    assert.equal(y.dtype, "float64");
    y.sum().backward();
    assert.equal(net.head.at(2).parameters()[0].grad?.dtype, "float64");
    assert.equal(net.float().scale.dtype, "float32");
    assert.equal(net.to("cpu"), net);
    assert.throws(() => net.to("cuda"), /device "cuda" is not available/);
  });

  it("modules built inside tt.tidy keep their parameters and buffers", () => {
    const net = tt.tidy(() => {
      const n = new Net();
      n.forward(tt.randn([2, 1, 8, 8]));
      return n;
    });
    assert.ok(net.parameters().every((p) => !p.isDisposed));
    assert.ok(net.buffers().every((b) => !b.isDisposed));
    assert.deepEqual(net.forward(tt.randn([2, 1, 8, 8])).shape, [2, 10]);
  });

  it("100 training steps inside tidy do not grow live tensors or bytes", () => {
    tt.manualSeed(0);
    const model = new nn.Sequential(
      new nn.Linear(16, 32),
      new nn.BatchNorm1d(32),
      new nn.GELU(),
      new nn.Dropout(0.2),
      new nn.Linear(32, 4),
    );
    const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
    const x = tt.randn([8, 16]),
      y = tt.randint(0, 4, [8]);
    const stepOnce = (): number =>
      tt.tidy(() => {
        model.zeroGrad();
        const loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        tt.noGrad(() => {
          for (const p of model.parameters()) p.sub_(p.grad!.mul(0.1));
        });
        return Number(loss.item());
      });
    const losses: number[] = [];
    for (let i = 0; i < 10; i++) losses.push(stepOnce());
    const mid = tt.memory();
    for (let i = 0; i < 90; i++) losses.push(stepOnce());
    const end = tt.memory();
    assert.equal(end.liveTensors, mid.liveTensors);
    assert.equal(end.liveBytes, mid.liveBytes);
    assert.ok(losses[99] < losses[0], `loss went from ${losses[0]} to ${losses[99]}`);
  });

  it("trains with optim.AdamW, gradient clipping and bfloat16 autocast; memory stays flat", () => {
    tt.manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(16, 32), new nn.LayerNorm(32), new nn.GELU(), new nn.Linear(32, 4));
    const opt = new tt.optim.AdamW(model.parameters(), { lr: 1e-2 });
    const x = tt.randn([8, 16]),
      y = tt.randint(0, 4, [8]);
    const losses: number[] = [];
    let live = 0;
    for (let i = 0; i < 50; i++) {
      losses.push(
        tt.tidy(() => {
          opt.zeroGrad();
          const loss = tt.autocast({ dtype: "bfloat16" }, () => nn.F.crossEntropy(model.forward(x), y));
          loss.backward();
          tt.optim.clipGradNorm(model.parameters(), 1.0);
          opt.step();
          return Number(loss.item());
        }),
      );
      if (i === 5) live = tt.memory().liveTensors;
    }
    assert.equal(tt.memory().liveTensors, live);
    assert.ok(losses[49] < losses[0] / 10, `loss went from ${losses[0]} to ${losses[49]}`);
    assert.ok(model.parameters().every((p) => p.dtype === "float32" && p.grad?.dtype === "float32"));
  });
});
