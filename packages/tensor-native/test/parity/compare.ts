/**
 * Whether two step values agree: same kind (an error on both sides agrees), same dtype,
 * shape and requires-grad, and values within a tolerance set by the dtype (NaN matches
 * NaN, infinities match exactly, integers and bools exactly).
 */
import { decodeNum, describe, type Num, type Value } from "./value.js";

/** rtol, atol per dtype: float64 near its precision, half types about one unit in the last place. */
const TOL: Record<string, [number, number]> = {
  float64: [1e-7, 1e-10],
  float32: [1e-4, 1e-5],
  float16: [2e-3, 1e-3],
  bfloat16: [1.6e-2, 1e-2],
};

export interface Disagreement {
  /** What differs: raise, kind, dtype, shape, requiresGrad, values. */
  what: string;
  detail: string;
}

/** How loose a program's comparisons are. */
export interface Floor {
  /** The loosest float dtype among its results: errors carry on through casts to finer types. */
  dtype: string;
  /** Absolute tolerances grow with the square root of the largest tensor (rounding in long sums). */
  scale: number;
}

export function floorOf(values: readonly Value[]): Floor {
  const order = ["float64", "float32", "float16", "bfloat16"];
  let worst = 0,
    numel = 0;
  const visit = (v: Value): void => {
    if (v.kind === "tensor") {
      worst = Math.max(worst, order.indexOf(v.dtype));
      numel = Math.max(numel, v.data.length);
    } else if (v.kind === "list") v.items.forEach(visit);
  };
  values.forEach(visit);
  return { dtype: order[worst], scale: Math.max(1, Math.sqrt(numel) / 10) };
}

function closeValues(dtype: string, ours: readonly Num[], theirs: readonly Num[], floor: Floor): string | null {
  const own = TOL[dtype];
  const tol = own && ([Math.max(own[0], TOL[floor.dtype][0]), Math.max(own[1], TOL[floor.dtype][1]) * floor.scale] as [number, number]);
  // Reductions that cancel lose precision relative to their inputs, not to their result:
  // allow an absolute error relative to the largest expected value as well.
  let scale = 0;
  for (const t of theirs) {
    const e = decodeNum(t);
    if (Number.isFinite(e)) scale = Math.max(scale, Math.abs(e));
  }
  for (let i = 0; i < theirs.length; i++) {
    const a = decodeNum(ours[i]),
      e = decodeNum(theirs[i]);
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return `element ${i}: ${a} vs PyTorch ${e}`;
      continue;
    }
    if (!tol || !Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return `element ${i}: ${a} vs PyTorch ${e}`;
      continue;
    }
    const [rtol, atol] = tol;
    if (Math.abs(a - e) > atol + rtol * Math.abs(e) + rtol * 1e-3 * floor.scale * scale) return `element ${i}: ${a} vs PyTorch ${e}`;
  }
  return null;
}

/**
 * null when they agree, else what differs. `floor` is the loosest float dtype of the
 * program: a float64 value computed from a bfloat16 one is compared at bfloat16's tolerance.
 */
export function disagreement(ours: Value, theirs: Value, floor: Floor = { dtype: "float64", scale: 1 }): Disagreement | null {
  if (ours.kind === "error" || theirs.kind === "error") {
    if (ours.kind === theirs.kind) return null;
    return { what: "raise", detail: `ours: ${describe(ours)}; PyTorch: ${describe(theirs)}` };
  }
  if (ours.kind !== theirs.kind) return { what: "kind", detail: `ours: ${describe(ours)}; PyTorch: ${describe(theirs)}` };
  switch (ours.kind) {
    case "tensor": {
      const t = theirs as typeof ours;
      if (ours.dtype !== t.dtype) return { what: "dtype", detail: `ours ${ours.dtype}, PyTorch ${t.dtype}` };
      if (ours.shape.join() !== t.shape.join()) return { what: "shape", detail: `ours [${ours.shape}], PyTorch [${t.shape}]` };
      if (ours.rg !== t.rg) return { what: "requiresGrad", detail: `ours ${ours.rg}, PyTorch ${t.rg}` };
      const bad = closeValues(ours.dtype, ours.data, t.data, floor);
      return bad ? { what: "values", detail: bad } : null;
    }
    case "scalar": {
      const t = theirs as typeof ours;
      if (typeof ours.value === "boolean" || typeof t.value === "boolean")
        return ours.value === t.value ? null : { what: "values", detail: `ours ${ours.value}, PyTorch ${t.value}` };
      const bad = closeValues("float64", [ours.value], [t.value], floor);
      return bad ? { what: "values", detail: bad } : null;
    }
    case "list": {
      const t = theirs as typeof ours;
      if (ours.items.length !== t.items.length)
        return { what: "shape", detail: `ours ${ours.items.length} items, PyTorch ${t.items.length}` };
      for (let i = 0; i < ours.items.length; i++) {
        const d = disagreement(ours.items[i], t.items[i], floor);
        if (d) return { what: d.what, detail: `item ${i}: ${d.detail}` };
      }
      return null;
    }
    default:
      return null;
  }
}
