/**
 * nn.init: in-place initializers with PyTorch's formulas (torch.nn.init). Each fills the
 * tensor without recording for autograd and returns it; the random ones draw from the
 * global generator (tt.manualSeed).
 */
import { empty, noGrad, type Tensor } from "./core.js";

/** Which fan kaiming scales by: fan_in keeps forward activations' variance, fan_out the gradients'. */
export type FanMode = "fan_in" | "fan_out" | "fanIn" | "fanOut";

/** Nonlinearities calculateGain knows (PyTorch's names). */
export type Nonlinearity = "linear" | "conv1d" | "conv2d" | "conv3d" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "leakyRelu" | "selu";

function random(t: Tensor, kind: "uniform" | "normal", p1: number, p2: number): Tensor {
  return noGrad(() => {
    if (t.isContiguous() && (t.dtype === "float32" || t.dtype === "float64")) {
      if (kind === "uniform") t.uniform_(p1, p2);
      else t.normal_(p1, p2);
      return t;
    }
    // Half types and strided views: draw in float32, then copy (casting) into place.
    const tmp = empty([...t.shape], { dtype: "float32", device: t.device });
    if (kind === "uniform") tmp.uniform_(p1, p2);
    else tmp.normal_(p1, p2);
    t.copy_(tmp);
    tmp.dispose();
    return t;
  });
}

/** Fills with uniform samples from [a, b). @example nn.init.uniform_(w, -0.1, 0.1) */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return random(t, "uniform", a, b);
}

/** Fills with normal samples. @example nn.init.normal_(w, 0, 0.02) */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return random(t, "normal", mean, std);
}

/** Fills with `value`. @example nn.init.constant_(b, 0.1) */
export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

/** Fills with zeros. @example nn.init.zeros_(layer.bias) */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills with ones. @example nn.init.ones_(norm.weight) */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain); `param` is
 * leaky_relu's negative slope (default 0.01).
 *
 * @example
 * nn.init.calculateGain("relu"); // √2
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu":
    case "leakyRelu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * fan_in and fan_out of a weight: [out, in, ...kernel] gives in·k and out·k.
 *
 * @example
 * nn.init.calculateFanInAndFanOut(tt.empty([16, 3, 3, 3])); // [27, 144]
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2)
    throw new Error(`init: fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape [${t.shape.join(",")}])`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Glorot/Xavier uniform: U(-a, a) with a = gain·√(6 / (fan_in + fan_out)). @example nn.init.xavierUniform_(w) */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** Glorot/Xavier normal: N(0, gain²·2 / (fan_in + fan_out)). @example nn.init.xavierNormal_(w) */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of the kaiming initializers (PyTorch's a, mode, nonlinearity). */
export interface KaimingOptions {
  /** Negative slope of the leaky_relu that follows (default 0). */
  a?: number;
  /** Default "fan_in". */
  mode?: FanMode;
  /** Default "leaky_relu" (with a = 0, the same gain as relu). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" } = o;
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = mode === "fan_in" || mode === "fanIn" ? fanIn : fanOut;
  if (mode !== "fan_in" && mode !== "fanIn" && mode !== "fan_out" && mode !== "fanOut")
    throw new Error(`init: mode must be "fan_in" or "fan_out", got ${JSON.stringify(mode)}`);
  if (fan === 0) throw new Error(`init: cannot initialize a tensor with a zero-size fan (shape [${t.shape.join(",")}])`);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(-b, b) with b = gain·√(3 / fan). Linear and Conv2d use it with
 * a = √5 for their default weights.
 *
 * @example
 * nn.init.kaimingUniform_(w, { a: Math.sqrt(5) });
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, -bound, bound);
}

/** He/Kaiming normal: N(0, gain² / fan). @example nn.init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" }) */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options));
}
