/** Parameters: leaf tensors a Module trains, marked so Module can tell them from other tensors. */
import { keep, noGrad, Tensor } from "./core.js";

const marked = new WeakSet<Tensor>();

/**
 * Marks `data` as a module parameter (as `torch.nn.Parameter`) and returns it: a leaf
 * tensor with `requiresGrad` set, exempt from every enclosing `tt.tidy` scope (so a
 * model built inside a tidy keeps its weights). A tensor made by a recorded op is
 * detached first (the parameter shares its storage).
 *
 * @example
 * class Scale extends nn.Module {
 *   gain = nn.Parameter(tt.ones([4]));
 *   forward(x: tt.Tensor) { return x.mul(this.gain); }
 * }
 */
export function Parameter(data: Tensor, requiresGrad = true): Tensor {
  if (!(data instanceof Tensor)) throw new TypeError("Parameter: expected a Tensor");
  data.check("Parameter");
  const leaf = data.isLeaf ? data : noGrad(() => data.detach());
  keep(leaf);
  leaf.requiresGrad = requiresGrad;
  marked.add(leaf);
  return leaf;
}

/**
 * Whether `t` is a parameter: made by `nn.Parameter`, or a leaf tensor that requires
 * grad found on a module.
 *
 * @example
 * nn.isParameter(new nn.Linear(2, 2).weight); // true
 */
export function isParameter(t: unknown): boolean {
  return t instanceof Tensor && marked.has(t);
}

/** @internal Marks a tensor found on a module as a parameter (it must already be kept alive by its owner). */
export function markParameter(t: Tensor): void {
  marked.add(t);
}
