/**
 * backward(): walks the graph from a result in reverse topological order, running each
 * node's formula once with the sum of the gradients that reached it, and accumulates
 * into the `.grad` of leaf tensors.
 */
import { withoutScopes, tidy } from "../memory.js";
import { fmtShape, Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";
import type { Edge, GradHook, GradNode } from "./node.js";

/** Options of Tensor.backward(). */
export interface BackwardOptions {
  /** Keep the saved tensors so backward() can run through this graph again. */
  retainGraph?: boolean;
}

const leafHooks = new WeakMap<Tensor, GradHook[]>();

export function addLeafHook(t: Tensor, hook: GradHook): GradHook[] {
  let list = leafHooks.get(t);
  if (!list) leafHooks.set(t, (list = []));
  list.push(hook);
  return list;
}

function runHooks(hooks: readonly GradHook[] | undefined, g: Tensor): Tensor {
  if (!hooks) return g;
  for (const h of hooks) {
    const r = h(g);
    if (r instanceof Tensor && r !== g) {
      g.dispose();
      g = r;
    }
  }
  return g;
}

/** Adds `g` (owned) into `t.grad`, creating it on first use. */
function accumulate(t: Tensor, g: Tensor): void {
  if (t.grad && !t.grad.isDisposed) {
    // In place, as PyTorch: whoever holds `.grad` sees the sum.
    t.grad.add_(g);
    g.dispose();
  } else {
    // A gradient of its own: views of a shared buffer would change together in place.
    t.grad = g.isContiguous() && g.storage.refs === 1 ? g : g.clone();
    if (t.grad !== g) g.dispose();
  }
}

function fitTo(edge: Edge, g: Tensor, node: GradNode): Tensor {
  if (fmtShape(g.shape) !== fmtShape(edge.shape))
    throw new Error(
      `backward: ${node.name} produced a gradient of shape ${fmtShape(g.shape)} for an input of shape ${fmtShape(edge.shape)}`,
    );
  if (g.dtype === edge.dtype) return g;
  const c = g.to(edge.dtype);
  g.dispose();
  return c;
}

function topoOrder(root: GradNode): GradNode[] {
  const order: GradNode[] = [];
  const seen = new Set<GradNode>([root]);
  const stack: [GradNode, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.next.length) {
      top[1]++;
      const e = node.next[i];
      if (e?.kind === "node" && !seen.has(e.node)) {
        seen.add(e.node);
        stack.push([e.node, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions = {}): void {
  root.check("backward");
  if (!root.requiresGrad)
    throw new Error(
      "backward: this tensor does not require grad and has no gradFn (did you set requiresGrad on the inputs, or run inside noGrad()?)",
    );
  if (gradient === undefined && root.numel() !== 1)
    throw new Error(
      `backward: a gradient can only be implied for a one-element result; this one has shape ${fmtShape(root.shape)}, so pass backward(gradient)`,
    );
  if (gradient !== undefined && fmtShape(gradient.shape) !== fmtShape(root.shape))
    throw new Error(`backward: the gradient's shape ${fmtShape(gradient.shape)} does not match the result's shape ${fmtShape(root.shape)}`);
  withoutScopes(() =>
    noGrad(() => {
      const seed = gradient ? gradient.to(root.dtype).clone() : root.clone().fill_(1);
      if (!root.gradFn) {
        accumulate(root, runHooks(leafHooks.get(root), seed));
        return;
      }
      const pending = new Map<GradNode, Tensor>([[root.gradFn, seed]]);
      // A leaf's contributions are summed first: its hooks see its whole gradient once, as in
      // PyTorch (a hook that clamps or adds would otherwise act on each path separately).
      const leaves = new Map<Tensor, Tensor>();
      const sumInto = <K>(m: Map<K, Tensor>, key: K, gi: Tensor): void => {
        const prev = m.get(key);
        if (!prev) return void m.set(key, gi);
        m.set(key, prev.add(gi));
        prev.dispose();
        gi.dispose();
      };
      for (const node of topoOrder(root.gradFn)) {
        let g = pending.get(node);
        if (!g) continue;
        pending.delete(node);
        g = runHooks(node.hooks, g);
        if (node.retained) accumulate(node.retained, g.clone());
        const grad = g;
        const outs = tidy(() => [...node.apply(grad)]);
        if (!options.retainGraph) node.release();
        // A formula may return one tensor for several inputs (add gives [g, g]) or the
        // incoming grad itself. Every edge gets a tensor of its own before any is handed
        // out, since accumulating or summing a gradient may dispose it.
        const owned = new Set<Tensor>();
        const mine = node.next.map((edge, i) => {
          const gi = outs[i];
          if (!edge || !gi) return null;
          if (owned.has(gi)) return gi.clone();
          owned.add(gi);
          return gi;
        });
        for (const o of new Set([...outs, grad])) if (o && !owned.has(o)) o.dispose();
        for (let i = 0; i < node.next.length; i++) {
          const edge = node.next[i],
            own = mine[i];
          if (!edge || !own) continue;
          const gi = fitTo(edge, own, node);
          if (edge.kind === "leaf") sumInto(leaves, edge.tensor, gi);
          else sumInto(pending, edge.node, gi);
        }
      }
      for (const [leaf, g] of leaves) accumulate(leaf, runHooks(leafHooks.get(leaf), g));
    }),
  );
}
