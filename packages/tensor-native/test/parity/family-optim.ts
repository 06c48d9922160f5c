/**
 * The `optim` family: a few optimizer steps over leaf parameters. Each step clears the
 * gradients (to None or to zeros), computes a scalar loss from some of the parameters,
 * runs backward, sometimes clips, steps the optimizer (and an LR scheduler), then reads
 * the parameters back. SGD (momentum, dampening, Nesterov, weight decay, maximize), Adam
 * and AdamW (amsgrad), with parameter groups and PyTorch's schedulers.
 */
import type * as tt from "../../src/ts/index.js";
import { effect, emit, failed, floats, info, pyKws, tsOpts, type A } from "./family-helpers.js";
import type { Gen } from "./gen.js";
import { pyLit, tsLit, type Lit } from "./program.js";

/** An option in both spellings: [TypeScript key, Python key, value]. */
type Opt = readonly [string, string, Lit];

const tsO = (os: readonly Opt[]): string => tsOpts(os.map(([k, , v]) => [k, v as A]));
const pyK = (os: readonly Opt[]): string => pyKws(os.map(([, k, v]) => [k, v as A]));
/** A Python dict of a param group: {"params": [p0], "lr": 0.1}. */
const pyGroup = (params: string[], os: readonly Opt[]): string =>
  `{${[`"params": [${params.join(", ")}]`, ...os.filter(([, , v]) => v !== undefined).map(([, k, v]) => `${JSON.stringify(k)}: ${pyLit(v)}`)].join(", ")}}`;
const tsGroup = (params: string[], os: readonly Opt[]): string => {
  const rest = tsO(os);
  return `{ params: [${params.join(", ")}]${rest ? `, ${rest.slice(2, -2)}` : ""} }`;
};

/** The optimizer's hyperparameters: [class, options], some of them left to the defaults. */
function hyper(g: Gen, kind: "SGD" | "Adam" | "AdamW", group = false): Opt[] {
  const r = g.rng;
  const o = (p: number, v: () => Lit): Lit => (r.chance(p) ? v() : undefined);
  if (kind === "SGD") {
    const momentum = o(0.7, () => r.pick([0.9, 0.5, 0, 0.99]));
    // Nesterov needs momentum and no dampening (both libraries raise otherwise; rarely asked anyway).
    const nesterov = o(0.3, () => (momentum !== undefined && momentum !== 0) || r.chance(0.1));
    const dampening = nesterov === true && r.chance(0.9) ? undefined : o(0.3, () => r.pick([0.1, 0.5]));
    return [
      ["lr", "lr", group ? o(0.5, () => r.pick([0.05, 0.2])) : r.pick([0.1, 0.01, 0.5, 1])],
      ["momentum", "momentum", momentum],
      ["dampening", "dampening", dampening],
      ["weightDecay", "weight_decay", o(0.35, () => r.pick([0.01, 0.1]))],
      ["nesterov", "nesterov", nesterov],
      ["maximize", "maximize", o(0.15, () => r.chance(0.7))],
    ];
  }
  return [
    ["lr", "lr", group ? o(0.5, () => r.pick([0.05, 0.2])) : o(0.8, () => r.pick([0.1, 0.01, 0.001, 0.3]))],
    [
      "betas",
      "betas",
      o(0.35, () =>
        r.pick([
          [0.8, 0.9],
          [0.9, 0.999],
          [0, 0.5],
          [0.5, 0],
        ]),
      ),
    ],
    ["eps", "eps", o(0.25, () => r.pick([1e-8, 1e-3, 0.1]))],
    ["weightDecay", "weight_decay", o(0.4, () => r.pick([0, 0.01, 0.1]))],
    ["amsgrad", "amsgrad", o(0.35, () => r.chance(0.7))],
    ["maximize", "maximize", o(0.15, () => r.chance(0.7))],
  ];
}

