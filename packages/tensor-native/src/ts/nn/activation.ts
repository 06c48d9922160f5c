/** Activation layers: thin modules over the functional forms, for use in Sequential. */
import type { Tensor } from "./core.js";
import { gelu, leakyRelu, softplus } from "./functional.js";
import { Module } from "./module.js";

/** max(x, 0). @example new nn.ReLU().forward(x) */
export class ReLU extends Module {
  /** @example relu.forward(x) */
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** x where x > 0, else negativeSlope·x. @example new nn.LeakyReLU(0.2).forward(x) */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  /** @example act.forward(x) */
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

/** GELU, exact (default) or with the tanh approximation. @example new nn.GELU({ approximate: "tanh" }).forward(x) */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = options.approximate ?? "none";
  }

  /** @example act.forward(x) */
  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate="${this.approximate}"`;
  }
}

/** x·sigmoid(x). @example new nn.SiLU().forward(x) */
export class SiLU extends Module {
  /** @example act.forward(x) */
  forward(x: Tensor): Tensor {
    return x.silu();
  }
}

/** @example new nn.Tanh().forward(x) */
export class Tanh extends Module {
  /** @example act.forward(x) */
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** @example new nn.Sigmoid().forward(x) */
export class Sigmoid extends Module {
  /** @example act.forward(x) */
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** log(1 + exp(beta·x)) / beta. @example new nn.Softplus().forward(x) */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }

  /** @example act.forward(x) */
  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Softmax along dim. @example new nn.Softmax(-1).forward(logits) */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new TypeError("Softmax: dim must be an integer, e.g. new nn.Softmax(-1)");
  }

  /** @example sm.forward(x) */
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) along dim. @example new nn.LogSoftmax(1).forward(logits) */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new TypeError("LogSoftmax: dim must be an integer, e.g. new nn.LogSoftmax(1)");
  }

  /** @example lsm.forward(x) */
  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
