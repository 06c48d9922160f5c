/**
 * A fuzz program: a list of steps, each one expression written twice, in TypeScript
 * against `tt` (@tessera/tensor) and in Python against `torch`. The same text is what the
 * fuzzer runs and what a failure prints, so a reproduction is exactly what disagreed.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One statement: `const out = <expression>`, reading the earlier values named in refs. */
export interface Step {
  out: string;
  /** Expression over `tt` and refs. */
  ts: string;
  /** The same expression over `torch` and refs. */
  py: string;
  refs: readonly string[];
  /** False for steps whose value is not compared, only whether they raised (a backward() call's undefined/None). */
  compare?: boolean;
  /** Values this step changes in place (an in-place op, backward() filling `.grad`, a hook). */
  effects?: readonly string[];
}

/** A generated program and where it came from. */
export interface Program {
  /** The family that generated it (chain, inplace, hooks, nn, optim, large…). */
  family: string;
  seed: number;
  steps: Step[];
}

/** A literal both languages can read: numbers (NaN, ±Infinity, -0 included), booleans, null, strings, arrays. */
export type Lit = number | boolean | null | undefined | string | readonly Lit[];

/** How one language spells the literals that differ between the two. */
interface Spelling {
  undef: string;
  none: string;
  bool: (b: boolean) => string;
  nan: string;
  inf: string;
  negZero: string;
}

const TS: Spelling = { undef: "undefined", none: "null", bool: String, nan: "NaN", inf: "Infinity", negZero: "-0" };
const PY: Spelling = { undef: "None", none: "None", bool: (b) => (b ? "True" : "False"), nan: "nan", inf: "inf", negZero: "-0.0" };

function lit(v: Lit, s: Spelling): string {
  if (v === undefined) return s.undef;
  if (v === null) return s.none;
  if (typeof v === "boolean") return s.bool(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (Number.isNaN(v)) return s.nan;
    if (Math.abs(v) === Infinity) return v > 0 ? s.inf : `-${s.inf}`;
    return Object.is(v, -0) ? s.negZero : String(v);
  }
  return `[${v.map((x) => lit(x, s)).join(", ")}]`;
}

/** Renders a literal as TypeScript source. */
export const tsLit = (v: Lit): string => lit(v, TS);

/** Renders a literal as Python source (`nan` and `inf` come from `math`, as the prelude imports them). */
export const pyLit = (v: Lit): string => lit(v, PY);

/** The TypeScript reproduction of a program (or of its first `upto` steps). */
export function renderTs(p: Program, upto = p.steps.length): string {
  const lines = ['import * as tt from "@tessera/tensor";', ""];
  for (const s of p.steps.slice(0, upto)) lines.push(s.compare === false ? `${s.ts};` : `const ${s.out} = ${s.ts};`);
  return lines.join("\n");
}

/** The stand-ins in torch_helpers.py, by name, with their source. */
const PY_HELPERS: ReadonlyMap<string, string> = (() => {
  const src = readFileSync(fileURLToPath(new URL("./torch_helpers.py", import.meta.url)), "utf8");
  const defs = src.split(/\n(?=def )/).filter((d) => d.startsWith("def "));
  return new Map(defs.map((d) => [/^def (\w+)/.exec(d)![1], d.trimEnd()]));
})();

/** The Python reproduction of a program (with the definitions of the stand-ins it calls). */
export function renderPy(p: Program, upto = p.steps.length): string {
  const lines = ["import torch", "import torch.nn.functional as F", "from math import inf, nan", ""];
  const used = [...PY_HELPERS].filter(([name]) => p.steps.slice(0, upto).some((s) => new RegExp(`(^|[^.\\w])${name}\\(`).test(s.py)));
  for (const [, def] of used) lines.push(def, "");
  for (const s of p.steps.slice(0, upto)) lines.push(s.compare === false ? s.py : `${s.out} = ${s.py}`);
  return lines.join("\n");
}

/** The steps `target` needs (itself, what it reads, and what changed those in place before it), in program order. */
export function sliceFor(p: Program, target: string): Program {
  const end = p.steps.findIndex((s) => s.out === target);
  const head = p.steps.slice(0, end + 1);
  const need = new Set([target]);
  const keep = new Set<Step>();
  for (let grew = true; grew;) {
    grew = false;
    for (const s of head) {
      if (keep.has(s) || !(need.has(s.out) || s.effects?.some((e) => need.has(e)))) continue;
      keep.add(s);
      need.add(s.out);
      for (const r of s.refs) need.add(r);
      grew = true;
    }
  }
  return { ...p, steps: head.filter((s) => keep.has(s)) };
}
