// The examples/mnist-mlp.ipynb training steps on the device: the notebook's model, data,
// optimizer and schedule learn the digits, memory stays flat, and without dropout the
// first steps follow the CPU's losses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "../../src/ts/index.ts";
import { DEV, ON_GPU } from "./helpers.ts";

const { nn, optim, data } = tt;

function mlp(p: number): tt.nn.Sequential {
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Dropout(p),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Dropout(p),
    new nn.Linear(512, 10),
  );
}

describe("mnist-mlp on the device", () => {
  it("trains as the notebook does: loss falls, test accuracy rises, memory stays flat", async () => {
    tt.manualSeed(0);
    const { train, test } = data.mnist({ trainCount: 3000, testCount: 500, seed: 0 });
    const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
    const model = mlp(0.2).to(DEV);
    const EPOCHS = 3;
    const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
    const schedule = new optim.OneCycleLR(opt, { maxLr: 3e-3, totalSteps: EPOCHS * loader.length });
    const [testImages, testLabels] = test.tensors.map((t) => t.to(DEV));
    const accuracy = (): number => {
      model.eval();
      const acc = tt.tidy(() => tt.noGrad(() => Number(model.forward(testImages).argmax(1).eq(testLabels).float().mean().item())));
      model.train();
      return acc;
    };
    const losses: number[] = [];
    const allocated: number[] = [];
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      let sum = 0;
      for await (const [xc, yc] of loader) {
        sum += tt.tidy(() => {
          const x = xc.to(DEV),
            y = yc.to(DEV);
          const loss = nn.F.crossEntropy(model.forward(x), y);
          opt.zeroGrad();
          loss.backward();
          opt.step();
          schedule.step();
          return Number(loss.item());
        });
        xc.dispose();
        yc.dispose();
      }
      losses.push(sum / loader.length);
      allocated.push(ON_GPU ? tt.cuda.memoryAllocated() : tt.memory().liveBytes);
    }
    const acc = accuracy();
    console.log(`losses per epoch ${losses.map((l) => l.toFixed(4)).join(", ")}; test accuracy ${(100 * acc).toFixed(1)}%`);
    assert.ok(losses[EPOCHS - 1] < losses[0] * 0.6, `loss fell: ${losses.join(", ")}`);
    assert.ok(acc > 0.85, `test accuracy ${acc}`);
    assert.ok(allocated[EPOCHS - 1] <= allocated[0] * 1.05 + 65536, `memory grew: ${allocated.join(", ")}`);
  });

  it("without dropout, the first 20 AdamW steps follow the CPU's losses", () => {
    tt.manualSeed(1);
    const { train } = data.mnist({ trainCount: 640, testCount: 10, seed: 1 });
    const [images, labels] = train.tensors;
    const cpuModel = mlp(0);
    const devModel = mlp(0);
    devModel.loadStateDict(cpuModel.stateDict());
    devModel.to(DEV);
    const run = (model: tt.nn.Sequential, device: tt.Device): number[] => {
      const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
      const out: number[] = [];
      for (let step = 0; step < 20; step++) {
        const i = (step % 10) * 64;
        out.push(
          tt.tidy(() => {
            const x = images.narrow(0, i, 64).to(device),
              y = labels.narrow(0, i, 64).to(device);
            const loss = nn.F.crossEntropy(model.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            return Number(loss.item());
          }),
        );
      }
      return out;
    };
    const a = run(cpuModel, "cpu"),
      b = run(devModel, DEV);
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i] - b[i]) <= 1e-3 * Math.max(1, Math.abs(a[i])), `step ${i}: ${b[i]} vs CPU ${a[i]}`);
  });
});
