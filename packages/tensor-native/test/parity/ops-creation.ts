/** Creation functions: arange, linspace, eye, full, zerosLike/onesLike, oneHot. */
import { pyDType, type Gen } from "./gen.js";
import { call, ref, type Draft, type OpGen } from "./op.js";
import { pyLit, tsLit } from "./program.js";

/** `{ dtype }` in TypeScript and `dtype=torch.x` in Python, or nothing (each library's default). */
function dtypeOpt(g: Gen, kinds: readonly string[]): { ts: string; py: string } {
  if (g.rng.chance(0.4)) return { ts: "", py: "" };
  const d = g.rng.pick(kinds);
  return { ts: `, { dtype: ${tsLit(d)} }`, py: `, dtype=${pyDType(d)}` };
}

const NUMERIC = ["float32", "float64", "int64", "int32"];

export const CREATION: readonly OpGen[] = [
  {
    name: "arange",
    weight: 0.6,
    gen(g): Draft {
      const r = g.rng;
      const float = r.chance(0.4);
      const start = float ? r.pick([-1.5, 0, 0.25, 2]) : r.int(-3, 3);
      const step = float ? r.pick([0.5, 0.3, -0.75, 1]) : r.pick([1, 2, -1, 3]);
      const end = start + step * r.int(0, 7) + (float ? r.pick([0, 0.1]) : 0);
      const o = dtypeOpt(g, NUMERIC);
      return {
        ts: `tt.arange(${start}, ${tsLit(end)}, ${step}${o.ts})`,
        py: `torch.arange(${start}, ${pyLit(end)}, ${step}${o.py})`,
        refs: [],
      };
    },
  },
  {
    name: "linspace",
    weight: 0.4,
    gen(g): Draft {
      const r = g.rng;
      const [a, b, n] = [r.pick([-2, 0, 0.5, 3]), r.pick([-1, 1, 2.5, 10]), r.int(0, 9)];
      const o = dtypeOpt(g, ["float32", "float64"]);
      return { ts: `tt.linspace(${a}, ${b}, ${n}${o.ts})`, py: `torch.linspace(${a}, ${b}, ${n}${o.py})`, refs: [] };
    },
  },
  {
    name: "eye-full",
    weight: 0.5,
    gen(g): Draft {
      const r = g.rng;
      if (r.chance(0.4)) {
        const n = r.int(0, 4),
          m = r.int(0, 4);
        const o = dtypeOpt(g, [...NUMERIC, "bool"]);
        return { ts: `tt.eye(${n}, ${m}${o.ts})`, py: `torch.eye(${n}, ${m}${o.py})`, refs: [] };
      }
      const shape = g.shape();
      const value = r.pick([0, 3, -1.5, 2.25, true, false]);
      const o = typeof value === "boolean" ? { ts: "", py: "" } : dtypeOpt(g, NUMERIC);
      return {
        ts: `tt.full(${tsLit(shape)}, ${tsLit(value)}${o.ts})`,
        py: `torch.full(${pyLit(shape)}, ${pyLit(value)}${o.py})`,
        refs: [],
      };
    },
  },
  {
    name: "like-oneHot",
    weight: 0.5,
    gen(g): Draft {
      if (g.rng.chance(0.6)) {
        const x = g.pick();
        const fn = g.rng.pick(["zerosLike", "onesLike"]);
        return call(fn, fn === "zerosLike" ? "torch.zeros_like" : "torch.ones_like", [ref(x)]);
      }
      const shape = g.shape(g.rng.int(0, 2));
      const classes = g.rng.int(1, 4);
      const idx = g.input({ shape, dtype: "int64", views: false, style: "plain" });
      // Indices in range for the class count (negative or too large ones raise in both).
      const clamped = `${idx.name}.clamp(0, ${classes - 1})`;
      const n = g.rng.chance(0.3) ? -1 : classes;
      return { ts: `tt.oneHot(${clamped}, ${n})`, py: `F.one_hot(${clamped}, ${n})`, refs: [idx.name] };
    },
  },
];
