/** Functional convolution, pooling and padding over NCHW tensors. */
import {
  avgPool2d as ttAvgPool2d,
  cat,
  conv2d as ttConv2d,
  fmtShape,
  fromTypedArray,
  full,
  maxPool2d as ttMaxPool2d,
  ones,
  tidy,
  type Pair,
  type Tensor,
} from "./core.js";

/** Options of conv2d: padding may also be "valid" (none) or "same" (output size = input size, stride 1). */
export interface ConvOptions {
  stride?: Pair;
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  groups?: number;
}

const two = (p: Pair | undefined, d: number): [number, number] =>
  p === undefined ? [d, d] : typeof p === "number" ? [p, p] : [p[0], p[1]];

/**
 * 2-d convolution of x [N, C, H, W] (or [C, H, W]) with weight [O, C/groups, kh, kw].
 *
 * @example
 * nn.F.conv2d(x, w, b, { padding: "same" });
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  const { padding = 0, stride, dilation, groups } = options;
  if (x.ndim === 3) return tidy(() => conv2d(x.unsqueeze(0), weight, bias, options).squeeze(0));
  if (padding === "valid") return ttConv2d(x, weight, bias ?? undefined, { stride, dilation, groups });
  if (padding !== "same") return ttConv2d(x, weight, bias ?? undefined, { stride, padding, dilation, groups });
  if (two(stride, 1).some((s) => s !== 1)) throw new Error('conv2d: padding="same" is not supported for strided convolutions');
  const [dh, dw] = two(dilation, 1);
  const total = [dh * (weight.shape[2] - 1), dw * (weight.shape[3] - 1)];
  const lo = total.map((t) => Math.floor(t / 2)),
    hi = total.map((t, i) => t - lo[i]);
  if (lo[0] === hi[0] && lo[1] === hi[1]) return ttConv2d(x, weight, bias ?? undefined, { padding: [lo[0], lo[1]], dilation, groups });
  // An even kernel needs one more row/column after than before, as PyTorch pads it.
  return tidy(() => ttConv2d(pad(x, [lo[1], hi[1], lo[0], hi[0]]), weight, bias ?? undefined, { dilation, groups }));
}

/** Options of maxPool2d; stride defaults to the kernel size. */
export interface MaxPoolOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

function noCeil(op: string, ceilMode: boolean | undefined): void {
  if (ceilMode) throw new Error(`${op}: ceilMode is not supported; pad the input so the windows fit instead`);
}

/** Max over kh x kw windows. @example nn.F.maxPool2d(x, 2) */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPoolOptions = {}): Tensor {
  noCeil("maxPool2d", options.ceilMode);
  return ttMaxPool2d(x, kernelSize, { stride: options.stride ?? undefined, padding: options.padding, dilation: options.dilation });
}

/** Options of avgPool2d; stride defaults to the kernel size. */
export interface AvgPoolOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  /** Count the zero padding in each window's divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

/** Mean over kh x kw windows. @example nn.F.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }) */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPoolOptions = {}): Tensor {
  const { countIncludePad = true, divisorOverride = null, padding } = options;
  noCeil("avgPool2d", options.ceilMode);
  const o = { stride: options.stride ?? undefined, padding };
  const [kh, kw] = two(kernelSize, 1);
  if (divisorOverride !== null) return tidy(() => ttAvgPool2d(x, kernelSize, o).mul((kh * kw) / divisorOverride));
  if (countIncludePad || two(padding, 0).every((p) => p === 0)) return ttAvgPool2d(x, kernelSize, o);
  return tidy(() => {
    // The share of each window inside the input, from pooling a tensor of ones.
    const inside = ttAvgPool2d(ones([1, 1, ...x.shape.slice(-2)], { dtype: x.dtype, device: x.device }), kernelSize, o);
    return ttAvgPool2d(x, kernelSize, o).div(x.ndim === 3 ? inside.squeeze(0) : inside);
  });
}

