/**
 * Runs library code the kernel cannot rewrite (the TypeScript compiler, source-map
 * decoding, `util.inspect`) with the standard built-ins as they were when the kernel
 * loaded, whatever cells did to them since.
 *
 * A cell that sets `Array.prototype[Symbol.iterator]`, `Array.prototype.map` or
 * `JSON.stringify` would otherwise break the compiler for every later cell. The built-ins
 * of the standard library are recorded at load; {@link withPristineBuiltins} puts back what
 * a cell changed (and removes what it added, such as `Object.prototype.then`), runs its
 * function synchronously, and then restores the cell's versions, so cells still see what
 * they did. A property a cell added and made non-configurable is blanked (set to undefined)
 * when writable; one it locked entirely stays as it is.
 */
import {
  ArrayPrototypePush,
  ArrayPrototypeSplice,
  ObjectCreate,
  ObjectIs,
  ReflectDefineProperty,
  ReflectDeleteProperty,
  ReflectGetOwnPropertyDescriptor,
  ReflectGetPrototypeOf,
  ReflectOwnKeys,
} from "./primordials.js";

interface Recorded {
  target: object;
  /** Every own key at load, with its descriptor. */
  keys: PropertyKey[];
  descriptors: PropertyDescriptor[];
  /** Keys added later are changes too (`Object.prototype.then`); not for the global object, where cells declare. */
  watchAdded: boolean;
}

interface Change {
  /** The record it was found in. */
  record: Recorded;
  target: object;
  key: PropertyKey;
  /** What the cell left: undefined when it deleted the property. */
  current: PropertyDescriptor | undefined;
  /** What was there at load: undefined when the cell added the property. */
  original: PropertyDescriptor | undefined;
}

/** Standard globals whose bindings library code looks up by name. */
const GLOBAL_NAMES = [
  "Object",
  "Function",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "BigInt",
  "RegExp",
  "Date",
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "Math",
  "JSON",
  "Reflect",
  "Proxy",
  "ArrayBuffer",
  "DataView",
  "Uint8Array",
  "Int32Array",
  "Uint32Array",
  "Float64Array",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "encodeURIComponent",
  "decodeURIComponent",
  "Intl",
  "Buffer",
];

const iteratorOf = (value: Iterable<unknown>): object => ReflectGetPrototypeOf(value[Symbol.iterator]()) as object;
const ArrayIteratorPrototype = iteratorOf([]);
const TypedArray = ReflectGetPrototypeOf(Uint8Array) as object & { prototype: object };

/** Everything a library's ordinary code touches: constructors, prototypes and namespaces. */
const TARGETS: object[] = [
  Object,
  Object.prototype,
  Function.prototype,
  Array,
  Array.prototype,
  ArrayIteratorPrototype,
  ReflectGetPrototypeOf(ArrayIteratorPrototype) as object,
  String,
  String.prototype,
  iteratorOf(""),
  Number,
  Number.prototype,
  Boolean.prototype,
  Symbol,
  Symbol.prototype,
  BigInt.prototype,
  RegExp.prototype,
  Date,
  Date.prototype,
  Error.prototype,
  Promise,
  Promise.prototype,
  Map.prototype,
  iteratorOf(new Map()),
  Set.prototype,
  iteratorOf(new Set()),
  WeakMap.prototype,
  WeakSet.prototype,
  Math,
  JSON,
  Reflect,
  TypedArray,
  TypedArray.prototype,
  Uint8Array.prototype,
  ArrayBuffer.prototype,
];

function record(target: object, keys: PropertyKey[], watchAdded: boolean): Recorded {
  const descriptors: PropertyDescriptor[] = [];
  const present: PropertyKey[] = [];
  for (let i = 0; i < keys.length; i++) {
    const d = ReflectGetOwnPropertyDescriptor(target, keys[i]);
    if (d === undefined) continue;
    ArrayPrototypePush(present, keys[i]);
    ArrayPrototypePush(descriptors, d);
  }
  return { target, keys: present, descriptors, watchAdded };
}

