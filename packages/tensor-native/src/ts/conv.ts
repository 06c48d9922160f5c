/** conv2d (im2col + matmul) and 2-d max/average pooling over NCHW tensors. */
import { backend } from "./dispatch.js";
import { isFloating, isHalf } from "./dtype.js";
import { matmul } from "./matmul.js";
import { WINDOW } from "./opcodes.js";
import { castOwned, contiguousOrSelf, emptyTensor, fmtShape, type Tensor } from "./tensor.js";

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export function pair(v: Pair | undefined, d: number, what: string, op: string, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [d, d] : typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) throw new RangeError(`${op}: ${what} must be integers >= ${min}, got ${String(v)}`);
  return p;
}

export function outSize(op: string, inp: number, k: number, s: number, p: number, d: number): number {
  const o = Math.floor((inp + 2 * p - d * (k - 1) - 1) / s) + 1;
  if (o <= 0) throw new Error(`${op}: the input is too small (${inp}) for kernel ${k} with padding ${p} and dilation ${d}`);
  return o;
}

function wide(x: Tensor): Tensor {
  return isHalf(x.dtype) ? x.to("float32") : contiguousOrSelf(x);
}

/**
 * 2-d convolution (cross-correlation, as PyTorch) of x [N, C, H, W] with weight
 * [O, C/groups, kh, kw] and an optional bias [O].
 *
 * @example
 * tt.conv2d(tt.randn([1, 3, 32, 32]), tt.randn([8, 3, 3, 3]), undefined, { padding: 1 }).shape; // [1, 8, 32, 32]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor, options: Conv2dOptions = {}): Tensor {
  x.check("conv2d");
  weight.check("conv2d");
  if (x.ndim !== 4 || weight.ndim !== 4)
    throw new Error(
      `conv2d: expected input [N, C, H, W] and weight [O, C/groups, kh, kw], got ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`,
    );
  if (!isFloating(x.dtype) || x.dtype !== weight.dtype)
    throw new TypeError(`conv2d: input and weight must share a floating dtype, got ${x.dtype} and ${weight.dtype}`);
  const groups = options.groups ?? 1;
  const [N, C, H, W] = x.shape,
    [O, Cg, kh, kw] = weight.shape;
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0 || O % groups !== 0 || Cg !== C / groups)
    throw new Error(
      `conv2d: input ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)} do not fit groups=${groups} (weight needs C/groups = ${C / groups} input channels)`,
    );
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new Error(`conv2d: bias must have shape [${O}], got ${fmtShape(bias.shape)}`);
  if (bias && bias.dtype !== x.dtype)
    throw new TypeError(`conv2d: the bias is ${bias.dtype} but the input is ${x.dtype} (as in PyTorch, they must match); cast it first`);
  const [sh, sw] = pair(options.stride, 1, "stride", "conv2d", 1);
  const [ph, pw] = pair(options.padding, 0, "padding", "conv2d", 0);
  const [dh, dw] = pair(options.dilation, 1, "dilation", "conv2d", 1);
  const oh = outSize("conv2d", H, kh, sh, ph, dh),
    ow = outSize("conv2d", W, kw, sw, pw, dw);
  const xs = wide(x),
    ws = wide(weight);
  const K = Cg * kh * kw,
    L = oh * ow;
  const cols = emptyTensor([C * kh * kw, N, L], xs.dtype, x.device);
  const temps: Tensor[] = [cols];
  try {
    if (cols.numel() > 0) backend(x.device).window2d(WINDOW.im2col, xs, cols, [kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]);
    // One GEMM per group over the whole batch: [O/g, K] x [K, N*L].
    const colsG = cols.reshape(groups, K, N * L),
      wG = ws.reshape(groups, O / groups, K);
    temps.push(colsG, wG);
    const y = matmul(wG, colsG); // [groups, O/groups, N*L]
    temps.push(y);
    const yv = y.reshape(O, N, L);
    const nchw = yv.permute(1, 0, 2);
    temps.push(yv, nchw);
    const c = nchw.contiguous();
    temps.push(c);
    let out = c.reshape(N, O, oh, ow); // a view: keeps c's storage after c is disposed
    if (bias) {
      const b = bias.reshape(1, O, 1, 1);
      const withBias = out.add(b);
      b.dispose();
      out.dispose();
      out = withBias;
    }
    return castOwned(out, x.dtype);
  } finally {
    for (const t of temps) t.dispose();
    if (xs !== x) xs.dispose();
    if (ws !== weight) ws.dispose();
  }
}

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

function pool(
  kind: typeof WINDOW.maxPool | typeof WINDOW.avgPool,
  op: string,
  x: Tensor,
  kernelSize: Pair,
  options: Pool2dOptions,
): Tensor {
  x.check(op);
  if (x.ndim !== 4 && x.ndim !== 3) throw new Error(`${op}: expected [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  if (x.ndim === 3) {
    const x4 = x.unsqueeze(0);
    const r = pool(kind, op, x4, kernelSize, options);
    x4.dispose();
    const r3 = r.squeeze(0);
    r.dispose();
    return r3;
  }
  const [kh, kw] = pair(kernelSize, 1, "kernel size", op, 1);
  const [sh, sw] = pair(options.stride ?? [kh, kw], 1, "stride", op, 1);
  const [ph, pw] = pair(options.padding, 0, "padding", op, 0);
  const [dh, dw] = pair(options.dilation, 1, "dilation", op, 1);
  if (ph * 2 > kh || pw * 2 > kw) throw new Error(`${op}: padding must be at most half the kernel size`);
  if (
    kind === WINDOW.maxPool &&
    !(x.dtype === "float32" || x.dtype === "float64" || x.dtype === "int32" || x.dtype === "int64" || isHalf(x.dtype))
  )
    throw new TypeError(`${op}: unsupported dtype ${x.dtype}`);
  if (kind === WINDOW.avgPool && !isFloating(x.dtype)) throw new TypeError(`${op}: needs a floating point input, got ${x.dtype}`);
  const [N, C, H, W] = x.shape;
  const oh = outSize(op, H, kh, sh, ph, dh),
    ow = outSize(op, W, kw, sw, pw, dw);
  const xs = wide(x);
  const out = emptyTensor([N, C, oh, ow], xs.dtype, x.device);
  try {
    if (out.numel() > 0) backend(x.device).window2d(kind, xs, out, [kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]);
  } finally {
    if (xs !== x) xs.dispose();
  }
  return castOwned(out, x.dtype);
}

/** Max over kh x kw windows (stride defaults to the kernel size). @example tt.maxPool2d(x, 2) */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return pool(WINDOW.maxPool, "maxPool2d", x, kernelSize, options);
}

/** Mean over kh x kw windows, padding counted (PyTorch's default). @example tt.avgPool2d(x, 2) */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: Omit<Pool2dOptions, "dilation"> = {}): Tensor {
  return pool(WINDOW.avgPool, "avgPool2d", x, kernelSize, options);
}
