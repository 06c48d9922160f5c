import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { crc32 as zlibCrc32, inflateSync } from "node:zlib";

import * as tt from "../src/ts/index.ts";

interface Decoded {
  width: number;
  height: number;
  colorType: number;
  channels: number;
  pixels: Uint8Array;
  chunks: string[];
}

/** A PNG decoder for what the encoder writes (8-bit, no interlace), checking every CRC. */
function decodePng(png: Uint8Array): Decoded {
  const buf = Buffer.from(png);
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "signature");
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let ihdr: Buffer | undefined;
  for (let at = 8; at < buf.length;) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    assert.equal(buf.readUInt32BE(at + 8 + len), zlibCrc32(buf.subarray(at + 4, at + 8 + len)), `${type} CRC`);
    chunks.push(type);
    if (type === "IHDR") ihdr = data;
    if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  assert.ok(ihdr);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.equal(ihdr[8], 8, "bit depth");
  assert.equal(ihdr[12], 0, "no interlace");
  const colorType = ihdr[9];
  const channels = { 0: 1, 4: 2, 2: 3, 6: 4 }[colorType as 0 | 4 | 2 | 6];
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  assert.equal(raw.length, (stride + 1) * height);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const left = i >= channels ? pixels[y * stride + i - channels] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const v = filter === 0 ? x : filter === 1 ? x + left : filter === 2 ? x + up : NaN;
      assert.ok(!Number.isNaN(v), `filter ${filter} not expected`);
      pixels[y * stride + i] = v & 0xff;
    }
  }
  return { width, height, colorType, channels, pixels, chunks };
}

describe("PNG encoder", () => {
  test("CRC-32 matches zlib's", () => {
    for (const s of ["", "IEND", "The quick brown fox jumps over the lazy dog"])
      assert.equal(tt.display.crc32(Buffer.from(s)), zlibCrc32(Buffer.from(s)));
  });

  test("round-trips grey, RGB and RGBA pixels through inflate", () => {
    for (const channels of [1, 2, 3, 4] as const) {
      const width = 7;
      const height = 5;
      const data = new Uint8Array(width * height * channels);
      for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) & 0xff;
      const d = decodePng(tt.display.encodePng({ width, height, channels, data }));
      assert.deepEqual(d.chunks, ["IHDR", "IDAT", "IEND"]);
      assert.equal(d.width, width);
      assert.equal(d.height, height);
      assert.equal(d.channels, channels);
      assert.deepEqual([...d.pixels], [...data]);
    }
  });

  test("refuses a buffer that does not match the size", () => {
    assert.throws(() => tt.display.encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }), /expected 12 bytes/);
  });
});

describe("tensor images", () => {
  test("[H,W] float 0..1 becomes grey bytes, clamped, NaN as black", () => {
    const x = tt.tensor([
      [0, 0.5, 1],
      [2, -1, NaN],
    ]);
    const d = decodePng(tt.display.toPng(x, { scale: 1 }));
    assert.equal(d.colorType, 0);
    assert.deepEqual([d.width, d.height], [3, 2]);
    assert.deepEqual([...d.pixels], [0, 128, 255, 255, 0, 0]);
  });

  test("[C,H,W] and [H,W,C] give the same RGB image; uint8 is taken as is", () => {
    const hwc = tt.tensor(
      [
        [
          [255, 0, 0],
          [0, 255, 0],
        ],
        [
          [0, 0, 255],
          [10, 20, 30],
        ],
      ],
      { dtype: "uint8" },
    );
    const chw = hwc.permute(2, 0, 1).contiguous();
    const a = decodePng(tt.display.toPng(hwc, { scale: 1 }));
    const b = decodePng(tt.display.toPng(chw, { scale: 1 }));
    assert.equal(a.colorType, 2);
    assert.deepEqual([...a.pixels], [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    assert.deepEqual([...b.pixels], [...a.pixels]);
  });

  test("normalize stretches min..max; scale repeats pixels", () => {
    const x = tt.tensor([
      [-2, 0],
      [2, 6],
    ]);
    const d = decodePng(tt.display.toPng(x, { normalize: true, scale: 2 }));
    assert.deepEqual([d.width, d.height], [4, 4]);
    assert.deepEqual([...d.pixels], [0, 0, 64, 64, 0, 0, 64, 64, 128, 128, 255, 255, 128, 128, 255, 255]);
    // Small images are zoomed by default (a 28x28 digit to 224x224).
    const digit = decodePng(tt.display.toPng(tt.zeros([28, 28])));
    assert.deepEqual([digit.width, digit.height], [224, 224]);
  });

  test("grid tiles a batch nrow per row with padding", () => {
    // Four 2x2 images of brightness k/4, two per row, 1 px padding of white.
    const batch = tt.stack([0, 1, 2, 3].map((k) => tt.full([1, 2, 2], k / 4)));
    const img = tt.display.gridPixels(batch, { nrow: 2, padding: 1, padValue: 1, scale: 1 });
    assert.deepEqual([img.width, img.height, img.channels], [7, 7, 1]);
    const at = (x: number, y: number) => img.data[y * 7 + x];
    assert.equal(at(0, 0), 255);
    assert.deepEqual([at(1, 1), at(2, 2), at(4, 1), at(5, 2), at(1, 4), at(4, 5)], [0, 0, 64, 64, 128, 191]);
    assert.equal(at(3, 3), 255);
    // [N,H,W] works too, and three images with nrow 2 make two rows.
    const three = tt.display.gridPixels(tt.zeros([3, 4, 4]), { nrow: 2, scale: 1 });
    assert.deepEqual([three.width, three.height], [2 * 6 + 2, 2 * 6 + 2]);
  });

  test("says which shapes it takes", () => {
    assert.throws(() => tt.display.toPng(tt.zeros([5])), /\[H,W\], \[C,H,W\] or \[H,W,C\]/);
    assert.throws(() => tt.display.toPng(tt.zeros([2, 5, 5])), /1, 3 or 4 channels/);
    assert.throws(() => tt.display.grid(tt.zeros([2, 2, 5, 5])), /1, 3 or 4 channels/);
    assert.throws(() => tt.display.toPng(tt.zeros([4, 4]), { scale: 1.5 }), /scale/);
  });

  test("outside a kernel image() shows nothing and does not throw", () => {
    const h = tt.display.image(tt.zeros([4, 4]));
    assert.equal(h.display_id, "");
    h.update(tt.ones([4, 4]));
  });

  test("inside a kernel image() sends image/png through display and update re-renders", () => {
    const sent: Array<{ bundle: Record<string, string>; update: boolean }> = [];
    const g = globalThis as { display?: unknown };
    g.display = (bundle: Record<string, string>) => {
      sent.push({ bundle, update: false });
      return { display_id: "img-1", update: (b: Record<string, string>) => void sent.push({ bundle: b, update: true }) };
    };
    try {
      const h = tt.display.image(tt.zeros([2, 3]), { scale: 1 });
      h.update(tt.ones([2, 3]), { scale: 1 });
      assert.equal(h.display_id, "img-1");
      assert.deepEqual(
        sent.map((s) => s.update),
        [false, true],
      );
      assert.equal(sent[0].bundle["text/plain"], "<image: 3x2 grey PNG>");
      const second = decodePng(Buffer.from(sent[1].bundle["image/png"], "base64"));
      assert.deepEqual([...second.pixels], [255, 255, 255, 255, 255, 255]);
    } finally {
      delete g.display;
    }
  });
});
