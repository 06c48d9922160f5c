// Every entry point of both addons (the CPU one and its `cuda` object) answers a malformed
// call with a thrown JS Error, never a crash: no or extra arguments, wrong types, op codes
// and kinds out of range, truncated, detached or nonsensical metadata, bad parameters and
// geometry. Each addon's battery runs in a child process, so a segfault fails this test
// with the entry point and case that caused it. The cases are keyed by entry point and
// checked against what the addon exports: a new entry without cases fails here.
//
// Without a GPU the CUDA entries still get their battery: every argument and metadata
// check runs before a handle is looked at, so those cases expect their own message, and a
// well-formed call must fail only on its (CPU) handles or on the missing device.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { B, HOST_COPY, INDEX, OPTIM, R, RANDOM, U, WINDOW, WINDOW_BACKWARD } from "../src/ts/opcodes.ts";

type Addon = "cpu" | "cuda";
type Fn = (...args: unknown[]) => unknown;
type Module = Record<string, unknown>;

const CHILD = process.env.TT_ENTRY_ARGS_CHILD as Addon | undefined;
const F32 = 0,
  F64 = 1,
  I64 = 5,
  BOOL = 7;
// The error a well-formed CUDA call gets on a machine without a GPU: its handles are CPU ones.
const NO_DEVICE = /expected a CUDA tensor, got a CPU one|CUDA is not available/;

// ---- what each argument may be, and values it must refuse

interface Arg {
  bad: unknown[];
  expect: RegExp;
  handle?: "own" | "cpu"; // a storage handle (of the entry's device, or always a CPU one)
}
const NOT_NUMBERS = ["1", null, undefined, {}, true, 1n];
const code = (count: number): Arg => ({
  bad: [-1, count, 2 ** 31, 0.5, NaN, Infinity, ...NOT_NUMBERS],
  expect: /unknown (op|kind) |must be a number/,
});
const HANDLE: Arg = { bad: ["x", {}, null, undefined, 0, new Float64Array(1), () => 0], expect: /must be a storage handle/, handle: "own" };
const CPU_HANDLE: Arg = { ...HANDLE, handle: "cpu" };
const SIZE: Arg = { bad: [-1, NaN, Infinity, 2 ** 60, 0.5, ...NOT_NUMBERS], expect: /must be (an integer|a number)/ };
const NBYTES: Arg = { bad: [-1, NaN, 2 ** 60, 0.5, "64", undefined], expect: /negative allocation|must be (an integer|a number)/ };
const DEVICE: Arg = { bad: [-1, 2 ** 31, NaN, 0.5, "0", undefined, null], expect: /device index must be|must be a number/ };
const SYNC: Arg = { bad: [-2, 2 ** 31, NaN, 0.5, "0", undefined], expect: /device index must be|must be a number/ };
const BYTES: Arg = {
  bad: ["x", [1, 2], {}, undefined, 5, new DataView(new ArrayBuffer(8)), new ArrayBuffer(8)],
  expect: /must be a typed array/,
};
const META: Arg = {
  bad: [new Int32Array(8), new Float32Array(8), [1, 2], "x", undefined, new ArrayBuffer(64)],
  expect: /must be a Float64Array/,
};
const FLAG: Arg = { bad: [new Float64Array(1), new Uint32Array(1), new Int32Array(0), "x", 5, {}], expect: /Int32Array/ };
const BOOLEAN: Arg = { bad: ["yes", 1, 0, undefined, null, {}], expect: /must be a boolean/ };
const THREADS: Arg = { bad: [0, -1, 1.5, NaN, 2 ** 31, "2", {}], expect: /thread count must be|must be a number/ };
const ISA: Arg = { bad: [5, {}, true, "sse9"], expect: /must be a string|not available on this CPU/ };
const SEED: Arg = { bad: [-1, NaN, 1.5, Infinity, "1", undefined], expect: /non-negative integer|must be a number/ };
const FRACTION: Arg = { bad: [NaN, 0, -1, 2, Infinity, "0.5", undefined], expect: /fraction/ };
const TARGETS: Arg = { bad: ["sm_90", [5], [null], {}, undefined, null], expect: /must be an array|must be a string/ };

