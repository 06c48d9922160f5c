/**
 * Differences from PyTorch that are deliberate and documented in docs/pytorch-coverage.md:
 * each is recognised from the step and the two results, so the fuzzer counts it apart
 * from a defect. Keep this list and the document in step.
 */
import type { Step } from "./program.js";
import { decodeNum, type Value } from "./value.js";

interface Deliberate {
  id: string;
  /** Whether this disagreement is this documented difference. */
  matches(step: Step, ours: Value, theirs: Value): boolean;
}

const DELIBERATE: readonly Deliberate[] = [
  {
    // A dot product whose terms overflow: with FMA the exact product is added (x*y + -inf
    // is -inf), without it the rounded one (inf + -inf is NaN); the order of the sum differs too.
    id: "matmul terms that overflow give ±inf or NaN by summation order",
    matches(step, ours, theirs) {
      if (!/\.matmul\(/.test(step.ts) || ours.kind !== "tensor" || theirs.kind !== "tensor") return false;
      const nonFinite = (v: number): boolean => !Number.isFinite(v);
      return ours.data.every((o, i) => {
        const a = decodeNum(o), e = decodeNum(theirs.data[i]);
        return Object.is(a, e) || (nonFinite(a) && nonFinite(e)) || Math.abs(a - e) <= 1e-3 * Math.abs(e) + 1e-3;
      });
    },
  },
  {
    // PyTorch sums float32 then divides, overflowing past float32's range; ours does not.
    id: "mean of float32 values near the largest float32 stays finite",
    matches(step, ours, theirs) {
      if (!/\.mean\(/.test(step.ts) || ours.kind !== "tensor" || theirs.kind !== "tensor") return false;
      return ours.data.every((o, i) => {
        const a = decodeNum(o), e = decodeNum(theirs.data[i]);
        return Object.is(a, e) || (Math.abs(e) === Infinity && Number.isFinite(a) && Math.abs(a) > 1e36) || Math.abs(a - e) <= 1e-4 * Math.abs(e);
      });
    },
  },
];

/** The id of the documented difference this disagreement is, or null for a defect. */
export function deliberateDifference(step: Step, ours: Value, theirs: Value): string | null {
  return DELIBERATE.find((d) => d.matches(step, ours, theirs))?.id ?? null;
}
