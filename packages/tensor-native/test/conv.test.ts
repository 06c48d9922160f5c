import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { assertClose, nums, randomArray } from "./helpers.ts";

interface Geo {
  s: [number, number];
  p: [number, number];
  d: [number, number];
  g: number;
}

// Direct float64 convolution straight from the definition.
function refConv(
  x: number[],
  xs: number[],
  w: number[],
  ws: number[],
  b: number[] | undefined,
  o: Geo,
): { out: number[]; shape: number[] } {
  const [N, C, H, W] = xs,
    [O, Cg, kh, kw] = ws;
  const oh = Math.floor((H + 2 * o.p[0] - o.d[0] * (kh - 1) - 1) / o.s[0]) + 1;
  const ow = Math.floor((W + 2 * o.p[1] - o.d[1] * (kw - 1) - 1) / o.s[1]) + 1;
  const out: number[] = [];
  const Og = O / o.g;
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = b ? b[oc] : 0;
          const g = Math.floor(oc / Og);
          for (let c = 0; c < Cg; c++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const ih = i * o.s[0] - o.p[0] + u * o.d[0],
                  iw = j * o.s[1] - o.p[1] + v * o.d[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += x[((n * C + g * Cg + c) * H + ih) * W + iw] * w[((oc * Cg + c) * kh + u) * kw + v];
              }
          out.push(acc);
        }
  return { out, shape: [N, O, oh, ow] };
}

test("conv2d matches a direct reference: stride, padding, dilation, groups, bias", () => {
  const cases: [number[], number[], Geo, boolean][] = [
    [[2, 3, 7, 6], [4, 3, 3, 3], { s: [1, 1], p: [0, 0], d: [1, 1], g: 1 }, false],
    [[1, 4, 9, 9], [6, 2, 3, 2], { s: [2, 1], p: [1, 2], d: [1, 2], g: 2 }, true],
    [[2, 4, 5, 5], [4, 1, 3, 3], { s: [1, 1], p: [1, 1], d: [1, 1], g: 4 }, true], // depthwise
    [[1, 2, 4, 4], [3, 2, 1, 1], { s: [1, 1], p: [0, 0], d: [1, 1], g: 1 }, false],
  ];
  let seed = 1;
  for (const [xs, ws, o, withBias] of cases) {
    const x = randomArray(
        xs.reduce((a, b) => a * b),
        seed++,
      ),
      w = randomArray(
        ws.reduce((a, b) => a * b),
        seed++,
      );
    const b = withBias ? randomArray(ws[0], seed++) : undefined;
    const tx = tt.fromTypedArray(new Float64Array(x), xs),
      tw = tt.fromTypedArray(new Float64Array(w), ws);
    const tb = b ? tt.fromTypedArray(new Float64Array(b)) : undefined;
    const got = tt.conv2d(tx, tw, tb, { stride: o.s, padding: o.p, dilation: o.d, groups: o.g });
    const want = refConv(x, xs, w, ws, b, o);
    assert.deepEqual(got.shape, want.shape);
    assertClose(nums(got), want.out, 1e-12, 1e-12, `conv ${JSON.stringify(o)}`);
    const f32 = tt.conv2d(tx.float(), tw.float(), tb?.float(), { stride: o.s, padding: o.p, dilation: o.d, groups: o.g });
    assertClose(nums(f32), want.out, 1e-4, 1e-5, "conv f32");
  }
});

test("conv2d errors say what does not fit", () => {
  assert.throws(() => tt.conv2d(tt.zeros([1, 3, 5, 5]), tt.zeros([2, 2, 3, 3])), /do not fit groups=1/);
  assert.throws(() => tt.conv2d(tt.zeros([1, 3, 2, 2]), tt.zeros([2, 3, 3, 3])), /too small/);
  assert.throws(() => tt.conv2d(tt.zeros([3, 5, 5]), tt.zeros([2, 3, 3, 3])), /expected input \[N, C, H, W\]/);
});

test("maxPool2d and avgPool2d", () => {
  const x = tt.arange(16).reshape(1, 1, 4, 4).float();
  assert.deepEqual(tt.maxPool2d(x, 2).toArray(), [
    [
      [
        [5, 7],
        [13, 15],
      ],
    ],
  ]);
  assert.deepEqual(tt.avgPool2d(x, 2).toArray(), [
    [
      [
        [2.5, 4.5],
        [10.5, 12.5],
      ],
    ],
  ]);
  assert.deepEqual(tt.maxPool2d(x, 3, { stride: 1, padding: 1 }).select(2, 0).toArray(), [[[5, 6, 7, 7]]]);
  // padding counts toward the average, as PyTorch's count_include_pad=True
  assert.deepEqual(tt.avgPool2d(tt.ones([1, 1, 2, 2]), 2, { stride: 1, padding: 1 }).toArray(), [
    [
      [
        [0.25, 0.5, 0.25],
        [0.5, 1, 0.5],
        [0.25, 0.5, 0.25],
      ],
    ],
  ]);
  assert.deepEqual(tt.maxPool2d(tt.arange(9).reshape(1, 3, 3).float(), 2, { stride: 1 }).shape, [1, 2, 2]);
  assert.deepEqual(tt.maxPool2d(x, 2, { dilation: 2 }).toArray(), [[[[10]]]]);
});
