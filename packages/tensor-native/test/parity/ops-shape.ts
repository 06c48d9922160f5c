/** Views and shape ops, joins and splits, indexing with tensors, and matmul. */
import type { TensorInfo } from "./builder.js";
import { tensorLiteral, type Gen } from "./gen.js";
import { list, method, ref, type Draft, type OpGen } from "./op.js";

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A shape with the same number of elements (one size may be -1), occasionally a wrong one. */
function reshaped(g: Gen, shape: readonly number[]): number[] {
  const n = numel(shape);
  if (g.rng.chance(0.04)) return [n + 1];
  const dims: number[] = [];
  let rest = n;
  while (rest > 1 && dims.length < 3) {
    const ds = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0 && d > 1);
    const d = g.rng.pick(ds);
    dims.push(d);
    rest /= d;
  }
  if (n === 0) dims.push(0, ...(g.rng.chance(0.5) ? [g.rng.int(1, 3)] : []));
  if (g.rng.chance(0.3)) dims.push(1);
  const out = g.rng.shuffle(dims);
  if (out.length && n > 0 && g.rng.chance(0.3)) out[g.rng.int(0, out.length - 1)] = -1;
  return out;
}

/** Python's x[..., start:end:step] on one dim (a dim out of range gives too many indices: both raise). */
function pySlice(x: string, dim: number, n: number, start: number | null, end: number | null, step: number): string {
  const d = dim < 0 ? dim + n : dim;
  const part = `${start ?? ""}:${end ?? ""}${step !== 1 ? `:${step}` : ""}`;
  return `${x}[${":, ".repeat(d >= 0 && d < n ? d : n)}${part}]`;
}

function indexTensor(g: Gen, shape: readonly number[], bound: number): TensorInfo {
  // Valid indices mostly; a negative or out-of-range one now and then (both must raise).
  const bad = g.rng.chance(0.03);
  const name = g.b.name();
  const value = (): number => (bad ? g.rng.pick([-1, bound]) : bound > 0 ? g.rng.int(0, bound - 1) : 0);
  g.b.add({ out: name, refs: [], ...tensorLiteral(shape, "int64", false, value) });
  return g.b.info(name)!;
}

