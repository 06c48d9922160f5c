/**
 * Reading nested arrays (`tt.tensor([[1, 2], [3, 4]])`): the shape, the values in order,
 * and, when the array is not a box of numbers, an error that names where it is not.
 */
import type { NestedArray } from "./creation.js";

/** The shape and the row-major values of a nested array. */
export interface NestedValues {
  shape: number[];
  flat: (number | boolean)[];
}

/** `[1][0]`: where a value sits, as one would index it. */
function at(path: readonly number[]): string {
  return path.length === 0 ? "the top level" : `[${path.join("][")}]`;
}

/** What was found instead, in words. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v === null) return "null";
  if (v === undefined) return "undefined (a hole or a missing element)";
  if (typeof v === "string") return `a string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === "object") return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  return `a ${typeof v}`;
}

/**
 * The shape (from the first element at each depth, as torch.tensor does) and the values;
 * throws when another element disagrees with it, naming its index path and the dimension.
 * @example readNested([[1, 2], [3, 4]]) // { shape: [2, 2], flat: [1, 2, 3, 4] }
 * @example readNested([[1, 2], [3]])    // Error: tensor(): ragged nested array: dimension 1 has length 2 at [0] but 1 at [1]
 */
export function readNested(data: NestedArray, op = "tensor()"): NestedValues {
  const shape: number[] = [];
  for (let probe: unknown = data; Array.isArray(probe); probe = probe[0]) {
    shape.push(probe.length);
    if (probe.length === 0) break;
  }
  const flat: (number | boolean)[] = [];
  const ragged = (text: string) => new Error(`${op}: ragged nested array: ${text}`);
  const path: number[] = [];
  const walk = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v === "number" || typeof v === "boolean") {
        flat.push(v);
        return;
      }
      if (Array.isArray(v)) {
        const last = dim - 1;
        throw ragged(`at ${at(path)} expected a number (dimension ${last} has numbers) but found ${describe(v)}`);
      }
      throw new TypeError(`${op}: expected a number or boolean at ${at(path)}, got ${describe(v)}`);
    }
    // The first element at this depth set the length: [0][0]… up to `dim`.
    const first = at(new Array<number>(dim).fill(0));
    if (!Array.isArray(v)) {
      throw ragged(`at ${at(path)} expected an array (dimension ${dim} has length ${shape[dim]} at ${first}) but found ${describe(v)}`);
    }
    if (v.length !== shape[dim]) throw ragged(`dimension ${dim} has length ${shape[dim]} at ${first} but ${v.length} at ${at(path)}`);
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      walk(v[i], dim + 1);
      path.pop();
    }
  };
  walk(data, 0);
  return { shape, flat };
}
