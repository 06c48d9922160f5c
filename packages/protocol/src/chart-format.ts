/** How a chart writes numbers, shared by the kernel's SVG and summary and the page's view. */

/** At most 4 significant digits, without trailing zeros: `0.1235`, `1235`, `1.5e-5`. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(4)));
  return v
    .toExponential(2)
    .replace(/\.?0+e/, "e")
    .replace("e+", "e");
}

/** An x value: whole numbers as they are (`12000`), others as {@link formatValue}. */
export function formatX(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : formatValue(v);
}
