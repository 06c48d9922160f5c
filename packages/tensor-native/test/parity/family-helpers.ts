/**
 * Helpers shared by the nn, optim, autocast and autograd families: steps written as two
 * strings whose refs are found by name, option objects in TypeScript next to keyword
 * arguments in Python, and inputs with chosen values (class indices, probabilities).
 */
import type * as tt from "../../src/ts/index.js";
import type { TensorInfo } from "./builder.js";
import { gradLeaves, readGrads } from "./family-chain.js";
import { pyDType, tensorLiteral, type Gen, type ValueStyle } from "./gen.js";
import { pyArg, tsArg, type Ref } from "./op.js";
import { pyLit, tsLit, type Lit } from "./program.js";

/** An argument: a literal, or a value in scope by name. */
export type A = Lit | Ref;

/** `{ a: 1, b: t3 }` from the entries whose value is not undefined ("" when none is left). */
export function tsOpts(entries: readonly (readonly [string, A])[]): string {
  const kept = entries.filter(([, v]) => v !== undefined);
  return kept.length ? `{ ${kept.map(([k, v]) => `${k}: ${tsArg(v)}`).join(", ")} }` : "";
}

/** `a=1, b=t3` from the entries whose value is not undefined. */
export function pyKws(entries: readonly (readonly [string, A])[]): string {
  return entries
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${pyArg(v)}`)
    .join(", ");
}

/** Joins call arguments, leaving out empty ones. */
export const args = (...xs: string[]): string => xs.filter((x) => x !== "").join(", ");

/** The names of the values in scope that a text mentions. */
function refsIn(g: Gen, ...texts: string[]): string[] {
  const outs = new Set(g.b.steps.map((s) => s.out));
  const found: string[] = [];
  for (const t of texts) for (const m of t.matchAll(/\b[a-z]{1,2}\d+\b/g)) if (outs.has(m[0]) && !found.includes(m[0])) found.push(m[0]);
  return found;
}

export interface EmitOptions {
  out?: string;
  compare?: boolean;
  effects?: string[];
}

/** Adds a step whose refs are the names of earlier steps that its text mentions; returns its name. */
export function emit(g: Gen, ts: string, py: string, o: EmitOptions = {}): string {
  const out = o.out ?? g.b.name();
  g.b.add({ out, ts, py, refs: refsIn(g, ts, py), compare: o.compare, effects: o.effects });
  return out;
}

/**
 * A step run for its effect on `effects` (backward(), step(), zeroGrad()…). Its value is
 * undefined / None on both sides, so comparing it only checks that both raise or neither
 * (a raise shows at this step, not later); pass `compare: false` where the two values differ.
 */
export function effect(g: Gen, ts: string, py: string, effects: string[], o: { compare?: boolean } = {}): string {
  return emit(g, ts, py, { out: g.b.name("s"), compare: o.compare, effects });
}

/** What the builder knows of a value in scope (undefined when its step raised or it is not a tensor). */
export const info = (g: Gen, name: string): TensorInfo | undefined => g.b.info(name);

/** Whether the last step raised (or was skipped). */
export function failed(g: Gen): boolean {
  const k = g.b.results[g.b.results.length - 1]?.kind;
  return k === "error" || k === "skip";
}

/** A tensor literal with these values (nested per shape), as a step. */
export function literal(g: Gen, shape: readonly number[], dtype: tt.DType, value: () => number | boolean, requiresGrad = false): string {
  const t = tensorLiteral(shape, dtype, requiresGrad, value);
  return emit(g, t.ts, t.py);
}

/** Integers drawn from [lo, hi] (class indices, embedding rows). */
export function ints(g: Gen, shape: readonly number[], lo: number, hi: number, dtype: tt.DType = "int64"): string {
  return literal(g, shape, dtype, () => g.rng.int(lo, hi));
}

/** Probabilities from a few exact values, 0 and 1 included. */
export function probs(g: Gen, shape: readonly number[], dtype: tt.DType, requiresGrad = false): string {
  return literal(g, shape, dtype, () => g.rng.pick([0, 0.25, 0.5, 0.75, 1]), requiresGrad);
}

const styleOverride = new WeakMap<Gen, ValueStyle>();

/**
 * Draws this program's float inputs in `style` unless a call asks for another (see floats):
 * sums of products of huge values overflow to inf or NaN depending on the order of the
 * additions, so matmul-like programs trade "special" for "plain".
 */
export function defaultStyle(g: Gen, style: ValueStyle): void {
  styleOverride.set(g, style);
}

/**
 * A float input of exactly this shape (its name). With `views`, a quarter of them are a
 * view of another input with the same shape but other strides: a transpose, a step slice,
 * or (unless "strided") an expand of size-1 dims (elements sharing memory). The gradient
 * goes to that input.
 */
export function floats(
  g: Gen,
  shape: readonly number[],
  dtype: tt.DType,
  o: { rg?: boolean; views?: boolean | "strided"; style?: ValueStyle } = {},
): string {
  const r = g.rng,
    n = shape.length;
  const spec = { dtype, requiresGrad: o.rg ?? false, views: false, style: o.style ?? styleOverride.get(g) };
  if (!(o.views && r.chance(0.25)) || n === 0 || shape.includes(0)) return g.input({ ...spec, shape }).name;
  const kinds = [...(n >= 2 ? ["transpose"] : []), "slice", ...(shape.some((d) => d > 1) && o.views !== "strided" ? ["expand"] : [])];
  const kind = r.pick(kinds);
  if (kind === "transpose") {
    const a = r.int(0, n - 1),
      b = (a + r.int(1, n - 1)) % n;
    const src = [...shape];
    [src[a], src[b]] = [src[b], src[a]];
    const base = g.input({ ...spec, shape: src }).name;
    return emit(g, `${base}.transpose(${a}, ${b})`, `${base}.transpose(${a}, ${b})`);
  }
  if (kind === "slice") {
    const d = r.int(0, n - 1),
      step = r.int(2, 3),
      start = r.int(0, step - 1);
    const src = shape.map((s, i) => (i === d ? start + (s - 1) * step + 1 + r.int(0, step - 1) : s));
    const base = g.input({ ...spec, shape: src }).name;
    return emit(g, `${base}.slice(${d}, ${start}, null, ${step})`, `${base}[${":, ".repeat(d)}${start}::${step}]`);
  }
  const src = shape.map((s) => (s > 1 && r.chance(0.6) ? 1 : s));
  if (src.every((s, i) => s === shape[i])) src[shape.findIndex((s) => s > 1)] = 1;
  const base = g.input({ ...spec, shape: src }).name;
  return emit(g, `${base}.expand(${tsLit(shape)})`, `${base}.expand(${pyLit(shape)})`);
}

/** The float dtypes nn programs run in: mostly float32/float64, a few bfloat16. */
export function nnDType(g: Gen): tt.DType {
  // No float16: PyTorch 1.13 has no CPU kernel for most of these, so there is nothing to compare.
  return g.rng.weighted<tt.DType>([
    ["float32", 6],
    ["float64", 4],
    ["bfloat16", 0.6],
  ]);
}

/** `dtype: "float64"` / `dtype=torch.float64` for a module or factory. */
export const dtypeOpt = (dtype: tt.DType): { ts: string; py: string } => ({ ts: `dtype: ${tsLit(dtype)}`, py: `dtype=${pyDType(dtype)}` });

/** An options object (from tsOpts) with the dtype added. */
export function withDType(opts: string, dtype: tt.DType): string {
  return opts ? `${opts.slice(0, -2)}, dtype: ${tsLit(dtype)} }` : `{ dtype: ${tsLit(dtype)} }`;
}

/**
 * `y.backward(upstream)` with an upstream gradient drawn in `style` (family-chain's
 * backward() draws "plain" values), then every leaf's `.grad`.
 */
export function backwardWith(g: Gen, y: TensorInfo, style: ValueStyle, opts: { retainGraph?: boolean } = {}): void {
  const up = g.input({ shape: y.shape, dtype: y.dtype, requiresGrad: false, views: false, style }).name;
  const leaves = gradLeaves(g);
  const [tsR, pyR] = opts.retainGraph ? [", { retainGraph: true }", ", retain_graph=True"] : ["", ""];
  effect(
    g,
    `${y.name}.backward(${up}${tsR})`,
    `${y.name}.backward(${up}${pyR})`,
    leaves.map((l) => l.name),
  );
  readGrads(g, leaves);
}
