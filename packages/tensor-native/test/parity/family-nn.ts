/**
 * The `nn` family: layers and losses with deterministic parameters. Most programs use the
 * functional forms with weights as leaf inputs (conv2d with strides, padding, dilation and
 * groups, pooling, norms, embedding, attention, every loss and its options); some build
 * modules, copy literal weights into them, and read their parameters' gradients and
 * buffers. Nothing random runs: dropout only with p = 0, p = 1 or outside training.
 */
import type * as tt from "../../src/ts/index.js";
import { backward } from "./family-chain.js";
import {
  args,
  defaultStyle,
  dtypeOpt,
  effect,
  emit,
  failed,
  floats,
  info,
  ints,
  literal,
  nnDType,
  probs,
  pyKws,
  tsOpts,
  withDType,
} from "./family-helpers.js";
import type { Gen } from "./gen.js";
import { ref } from "./op.js";
import { pyLit, tsLit } from "./program.js";

type Reduction = "mean" | "sum" | "none";
const reduction = (g: Gen): Reduction | undefined => g.rng.pick([undefined, "mean", "sum", "none"] as const);

/** An int or, sometimes, an [h, w] pair. */
function pairOf(g: Gen, v: () => number): number | [number, number] {
  return g.rng.chance(0.25) ? [v(), v()] : v();
}
const both = (p: number | readonly number[]): [number, number] => (typeof p === "number" ? [p, p] : [p[0], p[1]]);

/** A random size (1..hi), rarely 0. */
const size = (g: Gen, hi: number, zero = 0.03): number => (g.rng.chance(zero) ? 0 : g.rng.int(1, hi));

// ─── activations ───────────────────────────────────────────────────────────────────────

/** One functional activation (or softmax-like op) on x; returns the result's name. */
export function activation(g: Gen, x: string): string {
  const r = g.rng;
  const rank = info(g, x)?.shape.length ?? 0;
  const dim = rank === 0 ? r.pick([0, -1]) : r.int(-rank, rank - 1);
  const kind = r.weighted([
    ["relu", 3],
    ["gelu", 2],
    ["gelu-tanh", 1.5],
    ["silu", 2],
    ["sigmoid", 1.5],
    ["tanh", 1.5],
    ["leaky", 1.5],
    ["softplus", 1.5],
    ["softmax", 2],
    ["logSoftmax", 1.5],
    ["normalize", 1.5],
    ["dropout", 1.5],
  ] as const);
  switch (kind) {
    case "relu":
      return emit(g, `tt.nn.F.relu(${x})`, `F.relu(${x})`);
    case "gelu":
      return emit(g, `tt.nn.F.gelu(${x})`, `F.gelu(${x})`);
    case "gelu-tanh":
      return emit(g, `tt.nn.F.gelu(${x}, { approximate: "tanh" })`, `F.gelu(${x}, approximate="tanh")`);
    case "silu":
      return emit(g, `tt.nn.F.silu(${x})`, `F.silu(${x})`);
    case "sigmoid":
      return emit(g, `tt.nn.F.sigmoid(${x})`, `torch.sigmoid(${x})`);
    case "tanh":
      return emit(g, `tt.nn.F.tanh(${x})`, `torch.tanh(${x})`);
    case "leaky": {
      const s = r.pick([0.01, 0.2, 0, 1.5, -0.5]);
      return emit(g, `tt.nn.F.leakyRelu(${x}, ${s})`, `F.leaky_relu(${x}, ${s})`);
    }
    case "softplus": {
      const beta = r.pick([1, 2, 0.5]),
        th = r.pick([20, 1, 5]);
      return emit(g, `tt.nn.F.softplus(${x}, ${beta}, ${th})`, `F.softplus(${x}, ${beta}, ${th})`);
    }
    case "softmax":
      return emit(g, `tt.nn.F.softmax(${x}, ${dim})`, `F.softmax(${x}, ${dim})`);
    case "logSoftmax":
      return emit(g, `tt.nn.F.logSoftmax(${x}, ${dim})`, `F.log_softmax(${x}, ${dim})`);
    case "normalize": {
      const p = r.pick([2, 2, 1, 3, 0.5, Infinity, 0]),
        eps = r.pick([1e-12, 0.1]);
      const d = r.chance(0.3) ? undefined : dim;
      return emit(
        g,
        `tt.nn.F.normalize(${x}, ${tsOpts([
          ["p", p],
          ["dim", d],
          ["eps", eps],
        ])})`,
        `F.normalize(${x}, ${pyLit(p)}, ${d ?? 1}, ${eps})`,
      );
    }
    case "dropout": {
      // Deterministic only: p = 0, p = 1 in training, or any p outside training.
      const [p, training] = r.pick([
        [0, true],
        [1, true],
        [0.5, false],
        [0, false],
        [1, false],
      ] as const);
      return emit(g, `tt.nn.F.dropout(${x}, ${p}, ${training})`, `F.dropout(${x}, ${p}, ${pyLit(training)})`);
    }
  }
}

// ─── layers (functional) ───────────────────────────────────────────────────────────────

function linear(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const inF = r.int(1, 6),
    outF = r.int(1, 6);
  const batch = Array.from(
    {
      length: r.weighted([
        [0, 1],
        [1, 3],
        [2, 1.5],
      ] as const),
    },
    () => size(g, 4),
  );
  const x = floats(g, [...batch, inF], dt, { rg: r.chance(0.8), views: true });
  const w = floats(g, [outF, r.chance(0.03) ? inF + 1 : inF], dt, { rg: r.chance(0.85), views: true });
  const b = r.chance(0.7) ? floats(g, [outF], dt, { rg: r.chance(0.8) }) : undefined;
  const y = emit(g, `tt.nn.F.linear(${args(x, w, b ?? "")})`, `F.linear(${args(x, w, b ?? "")})`);
  return r.chance(0.5) && !failed(g) ? activation(g, y) : y;
}

