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

/** Renders a literal as TypeScript source. */
export function tsLit(v: Lit): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    if (Object.is(v, -0)) return "-0";
    return String(v);
  }
  return `[${v.map(tsLit).join(", ")}]`;
}

/** Renders a literal as Python source (`nan` and `inf` come from `math`, as the prelude imports them). */
export function pyLit(v: Lit): string {
  if (v === undefined || v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (v === Infinity) return "inf";
    if (v === -Infinity) return "-inf";
    if (Object.is(v, -0)) return "-0.0";
    return String(v);
  }
  return v.length === 1 ? `[${pyLit(v[0])}]` : `[${v.map(pyLit).join(", ")}]`;
}

/** A Python tuple literal (a trailing comma for one element). */
export function pyTuple(v: readonly Lit[]): string {
  return v.length === 1 ? `(${pyLit(v[0])},)` : `(${v.map(pyLit).join(", ")})`;
}

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
  for (let grew = true; grew; ) {
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