// ---- well-formed calls, and calls particular to one entry that it must refuse

type Setup = (b: Builder) => unknown[]; // writes the call's metadata, returns its arguments
interface Param {
  at: number; // index among the values after the views
  bad: number[];
  expect: RegExp;
}
interface Refusal {
  name: string;
  expect: RegExp;
  setup: Setup;
  early?: boolean; // decided before the handles are looked at (so also without a GPU)
}
interface Spec {
  args: Arg[];
  min?: number; // fewer arguments allowed (the rest optional)
  call: Setup;
  device?: boolean; // CUDA: a well-formed call needs a GPU
  params?: Param[];
  refuse?: Refusal[];
}
const refuse = (name: string, expect: RegExp, setup: Setup, early = false): Refusal => ({ name, expect, setup, early });

class Builder {
  pos = 0;
  views: number[] = [];
  paramsAt = 0;
  constructor(
    readonly addon: Addon,
    readonly m: Record<Addon, Module>,
    readonly meta: Float64Array,
    readonly gpu: boolean,
  ) {}
  reset(): this {
    this.pos = this.paramsAt = 0;
    this.views = [];
    return this;
  }
  fn(entry: string, addon = this.addon): Fn {
    return this.m[addon][entry] as Fn;
  }
  // One view in the layout of src/ts/native.ts's writeView (contiguous unless strides are given).
  v(dtype: number, shape: number[], strides?: number[]): this {
    strides ??= shape.map((_, i) => shape.slice(i + 1).reduce((a, s) => a * s, 1));
    this.views.push(this.pos);
    this.params(dtype, shape.length, 0, ...shape, ...strides);
    this.paramsAt = this.pos;
    return this;
  }
  params(...values: number[]): this {
    this.meta.set(values, this.pos);
    this.pos += values.length;
    return this;
  }
  cpu(bytes: number, zero = false): unknown {
    const h = this.fn("alloc", "cpu")(bytes);
    if (zero) this.fn("write", "cpu")(h, 0, new Uint8Array(bytes));
    return h;
  }
  // A storage on the addon's device (a CPU one for CUDA entries without a GPU).
  own(bytes: number, zero = false): unknown {
    if (this.addon === "cpu" || !this.gpu) return this.cpu(bytes, zero);
    const h = this.fn("alloc", "cuda")(0, bytes);
    if (zero) this.fn("upload", "cuda")(h, 0, new Uint8Array(bytes));
    return h;
  }
  other(bytes: number): unknown {
    return this.addon === "cpu" ? this.fn("alloc", "cuda")(0, bytes) : this.cpu(bytes);
  }
}

const INT_PARAM = [-1, NaN, 0.5, 2 ** 60];
const GEOMETRY = [2, 2, 1, 1, 0, 0, 1, 1, 2, 2]; // kernel 2x2, stride 1, padding 0, dilation 1, output 2x2
const geometryParams: Param[] = [
  { at: 0, bad: [0, NaN, 2 ** 31], expect: /kernel height must be/ },
  { at: 3, bad: [0, -1, 0.5], expect: /stride width must be/ },
  { at: 4, bad: [-1, Infinity], expect: /padding height must be/ },
  { at: 7, bad: [0, 2 ** 40], expect: /dilation width must be/ },
  { at: 8, bad: [-1, NaN], expect: /output height must be/ },
];
const vec4 = (b: Builder, n: number, dtype = F32) => {
  for (let i = 0; i < n; i++) b.v(dtype, [4]);
  return b;
};
const SGD = [0.1, 0, 0, 0, 0, 1, 0];
// The CUDA random entry also reads its seed and offset, as four 32-bit words.
const seed = (b: Builder) => (b.addon === "cuda" ? [7, 0, 0, 0] : []);