/** Conv2d geometry: groups (plain, grouped, depthwise, pointwise), kernel, stride, padding, dilation. */
function convGeometry(g: Gen) {
  const r = g.rng;
  const kind = r.weighted([
    ["plain", 5],
    ["grouped", 2],
    ["depthwise", 2],
    ["pointwise", 1],
  ] as const);
  const groups = kind === "grouped" ? r.int(2, 3) : kind === "depthwise" ? r.int(2, 4) : 1;
  const cg = kind === "depthwise" ? 1 : r.int(1, 3);
  const C = groups * cg,
    O = groups * (kind === "depthwise" ? r.int(1, 2) : r.int(1, 3));
  let k: number | [number, number];
  if (kind === "pointwise") k = 1;
  else
    k = r.chance(0.2)
      ? [r.int(1, 3), r.int(1, 3)]
      : r.weighted([
          [3, 5],
          [1, 1],
          [2, 1],
          [5, 1.5],
          [7, 0.8],
        ] as const);
  const [kh, kw] = both(k);
  const stride =
    kh === 7 && r.chance(0.7)
      ? 2
      : pairOf(g, () =>
          r.weighted([
            [1, 3],
            [2, 2],
            [3, 0.3],
          ] as const),
        );
  const dilation = r.chance(0.7) ? 1 : pairOf(g, () => r.int(1, 2));
  const [sh, sw] = both(stride);
  let padding: number | [number, number] | "same" | "valid";
  const pk = r.weighted([
    ["int", 6],
    ["pair", 1.5],
    ["same", sh === 1 && sw === 1 ? 1.2 : 0],
    ["valid", 0.5],
  ] as const);
  if (pk === "same" || pk === "valid") padding = pk;
  else if (pk === "pair") padding = [r.int(0, Math.floor(kh / 2) + 1), r.int(0, Math.floor(kw / 2) + 1)];
  else padding = r.int(0, Math.floor(Math.max(kh, kw) / 2));
  const [dh, dw] = both(dilation);
  const [ph, pw] = typeof padding === "string" ? [0, 0] : both(padding);
  // Inputs big enough for one output (rarely too small: both must raise).
  const tooSmall = r.chance(0.03) ? 1 : 0;
  const minH = padding === "same" ? 1 : Math.max(1, dh * (kh - 1) + 1 - 2 * ph),
    minW = padding === "same" ? 1 : Math.max(1, dw * (kw - 1) + 1 - 2 * pw);
  const H = Math.max(1, minH - tooSmall) + r.int(0, 4),
    W = Math.max(1, minW - tooSmall) + r.int(0, 4);
  return { groups, C, O, Cg: C / groups, kh, kw, k, stride, padding, dilation, H, W };
}

function conv(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const geo = convGeometry(g);
  const N = r.weighted([
    [1, 3],
    [2, 2],
    [3, 0.5],
  ] as const);
  const unbatched = r.chance(0.12);
  const x = floats(g, unbatched ? [geo.C, geo.H, geo.W] : [N, geo.C, geo.H, geo.W], dt, { rg: r.chance(0.8), views: true });
  const w = floats(g, [geo.O, geo.Cg, geo.kh, geo.kw], dt, { rg: r.chance(0.85), views: true });
  const b = r.chance(0.6) ? floats(g, [geo.O], dt, { rg: r.chance(0.8) }) : undefined;
  const stride = r.chance(0.2) && both(geo.stride).every((s) => s === 1) ? undefined : geo.stride;
  const dilation = geo.dilation === 1 && r.chance(0.5) ? undefined : geo.dilation;
  const groups = geo.groups === 1 && r.chance(0.5) ? undefined : geo.groups;
  const padding = geo.padding === 0 && r.chance(0.5) ? undefined : geo.padding;
  const pyArgs = `${x}, ${w}, ${b ?? "None"}, ${pyLit(stride ?? 1)}, ${pyLit(padding ?? 0)}, ${pyLit(dilation ?? 1)}, ${groups ?? 1}`;
  const opts = tsOpts([
    ["stride", stride],
    ["padding", padding],
    ["dilation", dilation],
    ["groups", groups],
  ]);
  let y: string;
  if (!unbatched && typeof padding !== "string" && r.chance(0.3)) {
    // The autograd op itself: numeric padding, 4-d input.
    y = emit(g, `tt.conv2d(${args(x, w, b ?? (opts ? "undefined" : ""), opts)})`, `F.conv2d(${pyArgs})`);
  } else {
    y = emit(g, `tt.nn.F.conv2d(${args(x, w, b ?? (opts ? "null" : ""), opts)})`, `F.conv2d(${pyArgs})`);
  }
  if (failed(g)) return y;
  const after = r.weighted([
    ["none", 3],
    ["act", 3],
    ["pool", 2],
    ["bn", 1.5],
  ] as const);
  if (after === "act") return activation(g, y);
  if (after === "pool") return pool(g, dt, y);
  if (after === "bn") return batchNorm(g, dt, y);
  return y;
}

/** Max, average or adaptive average pooling of x (or of a new [N, C, H, W] / [C, H, W] input). */
function pool(g: Gen, dt: tt.DType, x0?: string): string {
  const r = g.rng;
  const kind = r.weighted([
    ["max", 4],
    ["avg", 3],
    ["adaptive", 1.5],
  ] as const);
  const k = pairOf(g, () =>
    r.weighted([
      [2, 4],
      [3, 3],
      [1, 1],
      [4, 0.7],
    ] as const),
  );
  const [kh, kw] = both(k);
  const dilation = kind === "max" && r.chance(0.3) ? pairOf(g, () => r.int(1, 2)) : undefined;
  const [dh, dw] = both(dilation ?? 1);
  // Dilated windows could lie wholly in the padding: PyTorch then routes the gradient to an arbitrary element.
  const padding =
    r.chance(0.45) || dilation !== undefined
      ? undefined
      : r.chance(0.8)
        ? r.int(0, Math.floor(Math.min(kh, kw) / 2))
        : ([r.int(0, Math.floor(kh / 2)), r.int(0, Math.floor(kw / 2))] as [number, number]);
  const [ph, pw] = both(padding ?? 0);
  const stride = r.chance(0.4) ? undefined : pairOf(g, () => r.int(1, 3));
  let x = x0;
  if (!x) {
    const tooSmall = r.chance(0.03) ? 1 : 0;
    const H = Math.max(1, dh * (kh - 1) + 1 - 2 * ph - tooSmall) + r.int(0, 4),
      W = Math.max(1, dw * (kw - 1) + 1 - 2 * pw - tooSmall) + r.int(0, 4);
    const C = r.int(1, 3);
    x = floats(g, r.chance(0.15) ? [C, H, W] : [r.int(1, 2), C, H, W], dt, { rg: r.chance(0.85), views: true, style: undefined });
  }
  if (kind === "adaptive") {
    const a = () => r.int(1, 4);
    const out = r.chance(0.6) ? a() : [r.chance(0.2) ? null : a(), r.chance(0.2) ? null : a()];
    return emit(g, `tt.nn.F.adaptiveAvgPool2d(${x}, ${tsLit(out)})`, `F.adaptive_avg_pool2d(${x}, ${pyLit(out)})`);
  }
  if (kind === "max") {
    const opts = tsOpts([
      ["stride", stride],
      ["padding", padding],
      ["dilation", dilation],
    ]);
    const py = `F.max_pool2d(${x}, ${pyLit(k)}, ${pyLit(stride ?? null)}, ${pyLit(padding ?? 0)}, ${pyLit(dilation ?? 1)})`;
    const fn = r.chance(0.3) ? "tt.maxPool2d" : "tt.nn.F.maxPool2d";
    return emit(g, `${fn}(${args(x, tsLit(k), opts)})`, py);
  }
  const countIncludePad = r.chance(0.6) ? undefined : r.chance(0.5);
  const divisorOverride = r.chance(0.85) ? undefined : r.int(1, 5);
  const opts = tsOpts([
    ["stride", stride],
    ["padding", padding],
    ["countIncludePad", countIncludePad],
    ["divisorOverride", divisorOverride],
  ]);
  const py = `F.avg_pool2d(${x}, ${pyLit(k)}, ${pyLit(stride ?? null)}, ${pyLit(padding ?? 0)}, False, ${pyLit(countIncludePad ?? true)}, ${pyLit(divisorOverride ?? null)})`;
  return emit(g, `tt.nn.F.avgPool2d(${args(x, tsLit(k), opts)})`, py);
}

