/**
 * The `autocast` family: CPU autocast to bfloat16 around matmul, linear and conv2d (and
 * the losses and pointwise ops after them), comparing result dtypes and values, then a
 * backward and the gradients, which come back in each leaf's own dtype.
 *
 * PyTorch's autocast is a context manager; as a decorator it is an expression:
 * `torch.autocast("cpu", dtype=torch.bfloat16)(lambda: x @ w)()`.
 */
import type * as tt from "../../src/ts/index.js";
import { args, backwardWith, emit, floats as floatsIn, info, ints } from "./family-helpers.js";
import type { Gen } from "./gen.js";

/** A region run under autocast in both languages (nested: autocast switched off inside it). */
function region(g: Gen, ts: string, py: string, off = false): string {
  const [t, p] = off ? [`tt.autocast({ enabled: false }, () => ${ts})`, `torch.autocast("cpu", enabled=False)(lambda: ${py})()`] : [ts, py];
  return emit(g, `tt.autocast({ dtype: "bfloat16" }, () => ${t})`, `torch.autocast("cpu", dtype=torch.bfloat16)(lambda: ${p})()`);
}

/** The dtype of an operand: float32 mostly (autocast's case), sometimes already bfloat16. */
function operandDType(g: Gen): tt.DType {
  // float64 operands stay float64 inside autocast, in both.
  return g.rng.weighted<tt.DType>([
    ["float32", 20],
    ["bfloat16", 2],
    ["float64", 1],
  ]);
}

/**
 * Operands take "ties" values (multiples of 0.5 up to 2): their products and short sums are
 * exact in bfloat16. PyTorch's CPU bfloat16 GEMM (without AVX-512 BF16) rounds its partial
 * sums to bfloat16, Tessera accumulates in float32; exact sums keep that out of the comparison.
 */
const floats = (g: Gen, shape: readonly number[], dtype: tt.DType, o: { rg?: boolean; views?: boolean } = {}): string =>
  floatsIn(g, shape, dtype, { ...o, style: "ties" });

export function autocastFamily(g: Gen): void {
  const r = g.rng;
  const kind = r.weighted([
    ["matmul", 4],
    ["linear", 3],
    ["conv", 2],
  ] as const);
  const rg = (): boolean => r.chance(0.8);
  let ts: string, py: string;
  if (kind === "matmul") {
    const batch = r.chance(0.3) ? [r.int(1, 3)] : [];
    const m = r.int(1, 5),
      k = r.int(1, 6),
      n = r.int(1, 5);
    const a = floats(g, r.chance(0.1) ? [k] : [...batch, m, k], operandDType(g), { rg: rg(), views: true });
    const b = floats(g, r.chance(0.1) ? [k] : [k, n], operandDType(g), { rg: rg(), views: true });
    [ts, py] = r.chance(0.5) ? [`${a}.matmul(${b})`, `${a}.matmul(${b})`] : [`tt.matmul(${a}, ${b})`, `torch.matmul(${a}, ${b})`];
  } else if (kind === "linear") {
    const inF = r.int(1, 6),
      outF = r.int(1, 5);
    const x = floats(g, [r.int(1, 3), inF], operandDType(g), { rg: rg(), views: true });
    const w = floats(g, [outF, inF], operandDType(g), { rg: rg() });
    const b = r.chance(0.6) ? floats(g, [outF], operandDType(g), { rg: rg() }) : "";
    [ts, py] = [`tt.nn.F.linear(${args(x, w, b)})`, `F.linear(${args(x, w, b)})`];
  } else {
    const C = r.int(1, 2),
      O = r.int(1, 3),
      k = r.pick([1, 3]),
      pad = r.int(0, 1);
    const x = floats(g, [r.int(1, 2), C, r.int(k, k + 3), r.int(k, k + 3)], operandDType(g), { rg: rg() });
    const w = floats(g, [O, C, k, k], operandDType(g), { rg: rg() });
    const b = r.chance(0.5) ? floats(g, [O], operandDType(g), { rg: rg() }) : undefined;
    [ts, py] = [`tt.nn.F.conv2d(${x}, ${w}, ${b ?? "null"}, { padding: ${pad} })`, `F.conv2d(${x}, ${w}, ${b ?? "None"}, 1, ${pad})`];
  }
  // What follows the matmul inside the region: nothing, a pointwise op (type promotion), or a loss (float32 in both).
  const after = r.weighted([
    ["none", 4],
    ["pointwise", 3],
    ["loss", 2],
    ["reduce", 0.3],
  ] as const);
  const grads = r.chance(0.8);
  if (after === "pointwise") {
    // Before a backward, only ops whose gradients stay exact in bfloat16 (see floats above).
    const op = r.pick(
      grads ? (["relu", "mul(2)", "add(1.5)"] as const) : (["relu", "tanh", "sigmoid", "mul(2)", "add(1.5)", "gelu"] as const),
    );
    // Python's Tensor has no gelu method: F.gelu.
    [ts, py] =
      op === "gelu"
        ? [`${ts}.gelu()`, `F.gelu(${py})`]
        : [`${ts}.${op}${op.includes("(") ? "" : "()"}`, `${py}.${op}${op.includes("(") ? "" : "()"}`];
  }
  // Autocast switched off inside: only with float32 operands (Tessera's linear takes a bias of another dtype, PyTorch's refuses it).
  const off = r.chance(0.1) && g.b.tensors().every((t) => t.dtype === "float32");
  let y = region(g, ts, py, off);
  const yi = info(g, y);
  if (yi && after === "loss") {
    const lk = r.pick(["mse", "l1", "ce", "bce"] as const);
    const target =
      lk === "ce"
        ? yi.shape.length >= 1
          ? ints(g, yi.shape.length === 1 ? [] : [yi.shape[0], ...yi.shape.slice(2)], 0, yi.shape[yi.shape.length === 1 ? 0 : 1] - 1)
          : undefined
        : floats(g, yi.shape, "float32");
    if (target) {
      const [tf, pf] = {
        mse: ["mseLoss", "mse_loss"],
        l1: ["l1Loss", "l1_loss"],
        ce: ["crossEntropy", "cross_entropy"],
        bce: ["binaryCrossEntropyWithLogits", "binary_cross_entropy_with_logits"],
      }[lk];
      // For a float32 target with a bfloat16 input, PyTorch's fp32-listed losses see float32 inputs; so do Tessera's.
      const tgt = lk === "bce" ? `${target}.sigmoid()` : target;
      y = region(g, `tt.nn.F.${tf}(${y}, ${tgt})`, `F.${pf}(${y}, ${tgt})`);
    }
  } else if (yi && after === "reduce") {
    // Known difference: Tessera runs these in float32 inside autocast (CUDA's list); PyTorch's CPU autocast keeps bfloat16.
    const op = r.pick(["softmax(-1)", "sum()", "exp()"]);
    y = region(g, `${y}.${op}`, `${y}.${op}`);
  }
  // Outside the region: ordinary promotion with a float32 operand.
  if (info(g, y) && r.chance(0.3)) {
    const z = floats(g, info(g, y)!.shape, "float32", { rg: false });
    y = emit(g, `${y}.add(${z})`, `${y}.add(${z})`);
  }
  const fin = info(g, y);
  if (fin?.requiresGrad && grads) backwardWith(g, fin, "ties");
}
