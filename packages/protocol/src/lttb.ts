/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the shape of a
 * line (its peaks and dips) with a fixed number of points. The kernel's static chart and
 * the page's live chart both use it, so they pick the same points.
 */

/**
 * Picks at most `threshold` of the points `start..end-1` of (x, y) and writes their
 * indices, in order, to `out`; returns how many it wrote. The first and the last point are
 * always kept; each bucket in between keeps the point that makes the largest triangle
 * with the point kept before it and the average of the next bucket. With `threshold`
 * at least the number of points, every point is kept. Values must be finite.
 *
 * @example
 * const out = new Uint32Array(500);
 * const n = lttb(xs, ys, 0, xs.length, 500, out); // out[0..n) are indices into xs
 */
export function lttb(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  start: number,
  end: number,
  threshold: number,
  out: { [i: number]: number; length: number },
): number {
  const n = end - start;
  if (n <= 0) return 0;
  threshold = Math.max(2, Math.floor(threshold));
  if (threshold >= n) {
    for (let i = 0; i < n; i++) out[i] = start + i;
    return n;
  }
  // Buckets over the points between the first and the last.
  const every = (n - 2) / (threshold - 2);
  let k = 0;
  let a = start;
  out[k++] = a;
  for (let b = 0; b < threshold - 2; b++) {
    // The average of the next bucket (the last point, for the last bucket).
    const nextStart = start + Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(start + Math.floor((b + 2) * every) + 1, end);
    let avgX = 0;
    let avgY = 0;
    const count = nextEnd - nextStart;
    for (let i = nextStart; i < nextEnd; i++) {
      avgX += x[i];
      avgY += y[i];
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = x[end - 1];
      avgY = y[end - 1];
    }
    const from = start + Math.floor(b * every) + 1;
    const to = start + Math.floor((b + 1) * every) + 1;
    const ax = x[a];
    const ay = y[a];
    let best = -1;
    let pick = from;
    for (let i = from; i < to; i++) {
      const area = Math.abs((ax - avgX) * (y[i] - ay) - (ax - x[i]) * (avgY - ay));
      if (area > best) {
        best = area;
        pick = i;
      }
    }
    out[k++] = pick;
    a = pick;
  }
  out[k++] = end - 1;
  return k;
}