function layerNorm(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const rank = r.int(1, 4);
  const shape = Array.from({ length: rank }, () => size(g, 4, 0.02));
  const k = r.int(1, Math.min(2, rank));
  const ns = shape.slice(rank - k);
  // Over one element x - mean is 0 exactly; PyTorch's float32 kernel leaves a rounding error that 1/sqrt(eps) magnifies.
  if (ns.reduce((a, b) => a * b, 1) === 1) ns[ns.length - 1] = shape[rank - 1] = r.int(2, 4);
  // No expand: constant rows leave PyTorch's rounding error in x - mean, magnified by 1/sqrt(eps).
  const x = floats(g, shape, dt, { rg: r.chance(0.85), views: "strided" });
  const w = r.chance(0.6) ? floats(g, ns, dt, { rg: r.chance(0.8) }) : undefined;
  const b = r.chance(0.6) ? floats(g, ns, dt, { rg: r.chance(0.8) }) : undefined;
  const eps = r.chance(0.6) ? undefined : r.pick([1e-5, 1e-3, 0.1]);
  const nsArg = k === 1 && r.chance(0.5) ? ns[0] : ns;
  const opts = tsOpts([
    ["weight", w && ref(w)],
    ["bias", b && ref(b)],
    ["eps", eps],
  ]);
  return emit(
    g,
    `tt.nn.F.layerNorm(${args(x, tsLit(nsArg), opts)})`,
    `F.layer_norm(${x}, ${pyLit(ns)}, ${w ?? "None"}, ${b ?? "None"}, ${eps ?? 1e-5})`,
  );
}

/** Batch norm of x (or of a new [N, C, ...] input), then its running statistics read back. */
function batchNorm(g: Gen, dt: tt.DType, x0?: string): string {
  const r = g.rng;
  let x = x0;
  if (!x) {
    const rank = r.int(2, 4);
    const shape = [r.int(1, 4), r.int(1, 3), ...Array.from({ length: rank - 2 }, () => r.int(1, 3))];
    // Contiguous: PyTorch 1.13's batch_norm gives a wrong weight gradient for a transposed input.
    x = floats(g, shape, dt, { rg: r.chance(0.85) });
  }
  const xi = info(g, x);
  if (!xi || xi.shape.length < 2) return x;
  const C = xi.shape[1];
  const training = r.chance(0.6);
  const tracked = !training || r.chance(0.7);
  const rm = tracked ? floats(g, [C], dt, { rg: false }) : undefined;
  const rv = tracked ? floats(g, [C], dt, { rg: false, style: "positive" }) : undefined;
  const w = r.chance(0.6) ? floats(g, [C], dt, { rg: r.chance(0.8) }) : undefined;
  const b = r.chance(0.6) ? floats(g, [C], dt, { rg: r.chance(0.8) }) : undefined;
  const momentum = r.chance(0.5) ? undefined : r.pick([0.1, 0.5, 1, 0]);
  const eps = r.chance(0.6) ? undefined : r.pick([1e-5, 1e-3, 0.1]);
  const opts = tsOpts([
    ["weight", w && ref(w)],
    ["bias", b && ref(b)],
    ["training", training],
    ["momentum", momentum],
    ["eps", eps],
  ]);
  const py = `F.batch_norm(${x}, ${rm ?? "None"}, ${rv ?? "None"}, ${w ?? "None"}, ${b ?? "None"}, ${pyLit(training)}, ${momentum ?? 0.1}, ${eps ?? 1e-5})`;
  const y = emit(g, `tt.nn.F.batchNorm(${args(x, rm ?? "null", rv ?? "null", opts)})`, py, {
    effects: [rm, rv].filter((s): s is string => !!s),
  });
  // The running statistics, updated in place by a training step.
  for (const s of [rm, rv]) if (s && training) emit(g, s, s);
  return y;
}

function embedding(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const num = r.int(1, 6),
    dim = r.int(1, 4);
  const w = floats(g, [num, dim], dt, { rg: r.chance(0.9), views: r.chance(0.3) });
  const idxShape = Array.from(
    {
      length: r.weighted([
        [0, 1],
        [1, 3],
        [2, 2],
      ] as const),
    },
    () => size(g, 4),
  );
  // Rarely out of range: both must raise.
  const hi = r.chance(0.04) ? num : num - 1,
    lo = r.chance(0.03) ? -1 : 0;
  const idx = ints(g, idxShape, lo, hi, r.chance(0.2) ? "int32" : "int64");
  const pad = r.chance(0.6) ? undefined : r.int(-num, num - 1);
  const y = emit(
    g,
    `tt.nn.F.embedding(${args(idx, w, tsOpts([["paddingIdx", pad]]))})`,
    `F.embedding(${idx}, ${w}${pad === undefined ? "" : `, ${pad}`})`,
  );
  return r.chance(0.3) && !failed(g) ? activation(g, y) : y;
}

