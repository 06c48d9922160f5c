/**
 * The `autograd` family: in-place ops and the rules around them, hooks and graph reuse.
 *
 * - In-place ops (add_ sub_ mul_ div_ clamp_ copy_ fill_ zero_) on plain tensors of any
 *   dtype, on views (the base changes too), on overlapping expanded views and on partly
 *   overlapping operands (PyTorch raises for those), on leaves that require grad (both
 *   raise) and under noGrad (`torch.no_grad()(lambda: …)()` in Python).
 * - Saved-tensor version checks: an op saves its inputs or its result, something changes
 *   one of them in place, and backward raises in both libraries, or in neither.
 * - Hooks on leaves and intermediates (replacing the gradient or not), handles removed,
 *   retainGrad and a non-leaf's `.grad`, backward twice with retainGraph (gradients
 *   accumulate, also into a `.grad` read before), and again without it.
 *
 * In-place ops on a non-leaf that requires grad raise in Tessera while PyTorch records
 * them: a known difference, generated in a few percent of programs only.
 */
import type * as tt from "../../src/ts/index.js";
import type { TensorInfo } from "./builder.js";
import { gradLeaves, randomOps } from "./family-chain.js";
import { backwardWith, effect, emit, floats, info } from "./family-helpers.js";
import { isFloat, type Gen } from "./gen.js";
import { method, ref, type Arg } from "./op.js";
import { pyLit, tsLit } from "./program.js";

const floatDType = (g: Gen): tt.DType =>
  g.rng.weighted<tt.DType>([
    ["float32", 5],
    ["float64", 4],
    ["bfloat16", 0.5],
  ]);

/** A scalar for an in-place op on a tensor of `dtype`. */
function scalar(g: Gen, dtype: tt.DType): number | boolean {
  const r = g.rng;
  if (r.chance(0.05)) return r.chance(0.5);
  if (!isFloat(dtype) || r.chance(0.4)) return r.int(-3, 4);
  return r.pick([0.5, -1.5, 2.5, 0.25]);
}

/**
 * One in-place op on x (a name with its info), as a draft: add_/sub_/mul_/div_ with a
 * scalar or a broadcastable tensor, clamp_, copy_, fill_ or zero_. `other` overrides the
 * tensor operand.
 */
function inplaceOp(g: Gen, x: TensorInfo, other?: string): { ts: string; py: string } {
  const r = g.rng;
  const op = r.weighted([
    ["add_", 3],
    ["sub_", 1.5],
    ["mul_", 2.5],
    ["div_", 1.5],
    ["clamp_", 1.5],
    ["copy_", 2],
    ["fill_", 1.5],
    ["zero_", 1],
  ] as const);
  const tensorArg = (): Arg => {
    if (other) return ref(other);
    const shape = g.broadcastable(x.shape);
    return ref(g.input({ shape, dtype: r.chance(0.7) ? x.dtype : g.dtype(), requiresGrad: false, views: true }).name);
  };
  let d: { ts: string; py: string };
  if (op === "zero_") d = method(x, "zero_");
  else if (op === "fill_") d = method(x, "fill_", [scalar(g, x.dtype)]);
  else if (op === "copy_") d = method(x, "copy_", [tensorArg()]);
  else if (op === "clamp_") {
    const lo = r.chance(0.2) ? undefined : r.pick([-1, -0.5, 0]),
      hi = r.chance(0.2) && lo !== undefined ? undefined : r.pick([0.5, 1, 2]);
    d = method(x, "clamp_", [lo, hi]);
  } else d = method(x, op, [other || r.chance(0.5) ? tensorArg() : scalar(g, x.dtype)]);
  return d;
}

/** Adds an in-place step on x (which it changes) and returns its name. */
function addInplace(g: Gen, x: TensorInfo, also: string[] = [], other?: string): string {
  const d = inplaceOp(g, x, other);
  return emit(g, d.ts, d.py, { effects: [x.name, ...also] });
}

