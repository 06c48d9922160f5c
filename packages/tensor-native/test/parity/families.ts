/** Every family the fuzzer draws programs from, with its weight in a mixed run. */
import { autocastFamily } from "./family-autocast.js";
import { autogradFamily } from "./family-autograd.js";
import { chain, large } from "./family-chain.js";
import { nnFamily } from "./family-nn.js";
import { optimFamily } from "./family-optim.js";
import type { Gen, GenOptions } from "./gen.js";

export interface Family {
  name: string;
  weight: number;
  options?: GenOptions;
  build(g: Gen): void;
}

export const FAMILIES: readonly Family[] = [
  { name: "chain", weight: 20, build: chain },
  { name: "large", weight: 1, options: { emptyChance: 0 }, build: large },
  // nn, optim, autograd and autocast: about a quarter of a mixed run.
  { name: "nn", weight: 3, build: nnFamily },
  { name: "optim", weight: 1.5, build: optimFamily },
  { name: "autograd", weight: 2, build: autogradFamily },
  { name: "autocast", weight: 0.5, build: autocastFamily },
];
