/** The Dropout layer. */
import type { Tensor } from "./core.js";
import { dropout } from "./functional.js";
import { Module } from "./module.js";

/**
 * Inverted dropout in training mode: each element is zeroed with probability p (from the
 * global generator, tt.manualSeed) and the rest scaled by 1/(1-p); the identity after
 * eval().
 *
 * @example
 * const drop = new nn.Dropout(0.1);
 * drop.forward(x);        // training: some zeros
 * drop.eval().forward(x); // x itself
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: probability has to be between 0 and 1, got ${p}`);
  }

  /** @example drop.forward(x) */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
