import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import * as tt from "../src/ts/index.ts";
import {
  deserialize,
  load,
  loadCheckpoint,
  loadCheckpointSync,
  loadFile,
  loadSync,
  save,
  saveCheckpoint,
  saveCheckpointSync,
  saveSync,
  serialize,
} from "../src/ts/io/index.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const fixtureBytes = readFileSync(new URL("mixed.safetensors", fixtures));
interface Expected {
  dtype: string;
  shape: number[];
  values: unknown;
}
const expected = JSON.parse(readFileSync(new URL("mixed.safetensors.json", fixtures), "utf8")) as {
  metadata: Record<string, string>;
  order: string[];
  tensors: Record<string, Expected>;
};
const dir = mkdtempSync(join(tmpdir(), "tessera-st-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const DT: Record<string, tt.DType> = {
  F64: "float64",
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  I64: "int64",
  I32: "int32",
  U8: "uint8",
  BOOL: "bool",
};

/** Builds the fixture's tensors from the expected values, independently of the reader. */
function fromExpected(e: Expected): tt.Tensor {
  const dtype = DT[e.dtype];
  if (dtype === "float16" || dtype === "bfloat16")
    return tt.fromTypedArray(Uint16Array.from((e.values as { bits: number[] }).bits), e.shape, { dtype });
  if (dtype === "int64") return tt.fromTypedArray(BigInt64Array.from(e.values as string[], BigInt), e.shape);
  if (dtype === "bool") return tt.fromTypedArray(Uint8Array.from(e.values as boolean[], Number), e.shape, { dtype });
  const typed = { float64: Float64Array, float32: Float32Array, int32: Int32Array, uint8: Uint8Array }[dtype as "float64"];
  return tt.fromTypedArray(typed.from(e.values as number[]), e.shape, { dtype });
}

test("reads every value of a file written by an independent writer", async () => {
  const { tensors, metadata } = await loadFile(new URL("mixed.safetensors", fixtures).pathname);
  assert.deepEqual(metadata, expected.metadata);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected.tensors).sort());
  for (const [name, e] of Object.entries(expected.tensors)) {
    const t = tensors[name];
    assert.equal(t.dtype, DT[e.dtype], name);
    assert.deepEqual(t.shape, e.shape, name);
    const d = t.data();
    if (e.dtype === "F16" || e.dtype === "BF16") {
      const v = e.values as { bits: number[]; values: number[] };
      assert.deepEqual(Array.from(d as Uint16Array), v.bits, name);
      assert.deepEqual(t.values(), v.values, name);
    } else if (e.dtype === "I64") {
      assert.deepEqual(Array.from(d as BigInt64Array, String), e.values, name);
    } else {
      assert.deepEqual(t.values(), e.values, name);
    }
  }
  assert.equal(tensors.scalar.ndim, 0);
  assert.equal(tensors.scalar.item(), 2.5);
  assert.equal(tensors.empty.numel(), 0);
  assert.equal((tensors.counts.data() as BigInt64Array)[2], 2n ** 53n + 1n); // beyond float64 precision
  assert.ok(Object.is(tensors.brain.values()[4], -0));
});