// The op entries both addons have, with the same arguments and metadata.
const ops = (): Record<string, Spec> => ({
  copy: {
    args: [HANDLE, HANDLE],
    call: (b) => (vec4(b, 2), [b.own(16), b.own(16)]),
    refuse: [refuse("shapes differ", /shapes do not match/, (b) => (b.v(F32, [4]).v(F32, [3]), [b.own(16), b.own(16)]))],
  },
  fill: {
    args: [HANDLE],
    call: (b) => (b.v(F32, [4]).params(1.5), [b.own(16)]),
    refuse: [refuse("strided view", /contiguous/, (b) => (b.v(F32, [2], [2]).params(0), [b.own(16)]))],
  },
  unary: {
    args: [code(Object.keys(U).length), HANDLE, HANDLE],
    call: (b) => (vec4(b, 2), [U.neg, b.own(16), b.own(16)]),
    refuse: [refuse("output dtype differs", /dtype must match/, (b) => (b.v(F32, [4]).v(F64, [4]), [U.neg, b.own(16), b.own(32)]))],
  },
  binary: {
    args: [code(Object.keys(B).length), HANDLE, HANDLE, HANDLE],
    call: (b) => (vec4(b, 3), [B.add, b.own(16), b.own(16), b.own(16)]),
    refuse: [
      // The kernel would write 8 bytes per element into a 4-byte storage.
      refuse("sum into a bool output", /output dtype/, (b) => (vec4(b, 2, F64).v(BOOL, [4]), [B.add, b.own(32), b.own(32), b.own(4)])),
      refuse("comparison into float32", /output dtype/, (b) => (vec4(b, 3), [B.eq, b.own(16), b.own(16), b.own(16)])),
      refuse(
        "operand dtypes differ",
        /share a dtype/,
        (b) => (b.v(F32, [4]).v(F64, [4]).v(F32, [4]), [B.add, b.own(16), b.own(32), b.own(16)]),
      ),
    ],
  },
  where: {
    args: [HANDLE, HANDLE, HANDLE, HANDLE],
    call: (b) => (vec4(b.v(BOOL, [4]), 3), [b.own(4), b.own(16), b.own(16), b.own(16)]),
    refuse: [refuse("float32 condition", /condition must be bool/, (b) => (vec4(b, 4), [b.own(16), b.own(16), b.own(16), b.own(16)]))],
  },
  reduce: {
    args: [code(Object.keys(R).length), HANDLE, HANDLE],
    call: (b) => (b.v(F32, [2, 4]).v(F32, [2]).params(2, 4, 0), [R.sum, b.own(32), b.own(8)]),
    params: [
      { at: 0, bad: INT_PARAM, expect: /reduce rows must be/ },
      { at: 1, bad: [0, ...INT_PARAM], expect: /row length must be/ },
    ],
    refuse: [
      refuse(
        "rows do not match the input",
        /sizes do not match/,
        (b) => (b.v(F32, [2, 4]).v(F32, [2]).params(3, 4, 0), [R.sum, b.own(32), b.own(8)]),
      ),
      refuse(
        "softmax into another dtype",
        /dtype must match/,
        (b) => (b.v(F32, [2, 4]).v(F64, [2, 4]).params(2, 4, 0), [R.softmax, b.own(32), b.own(64)]),
      ),
    ],
  },
  random: {
    args: [code(Object.keys(RANDOM).length), HANDLE],
    call: (b) => (b.v(F32, [4]).params(0, 1, ...seed(b)), [RANDOM.uniform, b.own(16)]),
    refuse: [
      refuse(
        "randint with a fractional low",
        /randint's low must be/,
        (b) => (b.v(I64, [4]).params(0.5, 9, ...seed(b)), [RANDOM.randint, b.own(32)]),
        true,
      ),
      refuse(
        "randint with high <= low",
        /high must be greater than low/,
        (b) => (b.v(I64, [4]).params(5, 5, ...seed(b)), [RANDOM.randint, b.own(32)]),
        true,
      ),
      refuse(
        "randint past 2^62",
        /randint's high must be/,
        (b) => (b.v(I64, [4]).params(0, 2 ** 63, ...seed(b)), [RANDOM.randint, b.own(32)]),
        true,
      ),
    ],
  },
  indexOp: {
    args: [code(Object.keys(INDEX).length), HANDLE, HANDLE, HANDLE],
    call: (b) => (b.v(F32, [2, 3]).v(I64, [2]).v(F32, [2, 2]).params(2, 3, 1, 2), [INDEX.select, b.own(24), b.own(16, true), b.own(16)]),
    params: [0, 1, 2, 3].map((at) => ({ at, bad: INT_PARAM, expect: /index (outer size|dimension size|inner size|count) must be/ })),
    refuse: [
      refuse(
        "sizes do not match the input",
        /sizes do not match/,
        (b) => (b.v(F32, [2, 3]).v(I64, [2]).v(F32, [2, 2]).params(2, 4, 1, 2), [INDEX.select, b.own(24), b.own(16, true), b.own(16)]),
      ),
      refuse(
        "float32 indices",
        /bad dtypes/,
        (b) => (b.v(F32, [2, 3]).v(F32, [2]).v(F32, [2, 2]).params(2, 3, 1, 2), [INDEX.select, b.own(24), b.own(8, true), b.own(16)]),
      ),
    ],
  },
  window2d: {
    args: [code(Object.keys(WINDOW).length), HANDLE, HANDLE],
    call: (b) => (
      b
        .v(F32, [1, 1, 3, 3])
        .v(F32, [4, 1, 4])
        .params(...GEOMETRY),
      [WINDOW.im2col, b.own(36), b.own(64)]
    ),
    params: geometryParams,
    refuse: [
      refuse(
        "3-d input",
        /bad geometry/,
        (b) => (
          b
            .v(F32, [1, 3, 3])
            .v(F32, [4, 1, 4])
            .params(...GEOMETRY),
          [WINDOW.im2col, b.own(36), b.own(64)]
        ),
      ),
      refuse(
        "output larger than the geometry",
        /does not match the geometry/,
        (b) => (
          b
            .v(F32, [1, 1, 3, 3])
            .v(F32, [4, 1, 4])
            .params(...GEOMETRY.slice(0, 8), 3, 2),
          [WINDOW.im2col, b.own(36), b.own(64)]
        ),
      ),
    ],
  },
  window2dBackward: {
    args: [code(Object.keys(WINDOW_BACKWARD).length), HANDLE, HANDLE, HANDLE],
    call: (b) => (
      b
        .v(F32, [4, 1, 4])
        .v(F32, [1, 1, 2, 2])
        .v(F32, [1, 1, 3, 3])
        .params(...GEOMETRY),
      [WINDOW_BACKWARD.col2im, b.own(64), b.own(16), b.own(36)]
    ),
    params: geometryParams,
    refuse: [
      refuse(
        "3-d image",
        /bad geometry/,
        (b) => (
          b
            .v(F32, [4, 1, 4])
            .v(F32, [1, 1, 2, 2])
            .v(F32, [1, 3, 3])
            .params(...GEOMETRY),
          [WINDOW_BACKWARD.col2im, b.own(64), b.own(16), b.own(36)]
        ),
      ),
      refuse(
        "pooled gradient of the wrong size",
        /sizes do not match/,
        (b) => (
          b
            .v(F32, [1, 1, 3, 3])
            .v(F32, [1, 1, 3, 3])
            .v(F32, [1, 1, 3, 3])
            .params(...GEOMETRY),
          [WINDOW_BACKWARD.maxPool, b.own(36), b.own(36), b.own(36)]
        ),
      ),
    ],
  },
  optimStep: {
    args: [code(Object.keys(OPTIM).length), HANDLE, HANDLE, HANDLE, HANDLE],
    call: (b) => (vec4(b, 4).params(...SGD), [OPTIM.sgd, b.own(16), b.own(16), b.own(16), b.own(16)]),
    refuse: [
      refuse(
        "state smaller than the parameter",
        /must match the parameter/,
        (b) => (
          vec4(b, 2)
            .v(F32, [3])
            .v(F32, [4])
            .params(...SGD),
          [OPTIM.sgd, b.own(16), b.own(16), b.own(16), b.own(16)]
        ),
      ),
    ],
  },
});