function pad(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const mode = r.weighted([
    ["constant", 4],
    ["reflect", 1.5],
    ["replicate", 1.5],
    ["circular", 0],
  ] as const);
  let shape: number[], amounts: number[];
  if (mode === "constant") {
    shape = g.shape(r.int(1, 4)).map((d) => Math.max(d, 1));
    const n = r.int(1, shape.length);
    amounts = Array.from({ length: 2 * n }, () =>
      r.weighted([
        [0, 2],
        [1, 3],
        [2, 1.5],
        [-1, 1],
      ] as const),
    );
  } else {
    // PyTorch 1.13 pads [C, W] / [N, C, W] by 2 amounts and [C, H, W] / [N, C, H, W] by 4 (reflect: below the size).
    const twoD = r.chance(0.5);
    shape = twoD ? [r.int(1, 2), r.int(1, 2), r.int(2, 4), r.int(2, 4)] : [r.int(1, 2), r.int(1, 2), r.int(2, 4)];
    if (r.chance(0.3)) shape = shape.slice(1);
    const lim = (d: number): number => (mode === "reflect" ? d - 1 : 3);
    const last = shape[shape.length - 1],
      prev = shape[shape.length - 2];
    amounts = twoD
      ? [r.int(0, lim(last)), r.int(0, lim(last)), r.int(0, lim(prev)), r.int(0, lim(prev))]
      : [r.int(0, lim(last)), r.int(0, lim(last))];
  }
  const x = floats(g, shape, dt, { rg: r.chance(0.8), views: true });
  const value = mode === "constant" && r.chance(0.3) ? r.pick([1.5, -2]) : undefined;
  const m = mode === "constant" && r.chance(0.6) ? undefined : mode;
  const opts = tsOpts([
    ["mode", m],
    ["value", value],
  ]);
  return emit(
    g,
    `tt.nn.F.pad(${args(x, tsLit(amounts), opts)})`,
    `F.pad(${args(x, pyLit(amounts), m ? pyLit(m) : "", value !== undefined ? `value=${value}` : "")})`,
  );
}

/**
 * Scaled dot-product attention. PyTorch 1.13 has no F.scaled_dot_product_attention, so the
 * Python side spells out PyTorch 2's documented math: softmax(q·s·kᵀ + mask)·v.
 */
function attention(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const batch = Array.from({ length: r.int(0, 2) }, () => r.int(1, 2));
  const L = r.int(1, 4),
    S = r.int(1, 4),
    E = r.int(1, 4),
    Ev = r.int(1, 4);
  const q = floats(g, [...batch, L, E], dt, { rg: r.chance(0.8), views: true });
  const k = floats(g, [...batch, S, E], dt, { rg: r.chance(0.8), views: true });
  const v = floats(g, [...batch, S, Ev], dt, { rg: r.chance(0.8), views: true });
  const scale = r.chance(0.7) ? undefined : r.pick([0.5, 1, 2]);
  const s = scale ?? 1 / Math.sqrt(E);
  const maskKind = r.weighted([
    ["none", 3],
    ["bool", 2],
    ["float", 1.5],
    ["causal", 2],
  ] as const);
  let mask: string | undefined;
  if (maskKind === "bool") mask = literal(g, r.chance(0.3) ? [...batch, L, S] : [L, S], "bool", () => r.chance(0.75));
  if (maskKind === "float") mask = literal(g, [L, S], dt, () => r.pick([0, 0, -1, 1, -Infinity]));
  let scores = `(${q} * ${s}).matmul(${k}.transpose(-2, -1))`;
  if (maskKind === "bool") scores = `${scores}.masked_fill(${mask}.logical_not(), -inf)`;
  if (maskKind === "float") scores = `(${scores} + ${mask})`;
  if (maskKind === "causal") scores = `${scores}.masked_fill(torch.ones(${L}, ${S}, dtype=torch.bool).tril().logical_not(), -inf)`;
  const opts = tsOpts([
    ["attnMask", mask && ref(mask)],
    ["isCausal", maskKind === "causal" ? true : undefined],
    ["scale", scale],
  ]);
  return emit(g, `tt.nn.F.scaledDotProductAttention(${args(q, k, v, opts)})`, `torch.softmax(${scores}, -1).matmul(${v})`);
}

// ─── losses (functional) ───────────────────────────────────────────────────────────────

/** Cross entropy or NLL over [N, C, ...] (or [C]) with class indices or probabilities. */
function classLoss(g: Gen, dt: tt.DType, nll: boolean): string {
  const r = g.rng;
  const C = r.int(1, 5);
  const unbatched = r.chance(0.1);
  const N = size(g, 4, 0.04);
  const extra = r.chance(0.2) ? [r.int(1, 3)] : [];
  const inShape = unbatched ? [C] : [N, C, ...extra];
  const tShape = unbatched ? [] : [N, ...extra];
  let x = floats(g, inShape, dt, { rg: r.chance(0.9), views: true });
  if (nll && r.chance(0.7)) x = emit(g, `${x}.logSoftmax(${unbatched ? 0 : 1})`, `${x}.log_softmax(${unbatched ? 0 : 1})`);
  const probTarget = !nll && r.chance(0.2);
  const ignoreIndex = probTarget || r.chance(0.5) ? undefined : r.pick([-100, -1, 0, C - 1]);
  let t: string;
  if (probTarget) t = r.chance(0.5) ? floats(g, inShape, dt, { rg: false, style: "positive" }) : probs(g, inShape, dt);
  else {
    const ign = ignoreIndex ?? -100;
    const bad = r.chance(0.03);
    // int64 only: PyTorch 1.13 refuses int32 class indices, Tessera takes them (accepts more).
    t = literal(g, tShape, "int64", () => (bad ? C : r.chance(0.2) ? ign : r.int(0, C - 1)));
  }
  const weight = r.chance(0.3) ? floats(g, [C], dt, { rg: false, style: "positive" }) : undefined;
  const red = reduction(g);
  const ls = nll || r.chance(0.5) ? undefined : r.pick([0.1, 0.5, 1, 0]);
  const opts = tsOpts([
    ["weight", weight && ref(weight)],
    ["ignoreIndex", ignoreIndex],
    ["reduction", red],
    ["labelSmoothing", ls],
  ]);
  const kws = pyKws([
    ["weight", weight && ref(weight)],
    ["ignore_index", ignoreIndex],
    ["reduction", red],
    ["label_smoothing", ls],
  ]);
  return nll
    ? emit(g, `tt.nn.F.nllLoss(${args(x, t, opts)})`, `F.nll_loss(${args(x, t, kws)})`)
    : emit(g, `tt.nn.F.crossEntropy(${args(x, t, opts)})`, `F.cross_entropy(${args(x, t, kws)})`);
}

/** A shape that broadcasts to `shape` without growing it: a suffix with some dims set to 1. */
function suffixOf(g: Gen, shape: readonly number[]): number[] {
  return shape.slice(g.rng.int(0, shape.length)).map((d) => (g.rng.chance(0.3) ? 1 : d));
}