test("serialize writes the same bytes as the independent writer, and the reference's own vectors", () => {
  const tensors = new Map<string, tt.Tensor>();
  for (const [name, e] of Object.entries(expected.tensors)) tensors.set(name, fromExpected(e));
  // A non-contiguous view must be written in row-major order.
  const f64 = tensors.get("model.layers.0.weight")!;
  const transposed = tt.fromTypedArray(f64.t().contiguous().data() as Float64Array, [3, 2]).t();
  assert.equal(transposed.isContiguous(), false);
  tensors.set("model.layers.0.weight", transposed);
  const bytes = serialize(tensors, expected.metadata);
  assert.equal(Buffer.compare(Buffer.from(bytes), fixtureBytes), 0);
  // Tensor order in the header is by dtype rank, then UTF-8 byte order of names.
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + Number(Buffer.from(bytes).readBigUInt64LE(0)))).toString("utf8"));
  assert.deepEqual(Object.keys(header).slice(1), expected.order);

  // Byte vectors from the reference implementation's unit tests (safetensors/src/tensor.rs).
  const attn = serialize({ "attn.0": tt.fromTypedArray(new Float32Array([0, 1, 2, 3, 4, 5]), [1, 2, 3]) });
  const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.deepEqual(Array.from(attn.subarray(0, 8)), [64, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(Buffer.from(attn.subarray(8, 72)).toString(), json);
  assert.deepEqual(Array.from(attn.subarray(72)), [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
  assert.deepEqual(Array.from(serialize({})), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const meta = serialize({}, { framework: "pt" });
  assert.equal(meta[0], 40);
  assert.equal(Buffer.from(meta.subarray(8)).toString(), '{"__metadata__":{"framework":"pt"}}     ');
});

test("every dtype round-trips through a file, sync and async", async () => {
  tt.manualSeed(3);
  const src: Record<string, tt.Tensor> = {};
  for (const dtype of tt.DTYPES) {
    const base = tt.randn([3, 5]).mul(100);
    src[`x.${dtype}`] = dtype === "bool" ? base.gt(0) : base.to(dtype);
  }
  src["x.float32.strided"] = tt.arange(24, undefined, 1, { dtype: "float32" }).reshape(2, 3, 4).permute(2, 0, 1).slice(0, 0, null, 2);
  src["zero-d"] = tt.tensor(7);
  src["empty"] = tt.zeros([2, 0, 3], { dtype: "int32" });
  const file = join(dir, "all.safetensors");
  await save(src, file, { purpose: "test" });
  const a = await load(file);
  saveSync(new Map(Object.entries(src)), file);
  const b = loadSync(file);
  for (const got of [a, b]) {
    assert.deepEqual(Object.keys(got).sort(), Object.keys(src).sort());
    for (const [k, t] of Object.entries(src)) {
      assert.equal(got[k].dtype, t.dtype, k);
      assert.deepEqual(got[k].shape, t.shape, k);
      assert.deepEqual(Array.from(got[k].data() as ArrayLike<number>), Array.from(t.data() as ArrayLike<number>), k);
    }
  }
  assert.deepEqual(readdirSync(dir), ["all.safetensors"]); // no temp files left behind
});

test("clear errors for malformed files", async () => {
  const good = serialize({ w: tt.ones([2, 2]) }, { a: "b" });
  const n = Number(Buffer.from(good).readBigUInt64LE(0));
  const withHeader = (json: string, data = new Uint8Array(0)): Uint8Array => {
    const h = Buffer.from(json.padEnd(Math.ceil(json.length / 8) * 8));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    return Buffer.concat([len, h, data]);
  };
  assert.throws(() => deserialize(good.subarray(0, 5)), /truncated file: 5 bytes/);
  assert.throws(() => deserialize(good.subarray(0, 8 + n - 3)), /truncated file: the header needs/);
  assert.throws(
    () => deserialize(good.subarray(0, good.length - 1)),
    /truncated file: the header describes 16 bytes of tensor data, only 15/,
  );
  assert.throws(() => deserialize(Buffer.concat([good, Buffer.from([1])])), /1 unexpected bytes after/);
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(2n ** 40n);
  assert.throws(() => deserialize(huge), /header length 1099511627776 is larger than/);
  assert.throws(() => deserialize(withHeader("{not json")), /not valid UTF-8 JSON/);
  assert.throws(() => deserialize(withHeader("[]")), /not a JSON object/);
  assert.throws(
    () => deserialize(withHeader('{"x":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1))),
    /tensor "x" has unknown dtype "Q7"/,
  );
  assert.throws(
    () => deserialize(withHeader('{"x":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}', new Uint8Array(2))),
    /"x" has dtype I16, which has no tensor type/,
  );
  assert.throws(
    () => deserialize(withHeader('{"x":{"dtype":"toString","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1))),
    /unknown dtype "toString"/,
  );
  assert.throws(
    () => deserialize(withHeader('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8))),
    /shape \[3\] of F32 needs 12 bytes.*span 8/,
  );
  assert.throws(
    () => deserialize(withHeader('{"x":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', new Uint8Array(3))),
    /"x" starts at byte 1; expected 0/,
  );
  const overlap = '{"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"y":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}';
  assert.throws(() => deserialize(withHeader(overlap, new Uint8Array(3))), /"y" starts at byte 1; expected 2/);
  assert.throws(() => deserialize(withHeader('{"x":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}')), /invalid shape \[-1\]/);
  assert.throws(() => deserialize(withHeader('{"__metadata__":{"k":1}}')), /"k" is number/);
  const bad = join(dir, "bad.safetensors");
  writeFileSync(bad, good.subarray(0, good.length - 4));
  await assert.rejects(load(bad), (e: Error) => e.message.includes(bad) && /truncated/.test(e.message));
  assert.throws(() => serialize({ x: 3 as unknown as tt.Tensor }), /"x" is not a Tensor/);
  assert.throws(() => serialize({ __metadata__: tt.ones([1]) }), /reserved/);
  assert.throws(() => serialize({}, { k: 1 as unknown as string }), /"k" is number/);
  const gone = tt.ones([1]);
  gone.dispose();
  assert.throws(() => serialize({ gone }), /disposed/);
});

test("checkpoints keep model, nested optimizer state, step and extra", async () => {
  const w = tt.randn([4, 3]),
    b = tt.zeros([3]);
  const expAvg = tt.randn([4, 3]),
    expAvgSq = tt.rand([4, 3], { dtype: "float64" });
  const ckpt = {
    model: { "fc.weight": w, "fc.bias": b },
    optimizer: {
      state: { 0: { expAvg, expAvgSq, step: 3 }, 1: { expAvg: tt.zeros([3]), step: 3 } },
      paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999], params: [0, 1], amsgrad: false, name: null }],
      tied: w,
    },
    step: 300,
    extra: { epoch: 2, bestLoss: Infinity, worst: -Infinity, lossNow: NaN, history: [tt.tensor([1, 2])], note: "a.b" },
  };
  const file = join(dir, "ckpt.safetensors");
  await saveCheckpoint(file, ckpt);
  for (const got of [await loadCheckpoint(file), loadCheckpointSync(file)]) {
    assert.deepEqual(Object.keys(got.model!), ["fc.weight", "fc.bias"]);
    assert.deepEqual(got.model!["fc.weight"].values(), w.values());
    assert.equal(got.step, 300);
    const opt = got.optimizer as typeof ckpt.optimizer;
    assert.deepEqual(opt.state[0].expAvg.values(), expAvg.values());
    assert.equal(opt.state[0].expAvgSq.dtype, "float64");
    assert.deepEqual(opt.state[0].expAvgSq.values(), expAvgSq.values());
    assert.equal(opt.state[1].step, 3);
    assert.deepEqual(opt.paramGroups, ckpt.optimizer.paramGroups);
    assert.equal(opt.tied, got.model!["fc.weight"]); // one tensor object, stored once
    const extra = got.extra as typeof ckpt.extra;
    assert.equal(extra.bestLoss, Infinity);
    assert.equal(extra.worst, -Infinity);
    assert.ok(Number.isNaN(extra.lossNow));
    assert.deepEqual(extra.history[0].toArray(), [1, 2]);
    assert.equal(extra.note, "a.b");
  }
  // Any safetensors reader sees a plain state dict under "model.".
  const plain = loadSync(file);
  assert.ok(plain["model.fc.weight"] && plain["optimizer.state.0.expAvg"] && !plain["optimizer.tied"]);
  saveCheckpointSync(file, { step: 1 });
  assert.deepEqual(loadCheckpointSync(file), { step: 1 });
  assert.throws(() => saveCheckpointSync(file, { extra: { when: new Date() } }), /extra.when is a Date/);
  assert.throws(() => saveCheckpointSync(file, { extra: { $tensor: "x" } }), /reserved/);
  saveSync({ w }, file);
  await assert.rejects(loadCheckpoint(file), /not a checkpoint/);
});
