import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";

import * as tt from "@tessera/tensor";

const { nn, optim } = tt;

function setup(): {
  model: InstanceType<typeof nn.Sequential>;
  opt: InstanceType<typeof optim.AdamW>;
  sched: InstanceType<typeof optim.StepLR>;
} {
  tt.manualSeed(7);
  const model = new nn.Sequential(new nn.Linear(6, 16), new nn.LayerNorm(16), new nn.GELU(), new nn.Linear(16, 3));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
  const sched = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
  return { model, opt, sched };
}

function train(s: ReturnType<typeof setup>, steps: number, from: number): void {
  for (let i = from; i < from + steps; i++) {
    tt.manualSeed(100 + i);
    const x = tt.randn([8, 6]),
      y = tt.randint(0, 3, [8]);
    tt.tidy(() => {
      const loss = nn.F.crossEntropy(s.model.forward(x), y);
      s.opt.zeroGrad();
      loss.backward();
      s.opt.step();
      s.sched.step();
    });
  }
}

describe("a training run resumed from a checkpoint", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tessera-resume-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("continues exactly where the uninterrupted run goes (model, optimizer, scheduler, step)", async () => {
    const straight = setup();
    train(straight, 6, 0);

    const first = setup();
    train(first, 3, 0);
    const file = path.join(dir, "run.safetensors");
    await tt.saveCheckpoint(file, {
      model: first.model.stateDict(),
      optimizer: first.opt.stateDict(),
      step: 3,
      extra: { scheduler: first.sched.stateDict() },
    });

    const resumed = setup();
    const ckpt = await tt.loadCheckpoint(file);
    resumed.model.loadStateDict(ckpt.model!);
    resumed.opt.loadStateDict(ckpt.optimizer as Parameters<typeof resumed.opt.loadStateDict>[0]);
    resumed.sched.loadStateDict((ckpt.extra as { scheduler: Parameters<typeof resumed.sched.loadStateDict>[0] }).scheduler);
    assert.equal(ckpt.step, 3);
    train(resumed, 3, 3);

    const a = straight.model.stateDict(),
      b = resumed.model.stateDict();
    assert.deepEqual(Object.keys(a), Object.keys(b));
    for (const k of Object.keys(a)) assert.deepEqual(Array.from(b[k].data() as Float32Array), Array.from(a[k].data() as Float32Array), k);
    assert.equal(resumed.opt.paramGroups[0].lr, straight.opt.paramGroups[0].lr);
  });
});
