/**
 * Where a log axis gets lines and labels: powers of ten, with 2× and 5× between them
 * when the range spans less than three decades (uPlot's own splits put a line at every
 * 1…9 multiple, too dense to read).
 */
export function logSplits(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const decades: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) decades.push(Number((10 ** e).toPrecision(12)));
  let splits = decades.filter(inRange);
  if (splits.length < 3)
    splits = decades
      .flatMap((d) => [d, 2 * d, 5 * d])
      .map((v) => Number(v.toPrecision(12)))
      .filter(inRange);
  const every = Math.ceil(splits.length / 7);
  return splits.filter((_, i) => i % every === 0);
}

/** A log axis's range: the data's, with 5 % of room either side (in log space). */
export function logRange(min: number, max: number): [number, number] {
  if (!(min > 0) || !(max > 0)) return [0.1, 10];
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  const pad = hi > lo ? (hi - lo) * 0.05 : 0.5;
  return [10 ** (lo - pad), 10 ** (hi + pad)];
}
