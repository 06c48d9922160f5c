/** State dicts: collecting one from a module, and loading one with every key and shape checked before anything is copied. */
import { fmtShape, noGrad, Tensor } from "./core.js";
import type { Module } from "./module.js";

/** A state dict as stateDict() returns it, or a Map (as a safetensors file loads). */
export type StateDictLike = Record<string, Tensor> | ReadonlyMap<string, Tensor>;

/** Options of Module.loadStateDict(). */
export interface LoadStateDictOptions {
  /** Missing and unexpected keys are errors (default true); shape mismatches always are. */
  strict?: boolean;
}

/** The keys that did not line up (with strict false; with strict true these throw). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const quoted = (keys: readonly string[]): string => keys.map((k) => `"${k}"`).join(", ");

/** Options of Module.stateDict(). */
export interface StateDictOptions {
  /** Prepended to every key. */
  prefix?: string;
  /** Return the module's own tensors instead of detached views of them (default false). */
  keepVars?: boolean;
}

/** @internal Parameters, then persistent buffers, then each child's under "name.", as PyTorch orders them. */
export function collectState(root: Module, options: StateDictOptions): Record<string, Tensor> {
  const { prefix = "", keepVars = false } = options;
  const out: Record<string, Tensor> = {};
  const put = (k: string, t: Tensor): void => {
    Object.defineProperty(out, k, { value: keepVars ? t : noGrad(() => t.detach()), enumerable: true, writable: true, configurable: true });
  };
  const visit = (m: Module, p: string): void => {
    for (const [k, t] of m.ownParameters()) put(p + k, t);
    for (const [k, t, persistent] of m.ownBuffers()) if (persistent) put(p + k, t);
    for (const [k, c] of m.moduleEntries()) visit(c, `${p}${k}.`);
  };
  visit(root, prefix);
  return out;
}

/** @internal Copies `given` into the module tensors `own` (its stateDict with keepVars). */
export function loadInto(
  name: string,
  own: Record<string, Tensor>,
  given: StateDictLike,
  options: LoadStateDictOptions,
): LoadStateDictResult {
  const { strict = true } = options;
  if (given === null || typeof given !== "object") throw new TypeError("loadStateDict: expected an object or Map of tensors by name");
  const entries: [string, unknown][] = given instanceof Map ? [...given.entries()] : Object.entries(given);
  const src = new Map(entries);
  const missingKeys = Object.keys(own).filter((k) => !src.has(k));
  const unexpectedKeys = [...src.keys()].filter((k) => !Object.hasOwn(own, k));
  const errors: string[] = [];
  if (strict && unexpectedKeys.length) errors.push(`unexpected key(s) in the state dict: ${quoted(unexpectedKeys)}`);
  if (strict && missingKeys.length) errors.push(`missing key(s) in the state dict: ${quoted(missingKeys)}`);
  const pairs: [Tensor, Tensor][] = [];
  for (const [k, v] of src) {
    const mine = Object.hasOwn(own, k) ? own[k] : undefined;
    if (!mine) continue;
    if (!(v instanceof Tensor)) {
      errors.push(`"${k}" is not a Tensor (got ${v === null ? "null" : typeof v})`);
      continue;
    }
    if (v.isDisposed) {
      errors.push(`"${k}" was disposed`);
      continue;
    }
    if (fmtShape(v.shape) !== fmtShape(mine.shape)) {
      errors.push(`size mismatch for "${k}": the state dict has shape ${fmtShape(v.shape)}, the model has shape ${fmtShape(mine.shape)}`);
      continue;
    }
    pairs.push([mine, v]);
  }
  if (errors.length) throw new Error(`loadStateDict: error(s) loading the state dict into ${name}:\n  ${errors.join("\n  ")}`);
  noGrad(() => {
    for (const [mine, v] of pairs) if (mine !== v) mine.copy_(v);
  });
  return { missingKeys, unexpectedKeys };
}