function pointLoss(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const kind = r.weighted([
    ["mse", 3],
    ["l1", 2],
    ["smoothL1", 2],
    ["bce", 2],
    ["bceLogits", 3],
  ] as const);
  const shape = g.shape(r.int(0, 3));
  const red = reduction(g);
  if (kind === "bce" || kind === "bceLogits") {
    let x: string;
    if (kind === "bce" && r.chance(0.3)) x = probs(g, shape, dt, true);
    else if (kind === "bce") {
      const z = floats(g, shape, dt, { rg: true, views: true });
      x = emit(g, `${z}.sigmoid()`, `${z}.sigmoid()`);
    } else x = floats(g, shape, dt, { rg: r.chance(0.9), views: true });
    const t = probs(g, shape, dt);
    const weight = r.chance(0.3) ? floats(g, suffixOf(g, shape), dt, { rg: false, style: "positive" }) : undefined;
    // A [1] posWeight on a 0-d input makes PyTorch's result [1] and its in-place broadcast raise; Tessera gives [1].
    const pw =
      kind === "bceLogits" && shape.length > 0 && r.chance(0.35)
        ? floats(g, r.chance(0.7) ? [shape[shape.length - 1]] : [1], dt, { rg: false, style: "positive" })
        : undefined;
    if (kind === "bce")
      return emit(
        g,
        `tt.nn.F.binaryCrossEntropy(${args(
          x,
          t,
          tsOpts([
            ["weight", weight && ref(weight)],
            ["reduction", red],
          ]),
        )})`,
        `F.binary_cross_entropy(${args(
          x,
          t,
          pyKws([
            ["weight", weight && ref(weight)],
            ["reduction", red],
          ]),
        )})`,
      );
    return emit(
      g,
      `tt.nn.F.binaryCrossEntropyWithLogits(${args(
        x,
        t,
        tsOpts([
          ["weight", weight && ref(weight)],
          ["posWeight", pw && ref(pw)],
          ["reduction", red],
        ]),
      )})`,
      `F.binary_cross_entropy_with_logits(${args(
        x,
        t,
        pyKws([
          ["weight", weight && ref(weight)],
          ["reduction", red],
          ["pos_weight", pw && ref(pw)],
        ]),
      )})`,
    );
  }
  const x = floats(g, shape, dt, { rg: r.chance(0.9), views: true });
  const t = floats(g, shape, dt, { rg: r.chance(0.3), views: true });
  if (kind === "smoothL1") {
    const beta = r.chance(0.4) ? undefined : r.pick([0.5, 2, 0, 1]);
    return emit(
      g,
      `tt.nn.F.smoothL1Loss(${args(
        x,
        t,
        tsOpts([
          ["reduction", red],
          ["beta", beta],
        ]),
      )})`,
      `F.smooth_l1_loss(${args(
        x,
        t,
        pyKws([
          ["reduction", red],
          ["beta", beta],
        ]),
      )})`,
    );
  }
  const [tsFn, pyFn] = kind === "mse" ? ["mseLoss", "mse_loss"] : ["l1Loss", "l1_loss"];
  return emit(g, `tt.nn.F.${tsFn}(${args(x, t, tsOpts([["reduction", red]]))})`, `F.${pyFn}(${args(x, t, pyKws([["reduction", red]]))})`);
}

/** A small CNN, functionally: conv → batch norm → relu → max pool → flatten → linear → cross entropy. */
function cnn(g: Gen, dt: tt.DType): string {
  const r = g.rng;
  const N = r.int(1, 3),
    C = r.int(1, 2),
    O = r.int(1, 3),
    classes = r.int(2, 4);
  const H = r.int(4, 7),
    W = r.int(4, 7);
  const x = floats(g, [N, C, H, W], dt, { rg: r.chance(0.3) });
  const w = floats(g, [O, C, 3, 3], dt, { rg: true });
  const b = floats(g, [O], dt, { rg: true });
  const h = emit(g, `tt.nn.F.conv2d(${x}, ${w}, ${b}, { padding: 1 })`, `F.conv2d(${x}, ${w}, ${b}, 1, 1)`);
  const gamma = floats(g, [O], dt, { rg: true }),
    beta = floats(g, [O], dt, { rg: true });
  const bn = emit(
    g,
    `tt.nn.F.batchNorm(${h}, null, null, { weight: ${gamma}, bias: ${beta}, training: true })`,
    `F.batch_norm(${h}, None, None, ${gamma}, ${beta}, True)`,
  );
  const a = emit(g, `tt.nn.F.relu(${bn})`, `F.relu(${bn})`);
  const p = emit(g, `tt.nn.F.maxPool2d(${a}, 2)`, `F.max_pool2d(${a}, 2)`);
  const f = emit(g, `${p}.flatten(1)`, `${p}.flatten(1)`);
  const feat = info(g, f)?.shape[1] ?? 1;
  const lw = floats(g, [classes, feat], dt, { rg: true }),
    lb = floats(g, [classes], dt, { rg: true });
  const logits = emit(g, `tt.nn.F.linear(${f}, ${lw}, ${lb})`, `F.linear(${f}, ${lw}, ${lb})`);
  const y = ints(g, [N], 0, classes - 1);
  const ls = r.chance(0.5) ? undefined : 0.1;
  return emit(
    g,
    `tt.nn.F.crossEntropy(${args(logits, y, tsOpts([["labelSmoothing", ls]]))})`,
    `F.cross_entropy(${args(logits, y, pyKws([["label_smoothing", ls]]))})`,
  );
}

// ─── modules ───────────────────────────────────────────────────────────────────────────

/** Constructs a module in both languages (compared only as "an object": both raise, or neither). */
function construct(g: Gen, ts: string, py: string): string {
  return emit(g, ts, py, { out: g.b.name("m") });
}

/** Copies a literal tensor into a module's parameter (`m.weight`, `m.out_proj.bias`) in both languages. */
function setParam(g: Gen, m: string, path: string, shape: readonly number[], dt: tt.DType, style?: "positive"): void {
  const w = floats(g, shape, dt, { rg: false, style });
  // Not compared: undefined in TypeScript, the parameter's data in Python.
  effect(g, `tt.noGrad(() => void ${m}.${path}.copy_(${w}))`, `${m}.${path}.data.copy_(${w})`, [m], { compare: false });
}

/** Reads parameters' gradients (null where backward did not reach) after a backward. */
function readParamGrads(g: Gen, m: string, paths: readonly string[]): void {
  for (const p of paths) emit(g, `${m}.${p}.grad`, `${m}.${p}.grad`);
}

/** Backward from `y` (a random upstream gradient), then the module's parameter gradients. */
function moduleBackward(g: Gen, y: string, m: string, paths: readonly string[]): void {
  const yi = info(g, y);
  if (!yi?.requiresGrad || !g.rng.chance(0.85)) return;
  if (backward(g, { from: yi })) readParamGrads(g, m, paths);
}

