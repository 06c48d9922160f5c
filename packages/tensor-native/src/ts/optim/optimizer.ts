/**
 * The base of every optimizer, as `torch.optim.Optimizer`: parameter groups that each carry
 * their own hyperparameters, lazily created per-parameter state, zeroGrad(), and state
 * dicts in PyTorch's layout.
 */
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { withoutScopes } from "../memory.js";
import { contiguousOrSelf, fmtShape, Tensor } from "../tensor.js";

/**
 * One parameter group: its tensors and the hyperparameters that apply to them. Schedulers
 * read and write `lr` (and add `initialLr`, or `maxLr`/`minLr` for OneCycleLR) here.
 *
 * @example
 * opt.paramGroups[0].lr = 0.01; // takes effect at the next step()
 */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  /** Set by the first LR scheduler attached: the lr its schedule starts from. */
  initialLr?: number;
  [option: string]: unknown;
}

/**
 * What the constructor and addParamGroup() accept: the tensors plus any hyperparameter
 * overrides for this group (the rest come from the optimizer's defaults).
 *
 * @example
 * new optim.SGD([{ params: body }, { params: head, lr: 0.1 }], { lr: 0.01 });
 */
export type ParamGroupInit<O> = { params: Iterable<Tensor> } & Partial<O>;