/** A scheduler on optimizer `o`, or undefined. */
function scheduler(g: Gen, o: string, steps: number, momentum: boolean): string | undefined {
  const r = g.rng;
  const kind = r.weighted([
    ["none", 6],
    ["StepLR", 1],
    ["MultiStepLR", 1],
    ["ExponentialLR", 1],
    ["CosineAnnealingLR", 1],
    ["LinearLR", 1],
    ["ConstantLR", 1],
    ["OneCycleLR", 1.5],
    ["LambdaLR", 0.7],
  ] as const);
  if (kind === "none") return undefined;
  let os: Opt[];
  switch (kind) {
    case "StepLR":
      os = [
        ["stepSize", "step_size", r.int(1, 2)],
        ["gamma", "gamma", r.pick([undefined, 0.5])],
      ];
      break;
    case "MultiStepLR":
      os = [
        ["milestones", "milestones", r.pick([[1], [1, 2], [2, 2]])],
        ["gamma", "gamma", r.pick([undefined, 0.5])],
      ];
      break;
    case "ExponentialLR":
      os = [["gamma", "gamma", r.pick([0.5, 0.9])]];
      break;
    case "CosineAnnealingLR":
      os = [
        ["tMax", "T_max", r.int(1, 4)],
        ["etaMin", "eta_min", r.pick([undefined, 0.001])],
      ];
      break;
    case "LinearLR":
      os = [
        ["startFactor", "start_factor", r.pick([undefined, 0.5])],
        ["endFactor", "end_factor", r.pick([undefined, 0.2])],
        ["totalIters", "total_iters", r.pick([undefined, 2])],
      ];
      break;
    case "ConstantLR":
      os = [
        ["factor", "factor", r.pick([undefined, 0.5])],
        ["totalIters", "total_iters", r.pick([undefined, 2])],
      ];
      break;
    case "OneCycleLR":
      os = [
        ["maxLr", "max_lr", r.pick([0.1, 1])],
        // Rarely fewer steps than the program takes: both raise when stepped past the end.
        ["totalSteps", "total_steps", steps + (r.chance(0.1) ? 0 : r.int(1, 3))],
        ["pctStart", "pct_start", r.pick([undefined, 0.5])],
        ["annealStrategy", "anneal_strategy", r.pick([undefined, "linear"])],
        ["cycleMomentum", "cycle_momentum", momentum ? r.pick([undefined, false]) : false],
        ["threePhase", "three_phase", r.pick([undefined, true])],
      ];
      break;
    case "LambdaLR": {
      const f = r.pick([0.9, 0.5]);
      return emit(
        g,
        `new tt.optim.LambdaLR(${o}, { lrLambda: (e) => ${f} ** e })`,
        `torch.optim.lr_scheduler.LambdaLR(${o}, lr_lambda=lambda e: ${f} ** e)`,
        { out: g.b.name("sc"), effects: [o] },
      );
    }
  }
  const py = [o, pyK(os)].filter(Boolean).join(", ");
  return emit(g, `new tt.optim.${kind}(${o}${tsO(os) ? `, ${tsO(os)}` : ""})`, `torch.optim.lr_scheduler.${kind}(${py})`, {
    out: g.b.name("sc"),
    effects: [o],
  });
}

/** One term of a loss: a scalar from parameter p (and a constant target of its shape). */
function term(g: Gen, p: string, params: readonly string[]): string {
  const r = g.rng;
  const shape = info(g, p)?.shape ?? [];
  const dtype = info(g, p)?.dtype ?? "float32";
  const kind = r.weighted([
    ["square", 3],
    ["target", 3],
    ["tanh", 1],
    ["exp", 1],
    ["abs", 1],
    ["sigmoid", 1],
    ["dot", 1.5],
    ["pair", 1],
  ] as const);
  switch (kind) {
    case "square":
      return `${p}.mul(${p}).sum()`;
    case "tanh":
      return `${p}.tanh().sum()`;
    case "exp":
      return `${p}.exp().mean()`;
    case "abs":
      return `${p}.abs().sum()`;
    case "sigmoid":
      return `${p}.sigmoid().mul(${r.pick([2, -1.5])}).sum()`;
    case "pair": {
      const q = r.pick(params);
      return `${p}.sum().mul(${q}.sum())`;
    }
    default: {
      const t = floats(g, shape, dtype, { style: "plain" });
      return kind === "dot" ? `${p}.mul(${t}).sum()` : `${p}.sub(${t}).pow(2).mean()`;
    }
  }
}

