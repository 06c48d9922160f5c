/**
 * Module: the base of every layer. A module finds its parameters, buffers and submodules
 * by walking its own properties, so a model is written the natural way:
 *
 *   class MLP extends nn.Module {
 *     fc1 = new nn.Linear(784, 128);
 *     fc2 = new nn.Linear(128, 10);
 *     forward(x: tt.Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 *   }
 *
 * What a property holds decides what it is: a Module is a child; a tensor made by
 * nn.Parameter (or any leaf tensor with requiresGrad) is a parameter; a tensor registered
 * with registerBuffer is a buffer; anything else (numbers, plain tensors, functions) is
 * ignored. The property name is the key in namedParameters() and stateDict().
 *
 * Make raw weights with nn.Parameter: it also exempts them from tt.tidy scopes, so a model
 * built inside a tidy keeps its weights (the built-in layers all do this).
 */
import { inspect } from "node:util";

import { keep, noGrad, Tensor, type Device, type DType } from "./core.js";
import { isParameter, markParameter, Parameter } from "./parameter.js";
import { convertModule } from "./module-convert.js";
import {
  collectState,
  loadInto,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type StateDictLike,
  type StateDictOptions,
} from "./state-dict.js";

export type { LoadStateDictOptions, LoadStateDictResult, StateDictLike, StateDictOptions };

function arrayError(key: string, what: string): Error {
  return new Error(
    `Module: property "${key}" is an array of ${what}; a plain array is not searched for them. ` +
      (what === "modules" ? "Wrap it in nn.ModuleList (or nn.Sequential)." : "Register each with this.registerParameter(name, tensor)."),
  );
}

/**
 * The base class of layers and models. Subclasses assign parameters and submodules as
 * properties and implement `forward`. JavaScript objects cannot be called, so where
 * PyTorch writes `model(x)`, write `model.forward(x)`.
 *
 * @example
 * class TwoLayer extends nn.Module {
 *   l1 = new nn.Linear(4, 8);
 *   l2 = new nn.Linear(8, 2);
 *   forward(x: tt.Tensor): tt.Tensor { return this.l2.forward(this.l1.forward(x).relu()); }
 * }
 * const m = new TwoLayer();
 * m.parameters().length; // 4
 */
export abstract class Module {
  /** True in training mode (the default); switch with train() and eval(). */
  training = true;
  // Buffer names of this module, and whether each goes into stateDict().
  readonly #buffers = new Map<string, boolean>();

  /** The computation: takes inputs, returns outputs. */
  abstract forward(...args: any[]): any;

  /** Sets `this[name]` to a parameter (made one with nn.Parameter if needed), or null. @example this.registerParameter("scale", tt.ones([3])) */
  registerParameter(name: string, value: Tensor | null): void {
    checkName(name);
    (this as Record<string, unknown>)[name] = value === null || isParameter(value) ? value : Parameter(value);
  }

  /**
   * Sets `this[name]` to a buffer: state that is not trained (running statistics). It is
   * kept alive across tidy() scopes, converted by to(), and saved in stateDict() unless
   * `persistent` is false.
   *
   * @example
   * this.registerBuffer("running_mean", tt.zeros([4]));
   */
  registerBuffer(name: string, value: Tensor | null, persistent = true): void {
    checkName(name);
    value?.check("registerBuffer");
    this.#buffers.set(name, persistent);
    // Buffers outlive the caller's tidy() scopes, as parameters do.
    if (value !== null && !isParameter(value)) keep(value);
    (this as Record<string, unknown>)[name] = value;
  }

  /** Sets `this[name]` to a submodule (same as assigning it). @example this.registerModule("head", new nn.Linear(8, 2)) */
  registerModule(name: string, module: Module | null): void {
    checkName(name);
    (this as Record<string, unknown>)[name] = module;
  }

