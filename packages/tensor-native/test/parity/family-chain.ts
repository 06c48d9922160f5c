/**
 * The core families: random chains of ops over small inputs, then usually a backward()
 * with a random upstream gradient and every leaf's `.grad` read back; and the same chains
 * at sizes that reach the SIMD main loops, the thread pool and the blocked GEMM.
 */
import * as tt from "../../src/ts/index.js";
import type { TensorInfo } from "./builder.js";
import { Gen, isFloat } from "./gen.js";
import type { OpGen } from "./op.js";
import { CREATION } from "./ops-creation.js";
import { POINTWISE } from "./ops-pointwise.js";
import { REDUCE } from "./ops-reduce.js";
import { SHAPE } from "./ops-shape.js";

export const OPS: readonly OpGen[] = [...POINTWISE, ...REDUCE, ...SHAPE, ...CREATION];

/** Runs one op generator and adds its step; a list result (split, max(dim)) gets a step reading one part. */
export function addOp(g: Gen, op: OpGen): void {
  const d = op.gen(g);
  if (!d) return;
  const v = g.b.add(d);
  const out = g.b.steps[g.b.steps.length - 1].out;
  if (Array.isArray(v) && v.length > 0) {
    const i = g.rng.int(0, v.length - 1);
    g.b.add({ ts: `${out}[${i}]`, py: `${out}[${i}]`, refs: [out] });
  } else if (v && typeof v === "object" && "values" in v && !(v instanceof tt.Tensor)) {
    const part = g.rng.pick(["values", "indices"]);
    g.b.add({ ts: `${out}.${part}`, py: `${out}.${part}`, refs: [out] });
  }
}

export function randomOps(g: Gen, count: number, ops: readonly OpGen[] = OPS): void {
  const weighted = ops.map((o) => [o, o.weight] as const);
  for (let i = 0; i < count; i++) addOp(g, g.rng.weighted(weighted));
}

/** The leaves in scope that require grad. */
export function gradLeaves(g: Gen): TensorInfo[] {
  return g.b.tensors().filter((t) => t.isLeaf && t.requiresGrad);
}

/**
 * `y.backward(upstream)` from a recent value that requires grad, then each leaf's
 * `.grad`. Returns false when nothing in scope requires grad.
 */
export function backward(g: Gen, opts: { retainGraph?: boolean; from?: TensorInfo } = {}): boolean {
  const cands = g.b.tensors().filter((t) => t.requiresGrad && isFloat(t.dtype));
  const y = opts.from ?? cands[Math.min(cands.length - 1, g.rng.int(0, 1))];
  if (!y) return false;
  const up = g.input({ shape: y.shape, dtype: y.dtype, requiresGrad: false, views: false, style: "plain" });
  const leaves = gradLeaves(g);
  const retain = opts.retainGraph ? ", { retainGraph: true }" : "";
  g.b.add({
    ts: `${y.name}.backward(${up.name}${retain})`,
    py: `${y.name}.backward(${up.name}${opts.retainGraph ? ", retain_graph=True" : ""})`,
    refs: [y.name, up.name],
    compare: false,
    effects: leaves.map((l) => l.name),
  });
  readGrads(g, leaves);
  return true;
}

/** Steps reading each leaf's `.grad` (null where backward did not reach it). */
export function readGrads(g: Gen, leaves: readonly TensorInfo[]): void {
  for (const l of leaves) g.b.add({ ts: `${l.name}.grad`, py: `${l.name}.grad`, refs: [l.name] });
}

/** Small random programs: the bulk of the fuzzing. */
export function chain(g: Gen): void {
  for (let i = g.rng.int(1, 3); i > 0; i--) g.input();
  randomOps(g, g.rng.int(1, 6));
  if (g.rng.chance(0.75)) backward(g);
}

/** Sizes past the vector widths, the thread pool's threshold and GEMM's blocks (odd, thousands of elements). */
export function large(g: Gen): void {
  const r = g.rng;
  const dtype = r.weighted([
    ["float32", 3],
    ["float64", 1],
    ["bfloat16", 0.5],
    ["float16", 0.3],
  ] as const);
  const m = r.int(17, 140),
    k = r.int(17, 300),
    n = r.int(1, 3) === 1 ? r.int(1, 9) : r.int(17, 130);
  const style = g.style === "special" ? "nonfinite" : g.style;
  const a = g.input({ shape: [m, k], dtype, views: false, style });
  // Now and then past the elementwise kernels' thread grain (65536 elements): the threaded path.
  g.input({ shape: r.chance(0.12) ? [r.int(70000, 140000)] : [r.int(1, 3), r.int(300, 5000)], dtype, views: true });
  const bops = OPS.filter((o) =>
    ["unary", "binary", "sum-mean", "softmax", "extremum", "var-std", "logsumexp", "clamp", "where"].includes(o.name),
  );
  if (r.chance(0.7)) {
    // A transposed right operand takes GEMM's other packing path.
    const t = r.chance(0.25);
    const bmat = g.input({ shape: t ? [n, k] : [k, n], dtype, views: false, style });
    g.b.add({
      ts: `${a.name}.matmul(${bmat.name}${t ? ".t()" : ""})`,
      py: `${a.name}.matmul(${bmat.name}${t ? ".t()" : ""})`,
      refs: [a.name, bmat.name],
    });
  }
  randomOps(g, r.int(1, 4), bops);
  if (r.chance(0.6)) backward(g);
}
