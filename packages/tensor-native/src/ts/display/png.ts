/**
 * A small PNG encoder (8-bit grey, grey+alpha, RGB or RGBA, no interlace): the image rows,
 * each behind a filter byte, deflated with node:zlib, in chunks with CRC-32 checksums.
 * No dependency beyond Node itself.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the PNG/zlib polynomial) of some bytes. @example crc32(Buffer.from("IEND")) // 0xae426082 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
/** PNG colour type by channel count. */
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface RawImage {
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** Row-major pixels, channels interleaved: width * height * channels bytes. */
  data: Uint8Array;
}

/**
 * Encodes 8-bit pixels as a PNG file.
 * @example
 * const png = encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) });
 */
export function encodePng(img: RawImage): Uint8Array {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`encodePng: bad size ${width}x${height}`);
  if (COLOR_TYPE[channels] === undefined) throw new RangeError(`encodePng: channels must be 1, 2, 3 or 4, got ${channels}`);
  const stride = width * channels;
  if (data.length !== stride * height)
    throw new RangeError(`encodePng: expected ${stride * height} bytes for ${width}x${height}x${channels}, got ${data.length}`);
  // Each row gets the "Sub" filter (the byte minus the one a pixel to its left): smooth
  // images and flat backgrounds become runs of zeros, which deflate well.
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    const row = y * stride;
    raw[o] = 1;
    for (let i = 0; i < stride; i++) raw[o + 1 + i] = (data[row + i] - (i >= channels ? data[row + i - channels] : 0)) & 0xff;
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  // compression 0, filter method 0, interlace 0
  const idat = new Uint8Array(deflateSync(raw));
  const parts = [SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
