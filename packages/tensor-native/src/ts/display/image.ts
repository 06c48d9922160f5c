/**
 * Tensors as pictures: `tt.display.image(x)` for one image, `tt.display.grid(batch)` for a
 * batch tiled like torchvision's make_grid. Both show an `image/png` output through the
 * kernel's `display` and return a handle whose `update` redraws it from another tensor.
 */
import { isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { kernelDisplay, type MimeBundle } from "./kernel-display.js";
import { encodePng, type RawImage } from "./png.js";

export interface ImageOptions {
  /**
   * Whole-number zoom, each pixel drawn as a scale x scale block (sharp edges, in any
   * viewer). Default: enough that the longer side reaches about 256 px, at most 8.
   */
  scale?: number;
  /**
   * Stretch the values from their own min..max to black..white. Without it, floating
   * point values are read as 0..1 and integers as 0..255 (clamped).
   */
  normalize?: boolean;
}

export interface GridOptions extends ImageOptions {
  /** Images per row (default 8, as torchvision's make_grid). */
  nrow?: number;
  /** Pixels between images and around the edge (default 2). The default zoom aims at about 512 px across. */
  padding?: number;
  /** Brightness of the padding, 0 (black, the default) .. 1 (white). */
  padValue?: number;
}

/** What `image` and `grid` return: `update` shows another tensor in the same output. */
export interface ImageHandle {
  /** The output's display id ("" outside a kernel, where nothing is shown). */
  readonly display_id: string;
  update(x: Tensor, options?: ImageOptions | GridOptions): void;
}

const CHANNELS = new Set([1, 3, 4]);
const MAX_PIXELS = 64 * 1024 * 1024;

/** The values as bytes 0..255, in the tensor's own (row-major) order. */
function toBytes(x: Tensor, normalize: boolean): Uint8Array {
  if (x.dtype === "uint8" && !normalize) return x.data() as Uint8Array;
  const f = x.dtype === "float32" ? x : x.to("float32");
  const v = f.data() as Float32Array;
  if (f !== x) f.dispose();
  const out = new Uint8Array(v.length);
  if (normalize) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const a = v[i];
      if (Number.isFinite(a)) {
        if (a < lo) lo = a;
        if (a > hi) hi = a;
      }
    }
    const k = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < v.length; i++) out[i] = Number.isFinite(v[i]) ? Math.round((v[i] - lo) * k) : v[i] === Infinity ? 255 : 0;
    return out;
  }
  // Uint8Array assignment clamps nothing, so clamp first; NaN becomes 0.
  const k = isFloating(x.dtype) || x.dtype === "bool" ? 255 : 1;
  for (let i = 0; i < v.length; i++) {
    const a = v[i] * k;
    out[i] = a >= 255 ? 255 : a > 0 ? Math.round(a) : 0;
  }
  return out;
}

/** Where channel c of pixel (y, x) sits in an image's bytes, for either layout. */
interface Layout {
  h: number;
  w: number;
  c: number;
  /** true: [C,H,W] planes; false: [H,W,C] interleaved. */
  planar: boolean;
}

function layoutOf(shape: readonly number[], op: string): Layout {
  if (shape.length === 2) return { h: shape[0], w: shape[1], c: 1, planar: false };
  if (shape.length === 3) {
    if (CHANNELS.has(shape[0])) return { c: shape[0], h: shape[1], w: shape[2], planar: true };
    if (CHANNELS.has(shape[2])) return { h: shape[0], w: shape[1], c: shape[2], planar: false };
    throw new RangeError(`${op}: a 3-d image needs 1, 3 or 4 channels first [C,H,W] or last [H,W,C], got shape [${shape.join(", ")}]`);
  }
  throw new RangeError(`${op}: expected an image of shape [H,W], [C,H,W] or [H,W,C], got shape [${shape.join(", ")}]`);
}

/** The default zoom: the longer side up to about `target` pixels, at most 8x. */
function checkScale(scale: number | undefined, h: number, w: number, op: string, target = 256): number {
  const s = scale ?? Math.min(8, Math.max(1, Math.floor(target / Math.max(h, w))));
  if (!Number.isInteger(s) || s < 1 || s > 64) throw new RangeError(`${op}: scale must be a whole number from 1 to 64, got ${scale}`);
  if (h * w * s * s > MAX_PIXELS) throw new RangeError(`${op}: a ${w * s}x${h * s} image is too large to show`);
  return s;
}

/** Nearest-neighbour zoom of interleaved pixels. */
function upscale(img: RawImage, s: number): RawImage {
  if (s === 1) return img;
  const { width, height, channels, data } = img;
  const W = width * s;
  const out = new Uint8Array(W * height * s * channels);
  const rowBytes = W * channels;
  for (let y = 0; y < height; y++) {
    const row = out.subarray(y * s * rowBytes, (y * s + 1) * rowBytes);
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * channels;
      for (let k = 0; k < s; k++) for (let c = 0; c < channels; c++) row[(x * s + k) * channels + c] = data[src + c];
    }
    for (let k = 1; k < s; k++) out.copyWithin((y * s + k) * rowBytes, y * s * rowBytes, (y * s + 1) * rowBytes);
  }
  return { width: W, height: height * s, channels, data: out };
}

/**
 * A tensor as 8-bit pixels: [H,W] grey, [C,H,W] or [H,W,C] with C = 1, 3 or 4.
 * @example const { width, height, channels, data } = tt.display.pixels(x);
 */