  /** @internal This module's own parameters, in property order. */
  ownParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Tensor) {
        if (this.#buffers.has(k)) continue;
        if (isParameter(v) || (v.isLeaf && v.requiresGrad)) {
          markParameter(keep(v));
          out.push([k, v]);
        }
      } else if (Array.isArray(v) && v.some((x) => isParameter(x))) throw arrayError(k, "parameters");
    }
    return out;
  }

  /** @internal This module's own buffers with their persistence, in property order. */
  ownBuffers(): [string, Tensor, boolean][] {
    const out: [string, Tensor, boolean][] = [];
    for (const [k, persistent] of this.#buffers) {
      const v = (this as Record<string, unknown>)[k];
      if (v instanceof Tensor) out.push([k, v, persistent]);
    }
    return out;
  }

  /** @internal Direct submodules by name; containers override this. */
  moduleEntries(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v) && v.some((x) => x instanceof Module)) throw arrayError(k, "modules");
    }
    return out;
  }

  /** Direct submodules with their names (each module once). @example for (const [name, m] of model.namedChildren()) … */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return this.moduleEntries().filter(([, m]) => !seen.has(m) && !!seen.add(m));
  }

  /** Direct submodules. @example model.children().length */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all below it, with dotted names ("" for this one), each once. @example model.namedModules() */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, p: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [k, c] of m.moduleEntries()) visit(c, p ? `${p}.${k}` : k);
    };
    visit(this, prefix);
    return out;
  }

  /** This module and all below it. @example model.modules().filter((m) => m instanceof nn.Linear) */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names ("0.weight", "fc1.bias"), each tensor once. @example model.namedParameters() */
  namedParameters(prefix = "", recurse = true): [string, Tensor][] {
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [p, m] of mods)
      for (const [k, t] of m.ownParameters())
        if (!seen.has(t)) {
          seen.add(t);
          out.push([p ? `${p}.${k}` : k, t]);
        }
    return out;
  }

  /** The parameters to hand to an optimizer, each tensor once. @example new optim.SGD(model.parameters(), { lr: 0.1 }) */
  parameters(recurse = true): Tensor[] {
    return this.namedParameters("", recurse).map(([, t]) => t);
  }

  /** Buffers with dotted names ("bn.running_mean"), each tensor once. @example model.namedBuffers() */
  namedBuffers(prefix = "", recurse = true): [string, Tensor][] {
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [p, m] of mods)
      for (const [k, t] of m.ownBuffers())
        if (!seen.has(t)) {
          seen.add(t);
          out.push([p ? `${p}.${k}` : k, t]);
        }
    return out;
  }

  /** Buffers (running statistics and the like). @example model.buffers() */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, t]) => t);
  }

  /** Sets training mode here and below (dropout active, batch norm on batch statistics). @example model.train() */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /** Evaluation mode: same as train(false). @example model.eval() */
  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every submodule, then on this one (for custom initialization). @example model.apply((m) => { if (m instanceof nn.Linear) nn.init.zeros_(m.weight); }) */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Switches requiresGrad on every parameter (false freezes the module). @example backbone.requiresGrad_(false) */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /**
   * Clears the parameters' gradients. With setToNone (the default, as PyTorch 2) the
   * gradients are freed and set to null, so clone() a gradient you want to keep; with
   * false they are filled with zeros in place.
   *
   * @example
   * model.zeroGrad();
   */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone || p.grad.isDisposed) {
        p.grad.dispose();
        p.grad = null;
      } else noGrad(() => p.grad?.zero_());
    }
  }

  /**
   * Converts floating point parameters and buffers to `dtype` (integer buffers such as
   * num_batches_tracked stay), or moves them to a device. Parameters stay leaves that
   * require grad; the old tensors are freed, so build the optimizer after calling to().
   *
   * @example
   * const model = new nn.Linear(4, 2).to("float64");
   */
  to(target: DType | Device | (string & {})): this {
    convertModule(this, target);
    return this;
  }

  /** to("cuda") or to("cuda:N"). @example const model = new nn.Linear(4, 2).cuda(); */
  cuda(device: number | Device = "cuda"): this {
    return this.to(typeof device === "number" ? `cuda:${device}` : device);
  }

  /** to("cpu"). @example model.cpu() */
  cpu(): this {
    return this.to("cpu");
  }

  /** to("float32"). @example model.float() */
  float(): this {
    return this.to("float32");
  }

  /** to("float64"), e.g. for gradcheck. @example model.double() */
  double(): this {
    return this.to("float64");
  }

  /** to("float16"). @example model.half() */
  half(): this {
    return this.to("float16");
  }

  /**
   * Parameters and persistent buffers by dotted name, with PyTorch's key names (so a
   * state dict maps 1:1 to a PyTorch one). Values are detached views sharing the data.
   *
   * @example
   * Object.keys(new nn.Sequential(new nn.Linear(2, 3)).stateDict()); // ["0.weight", "0.bias"]
   */
  stateDict(options: StateDictOptions = {}): Record<string, Tensor> {
    return collectState(this, options);
  }

  /**
   * Copies a state dict's tensors into this module's parameters and buffers, in place
   * (tensors stay the same objects, so an optimizer keeps working). Everything is checked
   * before anything is copied: a shape mismatch names the key and both shapes; with
   * strict (the default) missing and unexpected keys are errors too.
   *
   * @example
   * model.loadStateDict(other.stateDict());
   */
  loadStateDict(stateDict: StateDictLike, options: LoadStateDictOptions = {}): LoadStateDictResult {
    return loadInto(this.constructor.name, this.stateDict({ keepVars: true }), stateDict, options);
  }

  /** Extra text inside this module's parentheses when printed (its settings). @example "in_features=4, out_features=2" */
  extraRepr(): string {
    return "";
  }

  /** The module tree as PyTorch prints it. @example console.log(String(model)) */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this.moduleEntries().map(([k, m]) => `(${k}): ${m.toString().split("\n").join("\n  ")}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (lines.length) s += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join("\n  ")}\n`;
    return `${s})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** Notebook output: the printed module tree. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "text/plain": this.toString() };
  }
}

function checkName(name: string): void {
  if (typeof name !== "string" || name === "" || name.includes("."))
    throw new TypeError(`Module: a parameter, buffer or module name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
}
