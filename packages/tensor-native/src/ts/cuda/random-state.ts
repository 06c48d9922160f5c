/**
 * The CUDA generator's state: the seed from tt.manualSeed and, per device, how many random
 * launches have used it. Each launch draws from Philox with counter (launch number, element
 * index), so a seed gives the same tensors on every run and every GPU model. No CUDA call
 * is made here: seeding works whether or not a GPU is present.
 */
const DEFAULT_SEED = 0x7e55e7a;
let seed = DEFAULT_SEED;
const launches = new Map<number, number>();

export function setCudaSeed(s: number): void {
  seed = s;
  launches.clear();
}

/** The seed and the launch number for the next random fill on device `index`. */
export function nextRandom(index: number): { seed: number; offset: number } {
  const offset = launches.get(index) ?? 0;
  launches.set(index, offset + 1);
  return { seed, offset };
}
