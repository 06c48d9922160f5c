/** Every family the fuzzer draws programs from, with its weight in a mixed run. */
import { chain, large } from "./family-chain.js";
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
  { name: "optim", weight: 1.5, build: optimFamily },
];