/** In-place ops on tensors that do not require grad: plain, through views (the base sees it), overlapping. */
function plain(g: Gen): void {
  const r = g.rng;
  const base = g.input({ requiresGrad: false, views: false });
  const kind = r.weighted([
    ["self", 4],
    ["view", 4],
    ["expanded", 1],
    ["partial", 0.7],
  ] as const);
  if (kind === "self") {
    addInplace(g, base);
    if (r.chance(0.4)) addInplace(g, info(g, base.name) ?? base);
    return;
  }
  if (kind === "view") {
    const v = g.view(base);
    if (!v) return;
    addInplace(g, v, [base.name]);
    emit(g, base.name, base.name);
    return;
  }
  if (kind === "expanded") {
    // Several elements of the target share memory: PyTorch refuses every in-place op but fill_/zero_.
    const target = [r.int(2, 3), ...base.shape];
    const e = emit(g, `${base.name}.expand(${tsLit(target)})`, `${base.name}.expand(${pyLit(target)})`);
    const ei = info(g, e);
    if (!ei) return;
    addInplace(g, ei, [base.name]);
    emit(g, base.name, base.name);
    return;
  }
  // The operand overlaps the target without being it (x.add_(x.t())): PyTorch raises.
  if (base.shape.length < 2 || base.shape[0] !== base.shape[1]) {
    addInplace(g, base);
    return;
  }
  const t = emit(g, `${base.name}.transpose(0, 1)`, `${base.name}.transpose(0, 1)`);
  const op = r.pick(["add_", "mul_", "sub_", "copy_"]);
  emit(g, `${base.name}.${op}(${t})`, `${base.name}.${op}(${t})`, { effects: [base.name, t] });
}

/** Leaves that require grad: in-place raises in both, unless under noGrad (or on a detach()ed alias). */
function leaf(g: Gen): void {
  const r = g.rng;
  const dt = floatDType(g);
  const w = info(
    g,
    floats(
      g,
      g.shape(r.int(1, 3)).map((d) => Math.max(d, 1)),
      dt,
      { rg: true },
    ),
  )!;
  const kind = r.weighted([
    ["direct", 2],
    ["view", 1.5],
    ["noGrad", 4],
    ["noGradView", 2],
    ["detach", 2],
  ] as const);
  if (kind === "direct") addInplace(g, w);
  else if (kind === "view") {
    const v = g.view(w);
    if (v) addInplace(g, v, [w.name]);
  } else if (kind === "noGrad" || kind === "noGradView") {
    const d = inplaceOp(g, w);
    const [ts, py] =
      kind === "noGrad"
        ? [d.ts, d.py]
        : [d.ts.replace(w.name, `${w.name}.narrow(0, 0, 1)`), d.py.replace(w.name, `${w.name}.narrow(0, 0, 1)`)];
    // Not compared for a view: PyTorch marks a view made under no_grad of a leaf that requires grad as
    // requiring grad, Tessera does not (a known difference); the leaf itself is read next.
    emit(g, `tt.noGrad(() => ${ts})`, `torch.no_grad()(lambda: ${py})()`, {
      effects: [w.name],
      compare: kind === "noGrad" ? undefined : false,
    });
    emit(g, w.name, w.name);
  } else {
    const a = emit(g, `${w.name}.detach()`, `${w.name}.detach()`);
    const ai = info(g, a);
    if (ai) addInplace(g, ai, [w.name]);
    emit(g, w.name, w.name);
  }
  // The leaf still works in a graph afterwards.
  const y = emit(g, `${w.name}.mul(${w.name}).sum()`, `${w.name}.mul(${w.name}).sum()`);
  effect(g, `${y}.backward()`, `${y}.backward()`, [w.name]);
  emit(g, `${w.name}.grad`, `${w.name}.grad`);
}

/** Ops and what each saves for backward (in PyTorch): its input, its other operand, its result, or nothing. */
const SAVING: readonly (readonly [string, string, boolean])[] = [
  // [TypeScript (w, a), Python, needs a second operand]
  ["w.mul(a)", "w.mul(a)", true],
  ["a.mul(w)", "a.mul(w)", true],
  ["w.div(a)", "w.div(a)", true],
  ["a.div(w)", "a.div(w)", true],
  ["w.add(a)", "w.add(a)", true],
  ["w.sub(a)", "w.sub(a)", true],
  ["w.pow(2)", "w.pow(2)", false],
  ["w.exp()", "w.exp()", false],
  ["w.sigmoid()", "w.sigmoid()", false],
  ["w.tanh()", "w.tanh()", false],
  ["w.relu()", "w.relu()", false],
  ["w.sin()", "w.sin()", false],
  ["w.abs()", "w.abs()", false],
  ["w.sqrt()", "w.sqrt()", false],
  ["w.clamp(-1, 1)", "w.clamp(-1, 1)", false],
  ["w.sum()", "w.sum()", false],
  ["w.mean()", "w.mean()", false],
  ["w.neg()", "w.neg()", false],
  ["w.mul(3)", "w.mul(3)", false],
  ["w.softmax(-1)", "w.softmax(-1)", false],
  ["w.maximum(a)", "w.maximum(a)", true],
  ["tt.where(a.gt(0), w, 0)", "torch.where(a.gt(0), w, 0)", true],
];