export function pixels(x: Tensor, options: ImageOptions = {}): RawImage {
  const L = layoutOf(x.shape, "image");
  const bytes = toBytes(x, options.normalize === true);
  const data = new Uint8Array(L.h * L.w * L.c);
  if (!L.planar || L.c === 1) data.set(bytes);
  else for (let c = 0; c < L.c; c++) for (let i = 0; i < L.h * L.w; i++) data[i * L.c + c] = bytes[c * L.h * L.w + i];
  return upscale({ width: L.w, height: L.h, channels: L.c as 1 | 3 | 4, data }, checkScale(options.scale, L.h, L.w, "image"));
}

/** A batch [N,C,H,W] or [N,H,W] tiled into one picture, `nrow` images per row. */
export function gridPixels(images: Tensor, options: GridOptions = {}): RawImage {
  const shape = images.shape;
  if (shape.length !== 3 && shape.length !== 4)
    throw new RangeError(`grid: expected images of shape [N,C,H,W] or [N,H,W], got shape [${shape.join(", ")}]`);
  const [n] = shape;
  const c = shape.length === 4 ? shape[1] : 1;
  if (!CHANNELS.has(c)) throw new RangeError(`grid: images need 1, 3 or 4 channels, got ${c} (shape [${shape.join(", ")}])`);
  const h = shape[shape.length - 2];
  const w = shape[shape.length - 1];
  const { nrow = 8, padding = 2, padValue = 0 } = options;
  if (!Number.isInteger(nrow) || nrow < 1) throw new RangeError(`grid: nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`grid: padding must be a non-negative integer, got ${padding}`);
  if (n === 0) throw new RangeError("grid: no images to show");
  const cols = Math.min(nrow, n);
  const rows = Math.ceil(n / cols);
  const W = cols * (w + padding) + padding;
  const H = rows * (h + padding) + padding;
  const pad = Math.round(Math.min(1, Math.max(0, padValue)) * 255);
  const data = new Uint8Array(W * H * c).fill(pad);
  // Opaque padding for RGBA, so the gaps show whatever the page's background is not.
  if (c === 4) for (let i = 3; i < data.length; i += 4) data[i] = 255;
  const bytes = toBytes(images, options.normalize === true);
  const plane = h * w;
  for (let k = 0; k < n; k++) {
    const x0 = padding + (k % cols) * (w + padding);
    const y0 = padding + Math.floor(k / cols) * (h + padding);
    const base = k * c * plane;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dst = ((y0 + y) * W + x0 + x) * c;
        for (let ch = 0; ch < c; ch++) data[dst + ch] = bytes[base + ch * plane + y * w + x];
      }
    }
  }
  return upscale({ width: W, height: H, channels: c as 1 | 3 | 4, data }, checkScale(options.scale, H, W, "grid", 512));
}

/**
 * A tensor as PNG file bytes (see {@link image} for shapes and value ranges).
 * @example writeFileSync("digit.png", tt.display.toPng(x, { scale: 4 }));
 */
export function toPng(x: Tensor, options: ImageOptions = {}): Uint8Array {
  return encodePng(pixels(x, options));
}

const KIND: Record<number, string> = { 1: "grey", 3: "RGB", 4: "RGBA" };

function bundleOf(img: RawImage, label: string): MimeBundle {
  return {
    "image/png": Buffer.from(encodePng(img)).toString("base64"),
    "text/plain": `<${label}: ${img.width}x${img.height} ${KIND[img.channels]} PNG>`,
  };
}

function handleFor(render: (x: Tensor, options: GridOptions) => RawImage, label: string, x: Tensor, options: GridOptions): ImageHandle {
  const display = kernelDisplay();
  const bundle = bundleOf(render(x, options), label);
  if (!display) return { display_id: "", update: (next: Tensor, opts: GridOptions = options) => void render(next, opts) };
  // The kernel's own handle, with an update that takes a tensor: the kernel knows its
  // handles, so a cell ending in `tt.display.image(x)` shows the image once, not the handle too.
  const handle = display(bundle, { raw: true });
  const send = handle.update.bind(handle);
  Object.defineProperty(handle, "update", {
    value: (next: Tensor, opts: GridOptions = options) => send(bundleOf(render(next, opts), label), { raw: true }),
    configurable: true,
    writable: true,
  });
  return handle as unknown as ImageHandle;
}

/**
 * Shows a tensor as an image output: [H,W] grey, [C,H,W] or [H,W,C] with C = 1 (grey),
 * 3 (RGB) or 4 (RGBA). Floats are read as 0..1, uint8 as 0..255; `normalize` stretches
 * min..max instead. Small images are zoomed with sharp pixels (see `scale`). Outside a
 * notebook kernel nothing is shown (use {@link toPng} to write a file).
 *
 * @example
 * tt.display.image(train.images.select(0, 0), { scale: 8 });
 * const h = tt.display.image(noise); h.update(denoised);
 */
export function image(x: Tensor, options: ImageOptions = {}): ImageHandle {
  return handleFor(pixels, "image", x, options);
}

/**
 * Shows a batch of images [N,C,H,W] or [N,H,W] as one picture, `nrow` per row.
 *
 * @example
 * const { train } = tt.data.mnist();
 * for (const [x] of new tt.data.DataLoader(train, { batchSize: 32 })) {
 *   tt.display.grid(x, { nrow: 8 }); // x: [32, 1, 28, 28]
 *   break;
 * }
 */
export function grid(images: Tensor, options: GridOptions = {}): ImageHandle {
  return handleFor(gridPixels, "image grid", images, options);
}
