/**
 * Lifetimes: storages are reference-counted by the tensors that view them; a tensor is
 * freed by dispose(), by `using`, by the tidy() scope that made it, or, as a safety net,
 * when the garbage collector finds it unreachable.
 */
import { normalizeDevice } from "./cuda/device.js";
import { backend, type Device } from "./dispatch.js";
import type { Handle } from "./native.js";

/** A buffer on a device; tensors are views over it. */
export class Storage {
  refs = 0;
  /** Bumped by every in-place write, so autograd can tell a saved tensor was changed. */
  version = 0;
  /** How many of `refs` are autograd's saved views (the rest are tensors a program holds). */
  savedViews = 0;
  constructor(
    readonly handle: Handle,
    readonly nbytes: number,
    readonly device: Device,
  ) {}
}

/** What memory.ts needs to know about a tensor (kept structural to avoid a cycle). */
export interface Owned {
  readonly storage: Storage;
  isDisposed: boolean;
}

let liveTensors = 0;
const scopes: Owned[][] = [];

function releaseStorage(s: Storage): void {
  if (--s.refs === 0) backend(s.device).free(s.handle);
}

const registry = new FinalizationRegistry<Storage>((s) => {
  liveTensors--;
  releaseStorage(s);
});

export function allocStorage(nbytes: number, device: Device): Storage {
  const d = normalizeDevice(device);
  return new Storage(backend(d).alloc(nbytes), nbytes, d);
}

/** Called once per new tensor. */
export function track(t: Owned): void {
  t.storage.refs++;
  liveTensors++;
  registry.register(t, t.storage, t);
  const scope = scopes[scopes.length - 1];
  if (scope) scope.push(t);
}

export function disposeTensor(t: Owned): void {
  if (t.isDisposed) return;
  t.isDisposed = true;
  registry.unregister(t);
  liveTensors--;
  releaseStorage(t.storage);
}

function collect(value: unknown, out: Set<Owned>, seen: Set<unknown>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if ("storage" in value && "isDisposed" in value) {
    out.add(value as Owned);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, seen);
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it returns (in an
 * array, Map or plain object too) and those passed to `keep`.
 *
 * @example
 * const y = tt.tidy(() => x.mul(2).add(1).relu()); // the intermediates are freed
 */
export function tidy<T>(fn: () => T): T {
  const scope: Owned[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) disposeTensor(t);
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) throw new Error("tidy: the function must be synchronous (it returned a Promise)");
  const kept = new Set<Owned>();
  collect(result, kept, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t) || keptForever.has(t)) {
      if (parent && !keptForever.has(t)) parent.push(t);
    } else {
      disposeTensor(t);
    }
  }
  return result;
}

const keptForever = new WeakSet<Owned>();

/**
 * Runs `fn` with no tidy() scope active: what it creates outlives the caller's scopes
 * (autograd's saved tensors and gradients), unless `fn` opens a tidy of its own.
 */
export function withoutScopes<T>(fn: () => T): T {
  const saved = scopes.splice(0, scopes.length);
  try {
    return fn();
  } finally {
    scopes.splice(0, scopes.length, ...saved);
  }
}

/**
 * Exempts a tensor from every enclosing tidy() scope.
 *
 * @example
 * tt.tidy(() => { weights = tt.keep(tt.randn([10, 10])); });
 */
export function keep<T extends Owned>(t: T): T {
  keptForever.add(t);
  return t;
}

/** Live native memory and tensor count. */
export interface MemoryInfo {
  /** Bytes held by live storages (rounded to the allocator's size classes). */
  liveBytes: number;
  /** Tensors not yet disposed (views count separately). */
  liveTensors: number;
  /** Bytes cached by the allocator for reuse. */
  cachedBytes: number;
  /** Blocks ever requested from the operating system. */
  osAllocations: number;
}

/**
 * What is alive now.
 *
 * @example
 * console.log(tt.memory()); // { liveBytes: 1024, liveTensors: 3, ... }
 */
export function memory(): MemoryInfo {
  const s = backend("cpu").stats();
  return { liveBytes: s.liveBytes, liveTensors, cachedBytes: s.cachedBytes, osAllocations: s.osAllocations };
}
