/** How an op generator writes one call in both languages. */
import type { TensorInfo } from "./builder.js";
import type { Gen } from "./gen.js";
import { pyLit, tsLit, type Lit } from "./program.js";

/** A value in scope, by name. */
export class Ref {
  constructor(readonly name: string) {}
}
/** A Python keyword argument (TypeScript passes the value positionally). */
export class Kw {
  constructor(
    readonly key: string,
    readonly value: Arg,
  ) {}
}
export type Arg = Lit | Ref | Kw;

/** One call, ready for Builder.add. */
export interface Draft {
  ts: string;
  py: string;
  refs: string[];
  effects?: string[];
}

/** An op generator: writes a call on operands it picks (or makes), or null when it cannot here. */
export interface OpGen {
  name: string;
  weight: number;
  gen(g: Gen): Draft | null;
}

export const ref = (t: TensorInfo | string): Ref => new Ref(typeof t === "string" ? t : t.name);
export const kw = (key: string, value: Arg): Kw => new Kw(key, value);

function refsOf(args: readonly Arg[], into: string[]): string[] {
  for (const a of args) {
    if (a instanceof Ref) into.push(a.name);
    else if (a instanceof Kw) refsOf([a.value], into);
  }
  return into;
}

/** An argument in TypeScript: a name, or a literal (a keyword passes its value). */
export function tsArg(a: Arg): string {
  return a instanceof Ref ? a.name : a instanceof Kw ? tsArg(a.value) : tsLit(a);
}

/** An argument in Python: a name, a literal, or key=value. */
export function pyArg(a: Arg): string {
  return a instanceof Ref ? a.name : a instanceof Kw ? `${a.key}=${pyArg(a.value)}` : pyLit(a);
}

/** Trailing `undefined` arguments are left out in TypeScript (optional parameters). */
function trimTs(args: readonly Arg[]): Arg[] {
  const a = [...args];
  while (a.length && (a[a.length - 1] === undefined || (a[a.length - 1] instanceof Kw && (a[a.length - 1] as Kw).value === undefined)))
    a.pop();
  return a;
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * `recv.method(args)` in both languages. The Python method defaults to the snake_case
 * name and the same arguments; Python-only keywords go in pyArgs.
 */
export function method(
  recv: TensorInfo | string,
  tsName: string,
  args: readonly Arg[] = [],
  py?: { name?: string; args?: readonly Arg[] },
): Draft {
  const r = typeof recv === "string" ? recv : recv.name;
  const pyArgs = (py?.args ?? args).filter((a) => !(a instanceof Kw && a.value === undefined));
  return {
    ts: `${r}.${tsName}(${trimTs(args).map(tsArg).join(", ")})`,
    py: `${r}.${py?.name ?? snake(tsName)}(${pyArgs.map(pyArg).join(", ")})`,
    refs: [r, ...refsOf(args, []), ...refsOf(py?.args ?? [], [])].filter((x, i, a) => a.indexOf(x) === i),
  };
}

/** `tt.fn(args)` / `pyFn(args)` (pyFn a full Python callee such as torch.cat or F.gelu). */
export function call(tsFn: string, pyFn: string, args: readonly Arg[], pyArgs?: readonly Arg[]): Draft {
  return {
    ts: `tt.${tsFn}(${trimTs(args).map(tsArg).join(", ")})`,
    py: `${pyFn}(${(pyArgs ?? args)
      .filter((a) => !(a instanceof Kw && a.value === undefined))
      .map(pyArg)
      .join(", ")})`,
    refs: [...refsOf(args, []), ...refsOf(pyArgs ?? [], [])].filter((x, i, a) => a.indexOf(x) === i),
  };
}

/** A list of tensors as one argument: `[a, b]` in both languages. */
export function list(ts: readonly TensorInfo[]): { ts: string; py: string; refs: string[] } {
  const names = ts.map((t) => t.name);
  return { ts: `[${names.join(", ")}]`, py: `[${names.join(", ")}]`, refs: [...new Set(names)] };
}