const matmul = (dtype: number, bytes: number): Spec => ({
  args: [HANDLE, HANDLE, HANDLE],
  call: (b) => (b.v(dtype, [2, 2]).v(dtype, [2, 2]).v(dtype, [2, 2]), [b.own(bytes), b.own(bytes), b.own(bytes)]),
  refuse: [refuse("1-d operands", /bad ranks/, (b) => (vec4(b, 3, dtype), [b.own(bytes), b.own(bytes), b.own(bytes)]))],
});

const CPU: Record<string, Spec> = {
  ...ops(),
  setMeta: { args: [META], call: (b) => [b.meta] },
  setInterruptFlag: { args: [FLAG], call: () => [null] },
  alloc: { args: [NBYTES], call: () => [64] },
  free: { args: [HANDLE], call: (b) => [b.own(64)] },
  read: {
    args: [HANDLE, SIZE, SIZE],
    call: (b) => [b.own(64), 0, 8],
    refuse: [refuse("past the end", /read out of bounds/, (b) => [b.own(64), 60, 8])],
  },
  write: {
    args: [HANDLE, SIZE, BYTES],
    call: (b) => [b.own(64), 0, new Float32Array(2)],
    refuse: [refuse("past the end", /write out of bounds/, (b) => [b.own(64), 60, new Float32Array(2)])],
  },
  indexOp: {
    ...ops().indexOp,
    refuse: [
      ...ops().indexOp.refuse!,
      refuse("an index past the dimension", /index out of range/, (b) => {
        const idx = b.own(16);
        b.fn("write")(idx, 0, new BigInt64Array([7n, 0n]));
        return (b.v(F32, [2, 3]).v(I64, [2]).v(F32, [2, 2]).params(2, 3, 1, 2), [INDEX.select, b.own(24), idx, b.own(16)]);
      }),
    ],
  },
  matmul: matmul(F32, 16),
  manualSeed: { args: [SEED], call: () => [1] },
  stats: { args: [], call: () => [] },
  emptyCache: { args: [], call: () => [] },
  threads: { args: [THREADS], min: 0, call: () => [] },
  isa: { args: [ISA], min: 0, call: () => [] },
};

