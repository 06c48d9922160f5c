/**
 * JSON.parse reads any depth, but JSON.stringify, structuredClone and recursive walks overflow
 * the stack a few thousand levels down, throwing a RangeError wherever the value goes next (a
 * reply, a snapshot, a save). Client values are checked against this limit on arrival instead:
 * far deeper than any notebook's metadata or outputs need, far shallower than the stack allows.
 */
export const MAX_JSON_DEPTH = 512;

/** True when `value` nests objects or arrays deeper than `max` (iterative: no recursion to overflow). */
export function nestedDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