const recorded: Recorded[] = [];
for (let i = 0; i < TARGETS.length; i++) ArrayPrototypePush(recorded, record(TARGETS[i], ReflectOwnKeys(TARGETS[i]), true));
ArrayPrototypePush(recorded, record(globalThis, GLOBAL_NAMES, false));

/** Whether a cell replaced what the descriptor holds (attributes alone do not matter: a frozen prototype is fine). */
function sameSlot(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return ObjectIs(a.value, b.value) && a.get === b.get && a.set === b.set;
}

/** What cells changed in the recorded built-ins. Cheap when nothing did: one descriptor read per property. */
function changes(): Change[] {
  const found: Change[] = [];
  for (let r = 0; r < recorded.length; r++) {
    const { target, keys, descriptors, watchAdded } = recorded[r];
    for (let i = 0; i < keys.length; i++) {
      const current = ReflectGetOwnPropertyDescriptor(target, keys[i]);
      if (current === undefined || !sameSlot(current, descriptors[i])) {
        ArrayPrototypePush(found, { record: recorded[r], target, key: keys[i], current, original: descriptors[i] });
      }
    }
    if (!watchAdded) continue;
    const now = ReflectOwnKeys(target);
    if (now.length === keys.length) continue;
    const known: Record<PropertyKey, true> = ObjectCreate(null) as Record<PropertyKey, true>;
    for (let i = 0; i < keys.length; i++) known[keys[i]] = true;
    for (let i = 0; i < now.length; i++) {
      if (known[now[i]] !== true) {
        ArrayPrototypePush(found, {
          record: recorded[r],
          target,
          key: now[i],
          current: ReflectGetOwnPropertyDescriptor(target, now[i]),
          original: undefined,
        });
      }
    }
  }
  return found;
}

function put(target: object, key: PropertyKey, descriptor: PropertyDescriptor | undefined): boolean {
  return descriptor === undefined ? ReflectDeleteProperty(target, key) : ReflectDefineProperty(target, key, descriptor);
}

/** A change that cannot be undone (made non-configurable) becomes the new normal: no use checking it again. */
function accept(change: Change): void {
  const { record, key, current } = change;
  for (let i = 0; i < record.keys.length; i++) {
    if (record.keys[i] !== key) continue;
    if (current === undefined) {
      ArrayPrototypeSplice(record.keys, i, 1);
      ArrayPrototypeSplice(record.descriptors, i, 1);
    } else {
      record.descriptors[i] = current;
    }
    return;
  }
  if (current !== undefined) {
    ArrayPrototypePush(record.keys, key);
    ArrayPrototypePush(record.descriptors, current);
  }
}

/**
 * Runs `fn` with the built-ins as they were at load, then gives cells theirs back.
 * `fn` must be synchronous. Cell code it happens to call (an error's `message` getter)
 * sees the pristine built-ins too, and what it changes in them is undone.
 * @example const out = withPristineBuiltins(() => ts.transpileModule(source, options));
 */
export function withPristineBuiltins<T>(fn: () => T): T {
  const changed = changes();
  if (changed.length === 0) return fn();
  const undone: Change[] = [];
  for (let i = 0; i < changed.length; i++) {
    const { target, key, original, current } = changed[i];
    // An added property that cannot be deleted but can be written is blanked instead:
    // an undefined `then` or `toJSON` is as good as none.
    if (
      put(target, key, original) ||
      (original === undefined && current?.writable === true && ReflectDefineProperty(target, key, { value: undefined }))
    ) {
      ArrayPrototypePush(undone, changed[i]);
    } else {
      accept(changed[i]);
    }
  }
  try {
    return fn();
  } finally {
    for (let i = undone.length - 1; i >= 0; i--) put(undone[i].target, undone[i].key, undone[i].current);
  }
}

/** Whether any recorded built-in differs from load time (for tests and diagnostics). */
export function builtinsChanged(): boolean {
  return changes().length > 0;
}