/** An op saves a tensor, something changes it in place, then backward: both raise, or neither. */
function versions(g: Gen): void {
  const r = g.rng;
  const dt = floatDType(g);
  const shape = g.shape(r.int(1, 2)).map((d) => Math.max(d, 1));
  const w = floats(g, shape, dt, { rg: true, style: "positive" });
  const [tsT, pyT, two] = r.pick(SAVING);
  const a = two ? floats(g, r.chance(0.8) ? shape : shape.slice(1), dt, { style: "positive" }) : undefined;
  const sub = (s: string): string => s.replace(/\bw\b/g, w).replace(/\ba\b/g, a ?? "");
  const y = emit(g, sub(tsT), sub(pyT));
  const yi = info(g, y);
  if (!yi) return;
  // What changes: the other operand, the leaf (noGrad), a detach()ed alias of it, or the result (noGrad).
  const what = r.weighted([
    ["a", a ? 3 : 0],
    ["leaf", 2],
    ["detach", 1.5],
    ["result", 2.5],
    ["aView", a && shape.length >= 1 ? 1 : 0],
    ["nothing", 1],
  ] as const);
  if (what === "a") addInplace(g, info(g, a!)!);
  else if (what === "aView") {
    const v = emit(g, `${a}.narrow(-1, 0, 1)`, `${a}.narrow(-1, 0, 1)`);
    const vi = info(g, v);
    if (vi) addInplace(g, vi, [a!]);
  } else if (what === "leaf" || what === "result") {
    const t = what === "leaf" ? w : y;
    const ti = info(g, t)!;
    const d = inplaceOp(g, ti);
    emit(g, `tt.noGrad(() => ${d.ts})`, `torch.no_grad()(lambda: ${d.py})()`, { effects: [t] });
  } else if (what === "detach") {
    const d = emit(g, `${w}.detach()`, `${w}.detach()`);
    const di = info(g, d);
    if (di) addInplace(g, di, [w]);
  }
  const yNow = info(g, y) ?? yi;
  backwardWith(g, yNow, "plain");
}

/** Hooks on a leaf or an intermediate: they may replace the gradient; handles removed; retainGrad. */
function hooks(g: Gen): void {
  const r = g.rng;
  const dt = floatDType(g);
  const shape = g.shape(r.int(0, 2));
  const w = floats(g, shape, dt, { rg: true });
  const HOOK = [
    ["(g) => g.mul(2)", "lambda g: g.mul(2)"],
    ["(g) => g.add(1)", "lambda g: g.add(1)"],
    ["(g) => undefined", "lambda g: None"],
    ["(g) => g.clamp(-0.5, 0.5)", "lambda g: g.clamp(-0.5, 0.5)"],
    ["(g) => g.neg()", "lambda g: g.neg()"],
  ] as const;
  // The leaf reaches the loss by one path or by several (a leaf hook sees the sum of their gradients).
  const c = floats(g, shape, dt);
  const mid = r.chance(0.5) ? emit(g, `${w}.mul(${c})`, `${w}.mul(${c})`) : emit(g, `${w}.mul(${w})`, `${w}.mul(${w})`);
  const retained = r.chance(0.4);
  const handles: [string, string][] = [];
  for (let i = r.int(1, 3); i > 0; i--) {
    const on = r.chance(0.5) ? w : mid;
    const [th, ph] = r.pick(HOOK);
    handles.push([emit(g, `${on}.registerHook(${th})`, `${on}.register_hook(${ph})`, { out: g.b.name("h"), effects: [on] }), on]);
  }
  // retainGrad after the hooks only: PyTorch 1.13 fills `.grad` at retain_grad's place among the hooks (before the
  // later ones), PyTorch 2 and Tessera after all of them.
  // Not compared: retainGrad() returns the tensor, retain_grad() None.
  if (retained) effect(g, `${mid}.retainGrad()`, `${mid}.retain_grad()`, [mid], { compare: false });
  if (r.chance(0.3)) {
    const [h, on] = r.pick(handles);
    effect(g, `${h}.remove()`, `${h}.remove()`, [on]);
  }
  // A hook on a tensor that does not require grad: both raise.
  if (r.chance(0.05)) emit(g, `${c}.registerHook((g) => g)`, `${c}.register_hook(lambda g: g)`, { out: g.b.name("h") });
  const expr = r.chance(0.6) ? `${mid}.sin().sum()` : `${mid}.add(${w}).sum()`;
  const y = emit(g, expr, expr);
  effect(g, `${y}.backward()`, `${y}.backward()`, [w, mid]);
  emit(g, `${w}.grad`, `${w}.grad`);
  // A non-leaf's .grad: null / None unless retained.
  emit(g, `${mid}.grad`, `${mid}.grad`);
}

