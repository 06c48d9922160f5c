/** Backward formulas of conv2d (im2col again, two GEMMs, col2im) and the poolings. */
import {
  avgPool2d as rawAvgPool2d,
  conv2d as rawConv2d,
  maxPool2d as rawMaxPool2d,
  outSize,
  pair,
  type Conv2dOptions,
  type Pair,
  type Pool2dOptions,
} from "../../conv.js";
import { backend } from "../../dispatch.js";
import { isHalf } from "../../dtype.js";
import { matmul as rawMatmul } from "../../matmul.js";
import { WINDOW, WINDOW_BACKWARD } from "../../opcodes.js";
import { contiguousOrSelf, emptyTensor, type Tensor } from "../../tensor.js";
import { autocastDType, lowPrecision } from "../autocast.js";
import { record, untracked } from "../record.js";

const wide = (t: Tensor): Tensor => (isHalf(t.dtype) ? t.to("float32") : contiguousOrSelf(t));

/**
 * 2-d convolution (cross-correlation, as PyTorch) of x [N, C, H, W] with weight
 * [O, C/groups, kh, kw] and an optional bias [O].
 *
 * @example
 * tt.conv2d(tt.randn([1, 3, 32, 32]), tt.randn([8, 3, 3, 3]), undefined, { padding: 1 }).shape; // [1, 8, 32, 32]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor, options: Conv2dOptions = {}): Tensor {
  if (autocastDType()) {
    x = lowPrecision(x);
    weight = lowPrecision(weight);
    bias = lowPrecision(bias);
  }
  const out = untracked(() => rawConv2d(x, weight, bias, options));
  return record("Conv2dBackward", out, [x, weight, bias], [x, weight], (g, [xs0, ws0]) => {
    const groups = options.groups ?? 1;
    const [sh, sw] = pair(options.stride, 1, "stride", "conv2d", 1);
    const [ph, pw] = pair(options.padding, 0, "padding", "conv2d", 0);
    const [dh, dw] = pair(options.dilation, 1, "dilation", "conv2d", 1);
    const xs = wide(xs0),
      ws = wide(ws0),
      gs = wide(g);
    const [N, C] = xs.shape,
      [O, Cg, kh, kw] = ws.shape,
      [, , oh, ow] = gs.shape;
    const geom = [kh, kw, sh, sw, ph, pw, dh, dw, oh, ow];
    const K = Cg * kh * kw,
      L = oh * ow;
    // g [N, O, L] -> [groups, O/groups, N*L], the layout of the forward GEMM's result.
    const gG = gs
      .reshape(N, groups, O / groups, L)
      .permute(1, 2, 0, 3)
      .reshape(groups, O / groups, N * L);
    let gx: Tensor | null = null,
      gw: Tensor | null = null;
    if (weight.requiresGrad) {
      const cols = emptyTensor([C * kh * kw, N, L], xs.dtype, xs.device);
      if (cols.numel() > 0) backend(xs.device).window2d(WINDOW.im2col, xs, cols, geom);
      gw = rawMatmul(gG, cols.reshape(groups, K, N * L).transpose(1, 2)).reshape(O, Cg, kh, kw);
    }
    if (x.requiresGrad) {
      const gcols = rawMatmul(ws.reshape(groups, O / groups, K).transpose(1, 2), gG)
        .reshape(C * kh * kw, N, L)
        .contiguous();
      gx = emptyTensor(xs.shape, xs.dtype, xs.device);
      if (gx.numel() > 0) backend(xs.device).window2dBackward(WINDOW_BACKWARD.col2im, gcols, gcols, gx, geom);
    }
    return [gx, gw, bias?.requiresGrad ? g.sum([0, 2, 3]) : null];
  });
}

function pooled(
  kind: typeof WINDOW_BACKWARD.maxPool | typeof WINDOW_BACKWARD.avgPool,
  op: string,
  raw: (x: Tensor, k: Pair, o: Pool2dOptions) => Tensor,
) {
  return function pool(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
    if (x.ndim === 3) return pool(x.unsqueeze(0), kernelSize, options).squeeze(0);
    const out = untracked(() => raw(x, kernelSize, options));
    return record(`${op[0].toUpperCase()}${op.slice(1)}Backward`, out, [x], [x], (g, [xs0]) => {
      const [kh, kw] = pair(kernelSize, 1, "kernel size", op, 1);
      const [sh, sw] = pair(options.stride ?? [kh, kw], 1, "stride", op, 1);
      const [ph, pw] = pair(options.padding, 0, "padding", op, 0);
      const [dh, dw] = pair(options.dilation, 1, "dilation", op, 1);
      const xs = wide(xs0),
        gs = wide(g);
      const [, , H, W] = xs.shape;
      const geom = [kh, kw, sh, sw, ph, pw, dh, dw, outSize(op, H, kh, sh, ph, dh), outSize(op, W, kw, sw, pw, dw)];
      const gx = emptyTensor(xs.shape, xs.dtype, xs.device);
      if (gx.numel() > 0) backend(xs.device).window2dBackward(kind, xs, gs, gx, geom);
      return [gx];
    });
  };
}

/** Max over kh x kw windows (stride defaults to the kernel size). @example tt.maxPool2d(x, 2) */
export const maxPool2d: (x: Tensor, kernelSize: Pair, options?: Pool2dOptions) => Tensor = pooled(
  WINDOW_BACKWARD.maxPool,
  "maxPool2d",
  rawMaxPool2d,
);
/** Mean over kh x kw windows, padding counted (PyTorch's default). @example tt.avgPool2d(x, 2) */
export const avgPool2d: (x: Tensor, kernelSize: Pair, options?: Omit<Pool2dOptions, "dilation">) => Tensor = pooled(
  WINDOW_BACKWARD.avgPool,
  "avgPool2d",
  rawAvgPool2d,
);