function moduleProgram(g: Gen, dt0: tt.DType): void {
  const r = g.rng;
  const kind = r.weighted([
    ["linear", 3],
    ["conv", 3],
    ["batchNorm", 3],
    ["layerNorm", 2],
    ["embedding", 2],
    ["fromPretrained", 1],
    ["act", 2],
    ["sequential", 2],
    ["mha", 2.5],
    ["loss", 3],
  ] as const);
  // Half types only in one-op modules: longer ones round differently in each library.
  const dt = kind === "linear" || kind === "act" || dt0 === "float32" || dt0 === "float64" ? dt0 : "float32";
  const d = dtypeOpt(dt);
  switch (kind) {
    case "linear": {
      const inF = r.int(1, 5),
        outF = r.int(1, 5),
        bias = r.chance(0.8);
      const m = construct(
        g,
        `new tt.nn.Linear(${inF}, ${outF}, { bias: ${bias}, ${d.ts} })`,
        `torch.nn.Linear(${inF}, ${outF}, bias=${pyLit(bias)}, ${d.py})`,
      );
      setParam(g, m, "weight", [outF, inF], dt);
      if (bias) setParam(g, m, "bias", [outF], dt);
      const x = floats(g, [r.int(1, 3), inF], dt, { rg: r.chance(0.5), views: true });
      const y = emit(g, `${m}.forward(${x})`, `${m}(${x})`);
      return moduleBackward(g, y, m, bias ? ["weight", "bias"] : ["weight"]);
    }
    case "conv": {
      const geo = convGeometry(g);
      const bias = r.chance(0.7);
      const opts = `stride: ${tsLit(geo.stride)}, padding: ${tsLit(geo.padding)}, dilation: ${tsLit(geo.dilation)}, groups: ${geo.groups}, bias: ${bias}`;
      const kws = `stride=${pyLit(geo.stride)}, padding=${pyLit(geo.padding)}, dilation=${pyLit(geo.dilation)}, groups=${geo.groups}, bias=${pyLit(bias)}`;
      const m = construct(
        g,
        `new tt.nn.Conv2d(${geo.C}, ${geo.O}, ${tsLit(geo.k)}, { ${opts}, ${d.ts} })`,
        `torch.nn.Conv2d(${geo.C}, ${geo.O}, ${pyLit(geo.k)}, ${kws}, ${d.py})`,
      );
      setParam(g, m, "weight", [geo.O, geo.Cg, geo.kh, geo.kw], dt);
      if (bias) setParam(g, m, "bias", [geo.O], dt);
      const x = floats(g, r.chance(0.15) ? [geo.C, geo.H, geo.W] : [r.int(1, 2), geo.C, geo.H, geo.W], dt, {
        rg: r.chance(0.5),
        views: true,
      });
      const y = emit(g, `${m}.forward(${x})`, `${m}(${x})`);
      return moduleBackward(g, y, m, bias ? ["weight", "bias"] : ["weight"]);
    }
    case "batchNorm": {
      const twoD = r.chance(0.5);
      const C = r.int(1, 3);
      const affine = r.chance(0.8),
        track = r.chance(0.8);
      const momentum = r.pick([undefined, 0.1, 0.5, null]);
      const eps = r.pick([undefined, 1e-3]);
      const cls = twoD ? "BatchNorm2d" : "BatchNorm1d";
      const opts = tsOpts([
        ["affine", affine],
        ["trackRunningStats", track],
        ["momentum", momentum],
        ["eps", eps],
      ]);
      const kws = pyKws([
        ["affine", affine],
        ["track_running_stats", track],
        ["momentum", momentum],
        ["eps", eps],
      ]);
      const m = construct(g, `new tt.nn.${cls}(${C}, ${withDType(opts, dt)})`, `torch.nn.${cls}(${C}, ${args(kws, d.py)})`);
      if (affine) {
        setParam(g, m, "weight", [C], dt);
        setParam(g, m, "bias", [C], dt);
      }
      const shape = () =>
        twoD ? [r.int(1, 3), C, r.int(1, 3), r.int(1, 3)] : r.chance(0.5) ? [r.int(1, 4), C] : [r.int(1, 3), C, r.int(1, 3)];
      let y = "";
      for (let i = r.int(1, 3); i > 0; i--) {
        if (r.chance(0.25)) effect(g, `${m}.eval()`, `${m}.eval()`, [m]);
        else if (r.chance(0.15)) effect(g, `${m}.train()`, `${m}.train()`, [m]);
        const x = floats(g, shape(), dt, { rg: r.chance(0.5), views: false });
        y = emit(g, `${m}.forward(${x})`, `${m}(${x})`);
      }
      if (track) for (const b of ["running_mean", "running_var", "num_batches_tracked"]) emit(g, `${m}.${b}`, `${m}.${b}`);
      return moduleBackward(g, y, m, affine ? ["weight", "bias"] : []);
    }
    case "layerNorm": {
      // PyTorch 1.13's LayerNorm has no `bias` argument: only elementwiseAffine.
      const shape = [r.int(1, 3), r.int(1, 3), r.int(2, 4)];
      const ns = shape.slice(r.int(1, 2));
      const affine = r.chance(0.8),
        eps = r.pick([undefined, 1e-3]);
      const m = construct(
        g,
        `new tt.nn.LayerNorm(${tsLit(ns)}, ${withDType(
          tsOpts([
            ["elementwiseAffine", affine],
            ["eps", eps],
          ]),
          dt,
        )})`,
        `torch.nn.LayerNorm(${pyLit(ns)}, ${args(
          pyKws([
            ["elementwise_affine", affine],
            ["eps", eps],
          ]),
          d.py,
        )})`,
      );
      if (affine) {
        setParam(g, m, "weight", ns, dt);
        setParam(g, m, "bias", ns, dt);
      }
      const x = floats(g, shape, dt, { rg: r.chance(0.6), views: true });
      const y = emit(g, `${m}.forward(${x})`, `${m}(${x})`);
      return moduleBackward(g, y, m, affine ? ["weight", "bias"] : []);
    }
    case "embedding":
    case "fromPretrained": {
      const num = r.int(1, 5),
        dim = r.int(1, 3);
      const pad = r.chance(0.5) ? undefined : r.int(-num, num - 1);
      let m: string;
      if (kind === "embedding") {
        m = construct(
          g,
          `new tt.nn.Embedding(${num}, ${dim}, { ${pad === undefined ? "" : `paddingIdx: ${pad}, `}${d.ts} })`,
          `torch.nn.Embedding(${num}, ${dim}, ${args(pad === undefined ? "" : `padding_idx=${pad}`, d.py)})`,
        );
        setParam(g, m, "weight", [num, dim], dt);
      } else {
        const w = floats(g, [num, dim], dt, { rg: false });
        const freeze = r.chance(0.5);
        m = construct(
          g,
          `tt.nn.Embedding.fromPretrained(${w}, ${tsOpts([
            ["freeze", freeze],
            ["paddingIdx", pad],
          ])})`,
          `torch.nn.Embedding.from_pretrained(${args(
            w,
            pyKws([
              ["freeze", freeze],
              ["padding_idx", pad],
            ]),
          )})`,
        );
        emit(g, `${m}.weight`, `${m}.weight`);
      }
      const idx = ints(g, [r.int(1, 2), r.int(1, 4)], 0, num - 1);
      const y = emit(g, `${m}.forward(${idx})`, `${m}(${idx})`);
      return moduleBackward(g, y, m, ["weight"]);
    }
    case "act": {
      const a = r.pick([
        ["ReLU()", "ReLU()"],
        ["GELU()", "GELU()"],
        ['GELU({ approximate: "tanh" })', 'GELU(approximate="tanh")'],
        ["SiLU()", "SiLU()"],
        ["Tanh()", "Tanh()"],
        ["Sigmoid()", "Sigmoid()"],
        ["Softmax(-1)", "Softmax(dim=-1)"],
        ["Softmax(0)", "Softmax(dim=0)"],
        ["LogSoftmax(1)", "LogSoftmax(dim=1)"],
        ["LeakyReLU(0.2)", "LeakyReLU(0.2)"],
        ["Softplus(2, 1)", "Softplus(2, 1)"],
        ["Dropout(0)", "Dropout(0)"],
        ["Flatten()", "Flatten()"],
        ["Identity()", "Identity()"],
      ] as const);
      const m = construct(g, `new tt.nn.${a[0]}`, `torch.nn.${a[1]}`);
      // Dropout with p > 0 only after eval(): nothing random.
      if (r.chance(0.3)) {
        const p = r.pick([0.5, 1]);
        const dm = construct(g, `new tt.nn.Dropout(${p}).eval()`, `torch.nn.Dropout(${p}).eval()`);
        const x0 = floats(g, [r.int(1, 3), r.int(1, 3)], dt, { rg: true });
        emit(g, `${dm}.forward(${x0})`, `${dm}(${x0})`);
      }
      const x = floats(g, [r.int(1, 3), r.int(1, 3), r.int(1, 3)], dt, { rg: r.chance(0.8), views: true });
      const y = emit(g, `${m}.forward(${x})`, `${m}(${x})`);
      if (info(g, y)?.requiresGrad) backward(g, { from: info(g, y) });
      return;
    }
    case "sequential": {
      const a = r.int(1, 4),
        h = r.int(1, 4),
        c = r.int(1, 3);
      const l1 = construct(g, `new tt.nn.Linear(${a}, ${h}, { ${d.ts} })`, `torch.nn.Linear(${a}, ${h}, ${d.py})`);
      const l2 = construct(g, `new tt.nn.Linear(${h}, ${c}, { ${d.ts} })`, `torch.nn.Linear(${h}, ${c}, ${d.py})`);
      for (const [l, o, i] of [
        [l1, h, a],
        [l2, c, h],
      ] as const) {
        setParam(g, l, "weight", [o, i], dt);
        setParam(g, l, "bias", [o], dt);
      }
      const act = r.pick([
        ["ReLU()", "ReLU()"],
        ["Tanh()", "Tanh()"],
        ["GELU()", "GELU()"],
      ] as const);
      const m = construct(
        g,
        `new tt.nn.Sequential(${l1}, new tt.nn.${act[0]}, ${l2})`,
        `torch.nn.Sequential(${l1}, torch.nn.${act[1]}, ${l2})`,
      );
      emit(g, `${m}.parameters()`, `list(${m}.parameters())`);
      const x = floats(g, [r.int(1, 3), a], dt, { rg: r.chance(0.3) });
      let y = emit(g, `${m}.forward(${x})`, `${m}(${x})`);
      if (r.chance(0.5)) {
        const t = ints(g, [info(g, x)?.shape[0] ?? 1], 0, c - 1);
        y = emit(g, `tt.nn.F.crossEntropy(${y}, ${t})`, `F.cross_entropy(${y}, ${t})`);
      }
      if (!info(g, y)?.requiresGrad) return;
      if (backward(g, { from: info(g, y) })) for (const l of [l1, l2]) readParamGrads(g, l, ["weight", "bias"]);
      return;
    }
    case "mha":
      return mha(g, dt);
    case "loss":
      return lossModule(g, dt);
  }
}