export function optimFamily(g: Gen): void {
  const r = g.rng;
  const dtype: tt.DType = r.chance(0.6) ? "float32" : "float64";
  const n = r.int(1, 3);
  const params: string[] = [];
  for (let i = 0; i < n; i++) {
    const shape = g.shape(r.int(0, 2)).map((d) => Math.min(d, 3));
    params.push(
      floats(g, shape, r.chance(0.1) ? (dtype === "float32" ? "float64" : "float32") : dtype, {
        rg: true,
        style: g.style === "special" ? "plain" : undefined,
      }),
    );
  }
  // Rarely a non-leaf parameter: both libraries refuse it.
  if (r.chance(0.03)) params[0] = emit(g, `${params[0]}.mul(2)`, `${params[0]}.mul(2)`);
  const kind = r.weighted([
    ["SGD", 4],
    ["Adam", 3],
    ["AdamW", 2],
  ] as const);
  const defaults = hyper(g, kind);
  let o: string;
  const out = g.b.name("o");
  if (n >= 2 && r.chance(0.25)) {
    // Two param groups, the second with options of its own. Not nesterov, dampening or momentum: PyTorch checks those
    // against the defaults only and runs a group whose Nesterov lacks momentum; Tessera refuses that group.
    const own = hyper(g, kind, true).filter(([k]) => !["nesterov", "dampening", "momentum"].includes(k) && r.chance(0.5));
    const [a, b] = [params.slice(0, 1), params.slice(1)];
    o = emit(
      g,
      `new tt.optim.${kind}([${tsGroup(a, [])}, ${tsGroup(b, own)}], ${tsO(defaults) || "{}"})`,
      `torch.optim.${kind}([${pyGroup(a, [])}, ${pyGroup(b, own)}], ${pyK(defaults)})`,
      { out },
    );
  } else {
    o = emit(
      g,
      `new tt.optim.${kind}([${params.join(", ")}]${tsO(defaults) ? `, ${tsO(defaults)}` : ""})`,
      `torch.optim.${kind}([${params.join(", ")}]${pyK(defaults) ? `, ${pyK(defaults)}` : ""})`,
      { out },
    );
  }
  // Refused (a non-leaf parameter): nothing more to compare.
  if (failed(g)) return;
  const steps = r.int(1, 4);
  const sched = scheduler(g, o, steps, kind === "SGD");
  const all = [...params, o, ...(sched ? [sched] : [])];
  for (let s = 0; s < steps; s++) {
    if (s > 0 || r.chance(0.3)) {
      const toNone = r.chance(0.5);
      effect(g, `${o}.zeroGrad(${toNone})`, `${o}.zero_grad(set_to_none=${pyLit(toNone)})`, params);
    }
    // Some parameters may sit out a step: with zeroed (not None) gradients they still move (decay, momentum).
    const used = r.shuffle(params).slice(0, r.int(1, params.length));
    if (r.chance(0.15)) {
      // Gradients set by hand, sometimes strided views (the optimizer reads them as they are). Not expanded: clipping
      // them in place is the overlapping in-place case the autograd family covers.
      for (const p of used) {
        const pi = info(g, p);
        if (!pi) continue;
        const gr = floats(g, pi.shape, pi.dtype, { views: "strided", style: "plain" });
        effect(g, `void (${p}.grad = ${gr})`, `setattr(${p}, "grad", ${gr})`, [p]);
      }
    } else {
      const expr = used.map((p) => term(g, p, params)).reduce((a, b) => `${a}.add(${b})`);
      // The same text in both languages: mul, sum, sub, pow, mean, tanh, exp, abs, sigmoid and add are methods of both.
      const loss = emit(g, expr, expr);
      effect(g, `${loss}.backward()`, `${loss}.backward()`, params);
    }
    const clip = r.weighted([
      ["none", 6],
      ["norm", 1.5],
      ["value", 1],
    ] as const);
    const list = `[${params.join(", ")}]`;
    if (clip === "norm") {
      const maxNorm = r.pick([0.5, 1, 10]),
        normType = r.pick([undefined, 1, Infinity]);
      emit(
        g,
        `tt.optim.clipGradNorm_(${list}, ${maxNorm}${normType === undefined ? "" : `, ${tsLit(normType)}`})`,
        `float(torch.nn.utils.clip_grad_norm_(${list}, ${maxNorm}${normType === undefined ? "" : `, ${pyLit(normType)}`}))`,
        { effects: params },
      );
    } else if (clip === "value") {
      const v = r.pick([0.1, 0.5]);
      effect(g, `tt.optim.clipGradValue_(${list}, ${v})`, `torch.nn.utils.clip_grad_value_(${list}, ${v})`, params);
    }
    effect(g, `${o}.step()`, `${o}.step()`, all);
    for (const p of params) emit(g, p, p);
    if (sched) {
      effect(g, `${sched}.step()`, `${sched}.step()`, [sched, o]);
      emit(g, `${sched}.getLastLr()`, `${sched}.get_last_lr()`);
      if (r.chance(0.3))
        emit(
          g,
          `${o}.paramGroups[0].momentum ?? ${o}.paramGroups[0].betas`,
          `${o}.param_groups[0].get("momentum", ${o}.param_groups[0].get("betas"))`,
        );
    }
  }
  // The optimizer's state for one parameter.
  if (r.chance(0.4)) {
    const p = r.pick(params);
    const keys =
      kind === "SGD"
        ? [["momentumBuffer", "momentum_buffer"]]
        : [
            ["expAvg", "exp_avg"],
            ["expAvgSq", "exp_avg_sq"],
            ["maxExpAvgSq", "max_exp_avg_sq"],
          ];
    const [tk, pk] = r.pick(keys);
    // Absent (no step yet, or a state this configuration does not keep) reads as null / None.
    emit(g, `${o}.state.get(${p})?.${tk} ?? null`, `${o}.state[${p}].get("${pk}")`);
  }
  // The gradients left by the last step.
  if (r.chance(0.3)) for (const p of params) emit(g, `${p}.grad`, `${p}.grad`);
}
