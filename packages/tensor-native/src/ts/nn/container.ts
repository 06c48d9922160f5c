/** Containers: Sequential, ModuleList and ModuleDict hold submodules under "0", "1"… or given names. */
import type { Tensor } from "./core.js";
import { Module } from "./module.js";

function checkModule(op: string, m: unknown, at: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${op}: ${at} is not an nn.Module (got ${m === null ? "null" : typeof m})`);
  return m;
}

/** Holds submodules in order under their names; the base of the list-like containers. */
abstract class OrderedModules extends Module {
  readonly #entries: [string, Module][] = [];

  /** @internal */
  override moduleEntries(): [string, Module][] {
    return [...this.#entries];
  }

  /** Number of submodules. */
  get length(): number {
    return this.#entries.length;
  }

  /** The submodule at index i (negative counts from the end). @example seq.at(-1) */
  at(i: number): Module {
    const n = this.#entries.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n)
      throw new RangeError(`${this.constructor.name}: index ${i} is out of range for ${n} modules`);
    return this.#entries[j][1];
  }

  /** Adds a module at the end (named by its index). @example list.append(new nn.Linear(4, 4)) */
  append(module: Module): this {
    this.#entries.push([String(this.#entries.length), checkModule(this.constructor.name, module, "append's argument")]);
    return this;
  }

  /** Adds several modules at the end. @example list.extend([a, b]) */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** @internal Adds under a given name. */
  protected put(name: string, module: Module): void {
    if (this.#entries.some(([k]) => k === name)) throw new Error(`${this.constructor.name}: a module named "${name}" is already there`);
    this.#entries.push([name, checkModule(this.constructor.name, module, `"${name}"`)]);
  }

  /** @internal Replaces the whole list, renumbering. */
  protected renumber(modules: Module[]): void {
    this.#entries.splice(0, this.#entries.length, ...modules.map((m, i): [string, Module] => [String(i), m]));
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.#entries.map(([, m]) => m)[Symbol.iterator]();
  }
}

/**
 * Runs modules one after another, each on the previous one's output. Children are named
 * "0", "1", … (so state dict keys read "0.weight"), or by the keys of one object given.
 *
 * @example
 * const model = new nn.Sequential(new nn.Linear(784, 512), new nn.ReLU(), new nn.Linear(512, 10));
 * model.forward(tt.randn([32, 784])).shape; // [32, 10]
 * new nn.Sequential({ fc: new nn.Linear(4, 2), act: new nn.ReLU() }); // keys "fc.weight"…
 */
export class Sequential extends OrderedModules {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const [first] = modules;
    if (modules.length === 1 && !(first instanceof Module) && first !== null && typeof first === "object") {
      for (const [k, m] of Object.entries(first)) this.put(k, m);
    } else {
      (modules as unknown[]).forEach((m, i) => this.put(String(i), checkModule("Sequential", m, `argument ${i}`)));
    }
  }

  /** Each module's forward in turn. @example model.forward(x) */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this) y = m.forward(y);
    return y;
  }
}

/**
 * A list of submodules that Module can see (a plain array of modules is not searched).
 * Children are named "0", "1", …; iterate it in your own forward.
 *
 * @example
 * class Deep extends nn.Module {
 *   layers = new nn.ModuleList(Array.from({ length: 4 }, () => new nn.Linear(64, 64)));
 *   forward(x: tt.Tensor) { for (const l of this.layers) x = l.forward(x).relu(); return x; }
 * }
 */
export class ModuleList extends OrderedModules {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Inserts before index i (renumbering the rest). @example list.insert(0, new nn.Identity()) */
  insert(i: number, module: Module): this {
    const all = [...this];
    all.splice(i < 0 ? i + all.length : i, 0, checkModule("ModuleList", module, "insert's argument"));
    this.renumber(all);
    return this;
  }

  /** A ModuleList has no forward of its own: iterate it in the parent's forward. */
  forward(): never {
    throw new Error("ModuleList: a ModuleList has no forward; iterate it in your module's forward");
  }
}

/**
 * Submodules by name, in insertion order.
 *
 * @example
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(64, 10), box: new nn.Linear(64, 4) });
 * heads.get("cls").forward(h);
 */
export class ModuleDict extends Module {
  readonly #map = new Map<string, Module>();

  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  /** @internal */
  override moduleEntries(): [string, Module][] {
    return [...this.#map.entries()];
  }

  /** The module under name. @example heads.get("cls") */
  get(name: string): Module {
    const m = this.#map.get(name);
    if (!m) throw new Error(`ModuleDict: no module named "${name}" (have ${[...this.#map.keys()].join(", ") || "none"})`);
    return m;
  }

  /** Adds or replaces a module. @example heads.set("seg", new nn.Conv2d(64, 21, 1)) */
  set(name: string, module: Module): this {
    if (name === "" || name.includes("."))
      throw new TypeError(`ModuleDict: a name must be non-empty without ".", got ${JSON.stringify(name)}`);
    this.#map.set(name, checkModule("ModuleDict", module, `"${name}"`));
    return this;
  }

  /** @example heads.has("cls") */
  has(name: string): boolean {
    return this.#map.has(name);
  }

  /** @example heads.keys() */
  keys(): string[] {
    return [...this.#map.keys()];
  }

  /** A ModuleDict has no forward of its own: pick modules in the parent's forward. */
  forward(): never {
    throw new Error("ModuleDict: a ModuleDict has no forward; pick its modules in your module's forward");
  }
}
