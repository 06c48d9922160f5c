/**
 * The generator's toolbox: a seeded random source, input tensors (dtypes, shapes with
 * empty and 0-d cases, special values, ties, non-contiguous and overlapping views), and
 * picking operands from what is in scope.
 */
import type * as tt from "../../src/ts/index.js";
import { Builder, type TensorInfo } from "./builder.js";
import { pyLit, tsLit, type Lit } from "./program.js";

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** Picks by weight from [item, weight] pairs. */
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of xs) total += w;
    let r = this.next() * total;
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1][0];
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

export const FLOATS: readonly tt.DType[] = ["float32", "float64", "float16", "bfloat16"];
const PY_DTYPE: Record<string, string> = {
  float32: "torch.float32",
  float64: "torch.float64",
  float16: "torch.float16",
  bfloat16: "torch.bfloat16",
  int32: "torch.int32",
  int64: "torch.int64",
  uint8: "torch.uint8",
  bool: "torch.bool",
};
export const pyDType = (d: string): string => PY_DTYPE[d];
export const isFloat = (d: tt.DType): boolean => FLOATS.includes(d);

/**
 * The two spellings of a tensor made from literal values (`value()` is called once per
 * element, row-major; not at all for a zero-size shape, which nested literals cannot spell
 * unless the zero is the last dim, so it is made with zeros()).
 */
export function tensorLiteral(
  shape: readonly number[],
  dtype: tt.DType,
  requiresGrad: boolean,
  value: () => number | boolean,
): { ts: string; py: string } {
  const tsOpts = `{ dtype: ${tsLit(dtype)}${requiresGrad ? ", requiresGrad: true" : ""} }`;
  const pyOpts = `dtype=${pyDType(dtype)}${requiresGrad ? ", requires_grad=True" : ""}`;
  if (shape.some((d) => d === 0)) return { ts: `tt.zeros(${tsLit(shape)}, ${tsOpts})`, py: `torch.zeros(${pyLit(shape)}, ${pyOpts})` };
  const nest = (dim: number): Lit => (dim === shape.length ? value() : Array.from({ length: shape[dim] }, () => nest(dim + 1)));
  const data = nest(0);
  return { ts: `tt.tensor(${tsLit(data)}, ${tsOpts})`, py: `torch.tensor(${pyLit(data)}, ${pyOpts})` };
}

/** How the values of a program's inputs are drawn. */
export type ValueStyle = "plain" | "ties" | "special" | "positive" | "nonfinite";

/** Knobs a family sets for its programs. */
export interface GenOptions {
  /** Largest size of one dim (default 5). */
  maxDim?: number;
  /** Largest number of dims (default 4). */
  maxRank?: number;
  /** Probability of a zero-size dim (default 0.04). */
  emptyChance?: number;
}

export interface InputSpec {
  dtype?: tt.DType;
  shape?: readonly number[];
  requiresGrad?: boolean;
  /** Allow a non-contiguous or overlapping view of the created tensor (default true). */
  views?: boolean;
  style?: ValueStyle;
}

const SPECIAL: Partial<Record<tt.DType, readonly number[]>> = {
  // Near float32's largest value only with one sign: sums of both signs there depend on order.
  float32: [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e30, 3e38, Math.fround(1e-40), 2 ** -149],
  float64: [NaN, Infinity, -Infinity, 0, -0, 1e300, -1e300, 5e-320, 2 ** -1074],
  float16: [NaN, Infinity, -Infinity, 0, -0, 60000, -60000, 2 ** -20],
  bfloat16: [NaN, Infinity, -Infinity, 0, -0, 2 ** 100, -(2 ** 120), 2 ** -130],
};

export class Gen {
  readonly b = new Builder();
  /** How this program's float inputs look. */
  readonly style: ValueStyle;

  constructor(
    readonly rng: Rng,
    readonly opts: GenOptions = {},
  ) {
    this.style = rng.weighted<ValueStyle>([
      ["plain", 6],
      ["ties", 2],
      ["special", 1.5],
      ["positive", 1],
    ]);
  }

