/** Axis ticks for the kernel's static chart (numbers are written by @tessera/protocol's formatValue). */

/** About `count` round tick values between min and max (steps of 1, 2 or 5 × 10^k). */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min) || !Number.isFinite(max - min)) return Number.isFinite(min) ? [min] : [];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Ticks for a log axis: powers of ten, with 2× and 5× between them when the range is short. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const decades: number[] = [];
  for (let e = lo; e <= hi; e++) decades.push(Number((10 ** e).toPrecision(12)));
  let ticks = decades.filter(inRange);
  if (ticks.length < 3) {
    ticks = decades
      .flatMap((d) => [d, 2 * d, 5 * d])
      .map((v) => Number(v.toPrecision(12)))
      .filter(inRange);
  }
  if (ticks.length < 2) ticks = linearTicks(min, max, 4).filter((v) => v > 0);
  // A long range: keep at most ~6 decades' labels.
  const every = Math.ceil(ticks.length / 6);
  return ticks.filter((_, i) => i % every === 0);
}
