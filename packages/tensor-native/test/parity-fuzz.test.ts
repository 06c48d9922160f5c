/**
 * The differential fuzzer against PyTorch, quick slice (the long run is `npm run test:parity`):
 * fixed seeds, so a failure here reproduces with `npm run fuzz -- --seed N`. The fuzzer itself
 * is checked against planted defects: a wrong value, a wrong dtype, a missing raise and a
 * wrong gradient must each be found and shrunk to a short reproduction in both languages.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import * as tt from "../src/ts/index.js";
import { agreement, formatFailure, fuzz, totals, type FuzzReport } from "./parity/fuzz.js";
import { findTorch, TorchPeer } from "./parity/torch-peer.js";

const torch = findTorch();
const skip = "missing" in torch ? `PyTorch is not available: ${torch.missing}` : false;
if (skip) console.log(`# parity-fuzz skipped: ${skip}`);

let peer: TorchPeer;
before(() => {
  if (!skip && "python" in torch) peer = new TorchPeer(torch.python);
});
after(() => peer?.close());

function report(r: FuzzReport): string {
  return r.failures
    .slice(0, 5)
    .map((f) => formatFailure(f, 1500))
    .join("\n");
}

describe("parity with PyTorch", { skip }, () => {
  for (const seed of [11, 12, 13]) {
    test(`seed ${seed}: at least 99.5% of 250 programs agree`, async () => {
      const r = await fuzz(peer, { seed, count: 250 });
      const t = totals(r);
      console.log(
        `# seed ${seed}: ${t.programs} programs, ${t.agree} agree, ${t.deliberate} deliberate, ${t.noReference} without a PyTorch kernel, ${t.failures} differ`,
      );
      assert.ok(agreement(t) >= 99.5, `agreement ${agreement(t).toFixed(2)}%:\n${report(r)}`);
      assert.equal(r.peerCrashes.length, 0);
    });
  }
});

/** Replaces a Tensor method for the duration of fn: a defect planted where the fuzzer must find it. */
async function planted<T>(
  name: string,
  impl: (orig: (...a: unknown[]) => tt.Tensor) => (this: tt.Tensor, ...a: unknown[]) => unknown,
  fn: () => Promise<T>,
): Promise<T> {
  const P = tt.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => tt.Tensor>;
  const orig = P[name];
  P[name] = impl(orig) as never;
  try {
    return await fn();
  } finally {
    P[name] = orig;
  }
}

describe("the fuzzer finds planted defects", { skip }, () => {
  const cases: [string, string, (orig: (...a: unknown[]) => tt.Tensor) => (this: tt.Tensor, ...a: unknown[]) => unknown][] = [
    [
      "a wrong value (add off by 1e-3 on float tensors)",
      "add",
      (orig) =>
        function (this: tt.Tensor, ...a: unknown[]) {
          const y = orig.apply(this, a);
          return y.dtype === "float32" || y.dtype === "float64" ? tt.noGrad(() => orig.call(y, orig.call(y, y).mul(0.0005))) : y;
        },
    ],
    [
      "a wrong dtype (argmax as int32)",
      "argmax",
      (orig) =>
        function (this: tt.Tensor, ...a: unknown[]) {
          return orig.apply(this, a).to("int32");
        },
    ],
    [
      "a wrong raise (reshape refuses -1)",
      "reshape",
      (orig) =>
        function (this: tt.Tensor, ...a: unknown[]) {
          if (JSON.stringify(a).includes("-1")) throw new RangeError("reshape: -1 is not supported");
          return orig.apply(this, a);
        },
    ],
  ];
  for (const [what, name, impl] of cases) {
    test(what, async () => {
      const r = await planted(name, impl, () => fuzz(peer, { seed: 5, count: 300, families: ["chain"] }));
      const hits = r.failures.filter((f) => f.ts.includes(`.${name}(`));
      assert.ok(hits.length > 0, `no failure mentions ${name}; ${r.failures.length} failures in all`);
      const f = hits.reduce((a, b) => (a.program.steps.length <= b.program.steps.length ? a : b));
      assert.ok(f.program.steps.length <= 12, `not shrunk: ${f.program.steps.length} steps\n${f.ts}`);
      assert.match(f.ts, /^import \* as tt from "@tessera\/tensor";/);
      assert.match(f.py, /^import torch\n/);
      assert.ok(f.py.includes(`.${name}(`), f.py);
    });
  }

  test("a wrong gradient (sum's backward doubled)", async () => {
    const r = await planted(
      "sum",
      (orig) =>
        function (this: tt.Tensor, ...a: unknown[]) {
          const y = orig.apply(this, a);
          return y.requiresGrad ? y.add(y.sub(y.detach())) : y; // the same value, twice the gradient
        },
      () => fuzz(peer, { seed: 6, count: 200, families: ["chain"] }),
    );
    const hits = r.failures.filter((f) => f.ts.includes(".sum(") && /\.grad;$/.test(f.ts.trim().split("\n").pop()!));
    assert.ok(hits.length > 0, `the doubled gradient went unnoticed; ${r.failures.length} failures`);
  });
});