/** backward twice through the same graph (retainGraph), gradients accumulating; then without it. */
function retain(g: Gen): void {
  const r = g.rng;
  // float32/float64: bfloat16 gradients summed over two passes round differently in each library.
  for (let i = r.int(1, 2); i > 0; i--) g.input({ dtype: r.chance(0.6) ? "float32" : "float64", requiresGrad: true, views: r.chance(0.3) });
  randomOps(g, r.int(1, 4));
  const cands = g.b.tensors().filter((t) => t.requiresGrad && !t.isLeaf && isFloat(t.dtype));
  const y = cands[0];
  const leaves = gradLeaves(g);
  // 16-bit leaves (the random ops may make some): their gradients, summed over two passes, round differently.
  if (!y || leaves.length === 0 || leaves.some((l) => l.dtype === "bfloat16" || l.dtype === "float16")) return;
  backwardWith(g, y, "plain", { retainGraph: true });
  // Hold a leaf's .grad: the next backward adds into it in place, so the held tensor sees the sum.
  const held = emit(g, `${leaves[0].name}.grad`, `${leaves[0].name}.grad`);
  if (r.chance(0.2)) {
    // Or start over: .grad set to None / null, or zeroed in place.
    if (r.chance(0.5)) effect(g, `(${leaves[0].name}.grad = null)`, `setattr(${leaves[0].name}, "grad", None)`, [leaves[0].name]);
    else effect(g, `${leaves[0].name}.grad.zero_()`, `${leaves[0].name}.grad.zero_()`, [leaves[0].name, held]);
  }
  const again = r.chance(0.5);
  backwardWith(g, info(g, y.name) ?? y, "plain", { retainGraph: again });
  emit(g, held, held);
  // A third time: fine after a retained backward; after one without retainGraph both raise (if the graph saved tensors).
  if (r.chance(again ? 0.3 : 0.25)) backwardWith(g, info(g, y.name) ?? y, "plain");
}

/** An in-place op on a non-leaf that requires grad, recorded in both, then the gradient through it. */
function nonLeafInplace(g: Gen): void {
  const w = floats(g, g.shape(g.rng.int(1, 2)), floatDType(g), { rg: true });
  const y = emit(g, `${w}.mul(2)`, `${w}.mul(2)`);
  addInplace(g, info(g, y)!, [w]);
  effect(g, `${y}.sum().backward()`, `${y}.sum().backward()`, [w]);
  emit(g, `${w}.grad`, `${w}.grad`);
}

/** requiresGrad_ on non-float tensors, non-leaves and detach()ed ones. */
function requiresGrad(g: Gen): void {
  const r = g.rng;
  const x = g.input({ requiresGrad: false, views: false });
  const kind = r.pick(["input", "nonLeaf", "detach"] as const);
  if (kind === "input") {
    const v = emit(g, `${x.name}.requiresGrad_()`, `${x.name}.requires_grad_()`, { effects: [x.name] });
    if (!info(g, v) || !isFloat(x.dtype)) return;
    const y = emit(g, `${x.name}.mul(${x.name}).sum()`, `${x.name}.mul(${x.name}).sum()`);
    effect(g, `${y}.backward()`, `${y}.backward()`, [x.name]);
    emit(g, `${x.name}.grad`, `${x.name}.grad`);
  } else if (kind === "nonLeaf") {
    const w = floats(g, x.shape, floatDType(g), { rg: true });
    const y = emit(g, `${w}.mul(2)`, `${w}.mul(2)`);
    const flag = r.chance(0.7) ? false : true;
    emit(g, `${y}.requiresGrad_(${flag})`, `${y}.requires_grad_(${pyLit(flag)})`);
  } else {
    const w = floats(g, x.shape, floatDType(g), { rg: true });
    const d = emit(g, `${w}.detach().requiresGrad_()`, `${w}.detach().requires_grad_()`);
    const y = emit(g, `${d}.mul(${w}).sum()`, `${d}.mul(${w}).sum()`);
    effect(g, `${y}.backward()`, `${y}.backward()`, [w, d]);
    emit(g, `${d}.grad`, `${d}.grad`);
    emit(g, `${w}.grad`, `${w}.grad`);
  }
}

export function autogradFamily(g: Gen): void {
  const kind = g.rng.weighted([
    ["plain", 5],
    ["leaf", 3],
    ["versions", 5],
    ["hooks", 4],
    ["retain", 4],
    ["requiresGrad", 1],
    ["nonLeafInplace", 3],
  ] as const);
  ({ plain, leaf, versions, hooks, retain, requiresGrad, nonLeafInplace })[kind](g);
}