/**
 * A state dict in PyTorch's layout, snake_case keys included, so it maps 1:1 to
 * `optimizer.state_dict()` in a torch checkpoint: `state` is keyed by the parameter's
 * index (counted across groups in order), `param_groups` lists each group's
 * hyperparameters with `params` as those indices. The tensors are the optimizer's own
 * (as in PyTorch): clone them, or save the dict, before stepping again if you need a
 * snapshot. Steps are plain numbers; a torch checkpoint's tensor steps load too.
 *
 * @example
 * { state: { 0: { step: 3, exp_avg: T, exp_avg_sq: T } },
 *   param_groups: [{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, params: [0] }] }
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, unknown>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/** expAvgSq → exp_avg_sq; initialLr → initial_lr. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** exp_avg_sq → expAvgSq; a leading underscore stays. */
export function camelCase(key: string): string {
  return key.replace(/(?<=[a-zA-Z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function copyValue(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

/**
 * Base class of the optimizers. A subclass supplies its defaults, validates a group's
 * hyperparameters, and updates one parameter from its gradient.
 *
 * @example
 * for (const [x, y] of batches) {
 *   opt.zeroGrad();
 *   model.forward(x).sub(y).pow(2).mean().backward();
 *   opt.step();
 * }
 */
export abstract class Optimizer<O extends { lr: number } = { lr: number }, S extends object = Record<string, unknown>> {
  /** The hyperparameters a group gets unless it sets its own. */
  readonly defaults: O;
  /** The groups, each with its own params and hyperparameters (PyTorch's `param_groups`). */
  readonly paramGroups: (ParamGroup & O)[] = [];
  /** Per-parameter state (momentum buffers, moments, step counts), created at the first step. */
  state = new Map<Tensor, S>();
  /** @internal step() calls since the last scheduler was attached (PyTorch's `_step_count`). */
  _stepCount = 0;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInit<O>>, defaults: O) {
    this.defaults = defaults;
    const name = this.constructor.name;
    if (params instanceof Tensor)
      throw new TypeError(`${name}: params should be an iterable of Tensors or of param groups, but got a Tensor (wrap it: [w])`);
    const list = [...(params as Iterable<Tensor | ParamGroupInit<O>>)];
    if (list.length === 0) throw new Error(`${name}: got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor)) this.addParamGroup({ params: list } as unknown as ParamGroupInit<O>);
    else if (list.some((p) => p instanceof Tensor))
      throw new TypeError(`${name}: params must be all Tensors or all param groups ({ params, ...options }), not a mix`);
    else for (const g of list as ParamGroupInit<O>[]) this.addParamGroup(g);
  }

  /**
   * Adds a group of parameters with its own hyperparameters (fine-tuning: a new head with
   * a larger lr). Options it leaves out come from the defaults.
   *
   * @example
   * opt.addParamGroup({ params: head.parameters(), lr: 1e-3 });
   */
  addParamGroup(group: ParamGroupInit<O>): void {
    const name = this.constructor.name;
    if (group === null || typeof group !== "object" || group.params === undefined)
      throw new TypeError(`${name}: a param group must be an object with a "params" iterable`);
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.isLeaf) throw new Error(`${name}: can't optimize a non-leaf Tensor (use detach().requiresGrad_() to make a leaf)`);
      if (p.dtype !== "float32" && p.dtype !== "float64")
        throw new TypeError(`${name}: parameters must be float32 or float64, got ${p.dtype}`);
      if (seen.has(p)) throw new Error(`${name}: some parameters appear more than once in the parameter groups`);
      seen.add(p);
    }
    const merged: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.defaults)) merged[k] = copyValue(v);
    for (const [k, v] of Object.entries(group)) if (v !== undefined && k !== "params") merged[k] = copyValue(v);
    merged.params = params;
    if (typeof merged.lr !== "number" || Number.isNaN(merged.lr))
      throw new Error(`${name}: parameter group didn't specify a value of required optimization parameter lr`);
    const full = merged as ParamGroup & O;
    this.validateGroup(full);
    this.paramGroups.push(full);
  }

  /**
   * Performs one update of every parameter that has a gradient (params whose `.grad` is
   * null are skipped). `closure`, if given, recomputes the loss with autograd on and its
   * result is returned.
   *
   * @example
   * loss.backward();
   * opt.step();
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    this._stepCount++;
    noGrad(() => {
      for (const group of this.paramGroups)
        for (const p of group.params) {
          const g = p.grad;
          if (g === null || g.isDisposed) continue;
          this.stepParam(p, g, group);
        }
    });
    return loss;
  }

  private stepParam(p: Tensor, g: Tensor, group: ParamGroup & O): void {
    if (fmtShape(g.shape) !== fmtShape(p.shape))
      throw new Error(
        `${this.constructor.name}.step: the gradient's shape ${fmtShape(g.shape)} does not match the parameter's shape ${fmtShape(p.shape)}`,
      );
    const cast = g.dtype === p.dtype ? g : g.to(p.dtype);
    const grad = contiguousOrSelf(cast);
    if (cast !== g && cast !== grad) cast.dispose();
    try {
      let st = this.state.get(p);
      if (!st) {
        st = withoutScopes(() => this.initState(p, group));
        this.state.set(p, st);
      }
      this.update(p, grad, group, st);
    } finally {
      if (grad !== g) grad.dispose();
    }
  }

  /**
   * Clears the gradients. `setToNone` (default) sets `.grad` to null and frees the old
   * gradient tensors; `false` zeroes them in place.
   *
   * @example
   * opt.zeroGrad();      // grads become null
   * opt.zeroGrad(false); // grads become zeros
   */
  zeroGrad(setToNone = true): void {
    noGrad(() => {
      for (const group of this.paramGroups)
        for (const p of group.params) {
          const g = p.grad;
          if (!g) continue;
          if (setToNone) {
            p.grad = null;
            g.dispose();
          } else if (!g.isDisposed) g.zero_();
        }
    });
  }

  /**
   * The optimizer's state in PyTorch's layout (see OptimizerStateDict); hand it to
   * loadStateDict() of a new optimizer over the same parameters to resume.
   *
   * @example
   * const saved = opt.stateDict();
   * other.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params" && v !== undefined) packed[snakeCase(k)] = copyValue(v);
      const ids = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p) as number;
      });
      return { ...packed, params: ids };
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const id = index.get(p);
      if (id === undefined) continue;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) out[snakeCase(k)] = v;
      state[id] = out;
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Restores hyperparameters and state saved by stateDict() (or a torch checkpoint's
   * optimizer state dict). The groups and their parameter counts must match; state
   * tensors are copied, cast to each parameter's dtype, and must have its shape.
   *
   * @example
   * const opt2 = new optim.Adam(model.parameters());
   * opt2.loadStateDict(saved);
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (!stateDict || typeof stateDict !== "object" || !Array.isArray(stateDict.param_groups) || typeof stateDict.state !== "object")
      throw new TypeError(`${name}: expected an object { state, param_groups } as made by stateDict()`);
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length)
      throw new Error(`${name}: the state dict has ${saved.length} parameter group(s), this optimizer has ${this.paramGroups.length}`);
    const byId = new Map<number, Tensor>();
    saved.forEach((g, i) => {
      const ours = this.paramGroups[i].params;
      if (!Array.isArray(g.params) || g.params.length !== ours.length)
        throw new Error(
          `${name}: parameter group ${i} has ${Array.isArray(g.params) ? g.params.length : "no"} parameter(s) in the state dict but ${ours.length} in this optimizer`,
        );
      g.params.forEach((id, j) => byId.set(Number(id), ours[j]));
    });
    const groups = saved.map((g, i) => {
      const merged: Record<string, unknown> = { ...this.paramGroups[i] };
      for (const [k, v] of Object.entries(g)) if (k !== "params") merged[camelCase(k)] = copyValue(v);
      merged.params = this.paramGroups[i].params;
      this.validateGroup(merged as ParamGroup & O);
      return merged as ParamGroup & O;
    });
    const state = new Map<Tensor, S>();
    const made: Tensor[] = [];
    try {
      for (const [key, entry] of Object.entries(stateDict.state ?? {})) {
        const p = byId.get(Number(key));
        if (!p || entry === null || typeof entry !== "object") continue;
        const s: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(entry))
          s[camelCase(k)] = restoreValue(p, k, v, `${name}: state "${k}" of parameter ${key}`, made);
        state.set(p, s as S);
      }
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
    const kept = new Set(made);
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor && !kept.has(v)) v.dispose();
    this.state = state;
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
  }

  /** Throws a clear error for a hyperparameter out of range. */
  protected abstract validateGroup(group: ParamGroup & O): void;
  /** The state of a parameter at its first step (runs outside any tidy scope). */
  protected abstract initState(p: Tensor, group: ParamGroup & O): S;
  /** Updates `p` in place from `grad` (contiguous, p's dtype and shape). Runs under noGrad. */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup & O, state: S): void;
}

function restoreValue(p: Tensor, key: string, v: unknown, what: string, made: Tensor[]): unknown {
  if (key === "step") {
    const n = v instanceof Tensor ? Number(v.item()) : v;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0)
      throw new TypeError(`${what}: expected a non-negative number, got ${String(v)}`);
    return n;
  }
  if (!(v instanceof Tensor)) return copyValue(v);
  if (fmtShape(v.shape) !== fmtShape(p.shape))
    throw new Error(`${what} has shape ${fmtShape(v.shape)} but the parameter has shape ${fmtShape(p.shape)}`);
  const t = withoutScopes(() => {
    const cast = v.to(p.device, p.dtype);
    return cast === v ? v.clone() : cast;
  });
  made.push(t);
  return t;
}
