/**
 * The built-ins the kernel's own machinery uses, captured when the kernel loads, before
 * any cell runs (Node's own `primordials` work this way).
 *
 * Cells may replace or pollute the global ones (`JSON.stringify = …`,
 * `Array.prototype.push = …`, `Function.prototype.call = …`, `Object.prototype.then = …`);
 * the kernel keeps answering because it never looks them up again. Methods are
 * "uncurried": `ArrayPrototypePush(list, x)` rather than `list.push(x)`, so neither the
 * prototype nor `Function.prototype.call` is consulted when they run.
 *
 * @example ArrayPrototypeJoin(chunks, "") // what chunks.join("") was before any cell ran
 */
import timers from "node:timers";
import util from "node:util";

const { bind, call } = Function.prototype;
/** `uncurryThis(f)(self, ...args)` calls `f` with `this = self`, looking nothing up. */
const uncurryThis = bind.bind(call) as <T, A extends unknown[], R>(fn: (this: T, ...args: A) => R) => (self: T, ...args: A) => R;

export const ReflectApply = Reflect.apply;
export const ReflectOwnKeys = Reflect.ownKeys;
export const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
export const ReflectDefineProperty = Reflect.defineProperty;
export const ReflectDeleteProperty = Reflect.deleteProperty;
export const ReflectGetPrototypeOf = Reflect.getPrototypeOf;
export const ReflectSetPrototypeOf = Reflect.setPrototypeOf;

export const ObjectPrototype = Object.prototype;
export const ObjectKeys = Object.keys;
export const ObjectCreate = Object.create;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectFreeze = Object.freeze;
export const ObjectHasOwn = Object.hasOwn;
export const ObjectIs = Object.is;

export const ArrayIsArray = Array.isArray;
export const ArrayPrototype = Array.prototype;
export const ArrayPrototypePush = uncurryThis(Array.prototype.push) as <T>(self: T[], ...items: T[]) => number;
export const ArrayPrototypeJoin = uncurryThis(Array.prototype.join) as (self: readonly unknown[], separator?: string) => string;
export const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice) as <T>(self: readonly T[], start?: number, end?: number) => T[];
export const ArrayPrototypeIndexOf = uncurryThis(Array.prototype.indexOf) as <T>(self: readonly T[], item: T) => number;
export const ArrayPrototypeSplice = uncurryThis(Array.prototype.splice) as <T>(self: T[], start: number, deleteCount: number) => T[];
export const ArrayPrototypeShift = uncurryThis(Array.prototype.shift) as <T>(self: T[]) => T | undefined;

export const MapPrototypeGet = uncurryThis(Map.prototype.get) as <K, V>(self: Map<K, V>, key: K) => V | undefined;
export const MapPrototypeSet = uncurryThis(Map.prototype.set) as <K, V>(self: Map<K, V>, key: K, value: V) => Map<K, V>;
export const WeakMapPrototypeGet = uncurryThis(WeakMap.prototype.get) as <K extends object, V>(
  self: WeakMap<K, V>,
  key: K,
) => V | undefined;
export const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set) as <K extends object, V>(
  self: WeakMap<K, V>,
  key: K,
  value: V,
) => WeakMap<K, V>;
export const WeakSetPrototypeAdd = uncurryThis(WeakSet.prototype.add) as <T extends object>(self: WeakSet<T>, value: T) => WeakSet<T>;
export const WeakSetPrototypeHas = uncurryThis(WeakSet.prototype.has) as <T extends object>(self: WeakSet<T>, value: T) => boolean;

export const StringCtor = String;
export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeEndsWith = uncurryThis(String.prototype.endsWith);
export const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeTrim = uncurryThis(String.prototype.trim);
export const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);

export const JSONStringify = JSON.stringify;
export const JSONParse = JSON.parse;

export const MathMax = Math.max;
export const MathMin = Math.min;
export const MathTrunc = Math.trunc;
export const DateNow = Date.now;
export const NumberCtor = Number;
export const BigIntCtor = BigInt;
export const NumberIsFinite = Number.isFinite;

export const PromiseCtor = Promise;
export const PromisePrototypeThen = uncurryThis(Promise.prototype.then) as <T, R = void>(
  self: Promise<T>,
  onFulfilled?: ((value: T) => R) | null,
  onRejected?: ((reason: unknown) => R) | null,
) => Promise<R>;
export const isPromise = util.types.isPromise;

export const BufferFrom = bind.call(Buffer.from, Buffer) as typeof Buffer.from;
export const BufferByteLength = bind.call(Buffer.byteLength, Buffer) as typeof Buffer.byteLength;
export const BufferPrototypeToString = uncurryThis(Buffer.prototype.toString) as (
  self: Buffer,
  encoding?: BufferEncoding,
  start?: number,
  end?: number,
) => string;
export const BufferPrototypeSubarray = uncurryThis(Buffer.prototype.subarray) as (self: Buffer, start?: number, end?: number) => Buffer;

export const PerformanceNow = bind.call(performance.now, performance) as () => number;

export const SetTimeout = timers.setTimeout;
export const ClearTimeout = timers.clearTimeout;
export const SetImmediate = timers.setImmediate;

/**
 * Makes a kernel record safe to resolve a promise with: a promise resolved with an object
 * calls that object's `then` if it has one, and a cell that set `Object.prototype.then`
 * gave every plain object one. Without a prototype there is nothing to find.
 * @example resolve(inert({ kind: "ok" }))
 */
export function inert<T extends object>(record: T): T {
  ReflectSetPrototypeOf(record, null);
  return record;
}

/** A value carried through a promise without its `then` ever being looked up. */
export interface Box<T> {
  value: T;
}

/** Wraps any value (a cell's value, a mime bundle) so that resolving a promise with it cannot call user code. */
export function box<T>(value: T): Box<T> {
  return inert({ value });
}

/**
 * `Promise.race` without looking anything up (`Promise.race` reads `Promise.resolve`,
 * iterates with `Array.prototype[Symbol.iterator]` and calls each promise's `then`), and
 * boxed, so a winning object's `then` is never called.
 */
export function raceBoxed<T>(promises: readonly Promise<T>[]): Promise<Box<T>> {
  return new PromiseCtor<Box<T>>((resolve, reject) => {
    for (let i = 0; i < promises.length; i++) {
      PromisePrototypeThen(promises[i], (value) => resolve(box(value)), reject);
    }
  });
}