/** nn.MultiheadAttention with literal projections; PyTorch 1.13's forward options only. */
function mha(g: Gen, dt: tt.DType): void {
  const r = g.rng;
  const H = r.int(1, 2),
    E = H * r.int(1, 3);
  const bias = r.chance(0.7),
    batchFirst = r.chance(0.5);
  const d = dtypeOpt(dt);
  const m = construct(
    g,
    `new tt.nn.MultiheadAttention(${E}, ${H}, { bias: ${bias}, batchFirst: ${batchFirst}, ${d.ts} })`,
    `torch.nn.MultiheadAttention(${E}, ${H}, bias=${pyLit(bias)}, batch_first=${pyLit(batchFirst)}, ${d.py})`,
  );
  setParam(g, m, "in_proj_weight", [3 * E, E], dt);
  setParam(g, m, "out_proj.weight", [E, E], dt);
  if (bias) {
    setParam(g, m, "in_proj_bias", [3 * E], dt);
    setParam(g, m, "out_proj.bias", [E], dt);
  }
  const N = r.int(1, 2),
    L = r.int(1, 3),
    S = r.int(1, 3);
  const unbatched = r.chance(0.15);
  const shapeOf = (len: number): number[] => (unbatched ? [len, E] : batchFirst ? [N, len, E] : [len, N, E]);
  const self = r.chance(0.4);
  const q = floats(g, shapeOf(L), dt, { rg: r.chance(0.6) });
  const k = self ? q : floats(g, shapeOf(S), dt, { rg: r.chance(0.4) });
  const v = self ? q : floats(g, shapeOf(S), dt, { rg: r.chance(0.4) });
  const Sk = self ? L : S;
  // The first key is never blocked: a fully masked row gives NaN, whose gradient PyTorch (mask added as -inf)
  // spreads to every projection and Tessera (masked_fill) does not.
  const blockedMask = (shape: number[]): string => {
    let i = 0;
    return literal(g, shape, "bool", () => i++ % Sk !== 0 && r.chance(0.3));
  };
  const kpm = r.chance(0.3) ? blockedMask(unbatched ? [Sk] : [N, Sk]) : undefined;
  const am = r.chance(0.3) ? (r.chance(0.5) ? blockedMask([L, Sk]) : literal(g, [L, Sk], dt, () => r.pick([0, 0, -1, 0.5]))) : undefined;
  const needWeights = r.chance(0.7) ? undefined : r.chance(0.5);
  const avg = r.chance(0.7) ? undefined : r.chance(0.5);
  const opts = tsOpts([
    ["keyPaddingMask", kpm && ref(kpm)],
    ["needWeights", needWeights],
    ["attnMask", am && ref(am)],
    ["averageAttnWeights", avg],
  ]);
  const kws = pyKws([
    ["key_padding_mask", kpm && ref(kpm)],
    ["need_weights", needWeights],
    ["attn_mask", am && ref(am)],
    ["average_attn_weights", avg],
  ]);
  // { output, weights } as a list, to compare with PyTorch's (output, weights) tuple.
  const res = emit(g, `Object.values(${m}.forward(${args(q, k, v, opts)}))`, `${m}(${args(q, k, v, kws)})`);
  const out = emit(g, `${res}[0]`, `${res}[0]`);
  const paths = ["in_proj_weight", "out_proj.weight", ...(bias ? ["in_proj_bias", "out_proj.bias"] : [])];
  return moduleBackward(g, out, m, paths);
}

