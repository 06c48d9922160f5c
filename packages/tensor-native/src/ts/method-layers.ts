/**
 * How Tensor's methods are put together, in one place. A method is an op (what it computes
 * on plain tensors) wrapped by layers, innermost first:
 *
 * - op: methods.ts, inplace.ts, logical.ts, advanced-indexing.ts, ops/elementwise-methods.ts,
 *   autograd/tensor-methods.ts;
 * - grad: records the autograd node, running the op untracked (autograd/functions/*.ts,
 *   and the op tables' backward rules);
 * - autocast: inside tt.autocast, runs the op in float32 (PyTorch's fp32 list).
 *
 * Modules hand in their part with defineOps / wrapMethod, in any order: the method on the
 * prototype is rebuilt from its parts whenever one arrives. No module relies on another
 * having patched the prototype first, and a wrapper always wraps exactly the layers below
 * it. install-methods.ts loads every module that contributes.
 */
import { Tensor } from "./tensor.js";

/** The layers around an op, innermost first. */
export const LAYERS = ["grad", "autocast"] as const;
export type Layer = (typeof LAYERS)[number];

/** The names of Tensor's methods. */
export type MethodName = { [K in keyof Tensor & string]-?: Tensor[K] extends (...args: never[]) => unknown ? K : never }[keyof Tensor &
  string];

// Loose on purpose: a wrapper passes arguments through whatever the method's signature.
type AnyMethod = (this: Tensor, ...args: any[]) => any;

interface Parts {
  op?: AnyMethod;
  grad?: (inner: AnyMethod) => AnyMethod;
  autocast?: (inner: AnyMethod) => AnyMethod;
}

const parts = new Map<string, Parts>();

const proto = Tensor.prototype as unknown as Record<string, AnyMethod>;

function partsOf(name: string): Parts {
  let p = parts.get(name);
  if (!p) {
    // A method the class itself defines (to, cpu…) is its own op. Nothing else is on the
    // prototype before its parts arrive: rebuild() is the only writer.
    const own: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
    p = typeof own === "function" ? { op: own as AnyMethod } : {};
    parts.set(name, p);
  }
  return p;
}

function rebuild(name: string): void {
  const p = partsOf(name);
  if (!p.op) return; // its wrappers wait for it
  let m = p.op;
  for (const layer of LAYERS) {
    const wrap = p[layer];
    if (wrap) m = wrap(m);
  }
  proto[name] = m;
}

/**
 * Installs ops (the innermost layer), keyed by method name; `this` is the tensor.
 *
 * @example
 * defineOps({ relu() { return unaryOp("relu", this); } });
 */
export function defineOps(ops: { [K in MethodName]?: Tensor[K] } & ThisType<Tensor>): void {
  for (const [name, fn] of Object.entries(ops)) {
    const p = partsOf(name);
    if (p.op) throw new Error(`Tensor.${name}: defined twice (in the class, or by two modules)`);
    p.op = fn as AnyMethod;
    rebuild(name);
  }
}

/**
 * Wraps method `name` at `layer`: `wrap` gets the method as the layers below make it and
 * returns the new one. One wrapper per layer and method.
 *
 * @example
 * wrapMethod("grad", "exp", (raw) => function (this: Tensor) { ... raw.call(this) ... });
 */
export function wrapMethod<K extends MethodName>(layer: Layer, name: K, wrap: (inner: Tensor[K]) => Tensor[K]): void {
  const p = partsOf(name);
  if (p[layer]) throw new Error(`Tensor.${name}: two ${layer} wrappers`);
  p[layer] = wrap as unknown as (inner: AnyMethod) => AnyMethod;
  rebuild(name);
}

/** Method `name` without its layers (the plain op), for wrappers that call it. */
export function opOf<K extends MethodName>(name: K): Tensor[K] {
  const op = partsOf(name).op;
  if (!op) throw new Error(`Tensor.${name}: no op defined`);
  return op as unknown as Tensor[K];
}

/** Methods that got a wrapper but no op (a wrapper for a name nothing defines): none once the API is loaded. */
export function wrappedWithoutOp(): string[] {
  return [...parts].filter(([, p]) => !p.op).map(([name]) => name);
}