const onDevice = (s: Spec): Spec => ({ ...s, device: true });
const GEMM = [0, 0, 2, 2, 2, 2, 2, 2, 4, 4, 4, 1]; // transa, transb, m, n, k, lda, ldb, ldc, strides, batch
const gemm =
  (params: number[]): Setup =>
  (b) => (
    b
      .v(F32, [2, 2])
      .v(F32, [2, 2])
      .v(F32, [2, 2])
      .params(...params),
    [b.own(16), b.own(16), b.own(16), false]
  );
const CUDA: Record<string, Spec> = {
  ...Object.fromEntries(Object.entries(ops()).map(([k, s]) => [k, onDevice(s)])),
  alloc: onDevice({ args: [DEVICE, NBYTES], call: () => [0, 64] }),
  free: onDevice({ args: [HANDLE], call: (b) => [b.own(64)] }),
  upload: onDevice({ args: [HANDLE, SIZE, BYTES], call: (b) => [b.own(64), 0, new Float32Array(2)] }),
  download: onDevice({ args: [HANDLE, SIZE, SIZE], call: (b) => [b.own(64), 0, 8] }),
  copyHost: onDevice({
    args: [code(Object.keys(HOST_COPY).length), HANDLE, SIZE, CPU_HANDLE, SIZE, SIZE],
    call: (b) => [HOST_COPY.upload, b.own(64), 0, b.cpu(64), 0, 8],
  }),
  binary: onDevice({
    ...ops().binary,
    refuse: [
      ...ops().binary.refuse!,
      // [dtype, -1, low bits, high bits]: a by-value scalar, whose handle must be null.
      refuse(
        "scalar operand with a handle",
        /scalar operand takes a null handle/,
        (b) => (vec4(b.params(F32, -1, 0, 0), 2), [B.add, b.own(16), b.own(16), b.own(16)]),
        true,
      ),
      refuse(
        "scalar bits past 32",
        /scalar bits must be/,
        (b) => (vec4(b.params(F32, -1, 2 ** 32, 0), 2), [B.add, null, b.own(16), b.own(16)]),
        true,
      ),
    ],
  }),
  gemm: onDevice({
    args: [HANDLE, HANDLE, HANDLE, BOOLEAN],
    call: gemm(GEMM),
    params: [
      { at: 0, bad: [2, -1, NaN], expect: /transa must be/ },
      { at: 2, bad: [0, ...INT_PARAM], expect: /m must be/ },
      { at: 5, bad: [0, NaN], expect: /lda must be/ },
      { at: 8, bad: INT_PARAM, expect: /strideA must be/ },
      { at: 11, bad: [0, ...INT_PARAM], expect: /batch must be/ },
    ],
    refuse: [
      refuse("leading dimension too small", /leading dimensions too small/, gemm(GEMM.map((x, i) => (i === 5 ? 1 : x)))),
      refuse("batch past the storage", /out of bounds/, gemm(GEMM.map((x, i) => (i === 11 ? 2 : x)))),
    ],
  }),
  matmulInt: onDevice(matmul(I64, 32)),
  random: onDevice({ ...ops().random, params: [{ at: 2, bad: [-1, 2 ** 32, NaN], expect: /seed and offset words must be/ }] }),
  synchronize: { args: [SYNC], call: () => [-1] },
  memoryStats: { args: [DEVICE], call: () => [0] },
  emptyCache: { args: [DEVICE], call: () => [0] },
  resetPeakMemoryStats: { args: [DEVICE], call: () => [0] },
  memorySummary: { args: [DEVICE], call: () => [0] },
  setMemoryFraction: onDevice({ args: [DEVICE, FRACTION], call: () => [0, 1] }),
  deviceInfo: onDevice({ args: [DEVICE], call: () => [0] }),
  loadAllModules: onDevice({ args: [DEVICE], call: () => [0] }),
  probe: { args: [], call: () => [] },
  kernelSources: { args: [], call: () => [] },
  nvrtcCheck: { args: [TARGETS], call: () => [[]] },
};