  dtype(): tt.DType {
    return this.rng.weighted<tt.DType>([
      ["float32", 8],
      ["float64", 5],
      ["float16", 1.2],
      ["bfloat16", 1.2],
      ["int64", 2],
      ["int32", 1],
      ["bool", 1.5],
    ]);
  }

  floatDType(): tt.DType {
    return this.rng.weighted<tt.DType>([
      ["float32", 6],
      ["float64", 5],
      ["float16", 1],
      ["bfloat16", 1],
    ]);
  }

  shape(rank?: number): number[] {
    const maxRank = this.opts.maxRank ?? 4,
      maxDim = this.opts.maxDim ?? 5;
    const r =
      rank ??
      this.rng.weighted(
        [
          [0, 1],
          [1, 3],
          [2, 3.5],
          [3, 2],
          [4, 0.7],
        ].filter(([k]) => k <= maxRank) as [number, number][],
      );
    return Array.from({ length: r }, () => (this.rng.chance(this.opts.emptyChance ?? 0.04) ? 0 : this.rng.int(1, maxDim)));
  }

  /** One value of `dtype` in this program's style. */
  value(dtype: tt.DType, style = this.style): number | boolean {
    const r = this.rng;
    if (dtype === "bool") return r.chance(0.5);
    if (!isFloat(dtype)) return r.int(dtype === "uint8" ? 0 : -4, 6);
    if (style === "special" && r.chance(0.25)) return r.pick(SPECIAL[dtype]!);
    // NaN, infinities, zeros and denormals without huge finite values: a long dot product of
    // huge values overflows to +inf or -inf depending on the order and on FMA, in any library.
    if (style === "nonfinite" && r.chance(0.1)) return r.pick(SPECIAL[dtype]!.filter((v) => !Number.isFinite(v) || Math.abs(v) < 1));
    if (style === "ties") return r.pick([-2, -1, -0.5, 0, 0.5, 1, 2]);
    // Half types get values they hold exactly, so both libraries start from the same numbers.
    if (dtype === "float16" || dtype === "bfloat16") return (style === "positive" ? r.int(1, 64) : r.int(-48, 48)) / 16;
    const x = style === "positive" ? 0.05 + r.next() * 3 : (r.next() * 2 - 1) * 3;
    return dtype === "float32" ? Math.fround(x) : x;
  }

  /** A new input tensor (a step), possibly viewed through a transpose, slice, expand or narrow. */
  input(spec: InputSpec = {}): TensorInfo {
    const dtype = spec.dtype ?? this.dtype();
    const shape = spec.shape ?? this.shape();
    const rg = isFloat(dtype) && (spec.requiresGrad ?? this.rng.chance(0.6));
    const name = this.b.name();
    this.b.add({ out: name, refs: [], ...this.creation(dtype, shape, rg, spec.style) });
    const info = this.b.info(name);
    if (!info) throw new Error(`fuzz: creating an input failed: ${this.b.steps[this.b.steps.length - 1].ts}`);
    if ((spec.views ?? true) && this.rng.chance(0.25)) return this.view(info) ?? info;
    return info;
  }

  /** The two spellings of creating a tensor with these values. */
  private creation(dtype: tt.DType, shape: readonly number[], rg: boolean, style?: ValueStyle): { ts: string; py: string } {
    return tensorLiteral(shape, dtype, rg, () => this.value(dtype, style));
  }

