/**
 * Disagreements that are not Tessera defects, each documented in docs/pytorch-coverage.md
 * under its id: differences we chose, and PyTorch 1.13 defects where Tessera gives the
 * right answer. The fuzzer recognises them from the program, the step and the two results
 * and counts them apart. Keep this list and the document in step.
 */
import type { Program, Step } from "./program.js";
import { decodeNum, type Value } from "./value.js";

interface Known {
  id: string;
  kind: "deliberate" | "pytorch-defect";
  /** Whether this disagreement is this known difference. */
  matches(step: Step, ours: Value, theirs: Value, program: Program): boolean;
}

const raised = (v: Value, re: RegExp): boolean => v.kind === "error" && re.test(v.message);
const isTensor = (v: Value): v is Extract<Value, { kind: "tensor" }> => v.kind === "tensor";

/** Every element equal, or different only in the way `differs(ours, theirs)` allows. */
function elementsAgreeExcept(ours: Value, theirs: Value, differs: (a: number, e: number) => boolean): boolean {
  if (!isTensor(ours) || !isTensor(theirs) || ours.data.length !== theirs.data.length) return false;
  return ours.data.every((o, i) => {
    const a = decodeNum(o),
      e = decodeNum(theirs.data[i]);
    return Object.is(a, e) || Math.abs(a - e) <= 1e-3 * Math.abs(e) + 1e-3 || differs(a, e);
  });
}

/** The steps a value was computed from (itself included). */
function ancestry(p: Program, name: string): Step[] {
  const out: Step[] = [];
  for (let i = p.steps.length - 1, want = new Set([name]); i >= 0; i--) {
    const s = p.steps[i];
    if (!want.has(s.out)) continue;
    out.push(s);
    for (const r of s.refs) want.add(r);
  }
  return out;
}