// ---- the battery: the same kinds of malformed call for every entry point

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "a function";
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof ArrayBuffer) return "an ArrayBuffer";
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (Array.isArray(v)) return JSON.stringify(v);
  if (typeof v === "object" && v !== null) return "{}";
  return String(v);
}

interface Case {
  name: string;
  run: () => unknown;
  expect: RegExp | null; // null: must not throw
  afterHandles?: boolean; // decided on the storages: without a GPU the CUDA handle error stands in
}

function cases(b: Builder, name: string, s: Spec): Case[] {
  const fn = b.fn(name);
  const fresh = () => s.call(b.reset());
  // The well-formed call with argument i replaced (made) by `make`.
  const replaced = (i: number, make: () => unknown) => () => {
    const a = fresh();
    while (a.length <= i) a.push(undefined);
    a[i] = make();
    return fn(...a);
  };
  const noDevice = b.addon === "cuda" && s.device && !b.gpu;
  const out: Case[] = [{ name: "well-formed call", run: () => fn(...fresh()), expect: noDevice ? NO_DEVICE : null }];
  if ((s.min ?? s.args.length) > 0) out.push({ name: "no arguments", run: () => fn(), expect: /expected \d+( to \d+)? arguments?, got 0/ });
  out.push({ name: "one argument too many", run: replaced(s.args.length, () => 0), expect: /arguments?, got \d+/ });

  s.args.forEach((arg, i) => {
    const at = `argument ${i + 1}`;
    for (const v of arg.bad)
      out.push({ name: `${at} = ${show(v)}`, run: replaced(i, () => v), expect: arg.expect, afterHandles: !!arg.handle });
    if (!arg.handle) return;
    const cpuSide = b.addon === "cpu" || arg.handle === "cpu" || !b.gpu;
    const freed = () => {
      const h = cpuSide ? b.cpu(16) : b.own(16);
      b.fn("free", cpuSide ? "cpu" : "cuda")(h);
      return h;
    };
    // Freeing twice is allowed; everything else refuses a freed storage.
    if (name !== "free") out.push({ name: `${at}: a freed storage`, run: replaced(i, freed), expect: /already freed/, afterHandles: true });
    const wrong = () => (arg.handle === "cpu" ? b.own(16) : b.other(16));
    if (b.gpu)
      out.push({
        name: `${at}: a storage on the other device`,
        run: replaced(i, wrong),
        expect: /expected a (CPU|CUDA) tensor/,
        afterHandles: true,
      });
  });

  fresh();
  const views = [...b.views],
    paramsAt = b.paramsAt,
    end = b.pos;
  const setMeta = b.fn("setMeta", "cpu");
  const withMeta = (change: () => void) => () => {
    const a = fresh();
    change();
    return fn(...a);
  };
  if (views.length > 0) {
    for (const cut of new Set([0, 1, 2, views[views.length - 1] + 3, end - 1]))
      if (cut < end)
        out.push({
          name: `metadata cut to ${cut} of ${end} values`,
          run: withMeta(() => setMeta(b.meta.slice(0, cut))),
          expect: /metadata overflow/,
        });
    const detach = () => {
      const copy = b.meta.slice(0, end);
      setMeta(copy);
      structuredClone(copy.buffer, { transfer: [copy.buffer] });
    };
    out.push({ name: "metadata buffer detached", run: withMeta(detach), expect: /metadata overflow/ });
    for (const [which, p] of [
      ["first", views[0]],
      ["last", views[views.length - 1]],
    ] as const) {
      const ndim = b.meta[p + 1];
      const field = (what: string, pos: number, bad: number[], expect: RegExp, afterHandles = false) => {
        for (const v of bad)
          out.push({ name: `${which} view: ${what} = ${show(v)}`, run: withMeta(() => (b.meta[pos] = v)), expect, afterHandles });
      };
      field("dtype", p, [8, -1, NaN, 2.5, 1e300], /bad dtype code/);
      field("rank", p + 1, [17, -2, NaN, 1.5, 1e9, Infinity], /bad rank/);
      field("rank", p + 1, [-1], /./); // a by-value scalar's mark: refused one way or another
      field("offset", p + 2, [2 ** 60, NaN, 0.5], /offset must be/);
      field("offset", p + 2, [-1], /out of bounds/, true);
      field("size", p + 3, [-1, -(2 ** 60)], /negative size/);
      field("size", p + 3, [NaN, 2 ** 60, 0.5, Infinity], /size must be/);
      field("size", p + 3, [1e6], /out of bounds/, true);
      field("stride", p + 3 + ndim, [NaN, 2 ** 60, 0.5], /stride must be/);
    }
  }
  for (const prm of s.params ?? [])
    for (const v of prm.bad)
      out.push({ name: `parameter ${prm.at + 1} = ${show(v)}`, run: withMeta(() => (b.meta[paramsAt + prm.at] = v)), expect: prm.expect });
  for (const r of s.refuse ?? [])
    out.push({ name: r.name, run: () => fn(...r.setup(b.reset())), expect: r.expect, afterHandles: !r.early });
  return out;
}

