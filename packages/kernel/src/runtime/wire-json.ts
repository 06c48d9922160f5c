/**
 * JSON for what the kernel sends, whatever cells did to the built-ins.
 *
 * `JSON.stringify` calls a `toJSON` it finds anywhere on a value's prototype chain, and no
 * replacer can stop it: after a cell ran `Object.prototype.toJSON = () => 1`, every message
 * would serialize as `1`. Kernel messages are plain objects and arrays, so a `toJSON` on
 * `Object.prototype` or `Array.prototype` is hidden (removed and put back) around the
 * captured `JSON.stringify`, which still does the fast native work. A `toJSON` a cell made
 * impossible to remove leaves {@link encodePlain}, which reads own data only.
 */
import {
  ArrayIsArray,
  ArrayPrototype,
  JSONStringify,
  NumberIsFinite,
  ObjectHasOwn,
  ObjectKeys,
  ObjectPrototype,
  ReflectDefineProperty,
  ReflectDeleteProperty,
  ReflectGetOwnPropertyDescriptor,
} from "./primordials.js";

/** Deeper than this, {@link encodePlain} assumes a cycle (JSON.stringify would throw too). */
const MAX_PLAIN_DEPTH = 1000;

/**
 * Serializes a kernel message (plain objects, arrays, strings, numbers, booleans, null; a
 * display's data may hold anything JSON can take).
 * @example stringifyMessage({ kind: "ready", pid: 42 }) // '{"kind":"ready","pid":42}'
 */
export function stringifyMessage(value: unknown): string {
  // The common case costs two own-property checks.
  if (!ObjectHasOwn(ObjectPrototype, "toJSON") && !ObjectHasOwn(ArrayPrototype, "toJSON")) return JSONStringify(value) ?? "null";
  return withoutPrototypeToJSON(
    () => JSONStringify(value) ?? "null",
    () => encodePlain(value),
  );
}

interface Hidden {
  target: object;
  descriptor: PropertyDescriptor;
  /** Deleted (configurable), or only its value set to undefined (writable but not configurable). */
  how: "deleted" | "blanked";
}

/**
 * Runs `fn` with no `toJSON` on Object.prototype and Array.prototype, then puts back what
 * was there; `locked` runs instead when one cannot be hidden.
 */
function withoutPrototypeToJSON(fn: () => string, locked: () => string): string {
  const hidden: Hidden[] = [];
  try {
    const targets = [ObjectPrototype, ArrayPrototype];
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      const descriptor = ReflectGetOwnPropertyDescriptor(target, "toJSON");
      if (descriptor === undefined) continue;
      if (descriptor.configurable && ReflectDeleteProperty(target, "toJSON")) {
        hidden[hidden.length] = { target, descriptor, how: "deleted" };
      } else if (descriptor.writable && ReflectDefineProperty(target, "toJSON", { value: undefined })) {
        hidden[hidden.length] = { target, descriptor, how: "blanked" };
      } else {
        return locked();
      }
    }
    return fn();
  } finally {
    for (let i = 0; i < hidden.length; i++) {
      const { target, descriptor, how } = hidden[i];
      // Code that ran meanwhile (a getter in a display's data) may have set its own: keep that.
      const now = ReflectGetOwnPropertyDescriptor(target, "toJSON");
      if (how === "deleted" ? now === undefined : now?.value === undefined) ReflectDefineProperty(target, "toJSON", descriptor);
    }
  }
}

/**
 * JSON of own enumerable data, ignoring every `toJSON`: the last resort when a cell
 * locked a `toJSON` onto a prototype.
 * @example encodePlain({ a: [1, "x", null] }) // '{"a":[1,"x",null]}'
 */
export function encodePlain(value: unknown, depth = 0): string {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSONStringify(value);
    case "number":
      return NumberIsFinite(value) ? JSONStringify(value) : "null";
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt");
    case "object":
      break;
    default:
      return "null";
  }
  if (value === null) return "null";
  if (depth > MAX_PLAIN_DEPTH) throw new TypeError("Converting circular structure to JSON (or nested too deeply)");
  if (ArrayIsArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + encodePlain(value[i], depth + 1);
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  const keys = ObjectKeys(record);
  let out = "{";
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const v = record[keys[i]];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out += (first ? "" : ",") + JSONStringify(keys[i]) + ":" + encodePlain(v, depth + 1);
    first = false;
  }
  return out + "}";
}