const KNOWN: readonly Known[] = [
  {
    id: "mean-float32-range",
    kind: "deliberate",
    matches: (step, ours, theirs) =>
      /\.mean\(/.test(step.ts) &&
      elementsAgreeExcept(ours, theirs, (a, e) => Math.abs(e) === Infinity && Number.isFinite(a) && Math.abs(a) > 1e36),
  },
  {
    id: "matmul-overflow-order",
    kind: "deliberate",
    matches: (step, ours, theirs) =>
      /\.matmul\(/.test(step.ts) && elementsAgreeExcept(ours, theirs, (a, e) => !Number.isFinite(a) && !Number.isFinite(e)),
  },
  {
    id: "autocast-fp32-list",
    kind: "deliberate",
    matches: (step, ours, theirs, p) =>
      isTensor(ours) &&
      isTensor(theirs) &&
      ours.dtype === "float32" &&
      theirs.dtype === "bfloat16" &&
      ancestry(p, step.out).some((s) => s.ts.includes("tt.autocast(")),
  },
  {
    id: "inplace-on-views",
    kind: "deliberate",
    matches: (_step, ours, theirs) => raised(ours, /records in-place ops only on a tensor that is not a view/) && theirs.kind !== "error",
  },
  {
    id: "dtype-check-on-empty",
    kind: "deliberate",
    // PyTorch checks dtypes when there is work: an empty result, or a product over an empty dim (zeros).
    matches: (step, ours, theirs) =>
      raised(ours, /dtype|floating point|bool tensors/) &&
      isTensor(theirs) &&
      (theirs.data.length === 0 || (/\.matmul\(/.test(step.ts) && theirs.data.every((v) => v === 0))),
  },
  {
    // Terms of ±1e30 and beyond that cancel: what is left of the small ones depends on the
    // order of the sum (lanes, blocks, GEMM), in any library.
    id: "summation-order",
    kind: "deliberate",
    matches: (step, ours, theirs, p) =>
      /\.(sum|mean|var|std|logsumexp|matmul)\(/.test(step.ts) &&
      isTensor(ours) &&
      isTensor(theirs) &&
      ancestry(p, step.out).some((s) => /\de\+(3\d|[4-9]\d|\d{3})\b/.test(s.ts)),
  },
  {
    id: "argmax-bool",
    kind: "deliberate",
    matches: (step, ours, theirs) => /\.arg(max|min)\(/.test(step.ts) && raised(ours, /bool tensors are not supported/) && isTensor(theirs),
  },
  {
    id: "nonzero-contiguous",
    kind: "deliberate",
    matches: (step, ours, theirs, p) =>
      /\.view\(/.test(step.ts) &&
      isTensor(ours) &&
      raised(theirs, /view size is not compatible/) &&
      ancestry(p, step.out).some((s) => s.ts.includes(".nonzero()")),
  },
  {
    id: "scatter-add-src-gradient",
    kind: "deliberate",
    matches: (_step, ours, theirs) => ours.kind === "none" && raised(theirs, /ScatterAddBackward0 returned an invalid gradient/),
  },
  {
    // Its vectorised loop rounds the exponent to float32, its tail does not (x ** 3.0000001 is
    // x³ in lanes of 16 and NaN after them); ours keeps the double exponent everywhere.
    id: "pytorch-pow-float32-exponent",
    kind: "pytorch-defect",
    matches: (step, ours, theirs) => {
      const e = /\.pow\((-?[\d.e+-]+)\)$/.exec(step.ts);
      return (
        !!e &&
        !Number.isInteger(Number(e[1])) &&
        Number.isInteger(Math.fround(Number(e[1]))) &&
        elementsAgreeExcept(ours, theirs, (a) => Number.isNaN(a))
      );
    },
  },
  {
    // Over a non-last dim its bfloat16 kernel spreads a NaN into other lanes of the vector.
    id: "pytorch-bfloat16-softmax-nan-lanes",
    kind: "pytorch-defect",
    matches: (step, ours, theirs) =>
      /\.(softmax|logSoftmax)\(/.test(step.ts) &&
      isTensor(ours) &&
      ours.dtype === "bfloat16" &&
      elementsAgreeExcept(ours, theirs, (a, e) => Number.isNaN(e) && Number.isFinite(a)),
  },
  {
    // d var/dx of one element with correction 1 is 0/0: NaN here, inf from PyTorch for a 0-d input.
    id: "pytorch-var-0d-backward",
    kind: "pytorch-defect",
    matches: (step, ours, theirs, p) =>
      /\.grad$/.test(step.ts) &&
      p.steps.some((s) => /\.(var|std)\(/.test(s.ts)) &&
      elementsAgreeExcept(ours, theirs, (a, e) => Number.isNaN(a) && Math.abs(e) === Infinity),
  },
  {
    // int32 sizes the range from the float bounds, int64 from the truncated ones; ours: int64's rule for both.
    id: "pytorch-arange-int32-size",
    kind: "pytorch-defect",
    matches: (step, ours, theirs) =>
      /^tt\.arange\(.*"int32"/.test(step.ts) && isTensor(ours) && isTensor(theirs) && ours.shape.join() !== theirs.shape.join(),
  },
  {
    // Without AVX-512 BF16 its CPU bfloat16 GEMM rounds partial sums to bfloat16; ours sums in float32 (off by a few units in the last place).
    id: "pytorch-bfloat16-gemm-rounding",
    kind: "pytorch-defect",
    // Its partial sums carry bfloat16's error relative to the largest terms, not to the result
    // (which may cancel): bounded here by 2^-5 of the largest element of the product.
    matches: (step, ours, theirs) => {
      if (!/\.matmul\(/.test(step.ts) || !isTensor(ours) || ours.dtype !== "bfloat16" || !isTensor(theirs)) return false;
      const scale = theirs.data.reduce<number>((m, v) => (Number.isFinite(decodeNum(v)) ? Math.max(m, Math.abs(decodeNum(v))) : m), 1);
      return elementsAgreeExcept(ours, theirs, (a, e) => Math.abs(a - e) <= 2 ** -5 * scale);
    },
  },
  {
    id: "pytorch-var-empty-backward",
    kind: "pytorch-defect",
    matches: (_step, ours, theirs) => ours.kind === "none" && raised(theirs, /(Var|Std)Backward0 returned an invalid gradient/),
  },
  {
    id: "pytorch-clamp-broadcast-backward",
    kind: "pytorch-defect",
    matches: (step, ours, theirs, p) =>
      /\.backward\(/.test(step.ts) &&
      ours.kind === "none" &&
      raised(theirs, /doesn't match the broadcast shape/) &&
      ancestry(p, step.refs[0]).some((s) => /\.(clamp|maskedFill)\(/.test(s.ts)),
  },
];

/** The id of the known difference this disagreement is, or null for a defect. */
export function knownDifference(program: Program, step: Step, ours: Value, theirs: Value): string | null {
  return KNOWN.find((d) => d.matches(step, ours, theirs, program))?.id ?? null;
}