// null when the case went as it should, else what happened instead.
function judge(b: Builder, c: Case): string | null {
  let threw = false,
    err: unknown;
  try {
    b.reset();
    c.run();
  } catch (e) {
    threw = true;
    err = e;
  } finally {
    b.fn("setMeta", "cpu")(b.meta);
    b.fn("setInterruptFlag", "cpu")(null);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (c.expect === null) return threw ? `threw "${message}"` : null;
  if (!threw) return "returned instead of throwing";
  if (!(err instanceof Error)) return `threw a non-Error: ${message}`;
  if (c.expect.test(message)) return null;
  if (c.afterHandles && b.addon === "cuda" && !b.gpu && NO_DEVICE.test(message)) return null;
  return `threw "${message}", expected ${c.expect}`;
}

// Writes its report line by line to a file (synchronously, so a crash loses nothing
// written before it: the last START names the call that crashed).
async function runBattery(addon: Addon, report: string): Promise<void> {
  const fd = openSync(report, "w");
  const out = (line: string) => void writeSync(fd, line + "\n");
  const { native, meta } = await import("../src/ts/native.ts");
  const cpu = native as unknown as Module;
  const cuda = cpu.cuda as Module | undefined;
  if (addon === "cuda" && (typeof cuda !== "object" || cuda === null)) return out("SKIP the addon exports no `cuda` object");
  const gpu = !!cuda && !!((cuda.probe as Fn)() as { available: boolean }).available;
  const target = (addon === "cpu" ? cpu : cuda) as Module;
  const b = new Builder(addon, { cpu, cuda: cuda ?? {} }, meta, gpu);
  const table = addon === "cpu" ? CPU : CUDA;
  out(`EXPORTS ${JSON.stringify(Object.keys(target).filter((k) => typeof target[k] === "function"))}`);
  out(`COVERED ${JSON.stringify(Object.keys(table))}`);
  out(`GPU ${gpu}`);
  for (const [name, s] of Object.entries(table)) {
    if (typeof target[name] !== "function") continue;
    for (const c of cases(b, name, s)) {
      out(`START ${name} / ${c.name}`);
      out(`RESULT ${JSON.stringify({ entry: name, case: c.name, problem: judge(b, c) })}`);
    }
  }
  out("END");
}

if (CHILD) {
  await runBattery(CHILD, process.env.TT_ENTRY_ARGS_REPORT!);
} else {
  for (const addon of ["cpu", "cuda"] as const) {
    test(`every entry point of the ${addon === "cpu" ? "CPU addon" : "addon's cuda object"} refuses malformed calls with an Error`, (t) => {
      const dir = mkdtempSync(path.join(tmpdir(), "tt-entry-args-"));
      const report = path.join(dir, "report.txt");
      const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
        env: { ...process.env, TT_ENTRY_ARGS_CHILD: addon, TT_ENTRY_ARGS_REPORT: report },
        encoding: "utf8",
        timeout: 300_000,
      });
      let lines: string[] = [];
      try {
        lines = readFileSync(report, "utf8").split("\n");
      } catch {
        // no report at all: the child died before it opened the file (reported below)
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const skip = lines.find((l) => l.startsWith("SKIP "));
      if (skip) {
        console.log(`${addon}: ${skip.slice(5)}`);
        return t.skip(skip.slice(5));
      }
      if (!lines.includes("END")) {
        const last =
          lines
            .filter((l) => l.startsWith("START "))
            .at(-1)
            ?.slice(6) ?? "(before the first case)";
        assert.fail(
          `the ${addon} battery died (${r.signal ?? `exit code ${r.status}`}${r.error ? `, ${r.error.message}` : ""}) in ${last}\n${(r.stderr ?? "").slice(-3000)}`,
        );
      }
      const list = (tag: string) => JSON.parse(lines.find((l) => l.startsWith(`${tag} `))!.slice(tag.length + 1)) as string[];
      const exported = list("EXPORTS"),
        covered = list("COVERED");
      assert.deepEqual(
        exported.filter((e) => !covered.includes(e)),
        [],
        `exported ${addon} entry points without cases here`,
      );
      assert.deepEqual(
        covered.filter((e) => !exported.includes(e)),
        [],
        `cases here for ${addon} entry points that are not exported`,
      );
      const results = lines
        .filter((l) => l.startsWith("RESULT "))
        .map((l) => JSON.parse(l.slice(7)) as { entry: string; case: string; problem: string | null });
      const failed = results.filter((x) => x.problem);
      t.diagnostic(`${addon}: ${exported.length} entry points, ${results.length} calls, GPU: ${lines.includes("GPU true") ? "yes" : "no"}`);
      assert.ok(results.length >= exported.length * 5, `only ${results.length} calls ran`);
      assert.equal(
        failed.length,
        0,
        `${failed.length} of ${results.length} calls went wrong:\n${failed.map((x) => `  ${x.entry} / ${x.case}: ${x.problem}`).join("\n")}`,
      );
    });
  }
}