/**
 * Average pooling to a fixed output size (null keeps that input size). Windows are
 * PyTorch's: [floor(i·H/oh), ceil((i+1)·H/oh)).
 *
 * @example
 * nn.F.adaptiveAvgPool2d(x, 1).shape; // [N, C, 1, 1]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`adaptiveAvgPool2d: expected [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  const [H, W] = x.shape.slice(-2);
  const req = typeof outputSize === "number" ? [outputSize, outputSize] : [outputSize[0], outputSize[1]];
  const [oh, ow] = [req[0] ?? H, req[1] ?? W];
  if (![oh, ow].every((s) => Number.isInteger(s) && s > 0))
    throw new RangeError(`adaptiveAvgPool2d: output size must be positive integers, got ${String(outputSize)}`);
  if (H % oh === 0 && W % ow === 0) return ttAvgPool2d(x, [H / oh, W / ow]);
  // Windows are rectangles, so a mean over rows then over columns is the window mean.
  return tidy(() => {
    const along = (t: Tensor, dim: number, n: number, o: number): Tensor => {
      const parts: Tensor[] = [];
      for (let i = 0; i < o; i++) {
        const s = Math.floor((i * n) / o),
          e = Math.ceil(((i + 1) * n) / o);
        parts.push(t.narrow(dim, s, e - s).mean(dim, true));
      }
      return cat(parts, dim);
    };
    return along(along(x, x.ndim - 2, H, oh), x.ndim - 1, W, ow);
  });
}

/** How pad fills: a constant, or the input's own values mirrored, repeated or wrapped. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

function sourceIndex(mode: Exclude<PadMode, "constant">, j: number, n: number): number {
  if (mode === "replicate") return Math.min(Math.max(j, 0), n - 1);
  if (mode === "circular") return ((j % n) + n) % n;
  return j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
}

/**
 * Pads the last dims: `pad` lists (before, after) pairs starting from the last dim, as
 * PyTorch's F.pad; negative amounts crop.
 *
 * @example
 * nn.F.pad(x, [1, 1, 2, 0]);           // W by 1 on both sides, H by 2 on top
 * nn.F.pad(x, [2, 2], { mode: "reflect" });
 */
export function pad(x: Tensor, amounts: readonly number[], options: { mode?: PadMode; value?: number } = {}): Tensor {
  const { mode = "constant", value = 0 } = options;
  if (amounts.length % 2 !== 0 || amounts.length / 2 > x.ndim || !amounts.every(Number.isInteger))
    throw new Error(`pad: expected an even number of integer amounts for at most ${x.ndim} dims, got [${amounts.join(", ")}]`);
  // As PyTorch's constant_pad_nd: with some padding to add, every padded dim must keep at least one element
  // (cropping alone may leave none).
  if (mode === "constant" && amounts.some((a) => a > 0))
    for (let i = 0; i < amounts.length / 2; i++) {
      const dim = x.ndim - 1 - i,
        size = x.shape[dim] + amounts[2 * i] + amounts[2 * i + 1];
      if (size <= 0)
        throw new Error(
          `pad: the input size ${x.shape[dim]}, plus padding ${amounts[2 * i]} and ${amounts[2 * i + 1]}, leaves no elements in dimension ${dim}`,
        );
    }
  return tidy(() => {
    let y = x;
    for (let i = 0; i < amounts.length / 2; i++) {
      const dim = x.ndim - 1 - i,
        before = amounts[2 * i],
        after = amounts[2 * i + 1];
      const n = y.shape[dim];
      if (before === 0 && after === 0) continue;
      if (mode === "constant") {
        if (before < 0 || after < 0) {
          const s = Math.max(0, -before),
            e = n - Math.max(0, -after);
          // Cropping may leave nothing (the padding then fills the result), not less than nothing.
          if (e < s) throw new Error(`pad: cropping ${-before} and ${-after} is more than dimension ${dim} holds (size ${n})`);
          y = y.narrow(dim, s, e - s);
        }
        const parts: Tensor[] = [];
        const side = (k: number): Tensor =>
          full(
            y.shape.map((s, d) => (d === dim ? k : s)),
            value,
            { dtype: y.dtype, device: y.device },
          );
        if (before > 0) parts.push(side(before));
        parts.push(y);
        if (after > 0) parts.push(side(after));
        if (parts.length > 1) y = cat(parts, dim);
        continue;
      }
      if (mode === "reflect" && (before >= n || after >= n))
        throw new Error(`pad: reflect padding must be smaller than the dimension (${n}), got ${before} and ${after}`);
      const idx: number[] = [];
      for (let j = -before; j < n + after; j++) idx.push(sourceIndex(mode, j, n));
      y = y.indexSelect(
        dim,
        fromTypedArray(
          BigInt64Array.from(idx, (j) => BigInt(j)),
          undefined,
          { device: y.device },
        ),
      );
    }
    // A new tensor even when nothing is padded or only cropped, as PyTorch: never the input or a view of it.
    return y.storage === x.storage ? y.clone() : y;
  });
}