/** A loss module (its options at construction) on fresh inputs. */
function lossModule(g: Gen, dt: tt.DType): void {
  const r = g.rng;
  const red = reduction(g);
  const kind = r.pick(["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss"] as const);
  const N = r.int(1, 3),
    C = r.int(2, 4);
  let x: string, t: string, opts: string, kws: string;
  if (kind === "CrossEntropyLoss" || kind === "NLLLoss") {
    x = floats(g, [N, C], dt, { rg: true });
    const ignore = r.chance(0.5) ? undefined : r.int(0, C - 1);
    t = ints(g, [N], 0, C - 1);
    const w = r.chance(0.3) ? floats(g, [C], dt, { style: "positive" }) : undefined;
    const ls = kind === "CrossEntropyLoss" && r.chance(0.4) ? 0.2 : undefined;
    opts = tsOpts([
      ["weight", w && ref(w)],
      ["ignoreIndex", ignore],
      ["reduction", red],
      ["labelSmoothing", ls],
    ]);
    kws = pyKws([
      ["weight", w && ref(w)],
      ["ignore_index", ignore],
      ["reduction", red],
      ["label_smoothing", ls],
    ]);
  } else if (kind === "BCELoss" || kind === "BCEWithLogitsLoss") {
    x = kind === "BCELoss" ? probs(g, [N, C], dt, true) : floats(g, [N, C], dt, { rg: true });
    t = probs(g, [N, C], dt);
    const pw = kind === "BCEWithLogitsLoss" && r.chance(0.4) ? floats(g, [C], dt, { style: "positive" }) : undefined;
    opts = tsOpts([
      ["reduction", red],
      ["posWeight", pw && ref(pw)],
    ]);
    kws = pyKws([
      ["reduction", red],
      ["pos_weight", pw && ref(pw)],
    ]);
  } else {
    x = floats(g, [N, C], dt, { rg: true });
    t = floats(g, [N, C], dt, { rg: false });
    const beta = kind === "SmoothL1Loss" && r.chance(0.5) ? 0.5 : undefined;
    opts = tsOpts([
      ["reduction", red],
      ["beta", beta],
    ]);
    kws = pyKws([
      ["reduction", red],
      ["beta", beta],
    ]);
  }
  const m = construct(g, `new tt.nn.${kind}(${opts})`, `torch.nn.${kind}(${kws})`);
  const y = emit(g, `${m}.forward(${x}, ${t})`, `${m}(${x}, ${t})`);
  if (info(g, y)?.requiresGrad) backward(g, { from: info(g, y) });
}

// ─── the family ────────────────────────────────────────────────────────────────────────

export function nnFamily(g: Gen): void {
  const r = g.rng;
  let dt = nnDType(g);
  const kind = r.weighted([
    ["linear", 3],
    ["conv", 6],
    ["pool", 3],
    ["layerNorm", 2],
    ["batchNorm", 2.5],
    ["embedding", 2],
    ["act", 2],
    ["pad", 1.5],
    ["attention", 2],
    ["ce", 4],
    ["nll", 2],
    ["pointLoss", 4],
    ["cnn", 1.5],
    ["module", 7],
  ] as const);
  // Huge values overflow sums in an order-dependent way (inf vs NaN): specials only where no sum of products runs.
  if (g.style === "special" && !["pool", "act", "pad", "pointLoss", "embedding"].includes(kind)) defaultStyle(g, "plain");
  // Norms of equal values: x - mean is 0 here, a rounding error in PyTorch that 1/sqrt(var + eps) magnifies.
  if (g.style === "ties" && ["layerNorm", "batchNorm", "cnn", "module"].includes(kind)) defaultStyle(g, "plain");
  // bfloat16 only where no long sum runs: sums of products (conv, linear, attention) round differently in each library.
  if (dt === "bfloat16" && !["pool", "act", "pad", "embedding", "pointLoss"].includes(kind)) dt = "float32";
  // Half-precision norms cancel (x - mean, then + bias): a one-ulp difference in the normalized value is over the tolerance.
  if ((kind === "layerNorm" || kind === "batchNorm") && (dt === "bfloat16" || dt === "float16")) dt = "float32";
  let y: string;
  switch (kind) {
    case "module":
      return moduleProgram(g, dt);
    case "linear":
      y = linear(g, dt);
      break;
    case "conv":
      y = conv(g, dt);
      break;
    case "pool":
      y = pool(g, dt);
      break;
    case "layerNorm":
      y = layerNorm(g, dt);
      break;
    case "batchNorm":
      y = batchNorm(g, dt);
      break;
    case "embedding":
      y = embedding(g, dt);
      break;
    case "act":
      y = activation(g, floats(g, g.shape(r.int(0, 3)), dt, { rg: r.chance(0.85), views: true }));
      break;
    case "pad":
      y = pad(g, dt);
      break;
    case "attention":
      y = attention(g, dt);
      break;
    case "ce":
      y = classLoss(g, dt, false);
      break;
    case "nll":
      y = classLoss(g, dt, true);
      break;
    case "pointLoss":
      y = pointLoss(g, dt);
      break;
    case "cnn":
      y = cnn(g, dt === "float64" ? dt : "float32");
      break;
  }
  const yi = info(g, y);
  if (yi?.requiresGrad && r.chance(0.85)) backward(g, { from: yi });
}
