/** Loads the C++ addon and owns the shared metadata buffer that views are written into. */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { dtypeCode, type DType } from "./dtype.js";
import type { BinaryCode, IndexKind, OptimKind, RandomKind, ReduceCode, UnaryCode, WindowBackwardKind, WindowKind } from "./opcodes.js";

export type Handle = object & { readonly __handle: unique symbol };

export interface NativeAddon {
  setMeta(meta: Float64Array): void;
  setInterruptFlag(flag: Int32Array | null): void;
  alloc(nbytes: number): Handle;
  free(h: Handle): void;
  read(h: Handle, byteOffset: number, byteLength: number): ArrayBuffer;
  write(h: Handle, byteOffset: number, data: ArrayBufferView): void;
  copy(src: Handle, dst: Handle): void;
  fill(dst: Handle): void;
  unary(op: UnaryCode, x: Handle, out: Handle): void;
  binary(op: BinaryCode, a: Handle, b: Handle, out: Handle): void;
  where(c: Handle, a: Handle, b: Handle, out: Handle): void;
  reduce(op: ReduceCode, x: Handle, out: Handle): void;
  matmul(a: Handle, b: Handle, out: Handle): void;
  random(kind: RandomKind, out: Handle): void;
  manualSeed(seed: number): void;
  indexOp(kind: IndexKind, x: Handle, idx: Handle, out: Handle): void;
  window2d(kind: WindowKind, x: Handle, out: Handle): void;
  window2dBackward(kind: WindowBackwardKind, a: Handle, b: Handle, out: Handle): void;
  optimStep(kind: OptimKind, p: Handle, g: Handle, s1: Handle, s2: Handle): void;
  stats(): { liveBytes: number; cachedBytes: number; osAllocations: number; liveBlocks: number };
  emptyCache(): void;
  threads(n?: number): number;
  isa(force?: string): string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function load(): NativeAddon {
  const candidates = [
    path.join(here, "..", "build", "Release", "tessera_tensor.node"),
    path.join(here, "..", "..", "build", "Release", "tessera_tensor.node"),
  ];
  let lastError: unknown;
  for (const p of candidates) {
    try {
      return require(p) as NativeAddon;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`@tessera/tensor: the native addon is not built (run \`npm run build -w packages/tensor-native\`): ${String(lastError)}`);
}

export const native: NativeAddon = load();

/** Shared with the addon: each call's views are encoded here, not marshalled as arrays. */
export const meta = new Float64Array(1024);
native.setMeta(meta);

/**
 * Writes one view into `meta` at `pos` in the layout the addon's read_view expects
 * ([dtype code, ndim, offset, shape..., strides...]); returns the next free position.
 */
export function writeView(pos: number, v: { dtype: DType; shape: readonly number[]; strides: readonly number[]; offset: number }): number {
  const nd = v.shape.length;
  meta[pos] = dtypeCode[v.dtype];
  meta[pos + 1] = nd;
  meta[pos + 2] = v.offset;
  for (let i = 0; i < nd; i++) {
    meta[pos + 3 + i] = v.shape[i];
    meta[pos + 3 + nd + i] = v.strides[i];
  }
  return pos + 3 + 2 * nd;
}