  /** A view with other strides or an offset: transpose, permute, step slice, expand (overlapping), narrow. */
  view(x: TensorInfo): TensorInfo | undefined {
    const r = this.rng,
      n = x.shape.length;
    const kinds = ["expand", ...(n >= 2 ? ["transpose", "permute"] : []), ...(x.shape.some((d) => d >= 2) ? ["slice", "narrow"] : [])];
    const kind = r.pick(kinds);
    let ts: string, py: string;
    if (kind === "transpose") {
      const a = r.int(0, n - 1),
        c = r.int(0, n - 1);
      ts = `${x.name}.transpose(${a}, ${c})`;
      py = `${x.name}.transpose(${a}, ${c})`;
    } else if (kind === "permute") {
      const p = r.shuffle(Array.from({ length: n }, (_, i) => i));
      ts = `${x.name}.permute(${p.join(", ")})`;
      py = `${x.name}.permute(${p.join(", ")})`;
    } else if (kind === "slice" || kind === "narrow") {
      const dims = x.shape.map((d, i) => [d, i] as const).filter(([d]) => d >= 2);
      const [size, d] = r.pick(dims);
      const start = r.int(0, size - 1);
      if (kind === "narrow") {
        const len = r.int(1, size - start);
        ts = `${x.name}.narrow(${d}, ${start}, ${len})`;
        py = `${x.name}.narrow(${d}, ${start}, ${len})`;
      } else {
        const step = r.int(1, 3);
        ts = `${x.name}.slice(${d}, ${start}, null, ${step})`;
        py = `${x.name}[${":, ".repeat(d)}${start}::${step}]`;
      }
    } else {
      // Broadcast size-1 dims (and add a leading one): elements share memory.
      const target = [r.int(1, 3), ...x.shape.map((d) => (d === 1 ? r.int(1, 3) : d))];
      ts = `${x.name}.expand(${tsLit(target)})`;
      py = `${x.name}.expand(${pyLit(target)})`;
    }
    const out = this.b.name();
    this.b.add({ out, ts, py, refs: [x.name] });
    return this.b.info(out);
  }

  /** A tensor in scope matching `pred` (newer ones more likely), or a new input when none does. */
  pick(pred: (t: TensorInfo) => boolean = () => true, make?: InputSpec): TensorInfo {
    const pool = this.b.tensors().filter(pred);
    if (pool.length > 0 && !this.rng.chance(0.15)) {
      // Newest first: weight recent values so chains grow.
      const i = Math.min(pool.length - 1, Math.floor(-Math.log(1 - this.rng.next()) * 1.5));
      return pool[i];
    }
    return this.input(make);
  }

  pickFloat(): TensorInfo {
    return this.pick((t) => isFloat(t.dtype), { dtype: this.floatDType() });
  }

  /** A shape that broadcasts with `shape`: a suffix of it with some dims set to 1, sometimes one bigger. */
  broadcastable(shape: readonly number[]): number[] {
    const r = this.rng;
    if (r.chance(0.03)) return this.shape(); // usually incompatible: both must raise
    const keep = r.int(0, shape.length);
    const s = shape.slice(shape.length - keep).map((d) => (r.chance(0.25) ? 1 : d));
    if (r.chance(0.15) && s.length < 4) return [r.int(1, 3), ...s];
    if (r.chance(0.15)) return s.map((d, i) => (i === 0 && shape[shape.length - keep] === 1 ? r.int(2, 3) : d));
    return s;
  }

  /** A dim argument for a tensor of rank n (mostly in range, negative half the time). */
  dim(n: number): number {
    const m = Math.max(n, 1);
    if (this.rng.chance(0.02)) return this.rng.pick([m, -m - 1]);
    const d = this.rng.int(0, m - 1);
    return this.rng.chance(0.5) ? d - m : d;
  }

  /** A dims argument: all (undefined), one, a list, or the empty list. */
  dims(n: number): number | number[] | undefined {
    const r = this.rng;
    const kind = r.weighted([
      ["all", 3],
      ["one", 5],
      ["list", 2],
      ["empty", 0.5],
    ] as const);
    if (kind === "all") return undefined;
    if (kind === "one") return this.dim(n);
    if (kind === "empty") return [];
    return r
      .shuffle(Array.from({ length: n }, (_, i) => i))
      .slice(0, r.int(1, Math.max(1, n)))
      .map((d) => (r.chance(0.3) ? d - n : d));
  }
}