export const SHAPE: readonly OpGen[] = [
  {
    name: "reshape-view",
    weight: 2.5,
    gen(g) {
      const x = g.pick();
      return method(x, g.rng.pick(["reshape", "view"]), [reshaped(g, x.shape)]);
    },
  },
  {
    name: "transpose-permute",
    weight: 2,
    gen(g) {
      const x = g.pick((t) => t.shape.length >= 1);
      const n = x.shape.length;
      if (g.rng.chance(0.5)) return method(x, "transpose", [g.dim(n), g.dim(n)]);
      if (n <= 2 && g.rng.chance(0.3)) return method(x, "t");
      const order = g.rng.shuffle(Array.from({ length: n }, (_, i) => i));
      return method(x, "permute", order, { args: [order] });
    },
  },
  {
    name: "squeeze-unsqueeze",
    weight: 1.5,
    gen(g) {
      const x = g.pick();
      const n = x.shape.length;
      if (g.rng.chance(0.5)) return method(x, "unsqueeze", [g.rng.int(-n - 1, n)]);
      return g.rng.chance(0.3) ? method(x, "squeeze") : method(x, "squeeze", [g.dim(n)]);
    },
  },
  {
    name: "flatten",
    weight: 1,
    gen(g) {
      const x = g.pick();
      const n = x.shape.length;
      if (g.rng.chance(0.3)) return method(x, "flatten");
      const a = g.dim(n),
        b = g.dim(n);
      return method(x, "flatten", [a, b], { args: [a, b] });
    },
  },
  {
    name: "expand",
    weight: 1,
    gen(g) {
      const x = g.pick();
      const target = [
        ...(g.rng.chance(0.4) ? [g.rng.int(1, 3)] : []),
        ...x.shape.map((d) => (d === 1 && g.rng.chance(0.6) ? g.rng.int(2, 3) : g.rng.chance(0.2) ? -1 : d)),
      ];
      return method(x, "expand", [target]);
    },
  },
  {
    name: "narrow-select-slice",
    weight: 2.5,
    gen(g): Draft {
      const x = g.pick();
      const n = x.shape.length;
      const d = g.dim(n);
      const size = x.shape[d < 0 ? d + n : d] ?? 1;
      const kind = g.rng.pick(["narrow", "select", "slice"]);
      if (kind === "narrow") {
        const s = g.rng.int(0, size),
          len = g.rng.int(0, size - s);
        return method(x, "narrow", [d, s, len]);
      }
      if (kind === "select") return method(x, "select", [d, g.rng.int(-size, Math.max(0, size - 1))]);
      const start = g.rng.chance(0.3) ? null : g.rng.int(-size, size);
      const end = g.rng.chance(0.4) ? null : g.rng.int(-size, size + 1);
      const step = g.rng.int(1, 3);
      const m = method(x, "slice", [d, start, end, step]);
      return n === 0 ? m : { ...m, py: pySlice(x.name, d, n, start, end, step) };
    },
  },
  {
    name: "split-chunk",
    weight: 1.5,
    gen(g) {
      const x = g.pick((t) => t.shape.length >= 1);
      const n = x.shape.length,
        d = g.dim(n);
      const size = x.shape[d < 0 ? d + n : d] ?? 0;
      if (g.rng.chance(0.35)) return method(x, "chunk", [g.rng.int(1, 4), d]);
      if (g.rng.chance(0.5) || size === 0) return method(x, "split", [g.rng.int(1, 3), d]);
      const parts: number[] = [];
      for (let left = size; left > 0;) {
        const p = g.rng.int(1, left);
        parts.push(p);
        left -= p;
      }
      return method(x, "split", [parts, d]);
    },
  },
  {
    name: "cat-stack",
    weight: 2,
    gen(g) {
      const x = g.pick();
      const stack = g.rng.chance(0.35);
      const n = x.shape.length;
      const d = stack ? g.rng.int(-n - 1, n) : g.dim(n);
      const parts = [x];
      for (let i = g.rng.int(0, 2); i > 0; i--) {
        const shape = [...x.shape];
        if (!stack && n > 0) shape[d < 0 ? d + n : d] = g.rng.int(0, 3);
        parts.push(g.input({ shape, dtype: g.rng.chance(0.75) ? x.dtype : g.dtype() }));
      }
      const l = list(g.rng.shuffle(parts));
      const fn = stack ? "stack" : "cat";
      return { ts: `tt.${fn}(${l.ts}, ${d})`, py: `torch.${fn}(${l.py}, ${d})`, refs: l.refs };
    },
  },
  {
    name: "copy",
    weight: 1,
    gen(g) {
      const x = g.pick();
      return method(x, g.rng.pick(["clone", "contiguous", "detach"]));
    },
  },
  {
    name: "indexSelect",
    weight: 1.5,
    gen(g) {
      const x = g.pick();
      const n = x.shape.length,
        d = g.dim(n);
      const size = x.shape[d < 0 ? d + n : d] ?? 1;
      // For a 0-d input, PyTorch 1.13 writes past its buffer with several indices and reads
      // uninitialized memory with none: one index there.
      const idx = indexTensor(g, n === 0 ? g.rng.pick([[], [1]]) : [g.rng.int(0, 5)], size);
      return method(x, "indexSelect", [d, ref(idx)]);
    },
  },
  {
    name: "gather-scatterAdd",
    weight: 2,
    gen(g) {
      const x = g.pick();
      const n = x.shape.length,
        d = g.dim(n);
      const dd = d < 0 ? d + Math.max(n, 1) : d;
      const size = x.shape[dd] ?? 1;
      // Index sizes: any along dim, at most x's elsewhere (PyTorch's rule).
      const ishape = x.shape.map((s, i) => (i === dd ? g.rng.int(0, 4) : g.rng.chance(0.7) ? s : g.rng.int(0, s)));
      const idx = indexTensor(g, ishape, size);
      if (g.rng.chance(0.5)) return method(x, "gather", [d, ref(idx)]);
      const src = g.input({ shape: ishape.map((s) => (g.rng.chance(0.2) ? s + 1 : s)), dtype: x.dtype, views: false });
      return method(x, "scatterAdd", [d, ref(idx), ref(src)]);
    },
  },
  {
    name: "mask-index",
    weight: 1.5,
    gen(g) {
      const x = g.pick();
      const kind = g.rng.pick(["maskedSelect", "boolIndex", "intIndex", "nonzero"]);
      if (kind === "nonzero") return method(x, "nonzero");
      if (kind === "maskedSelect") {
        const m = g.input({ shape: g.broadcastable(x.shape), dtype: "bool" });
        return method(x, "maskedSelect", [ref(m)]);
      }
      if (kind === "boolIndex") {
        const m = g.input({ shape: x.shape, dtype: "bool", views: false });
        return { ts: `${x.name}.index(${m.name})`, py: `${x.name}[${m.name}]`, refs: [x.name, m.name] };
      }
      const idx = indexTensor(g, g.shape(g.rng.int(0, 2)), x.shape[0] ?? 1);
      return { ts: `${x.name}.index(${idx.name})`, py: `${x.name}[${idx.name}]`, refs: [x.name, idx.name] };
    },
  },
  {
    name: "matmul",
    weight: 3,
    gen(g) {
      // PyTorch's CPU matmul has no bool kernel (it only answers for empty operands).
      const x = g.pick((t) => t.shape.length >= 1 && t.shape.length <= 4 && t.dtype !== "bool", { dtype: g.floatDType() });
      const n = x.shape.length;
      const k = n === 1 ? x.shape[0] : x.shape[n - 2 + 1];
      const r = g.rng;
      const kk = r.chance(0.03) ? k + 1 : k;
      const shape = r.weighted<number[]>([
        [[kk], 1],
        [[kk, r.int(1, 6)], 3],
        [[r.int(1, 3), kk, r.int(1, 5)], n >= 2 ? 1 : 0.3],
        [[...x.shape.slice(0, -2), kk, r.int(1, 5)], n >= 3 ? 1.5 : 0],
      ]);
      const y = g.input({ shape, dtype: r.chance(0.92) ? x.dtype : g.floatDType() });
      return method(x, "matmul", [ref(y)]);
    },
  },
];
